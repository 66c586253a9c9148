// Start-up reconciliation as a pure function: what the kernel holds for our protocol against
// what we want, as the smallest batch that makes them equal. Routes already right are left alone
// (no flap); wrong ones are replaced; ours that are no longer wanted are deleted.
#pragma once

#include <vector>

#include "fib/kernel_route.h"

namespace pinto::fib {

std::vector<FibChange> reconcile(const std::vector<KernelRoute>& desired,
                                 const std::vector<KernelRoute>& kernel);

}  // namespace pinto::fib
