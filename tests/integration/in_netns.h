// InNetns: moves the calling thread into a test's network namespace for a scope, so code under
// test that opens netlink sockets (the FIB writer) works on that namespace's kernel tables.
// setns() affects only the calling thread; the destructor moves it back.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "integration/harness_error.h"
#include "integration/netns.h"

namespace pinto::itest {

class InNetns {
 public:
  explicit InNetns(const Netns& netns) {
    original_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    const int target = ::open(("/var/run/netns/" + netns.name()).c_str(), O_RDONLY | O_CLOEXEC);
    if (original_ < 0 || target < 0 || ::setns(target, CLONE_NEWNET) != 0) {
      if (target >= 0) ::close(target);
      if (original_ >= 0) ::close(original_);
      throw HarnessError("cannot enter network namespace " + netns.name());
    }
    ::close(target);
  }
  ~InNetns() {
    ::setns(original_, CLONE_NEWNET);
    ::close(original_);
  }
  InNetns(const InNetns&) = delete;
  InNetns& operator=(const InNetns&) = delete;

 private:
  int original_ = -1;
};

}  // namespace pinto::itest
