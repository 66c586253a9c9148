#include "config/model_diff.h"

#include <map>
#include <set>

namespace pinto::config {

namespace {

std::string describe(const PeerIntent& p) {
  return p.name + " " + p.address.to_string() + " AS " + std::to_string(p.remote_as);
}

// Names the fields that differ, so a restart in the plan says why.
std::string what_differs(const PeerIntent& a, const PeerIntent& b) {
  std::vector<std::string> fields;
  if (a.name != b.name) fields.push_back("name");
  if (a.port != b.port) fields.push_back("port");
  if (a.remote_as != b.remote_as) fields.push_back("AS number");
  if (a.local_as != b.local_as) fields.push_back("localASNumber");
  if (a.reachable_by != b.reachable_by) fields.push_back("reachableBy");
  if (a.password != b.password) fields.push_back("password");
  if (a.source_address != b.source_address) fields.push_back("source address");
  if (a.ttl_security != b.ttl_security) fields.push_back("ttlSecurity");
  if (a.ebgp_multihop != b.ebgp_multihop) fields.push_back("ebgpMultihop");
  if (a.passive != b.passive) fields.push_back("passive");
  if (a.max_restart_time != b.max_restart_time) fields.push_back("maxRestartTime");
  if (a.keepalive_time != b.keepalive_time) fields.push_back("keepaliveTime");
  if (a.next_hop_mode != b.next_hop_mode) fields.push_back("nextHopMode");
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ", ") + f;
  return out.empty() ? "settings changed" : out + " changed";
}

std::string identity(const ClusterModel& m) {
  std::string s = "node " + m.local.name + " AS " + std::to_string(m.local.as_number) +
                  " router id " + m.local.router_id.to_string() + " port " +
                  std::to_string(m.listen_port);
  if (m.local.route_reflector_cluster_id)
    s += " cluster id " + m.local.route_reflector_cluster_id->to_string();
  return s;
}

}  // namespace

bool identity_changed(const ClusterModel& before, const ClusterModel& after) {
  if (before.has_local_node != after.has_local_node) return true;
  if (!after.has_local_node) return false;
  return before.local.as_number != after.local.as_number ||
         before.local.router_id != after.local.router_id ||
         before.local.route_reflector_cluster_id != after.local.route_reflector_cluster_id ||
         before.listen_port != after.listen_port || before.bind_node_ip != after.bind_node_ip ||
         (after.bind_node_ip &&
          (before.local.ipv4 != after.local.ipv4 || before.local.ipv6 != after.local.ipv6));
}

std::vector<PlanStep> diff_models(const ClusterModel& before, const ClusterModel& after) {
  std::vector<PlanStep> steps;
  const bool restart = identity_changed(before, after);
  if (restart) {
    if (!after.has_local_node) {
      steps.push_back({"stop-bgp", "node " + after.local.name, "its Node resource is gone"});
    } else if (!before.has_local_node) {
      steps.push_back({"start-bgp", identity(after), "its Node resource exists"});
    } else {
      steps.push_back({"restart-bgp", identity(after), "was " + identity(before)});
    }
  }
  // After a restart of the speaker every session is new; otherwise only the differences.
  std::map<IpAddress, const PeerIntent*> old_peers;
  if (!restart) {
    for (const auto& p : before.peers) old_peers[p.address] = &p;
  }
  std::map<IpAddress, const PeerIntent*> new_peers;
  for (const auto& p : after.peers) new_peers[p.address] = &p;
  for (const auto& [address, p] : old_peers) {
    if (!new_peers.contains(address)) {
      steps.push_back({"close-session", describe(*p), "no longer configured"});
    }
  }
  for (const auto& [address, p] : new_peers) {
    auto old = old_peers.find(address);
    if (old == old_peers.end()) {
      steps.push_back(
          {"open-session", describe(*p),
           p->name.starts_with("mesh/") ? "node-to-node mesh" : "BGPPeer applies to this node"});
    } else if (!(*old->second == *p)) {
      // Route policy alone changes without a reset (re-export, ROUTE-REFRESH).
      PeerIntent old_with_new_policy = *old->second;
      old_with_new_policy.filters = p->filters;
      old_with_new_policy.allowed_local_as = p->allowed_local_as;
      if (old_with_new_policy == *p) {
        steps.push_back(
            {"update-policy", describe(*p), "filters or numAllowedLocalASNumbers changed"});
      } else {
        steps.push_back({"restart-session", describe(*p), what_differs(*old->second, *p)});
      }
    }
  }
  const std::set<IpPrefix> old_prefixes(before.originate.begin(), before.originate.end());
  const std::set<IpPrefix> new_prefixes(after.originate.begin(), after.originate.end());
  const std::set<IpPrefix> new_blocks(after.blocks.begin(), after.blocks.end());
  for (const auto& p : old_prefixes) {
    if (!new_prefixes.contains(p)) steps.push_back({"withdraw", p.to_string(), "no longer ours"});
  }
  for (const auto& p : new_prefixes) {
    if (!old_prefixes.contains(p)) {
      steps.push_back({"advertise", p.to_string(),
                       new_blocks.contains(p) ? "block affine to this node" : "originated"});
    }
  }
  return steps;
}

}  // namespace pinto::config
