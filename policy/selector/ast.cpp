// Normal form and canonical text (see ast.h for the rules and why they hold).
#include "policy/selector/ast.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace pinto::policy::selector {
namespace {

// The test that matches exactly when `op` does not, for the tests that have one. An absent label
// fails == and in and passes != and not in, so the pairs are exact opposites; contains, starts
// with and ends with have no spelled opposite and keep their '!'.
bool invert(Op& op) {
  switch (op) {
    case Op::Eq: op = Op::Ne; return true;
    case Op::Ne: op = Op::Eq; return true;
    case Op::In: op = Op::NotIn; return true;
    case Op::NotIn: op = Op::In; return true;
    default: return false;
  }
}

Node normalise_set(Node node) {
  std::sort(node.set.begin(), node.set.end());
  node.set.erase(std::unique(node.set.begin(), node.set.end()), node.set.end());
  if (node.set.size() == 1) {  // `k in {'v'}` is `k == 'v'`; `k not in {'v'}` is `k != 'v'`
    node.op = node.op == Op::In ? Op::Eq : Op::Ne;
    node.value = std::move(node.set.front());
    node.set.clear();
  }
  return node;
}

Node normalise_not(Node node) {
  Node operand = normalise(std::move(node.children.front()));
  if (operand.op == Op::Not) return std::move(operand.children.front());
  if (invert(operand.op)) return operand;
  node.children.front() = std::move(operand);
  return node;
}

// && and ||: flatten, drop the identity, sort, deduplicate.
Node normalise_list(Node node) {
  const Op op = node.op;
  std::vector<Node> operands;
  operands.reserve(node.children.size());
  for (Node& child : node.children) {
    Node c = normalise(std::move(child));
    if (c.op == op) {
      std::move(c.children.begin(), c.children.end(), std::back_inserter(operands));
    } else if (c.op == Op::All) {
      if (op == Op::Or) return Node{};  // x || all() matches everything
      // x && all() is x: drop it
    } else {
      operands.push_back(std::move(c));
    }
  }
  std::sort(operands.begin(), operands.end(),
            [](const Node& a, const Node& b) { return compare(a, b) < 0; });
  operands.erase(std::unique(operands.begin(), operands.end(),
                             [](const Node& a, const Node& b) { return compare(a, b) == 0; }),
                 operands.end());
  if (operands.empty()) return Node{};  // only all() operands
  if (operands.size() == 1) return std::move(operands.front());
  node.children = std::move(operands);
  return node;
}

const char* quote_for(const std::string& value) {
  // Calico has no escapes, so a value holding '"' was written in single quotes and goes back in
  // them; no value can hold both kinds.
  return value.find('"') == std::string::npos ? "\"" : "'";
}

void print_value(const std::string& value, std::string& out) {
  const char* quote = quote_for(value);
  out += quote;
  out += value;
  out += quote;
}

const char* test_word(Op op) {
  switch (op) {
    case Op::Eq: return " == ";
    case Op::Ne: return " != ";
    case Op::Contains: return " contains ";
    case Op::StartsWith: return " starts with ";
    case Op::EndsWith: return " ends with ";
    case Op::In: return " in {";
    case Op::NotIn: return " not in {";
    default: return " ? ";
  }
}

}  // namespace

std::strong_ordering compare(const Node& a, const Node& b) {
  if (auto c = a.op <=> b.op; c != 0) return c;
  if (auto c = a.key <=> b.key; c != 0) return c;
  if (auto c = a.value <=> b.value; c != 0) return c;
  if (auto c = a.set.size() <=> b.set.size(); c != 0) return c;
  for (std::size_t i = 0; i < a.set.size(); ++i) {
    if (auto c = a.set[i] <=> b.set[i]; c != 0) return c;
  }
  if (auto c = a.children.size() <=> b.children.size(); c != 0) return c;
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (auto c = compare(a.children[i], b.children[i]); c != 0) return c;
  }
  return std::strong_ordering::equal;
}

Node normalise(Node node) {
  switch (node.op) {
    case Op::In:
    case Op::NotIn: return normalise_set(std::move(node));
    case Op::Not: return normalise_not(std::move(node));
    case Op::And:
    case Op::Or: return normalise_list(std::move(node));
    default: return node;
  }
}

void print(const Node& node, std::string& out) {
  switch (node.op) {
    case Op::All: out += "all()"; return;
    case Op::Global: out += "global()"; return;
    case Op::Has:
      out += "has(";
      out += node.key;
      out += ')';
      return;
    case Op::In:
    case Op::NotIn: {
      out += node.key;
      out += test_word(node.op);
      for (std::size_t i = 0; i < node.set.size(); ++i) {
        if (i > 0) out += ", ";
        print_value(node.set[i], out);
      }
      out += '}';
      return;
    }
    case Op::Not: {
      // `!k contains 'x'` would parse the same, but reads as if '!' applied to k alone.
      const Node& operand = node.children.front();
      const bool bare = operand.op == Op::Has || operand.op == Op::All || operand.op == Op::Global;
      out += bare ? "!" : "!(";
      print(operand, out);
      if (!bare) out += ')';
      return;
    }
    case Op::And:
    case Op::Or: {
      const bool is_and = node.op == Op::And;
      for (std::size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) out += is_and ? " && " : " || ";
        const Node& child = node.children[i];
        // In normal form only || under && needs them (&& binds tighter, and nested lists are
        // flattened); a list under a list of its own kind gets them too, so any tree prints as
        // the tree it is.
        const bool group = child.op == Op::Or || child.op == node.op;
        if (group) out += '(';
        print(child, out);
        if (group) out += ')';
      }
      return;
    }
    default:
      out += node.key;
      out += test_word(node.op);
      print_value(node.value, out);
      return;
  }
}

}  // namespace pinto::policy::selector
