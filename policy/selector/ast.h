// The parsed form of a selector, its normal form and its canonical text.
//
// DOC. The parser (parser.h) builds a Node tree exactly as written; normalise() rewrites it into
// the one shape that every equivalent spelling it knows about shares, and print() writes that
// shape as text that parses back to the same tree. The evaluator (evaluator.h) reads either.
// Private to pinto_selector: the public API is policy/selector/selector.h.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace pinto::policy::selector {

enum class Op : std::uint8_t {
  All,         // all()
  Global,      // global(): true for any labels; its namespace meaning belongs to the caller
  Has,         // has(key)
  Eq,          // key == value
  Ne,          // key != value        (true when key is absent)
  Contains,    // key contains value
  StartsWith,  // key starts with value
  EndsWith,    // key ends with value
  In,          // key in {set}
  NotIn,       // key not in {set}    (true when key is absent)
  Not,         // !children[0]
  And,         // children[0] && children[1] && ...
  Or,          // children[0] || children[1] || ...
};

struct Node {
  Op op = Op::All;
  std::string key;               // label key of a test on one label
  std::string value;             // operand of ==, !=, contains, starts with, ends with
  std::vector<std::string> set;  // operand of in / not in; sorted and unique once normalised
  std::vector<Node> children;    // operands of !, && and ||
};

/// A total order on trees, used to sort the operands of && and || into one order.
std::strong_ordering compare(const Node& a, const Node& b);

/// Rewrites `node` into normal form:
///  - set members sorted, duplicates dropped; a one-member set becomes == / !=;
///  - `!` pushed into the tests that have an exact opposite (== / !=, in / not in) and double `!`
///    removed, so `!(k == 'v')`, `!!k != 'v'` and `k != 'v'` are one tree;
///  - nested && (and nested ||) flattened, operands sorted by compare() and duplicates dropped;
///  - all() dropped from &&, and || with an all() operand becomes all().
/// The result is a fixed point: normalise(parse(print(normalise(t)))) == normalise(t).
Node normalise(Node node);

/// Appends the canonical text of a normalised tree to `out`: `&&` and `||` spaced, no redundant
/// parentheses, values in double quotes unless they contain one.
void print(const Node& node, std::string& out);

}  // namespace pinto::policy::selector
