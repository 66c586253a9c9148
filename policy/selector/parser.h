// Recursive-descent parser for the selector grammar (Calico's precedence):
//
//   selector := blank                       -> all()
//             | or EOF
//   or       := and ('||' and)*
//   and      := unary ('&&' unary)*
//   unary    := '!'* primary                 (any run of '!' collapses to one or none)
//   primary  := 'all()' | 'global()' | 'has(' key ')' | '(' or ')' | key test
//   test     := ('==' | '!=' | 'contains' | 'starts with' | 'ends with') string
//             | ('in' | 'not in') '{' [string (',' string)* [',']] '}'
//
// So `!` binds tightest and applies to one test or one parenthesised group, `&&` binds tighter
// than `||`, and `!a == 'x'` means `!(a == 'x')`. Private to pinto_selector.
#pragma once

#include <string_view>

#include "policy/selector/ast.h"
#include "policy/selector/selector.h"

namespace pinto::policy::selector {

/// The tree exactly as written (not normalised), or the first error with its byte offset.
/// Parentheses deeper than Selector::kMaxNesting are an error, which bounds every recursion over
/// the tree.
Result<Node, SelectorError> parse(std::string_view text);

}  // namespace pinto::policy::selector
