// The grammar is in parser.h. One token of lookahead; the lexer runs only as far as the parser
// reads, so the reported error is always the first one in the text.
#include "policy/selector/parser.h"

#include <string>
#include <utility>

#include "policy/selector/lexer.h"

namespace pinto::policy::selector {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : lexer_(text) {}

  Result<Node, SelectorError> run() {
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    if (current_.kind == TokenKind::End) return Node{};  // blank: all(), as in Calico
    auto root = parse_or();
    if (!root) return root;
    if (current_.kind != TokenKind::End) {
      return failure(unexpected("'&&', '||' or the end of the selector"));
    }
    return root;
  }

 private:
  Result<void, SelectorError> advance() {
    auto token = lexer_.next();
    if (!token) return failure(std::move(token.error()));
    current_ = token.value();
    return outcome::success();
  }

  SelectorError unexpected(std::string_view expected) const {
    return SelectorError{current_.position,
                         "expected " + std::string(expected) + ", found " + describe(current_)};
  }

  // Parses operands separated by `separator` into one node of kind `op` (or the single operand).
  template <class Operand>
  Result<Node, SelectorError> parse_list(TokenKind separator, Op op, Operand operand) {
    auto first = (this->*operand)();
    if (!first) return first;
    if (current_.kind != separator) return first;
    Node list{.op = op};
    list.children.push_back(std::move(first.value()));
    while (current_.kind == separator) {
      if (auto r = advance(); !r) return failure(std::move(r.error()));
      auto next = (this->*operand)();
      if (!next) return next;
      list.children.push_back(std::move(next.value()));
    }
    return list;
  }

  Result<Node, SelectorError> parse_or() {
    return parse_list(TokenKind::Or, Op::Or, &Parser::parse_and);
  }

  Result<Node, SelectorError> parse_and() {
    return parse_list(TokenKind::And, Op::And, &Parser::parse_unary);
  }

  Result<Node, SelectorError> parse_unary() {
    // A run of '!' is counted, not recursed into, so `!!!!…` of any length is safe.
    bool negated = false;
    while (current_.kind == TokenKind::Not) {
      negated = !negated;
      if (auto r = advance(); !r) return failure(std::move(r.error()));
    }
    auto operand = parse_primary();
    if (!operand || !negated) return operand;
    Node not_node{.op = Op::Not};
    not_node.children.push_back(std::move(operand.value()));
    return not_node;
  }

  Result<Node, SelectorError> parse_primary() {
    const Token token = current_;
    switch (token.kind) {
      case TokenKind::All:
      case TokenKind::Global:
      case TokenKind::Has: {
        if (auto r = advance(); !r) return failure(std::move(r.error()));
        if (token.kind == TokenKind::All) return Node{.op = Op::All};
        if (token.kind == TokenKind::Global) return Node{.op = Op::Global};
        return Node{.op = Op::Has, .key = std::string(token.text)};
      }
      case TokenKind::LParen: return parse_group(token);
      case TokenKind::Label: return parse_test(token);
      default: return failure(unexpected("a label, has(), all(), global(), '!' or '('"));
    }
  }

  Result<Node, SelectorError> parse_group(const Token& open) {
    if (depth_ == Selector::kMaxNesting) {
      return failure(SelectorError{open.position, "parentheses nested deeper than " +
                                                      std::to_string(Selector::kMaxNesting)});
    }
    ++depth_;
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    auto inner = parse_or();
    if (!inner) return inner;
    if (current_.kind != TokenKind::RParen) {
      return failure(unexpected("')' to close the '(' at " + std::to_string(open.position)));
    }
    --depth_;
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    return inner;
  }

  Result<Node, SelectorError> parse_test(const Token& label) {
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    Node node{.key = std::string(label.text)};
    const Token op = current_;
    switch (op.kind) {
      case TokenKind::Eq: node.op = Op::Eq; break;
      case TokenKind::Ne: node.op = Op::Ne; break;
      case TokenKind::Contains: node.op = Op::Contains; break;
      case TokenKind::StartsWith: node.op = Op::StartsWith; break;
      case TokenKind::EndsWith: node.op = Op::EndsWith; break;
      case TokenKind::In: node.op = Op::In; break;
      case TokenKind::NotIn: node.op = Op::NotIn; break;
      default:
        return failure(
            unexpected("an operator (==, !=, in, not in, contains, starts with, ends with) after " +
                       describe(label)));
    }
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    if (node.op == Op::In || node.op == Op::NotIn) {
      if (auto r = parse_set(op, node); !r) return failure(std::move(r.error()));
      return node;
    }
    if (current_.kind != TokenKind::String) {
      return failure(unexpected("a quoted value after " + describe(op)));
    }
    node.value = std::string(current_.text);
    if (auto r = advance(); !r) return failure(std::move(r.error()));
    return node;
  }

  // '{' [string (',' string)* [',']] '}' — Calico allows the empty set and one trailing comma.
  Result<void, SelectorError> parse_set(const Token& op, Node& node) {
    if (current_.kind != TokenKind::LBrace) {
      return failure(unexpected("'{' after " + describe(op)));
    }
    if (auto r = advance(); !r) return r;
    bool want_value = true;  // at the start and after a comma
    while (current_.kind == TokenKind::String) {
      node.set.emplace_back(current_.text);
      want_value = false;
      if (auto r = advance(); !r) return r;
      if (current_.kind != TokenKind::Comma) break;
      want_value = true;
      if (auto r = advance(); !r) return r;
    }
    if (current_.kind != TokenKind::RBrace) {
      return failure(
          unexpected(want_value ? "a quoted value or '}' in the set" : "',' or '}' in the set"));
    }
    return advance();
  }

  Lexer lexer_;
  Token current_;
  std::size_t depth_ = 0;  // parentheses open around the current token
};

}  // namespace

Result<Node, SelectorError> parse(std::string_view text) {
  return Parser(text).run();
}

}  // namespace pinto::policy::selector
