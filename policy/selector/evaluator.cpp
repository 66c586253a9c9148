// Calico's semantics for every test (libcalico-go/lib/selector/parser/ast.go): a test on an absent
// label is false, except `!=` and `not in`, which are true.
#include "policy/selector/evaluator.h"

#include <algorithm>
#include <functional>
#include <string_view>

namespace pinto::policy::selector {
namespace {

bool in_set(const std::vector<std::string>& set, std::string_view value, bool sorted) {
  if (sorted) return std::binary_search(set.begin(), set.end(), value, std::less<>{});
  return std::find(set.begin(), set.end(), value) != set.end();
}

}  // namespace

bool evaluate(const Node& node, const Labels& labels, bool sorted_sets) {
  switch (node.op) {
    case Op::All:
    case Op::Global: return true;
    case Op::Not: return !evaluate(node.children.front(), labels, sorted_sets);
    case Op::And:
      return std::all_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, labels, sorted_sets); });
    case Op::Or:
      return std::any_of(node.children.begin(), node.children.end(),
                         [&](const Node& c) { return evaluate(c, labels, sorted_sets); });
    default: break;
  }
  const auto it = labels.find(std::string_view(node.key));
  if (it == labels.end()) return node.op == Op::Ne || node.op == Op::NotIn;
  const std::string_view value = it->second;
  switch (node.op) {
    case Op::Has: return true;
    case Op::Eq: return value == node.value;
    case Op::Ne: return value != node.value;
    case Op::Contains: return value.find(node.value) != std::string_view::npos;
    case Op::StartsWith: return value.starts_with(node.value);
    case Op::EndsWith: return value.ends_with(node.value);
    case Op::In: return in_set(node.set, value, sorted_sets);
    case Op::NotIn: return !in_set(node.set, value, sorted_sets);
    default: return false;  // the list and constant cases returned above
  }
}

}  // namespace pinto::policy::selector
