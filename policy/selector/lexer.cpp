// Calico's tokenizer rules (see lexer.h), rewritten as a pull lexer that keeps byte offsets so
// every error can say where it happened.
#include "policy/selector/lexer.h"

#include <cstdio>
#include <string>

namespace pinto::policy::selector {
namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '/' || c == '-';
}

SelectorError error_at(std::size_t position, std::string message) {
  return SelectorError{position, std::move(message)};
}

// A byte as an error message shows it: printable ASCII quoted, anything else in hex, since
// selectors arrive from YAML and gRPC and may hold any byte.
std::string show_byte(char c) {
  const auto b = static_cast<unsigned char>(c);
  if (b >= 0x21 && b < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", b);
  return std::string("byte ") + hex;
}

}  // namespace

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::End: return "end of selector";
    case TokenKind::Label: return "label '" + std::string(token.text) + "'";
    case TokenKind::String: return "quoted value";
    case TokenKind::LParen: return "'('";
    case TokenKind::RParen: return "')'";
    case TokenKind::LBrace: return "'{'";
    case TokenKind::RBrace: return "'}'";
    case TokenKind::Comma: return "','";
    case TokenKind::Eq: return "'=='";
    case TokenKind::Ne: return "'!='";
    case TokenKind::Not: return "'!'";
    case TokenKind::And: return "'&&'";
    case TokenKind::Or: return "'||'";
    case TokenKind::In: return "'in'";
    case TokenKind::NotIn: return "'not in'";
    case TokenKind::Contains: return "'contains'";
    case TokenKind::StartsWith: return "'starts with'";
    case TokenKind::EndsWith: return "'ends with'";
    case TokenKind::All: return "'all()'";
    case TokenKind::Global: return "'global()'";
    case TokenKind::Has: return "'has(" + std::string(token.text) + ")'";
  }
  return "token";
}

void Lexer::skip_blanks() {
  while (pos_ < input_.size() && is_blank(input_[pos_])) ++pos_;
}

bool Lexer::consume(std::string_view literal) {
  if (input_.substr(pos_).starts_with(literal)) {
    pos_ += literal.size();
    return true;
  }
  return false;
}

Result<Token, SelectorError> Lexer::next() {
  skip_blanks();
  const std::size_t start = pos_;
  const bool after_label = after_label_;
  after_label_ = false;
  if (pos_ >= input_.size()) return Token{TokenKind::End, start, {}};

  auto single = [&](TokenKind kind) {
    ++pos_;
    return Token{kind, start, input_.substr(start, 1)};
  };
  auto pair = [&](char second, TokenKind kind,
                  const char* expected) -> Result<Token, SelectorError> {
    if (pos_ + 1 < input_.size() && input_[pos_ + 1] == second) {
      pos_ += 2;
      return Token{kind, start, input_.substr(start, 2)};
    }
    return failure(error_at(start, std::string("expected '") + expected + "'"));
  };

  // Punctuation reads the same whatever came before (Calico checks it before the words).
  switch (input_[pos_]) {
    case '(': return single(TokenKind::LParen);
    case ')': return single(TokenKind::RParen);
    case '{': return single(TokenKind::LBrace);
    case '}': return single(TokenKind::RBrace);
    case ',': return single(TokenKind::Comma);
    case '"':
    case '\'': return quoted(start);
    case '=': return pair('=', TokenKind::Eq, "==");
    case '&': return pair('&', TokenKind::And, "&&");
    case '|': return pair('|', TokenKind::Or, "||");
    case '!':
      if (pos_ + 1 < input_.size() && input_[pos_ + 1] == '=') {
        pos_ += 2;
        return Token{TokenKind::Ne, start, input_.substr(start, 2)};
      }
      return single(TokenKind::Not);
    default: break;
  }
  if (after_label) return operator_after_label(start);
  return word(start);
}

Result<Token, SelectorError> Lexer::operator_after_label(std::size_t start) {
  // Calico matches these words as prefixes and allows no space inside `startswith`, `endswith`
  // and `notin`; the parser rejects whatever follows a prefix match that is not a value.
  auto with_second_word = [&](std::string_view second,
                              TokenKind kind) -> Result<Token, SelectorError> {
    const std::string_view first = input_.substr(start, pos_ - start);
    skip_blanks();
    if (!consume(second)) {
      return failure(error_at(
          pos_, "expected '" + std::string(second) + "' after '" + std::string(first) + "'"));
    }
    return Token{kind, start, input_.substr(start, pos_ - start)};
  };
  if (consume("contains")) return Token{TokenKind::Contains, start, input_.substr(start, 8)};
  if (consume("starts")) return with_second_word("with", TokenKind::StartsWith);
  if (consume("ends")) return with_second_word("with", TokenKind::EndsWith);
  if (consume("not")) return with_second_word("in", TokenKind::NotIn);
  if (consume("in")) return Token{TokenKind::In, start, input_.substr(start, 2)};
  return failure(error_at(start,
                          "expected an operator (==, !=, in, not in, contains, starts with, "
                          "ends with) after a label, found " +
                              show_byte(input_[start])));
}

Result<Token, SelectorError> Lexer::word(std::size_t start) {
  // The keywords take their '(' at once, as in Calico: `has (k)` is the label `has` followed by
  // a parenthesis, which the parser rejects.
  if (consume("has(")) {
    skip_blanks();
    const std::size_t key_start = pos_;
    while (pos_ < input_.size() && is_key_char(input_[pos_])) ++pos_;
    if (pos_ == key_start) return failure(error_at(pos_, "expected a label key after 'has('"));
    const std::string_view key = input_.substr(key_start, pos_ - key_start);
    skip_blanks();
    if (!consume(")")) return failure(error_at(pos_, "expected ')' to close 'has('"));
    return Token{TokenKind::Has, start, key};
  }
  if (consume("all(")) {
    skip_blanks();
    if (!consume(")")) return failure(error_at(pos_, "expected ')' after 'all('"));
    return Token{TokenKind::All, start, input_.substr(start, pos_ - start)};
  }
  if (consume("global(")) {
    skip_blanks();
    if (!consume(")")) return failure(error_at(pos_, "expected ')' after 'global('"));
    return Token{TokenKind::Global, start, input_.substr(start, pos_ - start)};
  }
  while (pos_ < input_.size() && is_key_char(input_[pos_])) ++pos_;
  if (pos_ == start) {
    return failure(error_at(start, "unexpected character " + show_byte(input_[start])));
  }
  after_label_ = true;
  return Token{TokenKind::Label, start, input_.substr(start, pos_ - start)};
}

Result<Token, SelectorError> Lexer::quoted(std::size_t start) {
  const char quote = input_[start];
  const std::size_t close = input_.find(quote, start + 1);
  if (close == std::string_view::npos) {
    return failure(error_at(start, std::string("unterminated string: no closing ") + quote));
  }
  pos_ = close + 1;
  return Token{TokenKind::String, start, input_.substr(start + 1, close - start - 1)};
}

}  // namespace pinto::policy::selector
