#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"
#include "config/resources/selector_field.h"

namespace pinto::config {

void read_secret_key_ref(MapReader& holder, const std::string& key,
                         std::optional<SecretKeyRef>& out) {
  holder.nested(key, [&](MapReader& password) {
    password.nested("secretKeyRef", [&](MapReader& ref) {
      SecretKeyRef r;
      if (auto n = ref.string("name")) r.name = *n;
      if (auto k = ref.string("key")) r.key = *k;
      ref.accept({"optional"});
      if (r.name.empty()) ref.fail("name", "required");
      if (r.key.empty()) ref.fail("key", "required");
      out = r;
    });
    if (password.ok() && !out) password.fail("secretKeyRef", "required");
  });
}

void read_bgp_peer_spec(MapReader& spec, BgpPeer& out) {
  if (auto v = spec.string("node")) out.node = *v;
  if (auto v = read_selector(spec, "nodeSelector")) out.node_selector = *v;
  if (auto v = read_selector(spec, "peerSelector")) out.peer_selector = *v;
  if (auto text = spec.string("peerIP")) {
    if (auto parsed = parse_address_and_port(*text)) {
      out.peer_ip = parsed->first;
      out.peer_port = parsed->second;
    } else {
      spec.fail("peerIP", "not an IP address (optionally with :port): '" + *text + "'");
    }
  }
  out.as_number = spec.as_number("asNumber");
  out.local_as_number = spec.as_number("localASNumber");
  read_secret_key_ref(spec, "password", out.password);
  if (auto v = spec.string("sourceAddress")) {
    if (*v == "None")
      out.source_address_none = true;
    else if (*v != "UseNodeIP")
      spec.fail("sourceAddress", "expected UseNodeIP or None");
  }
  if (auto v = spec.string("restartMode")) {
    if (*v == "LongLivedGracefulRestart")
      out.restart_mode = RestartMode::LongLivedGracefulRestart;
    else if (*v != "GracefulRestart")
      spec.fail("restartMode", "expected GracefulRestart or LongLivedGracefulRestart");
  }
  out.max_restart_time = spec.duration("maxRestartTime");
  if (auto v = spec.unsigned_integer("ttlSecurity", 255))
    out.ttl_security = static_cast<std::uint8_t>(*v);
  out.keepalive_time = spec.duration("keepaliveTime");
  if (auto v = spec.boolean("keepOriginalNextHop")) out.keep_original_next_hop = *v;
  if (auto v = spec.string("nextHopMode")) {
    if (*v == "Auto")
      out.next_hop_mode = NextHopMode::Auto;
    else if (*v == "Self")
      out.next_hop_mode = NextHopMode::Self;
    else if (*v == "Keep")
      out.next_hop_mode = NextHopMode::Keep;
    else
      spec.fail("nextHopMode", "expected Auto, Self or Keep");
  }
  if (auto v = spec.string_list("filters")) {
    for (std::size_t i = 0; i < v->size() && spec.ok(); ++i) {
      if ((*v)[i].empty()) spec.fail("filters[" + std::to_string(i) + "]", "empty BGPFilter name");
    }
    out.filters = *v;
  }
  if (auto v = spec.unsigned_integer("numAllowedLocalASNumbers", 0x7fffffff)) {
    out.num_allowed_local_as_numbers = static_cast<std::uint32_t>(*v);
  }
  out.reachable_by = spec.address("reachableBy");
  if (auto v = read_enum<ReversePeering>(
          spec, "reversePeering",
          {{"Auto", ReversePeering::Auto}, {"Manual", ReversePeering::Manual}})) {
    out.reverse_peering = *v;
  }
  if (auto v = spec.boolean("passive")) out.passive = *v;
  if (auto v = spec.unsigned_integer("ebgpMultihop", 255)) {
    if (*v == 0) spec.fail("ebgpMultihop", "must be from 1 to 255");
    out.ebgp_multihop = static_cast<std::uint8_t>(*v);
  }
  // Calico (and Calico Enterprise) fields Pinto cannot honour yet: BFD, BIRD-specific gateway
  // handling, peering with local workloads, and raw BIRD extensions.
  spec.refuse_unsupported(
      {"failureDetectionMode", "birdGatewayMode", "localWorkloadSelector", "extensions"});
  if (!spec.ok()) return;

  // Calico's own validation rules for BGPPeer.
  if (!out.node.empty() && !out.node_selector.empty()) {
    spec.fail("nodeSelector", "cannot be set together with node");
  } else if (out.peer_ip && !out.peer_selector.empty()) {
    spec.fail("peerSelector", "cannot be set together with peerIP");
  } else if (!out.peer_ip && out.peer_selector.empty()) {
    spec.fail("peerIP", "required (or peerSelector)");
  } else if (out.peer_ip && !out.as_number) {
    spec.fail("asNumber", "required with peerIP");
  } else if (!out.peer_selector.empty() && out.as_number) {
    // The selected nodes' own AS numbers are used (Calico: peerSelector excludes asNumber).
    spec.fail("asNumber", "cannot be set together with peerSelector");
  } else if (out.reachable_by && !out.peer_ip) {
    spec.fail("reachableBy", "requires peerIP");
  } else if (out.reachable_by && out.reachable_by->family() != out.peer_ip->family()) {
    spec.fail("reachableBy", "not the same IP family as peerIP");
  } else if (out.keep_original_next_hop && out.next_hop_mode &&
             *out.next_hop_mode != NextHopMode::Keep) {
    spec.fail("nextHopMode", "contradicts keepOriginalNextHop: true");
  }
}

}  // namespace pinto::config
