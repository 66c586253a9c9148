// The properties every selector fuzz input must satisfy, shared by the libFuzzer target
// (selector_fuzz.cpp) and the unit test that replays the committed corpus in every build.
//
//  - parse never crashes, and a failure points inside the text (or just past it) with a message;
//  - the canonical text parses, to the same canonical text and an equal Selector (idempotence);
//  - normalisation keeps the meaning: the tree as written, evaluated directly, and the normalised
//    Selector agree on label sets made from the selector's own keys and values.
// A violated property aborts, which the fuzzer reports as a crash.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "policy/selector/evaluator.h"
#include "policy/selector/parser.h"
#include "policy/selector/selector.h"

namespace pinto::fuzz {

[[noreturn]] inline void selector_property_violated(const char* what, std::string_view text) {
  std::fprintf(stderr, "selector fuzz property violated: %s\ninput: %.*s\n", what,
               static_cast<int>(text.size()), text.data());
  std::abort();
}

namespace detail {

inline void collect(const policy::selector::Node& node, std::vector<std::string>& keys,
                    std::vector<std::string>& values) {
  if (!node.key.empty() && keys.size() < 6) keys.push_back(node.key);
  if (values.size() < 8) {
    if (!node.value.empty()) {
      // The value itself, and strings that contain / start / end with it, or almost do.
      values.push_back(node.value);
      values.push_back("x" + node.value);
      values.push_back(node.value + "x");
      values.push_back(node.value.substr(1));
    }
    for (const auto& v : node.set) values.push_back(v);
  }
  for (const auto& child : node.children) collect(child, keys, values);
}

}  // namespace detail

/// Label sets that exercise `tree`: each of its keys absent or set to one of its values, in a
/// fixed pattern of combinations.
inline std::vector<policy::Labels> labels_for(const policy::selector::Node& tree) {
  std::vector<std::string> keys;
  std::vector<std::string> values{"", "zz"};
  detail::collect(tree, keys, values);
  std::vector<policy::Labels> out;
  out.emplace_back();
  const std::size_t combos = 24;
  for (std::size_t i = 0; i < combos; ++i) {
    policy::Labels labels;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (((i + k) % 3) == 0) continue;  // absent
      labels[keys[k]] = values[(i * 7 + k * 3) % values.size()];
    }
    out.push_back(std::move(labels));
  }
  return out;
}

inline void check_selector(std::string_view text) {
  auto parsed = policy::Selector::parse(text);
  auto raw = policy::selector::parse(text);
  if (parsed.has_value() != raw.has_value()) {
    selector_property_violated("Selector::parse and the raw parser disagree", text);
  }
  if (!parsed) {
    const auto& e = parsed.error();
    if (e.position > text.size()) selector_property_violated("error position past the end", text);
    if (e.message.empty()) selector_property_violated("error without a message", text);
    return;
  }
  const policy::Selector& sel = parsed.value();
  const std::string canon = sel.canonical();
  auto again = policy::Selector::parse(canon);
  if (!again) selector_property_violated("canonical text does not parse", canon);
  if (again.value().canonical() != canon) {
    selector_property_violated("canonical text is not a fixed point", canon);
  }
  if (!(again.value() == sel)) selector_property_violated("reparsed selector differs", canon);
  if (sel.selects_all() != (canon == "all()")) {
    selector_property_violated("selects_all() disagrees with the canonical text", canon);
  }
  for (const auto& labels : labels_for(raw.value())) {
    const bool as_written = policy::selector::evaluate(raw.value(), labels, false);
    if (as_written != sel.matches(labels)) {
      selector_property_violated("normalisation changed the meaning", text);
    }
    if (again.value().matches(labels) != as_written) {
      selector_property_violated("canonical text changed the meaning", text);
    }
  }
}

}  // namespace pinto::fuzz
