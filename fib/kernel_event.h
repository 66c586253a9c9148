// What the kernel tells us behind our back: one of our routes was deleted, a link went down or
// came up, or we missed events (the socket overran). FibManager repairs from these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/ip_address.h"

namespace pinto::fib {

struct KernelEvent {
  enum class Kind : std::uint8_t {
    RouteDeleted,  // a route of `protocol` in `table` for `prefix` is gone
    LinkChanged,   // `link` went up (`up`) or down
    Overrun,       // events were lost: only a full comparison with the kernel is safe
  };
  Kind kind = Kind::Overrun;
  IpPrefix prefix;
  std::uint32_t table = 0;
  std::uint8_t protocol = 0;
  std::string link;
  bool up = false;
};

/// A non-blocking stream of kernel events: wait until fd() is readable, then read().
class KernelEventSource {
 public:
  virtual ~KernelEventSource() = default;
  virtual int fd() const = 0;
  /// Everything queued now (empty when nothing is); never blocks.
  virtual std::vector<KernelEvent> read() = 0;
};

}  // namespace pinto::fib
