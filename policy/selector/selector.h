// Calico's label selector language: parse once, match many times.
//
// DOC. A selector is the expression Calico resources use to pick labelled things: BGPPeer
// nodeSelector/peerSelector and IPPool nodeSelector (the cluster model), and the selector,
// namespaceSelector and notSelector of network policy. The language and its semantics follow
// projectcalico/calico libcalico-go/lib/selector; docs/selectors.md describes it and lists where
// Pinto's canonical text differs from Calico's.
//
// NOTE Threading: a Selector is immutable once parsed; copies share one parsed tree, so any number
// of threads may call matches() on the same Selector at once.
// NOTE Performance: matches() walks the parsed tree and looks labels up in place; it allocates
// nothing. Parsing allocates the tree and the canonical text once.
//
// This library does no I/O and links only pinto_common.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace pinto::policy {

/// Labels of a node, endpoint or namespace. `std::less<>` lets matches() look keys up through a
/// std::string_view without building a std::string.
using Labels = std::map<std::string, std::string, std::less<>>;

/// Why a selector did not parse, and where.
struct SelectorError {
  std::size_t position = 0;  ///< byte offset in the text where parsing failed
  std::string message;       ///< what was expected / found
  /// "at 7: expected a quoted value after '=='"
  std::string to_string() const;
};

namespace selector {
struct Node;  // the parsed tree (policy/selector/ast.h), private to the library
}

class Selector {
 public:
  /// all(): what Calico makes of an empty selector.
  Selector() = default;

  /// Parses `text`. Empty or blank text is all(), as in Calico. Parentheses may nest at most
  /// kMaxNesting deep, so hostile input cannot exhaust the stack.
  static Result<Selector, SelectorError> parse(std::string_view text);

  /// True when `labels` satisfy the selector. An absent label satisfies `k != 'v'` and
  /// `k not in {...}` and fails every other test on `k` (Calico's rule).
  bool matches(const Labels& labels) const;

  /// The normalised text: it parses back to an equal Selector, and equivalent spellings that
  /// differ only in quoting, spacing, redundant parentheses, double negation, the order of `&&`
  /// and `||` operands or of set members give the same string (docs/selectors.md).
  std::string canonical() const;

  /// True when the selector is all() after normalisation (empty text, `all()`, `all() && all()`,
  /// `x || all()`). global() is not counted: it matches any labels, but it means "non-namespaced
  /// resources" to a namespaceSelector, which is for the policy compiler to decide.
  bool selects_all() const;

  /// Equal when the canonical texts are equal.
  friend bool operator==(const Selector& a, const Selector& b);

  /// Parentheses deeper than this are rejected. Real selectors nest a handful deep; 64 keeps the
  /// recursive parser, evaluator and printer far from any stack limit, sanitizers included.
  static constexpr std::size_t kMaxNesting = 64;

 private:
  struct Parsed;
  explicit Selector(std::shared_ptr<const Parsed> parsed) : parsed_(std::move(parsed)) {}

  std::shared_ptr<const Parsed> parsed_;  // null means all(): a default Selector allocates nothing
};

}  // namespace pinto::policy
