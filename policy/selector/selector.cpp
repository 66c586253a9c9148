// The public facade: parse, normalise, print once; match many times.
#include "policy/selector/selector.h"

#include <utility>

#include "policy/selector/ast.h"
#include "policy/selector/evaluator.h"
#include "policy/selector/parser.h"

namespace pinto::policy {

struct Selector::Parsed {
  selector::Node root;    // normal form
  std::string canonical;  // print(root), kept because equality and logging read it often
};

std::string SelectorError::to_string() const {
  return "at " + std::to_string(position) + ": " + message;
}

Result<Selector, SelectorError> Selector::parse(std::string_view text) {
  auto raw = selector::parse(text);
  if (!raw) return failure(std::move(raw.error()));
  auto parsed = std::make_shared<Parsed>();
  parsed->root = selector::normalise(std::move(raw.value()));
  if (parsed->root.op == selector::Op::All) return Selector();  // one all(), shared by none
  selector::print(parsed->root, parsed->canonical);
  return Selector(std::move(parsed));
}

bool Selector::matches(const Labels& labels) const {
  return parsed_ == nullptr || selector::evaluate(parsed_->root, labels);
}

std::string Selector::canonical() const {
  return parsed_ ? parsed_->canonical : "all()";
}

bool Selector::selects_all() const {
  return parsed_ == nullptr;
}

bool operator==(const Selector& a, const Selector& b) {
  if (a.parsed_ == b.parsed_) return true;  // both all(), or copies of one parse
  if (a.parsed_ == nullptr || b.parsed_ == nullptr) return false;
  return a.parsed_->canonical == b.parsed_->canonical;
}

}  // namespace pinto::policy
