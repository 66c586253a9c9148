#include "config/cluster_model.h"

#include <algorithm>

#include "policy/selector/selector.h"

namespace pinto::config {

namespace {

const BgpConfiguration* configuration_named(const std::vector<Resource>& resources,
                                            const std::string& name) {
  for (const auto* c : all_of<BgpConfiguration>(resources)) {
    if (c->metadata.name == name) return c;
  }
  return nullptr;
}

std::optional<std::chrono::seconds> seconds_of(const std::optional<std::chrono::milliseconds>& d) {
  if (!d) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

struct ModelBuilder {
  const Settings& settings;
  const std::vector<Resource>& resources;
  ClusterModel model;
  std::optional<ValidationError> error;
  const Node* me = nullptr;  // this node's Node resource

  void fail(std::string field, std::string message) {
    if (!error) error = ValidationError{std::move(field), std::move(message)};
  }

  // A password that cannot be found is an error of the peers that use it, not of the whole
  // configuration: they are shown with the error and not started; everything else runs.
  std::optional<std::string> secret_value(const SecretKeyRef& ref, const std::string& field,
                                          std::string& peer_error) const {
    for (const auto* s : all_of<Secret>(resources)) {
      if (s->metadata.name != ref.name) continue;
      if (auto it = s->data.find(ref.key); it != s->data.end()) return it->second;
      peer_error = field + ": Secret '" + ref.name + "' has no key '" + ref.key + "'";
      return std::nullopt;
    }
    peer_error = field + ": no Secret named '" + ref.name + "'" +
                 (settings.secrets.empty()
                      ? ""
                      : " (looked for " + settings.secrets + "/" + ref.name + "/" + ref.key + ")");
    return std::nullopt;
  }

  std::optional<IpAddress> local_address_for(const IpAddress& peer) const {
    return peer.is_v4() ? model.local.ipv4 : model.local.ipv6;
  }

  void build_local(const BgpConfiguration* global, const BgpConfiguration* per_node) {
    for (const auto* n : all_of<Node>(resources)) {
      if (n->metadata.name == settings.node_name) me = n;
    }
    if (me == nullptr) {
      return fail("nodeName", "no Node resource named '" + settings.node_name + "'");
    }
    const std::string where = "Node " + me->metadata.name + ": spec.bgp";
    if (!me->bgp || (!me->bgp->ipv4_address && !me->bgp->ipv6_address)) {
      return fail(where, "needs ipv4Address or ipv6Address to run BGP");
    }
    LocalNode& local = model.local;
    local.name = me->metadata.name;
    if (const auto& a = me->bgp->ipv4_address) {
      local.ipv4 = a->address;
      local.ipv4_subnet = IpPrefix(a->address, a->prefix_length ? a->prefix_length : 32);
    }
    if (const auto& a = me->bgp->ipv6_address) {
      local.ipv6 = a->address;
      local.ipv6_subnet = IpPrefix(a->address, a->prefix_length ? a->prefix_length : 128);
    }
    local.as_number = me->bgp->as_number.value_or(
        (per_node && per_node->as_number)
            ? *per_node->as_number
            : (global && global->as_number ? *global->as_number : kCalicoDefaultAsNumber));
    if (settings.router_id) {
      local.router_id = *settings.router_id;
    } else if (local.ipv4) {
      local.router_id = *local.ipv4;
    } else {
      return fail("routerId", "required: node '" + local.name + "' has no IPv4 address to use");
    }
    if (me->bgp->route_reflector_cluster_id) {
      // A cluster ID is 4 octets (RFC 4456 §8), written as an IPv4 address.
      local.route_reflector_cluster_id = IpAddress::parse(*me->bgp->route_reflector_cluster_id);
      if (!local.route_reflector_cluster_id || !local.route_reflector_cluster_id->is_v4()) {
        return fail(where + ".routeReflectorClusterID", "must be written as an IPv4 address");
      }
    }
  }

  // The cluster ID a Node declares, parsed; nullopt for a node that does not reflect.
  static std::optional<IpAddress> cluster_id_of(const Node& node) {
    if (!node.bgp || !node.bgp->route_reflector_cluster_id) return std::nullopt;
    return IpAddress::parse(*node.bgp->route_reflector_cluster_id);
  }

  // The Node whose BGP address `address` is, if any.
  const Node* node_at(const IpAddress& address) const {
    for (const auto* n : all_of<Node>(resources)) {
      if (!n->bgp) continue;
      if ((n->bgp->ipv4_address && n->bgp->ipv4_address->address == address) ||
          (n->bgp->ipv6_address && n->bgp->ipv6_address->address == address)) {
        return n;
      }
    }
    return nullptr;
  }

  // Calico's rule (confd: "rr client" when the node has a cluster ID, the peer is iBGP and the
  // peer's cluster ID differs): every iBGP peer is a client except a Node that reflects for the
  // same cluster — two reflectors of one cluster are non-clients to each other. Where Calico
  // knows the peer as a Node only through peerSelector, we also look a peerIP up among the
  // Nodes, so the rule is the same however the peer is named.
  bool is_client(const PeerIntent& peer) const {
    const auto& mine = model.local.route_reflector_cluster_id;
    if (!mine || peer.remote_as != model.local.as_number) return false;
    const Node* node = node_at(peer.address);
    return node == nullptr || cluster_id_of(*node) != mine;
  }

  std::uint32_t as_of(const Node& node, const BgpConfiguration* global) const {
    if (node.bgp && node.bgp->as_number) return *node.bgp->as_number;
    return global && global->as_number ? *global->as_number : kCalicoDefaultAsNumber;
  }

  void add_peer(PeerIntent peer) {
    // Never peer with ourselves (a global BGPPeer or the mesh can name this node's address).
    if (peer.address == model.local.ipv4 || peer.address == model.local.ipv6) return;
    const bool taken = std::any_of(model.peers.begin(), model.peers.end(),
                                   [&](const PeerIntent& p) { return p.address == peer.address; });
    if (taken) return;
    peer.route_reflector_client = is_client(peer);
    model.peers.push_back(std::move(peer));
  }

  std::optional<policy::Selector> selector(const std::string& text, const std::string& field) {
    auto parsed = policy::Selector::parse(text);
    if (!parsed) {
      fail(field, "not a valid selector: " + parsed.error().to_string());
      return std::nullopt;
    }
    return std::move(parsed).value();
  }

  static policy::Labels labels_of(const Node& node) {
    return {node.metadata.labels.begin(), node.metadata.labels.end()};
  }

  // Calico: a BGPPeer applies to the node it names, to the nodes its nodeSelector selects, or,
  // with neither, to every node.
  bool applies_to(const BgpPeer& p, const Node& node, const std::string& where) {
    if (!p.node.empty()) return p.node == node.metadata.name;
    if (p.node_selector.empty()) return true;
    auto sel = selector(p.node_selector, where + "nodeSelector");
    return sel && sel->matches(labels_of(node));
  }

  // Of two nodes that find each other (mesh, peerSelector) both would connect; as in
  // calico-node, the one with the higher address only listens, so there is one connection.
  bool passive_towards(const IpAddress& peer) const {
    const auto local = local_address_for(peer);
    return local && peer < *local;
  }

  PeerIntent explicit_peer(const BgpPeer& p, const std::string& where, const IpAddress& address) {
    PeerIntent peer;
    peer.name = "BGPPeer/" + p.metadata.name;
    peer.address = address;
    peer.port = p.peer_port.value_or(179);
    if (p.as_number) peer.remote_as = *p.as_number;
    peer.local_as = p.local_as_number;
    peer.reachable_by = p.reachable_by;
    if (p.password) {
      peer.password = secret_value(*p.password, where + "password.secretKeyRef", peer.config_error);
    }
    if (!p.source_address_none) peer.source_address = local_address_for(address);
    peer.ttl_security = p.ttl_security;
    peer.ebgp_multihop = p.ebgp_multihop;
    peer.passive = p.passive;
    peer.max_restart_time = seconds_of(p.max_restart_time);
    peer.keepalive_time = seconds_of(p.keepalive_time);
    peer.next_hop_mode =
        p.keep_original_next_hop ? NextHopMode::Keep : p.next_hop_mode.value_or(NextHopMode::Auto);
    // validate_resources() made sure every name exists.
    for (const auto& name : p.filters) {
      for (const auto* f : all_of<BgpFilter>(resources)) {
        if (f->metadata.name == name) peer.filters.push_back(*f);
      }
    }
    peer.allowed_local_as = p.num_allowed_local_as_numbers.value_or(0);
    return peer;
  }

  void build_explicit_peers(const BgpConfiguration* global) {
    for (const auto* p : all_of<BgpPeer>(resources)) {
      const std::string where = "BGPPeer " + p->metadata.name + ": spec.";
      if (!p->peer_selector.empty() && p->reverse_peering == ReversePeering::Auto) {
        add_reverse_peers(*p, where, global);
      }
      if (!applies_to(*p, *me, where)) continue;
      if (error) return;
      if (p->peer_ip) {
        if (!local_address_for(*p->peer_ip)) continue;  // no address of that family here
        add_peer(explicit_peer(*p, where, *p->peer_ip));
        continue;
      }
      if (p->peer_selector.empty()) continue;
      // peerSelector: every other Node it selects, at each address of a family we have.
      auto sel = selector(p->peer_selector, where + "peerSelector");
      if (!sel) return;
      for (const auto* n : all_of<Node>(resources)) {
        if (n != me && n->bgp && sel->matches(labels_of(*n))) add_node_peer(*p, where, *n, global);
      }
    }
  }

  // A session with another Node found through a BGPPeer's selectors.
  void add_node_peer(const BgpPeer& p, const std::string& where, const Node& n,
                     const BgpConfiguration* global) {
    for (const auto& address : {n.bgp->ipv4_address, n.bgp->ipv6_address}) {
      if (!address || !local_address_for(address->address)) continue;
      PeerIntent peer = explicit_peer(p, where, address->address);
      peer.name += "@" + n.metadata.name;
      peer.remote_as = as_of(n, global);
      if (!p.passive) peer.passive = passive_towards(address->address);
      add_peer(std::move(peer));
    }
  }

  // Calico's reversePeering (Auto, the default): when a BGPPeer on node X selects this node as
  // a peer, this node peers back with X, so `nodeSelector: all(), peerSelector:
  // route-reflector == 'true'` alone connects reflectors and clients both ways.
  void add_reverse_peers(const BgpPeer& p, const std::string& where,
                         const BgpConfiguration* global) {
    auto sel = selector(p.peer_selector, where + "peerSelector");
    if (!sel || !sel->matches(labels_of(*me))) return;
    for (const auto* n : all_of<Node>(resources)) {
      if (n != me && n->bgp && applies_to(p, *n, where)) add_node_peer(p, where, *n, global);
    }
  }

  void build_mesh(const BgpConfiguration* global) {
    if (global && global->node_to_node_mesh_enabled && !*global->node_to_node_mesh_enabled) return;
    // A reflector peers only through BGPPeers, and the mesh leaves reflectors out: with a mesh
    // between every node, reflection would add nothing but duplicate paths (Calico's confd).
    if (model.local.route_reflector_cluster_id) return;
    std::optional<std::string> password;
    std::string password_error;
    if (global && global->node_mesh_password) {
      password = secret_value(*global->node_mesh_password,
                              "BGPConfiguration default: spec.nodeMeshPassword.secretKeyRef",
                              password_error);
    }
    for (const auto* n : all_of<Node>(resources)) {
      if (n->metadata.name == model.local.name || !n->bgp || cluster_id_of(*n)) continue;
      for (const auto& address : {n->bgp->ipv4_address, n->bgp->ipv6_address}) {
        if (!address || !local_address_for(address->address)) continue;
        PeerIntent peer;
        peer.name = "mesh/" + n->metadata.name;
        peer.address = address->address;
        peer.remote_as = as_of(*n, global);
        peer.password = password;
        peer.config_error = password_error;
        peer.passive = passive_towards(address->address);
        peer.source_address = local_address_for(address->address);
        if (global) peer.max_restart_time = seconds_of(global->node_mesh_max_restart_time);
        add_peer(std::move(peer));
      }
    }
  }
};

}  // namespace

Validated<ClusterModel> build_cluster_model(const Settings& settings,
                                            const std::vector<Resource>& resources,
                                            MissingLocalNode missing) {
  const bool node_exists = std::any_of(resources.begin(), resources.end(), [&](const Resource& r) {
    const auto* n = std::get_if<Node>(&r);
    return n != nullptr && n->metadata.name == settings.node_name;
  });
  if (!node_exists && missing == MissingLocalNode::Wait) {
    ClusterModel waiting;
    waiting.has_local_node = false;
    waiting.local.name = settings.node_name;
    waiting.listen_port = settings.listen.port;
    return waiting;
  }
  ModelBuilder b{settings, resources, {}, {}};
  const BgpConfiguration* global = configuration_named(resources, "default");
  const BgpConfiguration* per_node = configuration_named(resources, "node." + settings.node_name);
  b.build_local(global, per_node);
  if (!b.error) b.build_explicit_peers(global);
  if (!b.error) b.build_mesh(global);
  if (b.error) return failure(*b.error);
  b.model.listen_port = settings.listen.port;
  if (global && global->listen_port && !settings.listen.port_set) {
    b.model.listen_port = *global->listen_port;
  }
  b.model.originate = settings.originate;
  // Service address ranges (BGPConfiguration "default"): every node advertises them, so
  // routers spread service traffic over all nodes (ECMP), as Calico does. Not blackholed.
  auto originate_once = [&](const IpPrefix& p) {
    if (std::find(b.model.originate.begin(), b.model.originate.end(), p) == b.model.originate.end())
      b.model.originate.push_back(p);
  };
  if (global) {
    b.model.bind_node_ip = global->bind_mode == BindMode::NodeIP;
    b.model.prefix_advertisements = global->prefix_advertisements;
    for (const auto* list : {&global->service_cluster_ips, &global->service_external_ips,
                             &global->service_load_balancer_ips}) {
      for (const auto& p : *list) originate_once(p);
    }
  }
  const auto pools = all_of<IpPool>(resources);
  for (const auto* block : all_of<BlockAffinity>(resources)) {
    if (block->node != b.model.local.name || block->state != "confirmed" || block->deleted)
      continue;
    b.model.blocks.push_back(block->cidr);
    // Advertised when inside a pool that does not set disableBGPExport (still blackholed here
    // either way). Without any IPPool (a static deployment) every owned block is advertised.
    const auto pool = std::find_if(pools.begin(), pools.end(), [&](const IpPool* p) {
      return p->cidr.family() == block->cidr.family() && p->cidr.contains(block->cidr);
    });
    const bool exported = pools.empty() || (pool != pools.end() && !(*pool)->disable_bgp_export);
    if (exported) originate_once(block->cidr);
  }
  for (const auto* pool : pools) {
    const bool vxlan = pool->vxlan_mode != EncapsulationMode::Never;
    if (!vxlan && pool->ipip_mode == EncapsulationMode::Never) continue;
    const EncapsulationMode mode = vxlan ? pool->vxlan_mode : pool->ipip_mode;
    b.model.encapsulated_pools.push_back(
        {pool->metadata.name, pool->cidr,
         vxlan ? EncapsulatedPool::Kind::Vxlan : EncapsulatedPool::Kind::Ipip,
         mode == EncapsulationMode::CrossSubnet});
  }
  for (const auto* endpoint : all_of<WorkloadEndpoint>(resources)) {
    if (endpoint->node != b.model.local.name || endpoint->interface_name.empty()) continue;
    const std::string name = endpoint->metadata.namespace_name + "/" + endpoint->metadata.name;
    for (const auto& address : endpoint->ip_networks)
      b.model.workload_routes.push_back({address, endpoint->interface_name, name});
  }
  return std::move(b.model);
}

}  // namespace pinto::config
