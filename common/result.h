// Result<T, E>: the one way Pinto returns "a value or an error" across module boundaries.
//
// Boost.Outcome ships with Boost 1.74 (Debian 12), builds with GCC 12 and clang 14 in C++20, and
// needs no exceptions; std::expected would need C++23. The `terminate` policy turns a read of the
// wrong alternative into a crash instead of undefined behaviour.
#pragma once

#include <boost/outcome/result.hpp>
#include <string>
#include <utility>

namespace pinto {

namespace outcome = BOOST_OUTCOME_V2_NAMESPACE;

/// A plain human-readable error, for code paths that have nothing more specific to say.
struct Error {
  std::string message;
};

template <class T, class E = Error>
using Result = outcome::result<T, E, outcome::policy::terminate>;

/// Builds the failure alternative of any Result, so call sites read `return failure(err);`.
template <class E>
auto failure(E&& error) {
  return outcome::failure(std::forward<E>(error));
}

}  // namespace pinto
