// Start-up reconciliation as a pure function: what the kernel holds for our protocol against
// what we want, as the smallest batch that makes them equal. Routes already right are left alone
// (no flap); wrong ones are replaced; ours that are no longer wanted are deleted.
#pragma once

#include <vector>

#include "fib/kernel_route.h"

namespace pinto::fib {

/// True when the kernel's `have` already is `want`: same type and next hops (ECMP in any order);
/// a wanted next hop that names no device matches the device the kernel chose.
bool matches(const KernelRoute& want, const KernelRoute& have);

std::vector<FibChange> reconcile(const std::vector<KernelRoute>& desired,
                                 const std::vector<KernelRoute>& kernel);

}  // namespace pinto::fib
