// The daemon's half of the FIB: which route each prefix should have in the kernel. The rules
// (tunnels, CrossSubnet, ECMP) are fib::learned_route's; here is only where the inputs come from.
#include <algorithm>

#include "common/log.h"
#include "daemon/wiring.h"

namespace pinto::daemon {

namespace {

IpAddress unspecified(const IpPrefix& prefix) {
  return prefix.address().is_v4() ? IpAddress::v4(0) : *IpAddress::parse("::");
}

// Calico's device names, VNIs and MTUs (FelixConfiguration defaults).
fib::TunnelDevice tunnel_for(config::EncapsulatedPool::Kind kind, bool v4, const IpAddress& local) {
  fib::TunnelDevice d;
  d.local = local;
  if (kind == config::EncapsulatedPool::Kind::Ipip) {
    d.kind = fib::TunnelDevice::Kind::Ipip;
    d.name = "tunl0";
    d.mtu = 0;
  } else if (v4) {
    d.name = "vxlan.calico";
  } else {
    d.name = "vxlan-v6.calico";
    d.vni = 6;
    d.mtu = 1430;
  }
  return d;
}

}  // namespace

// What the kernel should hold for one prefix, in order of precedence: the node's own blocks are
// blackholes whatever the RIB says (Calico's behaviour: addresses not given to a workload die
// here); a local workload's address goes to its interface; a reachableBy host route is
// apply_fib_model's; otherwise the Loc-RIB's equal-cost best paths learned over BGP, via their
// next hops. Prefixes only we originate stay out.
void Daemon::refresh_fib(const IpPrefix& prefix) {
  if (blocks_.contains(prefix)) {
    fib_->set(fib::KernelRoute{prefix, fib::RouteType::Blackhole, {}, 0, 0});
    return;
  }
  if (auto w = workload_routes_.find(prefix); w != workload_routes_.end()) {
    fib::KernelRoute route;
    route.prefix = prefix;
    route.next_hops.push_back(fib::NextHop{unspecified(prefix), w->second.interface, false, 1});
    fib_->set(route);
    return;
  }
  if (peer_routes_.contains(prefix)) return;
  std::vector<IpAddress> next_hops;
  if (rib_) {
    for (const rib::Path* path : rib_->multipath(prefix, settings_.bgp.max_paths)) {
      if (path->peer != rib::kLocalPeer) next_hops.push_back(path->next_hop());
    }
  }
  if (auto route = fib::learned_route(prefix, next_hops, encapsulation_)) {
    fib_->set(*route);
  } else {
    fib_->remove(prefix);
  }
}

void Daemon::apply_fib_model() {
  // Tunnels first: routes through them need the device.
  std::vector<fib::EncapsulatedRange> encapsulation;
  std::vector<fib::TunnelDevice> tunnels;
  for (const auto& pool : model_.encapsulated_pools) {
    const bool v4 = pool.cidr.address().is_v4();
    const auto& local = v4 ? model_.local.ipv4 : model_.local.ipv6;
    if (!local) {
      log_error(
          "IPPool {}: {} encapsulation needs this node's IPv{} address; its routes go "
          "direct",
          pool.name, pool.kind == config::EncapsulatedPool::Kind::Vxlan ? "VXLAN" : "IPIP",
          v4 ? 4 : 6);
      continue;
    }
    fib::TunnelDevice device = tunnel_for(pool.kind, v4, *local);
    const auto& subnet = v4 ? model_.local.ipv4_subnet : model_.local.ipv6_subnet;
    encapsulation.push_back(fib::EncapsulatedRange{
        pool.cidr, device.name, pool.cross_subnet ? subnet : std::optional<IpPrefix>{}});
    if (std::none_of(tunnels.begin(), tunnels.end(),
                     [&](const fib::TunnelDevice& t) { return t.name == device.name; })) {
      tunnels.push_back(std::move(device));
    }
  }
  fib_->set_tunnels(tunnels);
  const bool encapsulation_changed =
      encapsulation.size() != encapsulation_.size() ||
      !std::equal(encapsulation.begin(), encapsulation.end(), encapsulation_.begin(),
                  [](const fib::EncapsulatedRange& a, const fib::EncapsulatedRange& b) {
                    return a.pool == b.pool && a.device == b.device &&
                           a.direct_subnet == b.direct_subnet;
                  });
  encapsulation_ = std::move(encapsulation);

  // Prefixes whose kind of route may have changed: refreshed once each at the end.
  std::set<IpPrefix> touched;
  const std::set<IpPrefix> old_blocks = std::move(blocks_);
  blocks_ = {model_.blocks.begin(), model_.blocks.end()};
  touched.insert(old_blocks.begin(), old_blocks.end());
  touched.insert(blocks_.begin(), blocks_.end());

  std::map<IpPrefix, config::WorkloadRoute> workloads;
  for (const auto& w : model_.workload_routes) workloads.emplace(w.address, w);
  for (const auto& [prefix, w] : workload_routes_) {
    if (auto now = workloads.find(prefix); now == workloads.end() || !(now->second == w))
      touched.insert(prefix);
  }
  for (const auto& [prefix, w] : workloads) {
    if (auto before = workload_routes_.find(prefix);
        before == workload_routes_.end() || !(before->second == w))
      touched.insert(prefix);
  }
  workload_routes_ = std::move(workloads);

  // reachableBy: a host route to each such peer through its gateway, so the session can form
  // before any routing protocol knows the way (Calico's static route for the peer).
  const std::set<IpPrefix> old_peer_routes = std::move(peer_routes_);
  peer_routes_.clear();
  for (const auto& peer : model_.peers) {
    if (!peer.reachable_by) continue;
    const IpPrefix host(peer.address, peer.address.is_v4() ? 32 : 128);
    peer_routes_.insert(host);
    fib::KernelRoute route;
    route.prefix = host;
    route.next_hops.push_back(fib::NextHop{*peer.reachable_by, "", false, 1});
    fib_->set(route);
  }
  for (const auto& p : old_peer_routes) {
    if (!peer_routes_.contains(p)) touched.insert(p);
  }
  for (const auto& p : touched) refresh_fib(p);
  // A pool's encapsulation changed: every learned route may now go another way (rare; O(table)).
  if (encapsulation_changed && rib_) {
    rib_->for_each_best([&](const IpPrefix& p, const rib::Path&) {
      if (!touched.contains(p)) refresh_fib(p);
    });
  }
}

}  // namespace pinto::daemon
