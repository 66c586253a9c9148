#include "fib/reconcile.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace pinto::fib {

namespace {

KernelRoute normalised(KernelRoute r) {
  std::sort(r.next_hops.begin(), r.next_hops.end());
  return r;
}

// The kernel always reports the device a next hop resolved to; a desired next hop that names
// none matches whatever device the kernel chose.
bool same_next_hop(const NextHop& want, const NextHop& have) {
  return want.gateway == have.gateway && want.onlink == have.onlink && want.weight == have.weight &&
         (want.device.empty() || want.device == have.device);
}

}  // namespace

bool matches(const KernelRoute& want, const KernelRoute& have) {
  if (want.type != have.type || want.next_hops.size() != have.next_hops.size()) return false;
  if (want.next_hops.size() == 1) return same_next_hop(want.next_hops[0], have.next_hops[0]);
  const KernelRoute w = normalised(want);  // ECMP: compare in a canonical order
  const KernelRoute h = normalised(have);
  for (std::size_t i = 0; i < w.next_hops.size(); ++i) {
    if (!same_next_hop(w.next_hops[i], h.next_hops[i])) return false;
  }
  return true;
}

std::vector<FibChange> reconcile(const std::vector<KernelRoute>& desired,
                                 const std::vector<KernelRoute>& kernel) {
  using Key = std::tuple<std::uint32_t, IpPrefix>;
  std::map<Key, KernelRoute> have;
  for (const auto& r : kernel) have[{r.table, r.prefix}] = normalised(r);
  std::vector<FibChange> changes;
  for (const auto& want : desired) {
    const KernelRoute w = normalised(want);
    auto it = have.find({w.table, w.prefix});
    if (it == have.end() || !matches(w, it->second)) {
      changes.push_back({FibChange::Op::Replace, w});
    }
    if (it != have.end()) have.erase(it);
  }
  for (auto& [key, route] : have) changes.push_back({FibChange::Op::Delete, route});
  return changes;
}

}  // namespace pinto::fib
