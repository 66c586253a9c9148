// HarnessError: the one exception type of the integration harness.
//
// The production code keeps exceptions off module boundaries (STYLE.md), but a test harness is
// different: when `ip netns add` or a daemon start fails there is nothing sensible to return to,
// the test must stop. GoogleTest reports an escaping exception as a failure with its message, and
// stack unwinding runs every RAII destructor, so namespaces and daemons are still removed.
#pragma once

#include <stdexcept>
#include <string>

namespace pinto::itest {

/// Thrown when the test environment cannot be built or driven (a command failed, a daemon did
/// not start). The message names the command and carries its output or the daemon's log tail.
class HarnessError : public std::runtime_error {
 public:
  explicit HarnessError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace pinto::itest
