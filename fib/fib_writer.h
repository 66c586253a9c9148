// FibWriter: the one seam between Pinto and the kernel's routing table. NetlinkFibWriter talks to
// the kernel; MemoryFibWriter keeps a map, for unit tests. Both run on the FIB thread.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "common/result.h"
#include "fib/kernel_event.h"
#include "fib/kernel_route.h"
#include "fib/tunnel_device.h"

namespace pinto::fib {

class FibWriter {
 public:
  virtual ~FibWriter() = default;
  /// Applies every change (replace semantics: create or overwrite), as one pipelined batch.
  /// Returns the changes that failed, each with its reason; the others are in effect.
  virtual std::vector<FibError> apply(std::span<const FibChange> batch) = 0;
  /// The routes of `protocol` in `table` (start-up reconciliation). Other protocols' routes are
  /// never returned, so never touched.
  virtual Result<std::vector<KernelRoute>> dump(std::uint32_t table, std::uint8_t protocol) = 0;
  /// Creates the tunnel device when missing (or checks the one there is of the right kind) and
  /// brings it up. The error says plainly when the kernel cannot do it (no IPIP support).
  virtual Result<void> ensure_tunnel(const TunnelDevice& device) = 0;
  /// Makes the VXLAN device's flood list exactly `remotes` (all-zeros FDB entries).
  virtual Result<void> set_flood_list(const std::string& device, const FloodList& remotes) = 0;
  /// A source of kernel events (our routes deleted, links going down or up) for repairs; null
  /// when the writer has none.
  virtual std::unique_ptr<KernelEventSource> open_events() = 0;
};

}  // namespace pinto::fib
