// Evaluates a selector tree against a set of labels.
//
// NOTE Performance: no allocation. Keys are looked up in the caller's map through its transparent
// comparator; set membership is a binary search over the node's sorted set. Private to
// pinto_selector.
#pragma once

#include "policy/selector/ast.h"
#include "policy/selector/selector.h"

namespace pinto::policy::selector {

/// True when `labels` satisfy `node`. Works on raw and normalised trees alike (the fuzz check
/// compares the two); `in` / `not in` sets must be sorted when `sorted_sets` is true, which
/// normalise() guarantees, and are scanned linearly otherwise.
bool evaluate(const Node& node, const Labels& labels, bool sorted_sets = true);

}  // namespace pinto::policy::selector
