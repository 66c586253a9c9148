// FibWriter: the one seam between Pinto and the kernel's routing table. NetlinkFibWriter talks to
// the kernel; MemoryFibWriter keeps a map, for unit tests. Both run on the FIB thread.
#pragma once

#include <span>
#include <vector>

#include "common/result.h"
#include "fib/kernel_route.h"

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
};

}  // namespace pinto::fib
