// pinto.v1.Routing: peers, Loc-RIB and FIB listings, `explain`, route events and injected paths.
#include <fmt/core.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "common/version.h"
#include "config/resources/community.h"
#include "daemon/api_services.h"
#include "rib/decision.h"

namespace pinto::daemon {

namespace {

std::string community_text(std::uint32_t c) {
  return fmt::format("{}:{}", c >> 16, c & 0xffff);
}

std::string origin_text(const std::optional<bgp::wire::Origin>& origin) {
  if (!origin) return "";
  switch (*origin) {
    case bgp::wire::Origin::Igp: return "IGP";
    case bgp::wire::Origin::Egp: return "EGP";
    case bgp::wire::Origin::Incomplete: return "incomplete";
  }
  return "";
}

std::string peer_label(const rib::Rib& rib, rib::PeerId id) {
  if (id == rib::kLocalPeer) return "local";
  const auto* info = rib.peer(id);
  return info != nullptr ? info->address.to_string() : "peer " + std::to_string(id);
}

void fill_route(const rib::Rib& rib, const IpPrefix& prefix, const rib::Path& path, bool best,
                v1::Route& out) {
  out.set_prefix(prefix.to_string());
  if (!path.next_hop().is_unspecified()) out.set_next_hop(path.next_hop().to_string());
  out.set_peer(peer_label(rib, path.peer));
  out.set_best(best);
  out.set_stale(path.stale);
  const auto& a = *path.attributes;
  if (a.as_path) {
    for (const auto& segment : a.as_path->segments)
      for (auto asn : segment.asns) out.add_as_path(asn);
  }
  out.set_origin(origin_text(a.origin));
  out.set_local_pref(a.local_pref.value_or(0));
  out.set_med(a.med.value_or(0));
  for (auto c : a.communities) out.add_communities(community_text(c));
}

// Which prefixes the request is about: all, or those inside a prefix (a bare address means the
// routes that cover it: what the kernel would use for it).
struct PrefixFilter {
  std::optional<IpPrefix> within;
  std::optional<IpAddress> covering;

  static std::optional<PrefixFilter> parse(const std::string& text) {
    PrefixFilter f;
    if (text.empty()) return f;
    if (text.find('/') == std::string::npos) {
      auto a = IpAddress::parse(text);
      if (!a) return std::nullopt;
      f.covering = *a;
      return f;
    }
    f.within = IpPrefix::parse(text);
    if (!f.within) return std::nullopt;
    return f;
  }
  bool accepts(const IpPrefix& p) const {
    if (within) return within->contains(p);
    if (covering) return p.contains(*covering);
    return true;
  }
};

std::string fib_route_text(const fib::KernelRoute& r) {
  return fib::to_string(r);
}

}  // namespace

// Route events fan out from the routing thread to every WatchRoutes stream. Each stream has a
// bounded queue: a client that does not keep up is cut off rather than growing pintod's memory.
class RouteEventHub {
 public:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<v1::RouteEvent> events;
    bool overflowed = false;
  };
  static constexpr std::size_t kMaxQueued = 200'000;

  std::shared_ptr<Queue> subscribe() {
    auto q = std::make_shared<Queue>();
    std::lock_guard lock(mutex_);
    queues_.push_back(q);
    return q;
  }
  void unsubscribe(const std::shared_ptr<Queue>& q) {
    std::lock_guard lock(mutex_);
    queues_.erase(std::remove(queues_.begin(), queues_.end(), q), queues_.end());
  }
  bool empty() {
    std::lock_guard lock(mutex_);
    return queues_.empty();
  }
  void publish(const std::vector<v1::RouteEvent>& events) {
    std::lock_guard lock(mutex_);
    for (const auto& q : queues_) {
      {
        std::lock_guard qlock(q->mutex);
        if (q->events.size() + events.size() > kMaxQueued) {
          q->overflowed = true;
        } else {
          q->events.insert(q->events.end(), events.begin(), events.end());
        }
      }
      q->ready.notify_all();
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<Queue>> queues_;
};

RoutingService::RoutingService(RoutingThread& routing, Daemon& daemon)
    : routing_(routing), daemon_(daemon), hub_(std::make_shared<RouteEventHub>()) {
  daemon_.set_route_listener([this](const rib::RouteDelta& delta) {
    if (hub_->empty() || daemon_.rib() == nullptr) return;
    std::vector<v1::RouteEvent> events;
    for (const auto& prefix : delta.changed) {
      v1::RouteEvent e;
      if (const auto* best = daemon_.rib()->best(prefix)) {
        e.set_type(v1::RouteEvent::BEST);
        fill_route(*daemon_.rib(), prefix, *best, true, *e.mutable_route());
      } else {
        e.set_type(v1::RouteEvent::WITHDRAWN);
        e.mutable_route()->set_prefix(prefix.to_string());
      }
      events.push_back(std::move(e));
    }
    hub_->publish(events);
  });
}

// Destroyed after the routing thread stopped, before the Daemon.
RoutingService::~RoutingService() {
  daemon_.set_route_listener({});
}

grpc::Status RoutingService::ListPeers(grpc::ServerContext*, const v1::ListPeersRequest*,
                                       v1::ListPeersResponse* response) {
  auto done = routing_.run([&] {
    const auto& model = daemon_.model();
    response->set_node(model.local.name);
    if (!model.has_local_node || daemon_.speaker() == nullptr) return true;
    response->set_local_as(model.local.as_number);
    response->set_router_id(model.local.router_id.to_string());
    // Peers that could not be started (a missing secret) are listed with the reason.
    for (const auto& intent : model.peers) {
      if (intent.config_error.empty()) continue;
      auto* p = response->add_peers();
      p->set_name(intent.name);
      p->set_address(intent.address.to_string());
      p->set_remote_as(intent.remote_as);
      p->set_state("Idle");
      p->set_last_error(intent.config_error);
      p->set_type(intent.name.starts_with("mesh/") ? "node-to-node mesh" : "global");
    }
    for (const auto& st : daemon_.speaker()->status()) {
      auto* p = response->add_peers();
      p->set_name(st.name);
      p->set_address(st.address.to_string());
      p->set_remote_as(st.remote_as);
      p->set_state(bgp::to_string(st.state));
      p->set_uptime_seconds(st.uptime ? st.uptime->count() : 0);
      p->set_prefixes_received(st.prefixes_received);
      // The RIB keeps routes post-import-policy only: what it holds is what was accepted.
      p->set_prefixes_accepted(st.prefixes_received);
      p->set_prefixes_advertised(st.prefixes_advertised);
      p->set_prefixes_stale(st.prefixes_stale);
      p->set_last_error(st.last_error);
      if (st.name.starts_with("mesh/")) {
        p->set_type("node-to-node mesh");
      } else {
        const auto id = config::resource_id("BGPPeer", "", st.name.substr(st.name.find('/') + 1));
        const auto* entry = daemon_.catalog().find(id);
        const auto* peer =
            entry != nullptr ? std::get_if<config::BgpPeer>(&entry->resource) : nullptr;
        p->set_type(peer != nullptr && (!peer->node.empty() || !peer->node_selector.empty())
                        ? "node specific"
                        : "global");
      }
    }
    return true;
  });
  return done ? grpc::Status::OK : kStopped;
}

grpc::Status RoutingService::ListRoutes(grpc::ServerContext*, const v1::ListRoutesRequest* request,
                                        v1::ListRoutesResponse* response) {
  const auto filter = PrefixFilter::parse(request->prefix());
  if (!filter) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "not a prefix or address: '" + request->prefix() + "'"};
  }
  auto done = routing_.run([&] {
    const rib::Rib* rib = daemon_.rib();
    if (rib == nullptr) return true;
    rib->for_each_path([&](const IpPrefix& prefix, const rib::Path& path, bool best) {
      if ((best || request->all_paths()) && filter->accepts(prefix))
        fill_route(*rib, prefix, path, best, *response->add_routes());
    });
    return true;
  });
  if (!done) return kStopped;
  std::sort(response->mutable_routes()->begin(), response->mutable_routes()->end(),
            [](const v1::Route& a, const v1::Route& b) {
              // By prefix, the best path first.
              const auto pa = IpPrefix::parse(a.prefix()), pb = IpPrefix::parse(b.prefix());
              if (*pa != *pb) return *pa < *pb;
              return a.best() && !b.best();
            });
  return grpc::Status::OK;
}

grpc::Status RoutingService::ListFib(grpc::ServerContext*, const v1::ListFibRequest* request,
                                     v1::ListFibResponse* response) {
  const auto filter = PrefixFilter::parse(request->prefix());
  if (!filter) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "not a prefix or address: '" + request->prefix() + "'"};
  }
  auto done = routing_.run([&] {
    const fib::FibManager* fib = daemon_.fib();
    response->set_enabled(fib != nullptr);
    if (fib == nullptr) return true;
    for (const auto& [prefix, route] : fib->routes()) {
      if (!filter->accepts(prefix)) continue;
      auto* r = response->add_routes();
      r->set_prefix(prefix.to_string());
      r->set_type(route.type == fib::RouteType::Blackhole ? "blackhole" : "unicast");
      for (const auto& nh : route.next_hops) {
        if (!nh.gateway.is_unspecified()) r->add_next_hops(nh.gateway.to_string());
        if (!nh.device.empty()) r->set_device(nh.device);
      }
      r->set_table(fib->table());
      r->set_protocol(fib->protocol());
    }
    response->set_changes_written(fib->changes_written());
    response->set_repairs(fib->repairs());
    for (const auto& [prefix, message] : fib->errors()) {
      if (!filter->accepts(prefix)) continue;
      auto* p = response->add_refused_routes();
      p->set_subject(prefix.to_string());
      p->set_message(message);
    }
    for (const auto& [device, message] : fib->tunnel_errors()) {
      auto* p = response->add_tunnel_errors();
      p->set_subject(device);
      p->set_message(message);
    }
    return true;
  });
  return done ? grpc::Status::OK : kStopped;
}

// Walks the chain a prefix travels — owning block and node, the peers that sent it, the
// decision, the kernel — and says at each step what happened, so "why is this route missing?"
// has an answer without reading logs.
grpc::Status RoutingService::Explain(grpc::ServerContext*, const v1::ExplainRequest* request,
                                     v1::ExplainResponse* response) {
  const auto filter = PrefixFilter::parse(request->prefix());
  if (!filter || (!filter->within && !filter->covering)) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "explain needs a prefix or an address, got '" + request->prefix() + "'"};
  }
  auto done = routing_.run([&] {
    std::vector<std::string> steps;
    auto step = [&](std::string s) { response->add_steps(std::move(s)); };
    const auto& model = daemon_.model();
    // 1. Whose block is it?
    std::optional<IpPrefix> target = filter->within;
    bool owned_somewhere = false;
    for (const auto* entry : daemon_.catalog().list("BlockAffinity", "")) {
      const auto* b = std::get_if<config::BlockAffinity>(&entry->resource);
      if (b == nullptr || !(target ? b->cidr.contains(*target) || target->contains(b->cidr)
                                   : b->cidr.contains(*filter->covering)))
        continue;
      owned_somewhere = true;
      step(fmt::format("block {} is affine to node {} (BlockAffinity {}, state {}){}",
                       b->cidr.to_string(), b->node, b->metadata.name, b->state,
                       b->node == model.local.name ? ": this node" : ""));
    }
    if (!owned_somewhere) step("no BlockAffinity holds it: not a pod block of this cluster");
    if (!model.has_local_node) {
      step(fmt::format("this node ({}) has no Node resource yet: BGP is not running",
                       model.local.name));
      return true;
    }
    const rib::Rib* rib = daemon_.rib();
    if (rib == nullptr) {
      step("BGP is not running on this node (see pintod's log)");
      return true;
    }
    // 2. Which prefixes of the RIB match; for an address, the longest covering one.
    std::map<IpPrefix, std::vector<std::pair<const rib::Path*, bool>>> matching;
    rib->for_each_path([&](const IpPrefix& prefix, const rib::Path& path, bool best) {
      if (filter->accepts(prefix)) matching[prefix].emplace_back(&path, best);
    });
    if (filter->covering && !matching.empty()) {
      auto longest = std::max_element(matching.begin(), matching.end(), [](auto& a, auto& b) {
        return a.first.length() < b.first.length();
      });
      auto keep = *longest;
      matching = {keep};
    }
    if (matching.empty()) {
      step("no peer has sent a route for it, and this node does not originate it");
    }
    static const rib::PeerInfo kLocal{};
    for (const auto& [prefix, paths] : matching) {
      const rib::Path* best = nullptr;
      for (const auto& [path, is_best] : paths) {
        if (is_best) best = path;
        if (path->peer == rib::kLocalPeer) {
          step(fmt::format("{}: originated by this node{}", prefix.to_string(),
                           daemon_.blocks().contains(prefix) ? " (its own block)" : ""));
        } else {
          step(fmt::format(
              "{}: received from {} with next hop {}{}; import: accepted (routes its "
              "import filters reject are not kept)",
              prefix.to_string(), peer_label(*rib, path->peer), path->next_hop().to_string(),
              path->stale ? " (stale, peer restarting)" : ""));
        }
      }
      if (best != nullptr) {
        std::string why = paths.size() == 1 ? "the only path" : "";
        for (const auto& [path, is_best] : paths) {
          if (is_best) continue;
          const auto* a = best->peer == rib::kLocalPeer ? &kLocal : rib->peer(best->peer);
          const auto* b = path->peer == rib::kLocalPeer ? &kLocal : rib->peer(path->peer);
          if (a == nullptr || b == nullptr) continue;
          const auto c = rib::compare({best, a}, {path, b});
          why += fmt::format("{}over {}: {}", why.empty() ? "" : "; ", peer_label(*rib, path->peer),
                             rib::to_string(c.reason));
        }
        step(fmt::format("{}: best path from {} ({})", prefix.to_string(),
                         peer_label(*rib, best->peer), why));
      }
      // 3. The kernel.
      const fib::FibManager* fib = daemon_.fib();
      if (fib == nullptr) {
        step(fmt::format("{}: the FIB is disabled in the settings (fib.enabled: false)",
                         prefix.to_string()));
        continue;
      }
      if (auto e = fib->errors().find(prefix); e != fib->errors().end()) {
        step(fmt::format("{}: the kernel refused it: {}", prefix.to_string(), e->second));
      } else if (auto r = fib->routes().find(prefix); r != fib->routes().end()) {
        response->set_in_fib(true);
        step(fmt::format("{}: in the kernel: {}", prefix.to_string(), fib_route_text(r->second)));
      } else if (best != nullptr && best->peer == rib::kLocalPeer) {
        step(
            fmt::format("{}: not in the kernel: prefixes this node originates are not routed "
                        "(only its own blocks, as blackholes)",
                        prefix.to_string()));
      } else if (best != nullptr && best->next_hop().is_v4() != prefix.address().is_v4()) {
        step(fmt::format("{}: not in the kernel: next hop {} is of the other address family",
                         prefix.to_string(), best->next_hop().to_string()));
      } else {
        step(fmt::format("{}: not in the kernel yet (being written)", prefix.to_string()));
      }
    }
    return true;
  });
  return done ? grpc::Status::OK : kStopped;
}

grpc::Status RoutingService::WatchRoutes(grpc::ServerContext* context,
                                         const v1::WatchRoutesRequest*,
                                         grpc::ServerWriter<v1::RouteEvent>* writer) {
  auto queue = hub_->subscribe();
  // Tells the client that every change from now on will reach it (it may wait for this).
  writer->SendInitialMetadata();
  grpc::Status result = grpc::Status::OK;
  while (!context->IsCancelled() && !routing_.stopped()) {
    std::deque<v1::RouteEvent> batch;
    {
      std::unique_lock lock(queue->mutex);
      queue->ready.wait_for(lock, std::chrono::milliseconds(500),
                            [&] { return !queue->events.empty() || queue->overflowed; });
      if (queue->overflowed) {
        result = {grpc::StatusCode::RESOURCE_EXHAUSTED,
                  "route events arrived faster than this client read them; list and watch again"};
        break;
      }
      batch.swap(queue->events);
    }
    bool open = true;
    for (const auto& e : batch) {
      if (!(open = writer->Write(e))) break;
    }
    if (!open) break;
  }
  hub_->unsubscribe(queue);
  return result;
}

grpc::Status RoutingService::AddPath(grpc::ServerContext*, const v1::PathRequest* request,
                                     v1::PathResponse*) {
  const auto prefix = IpPrefix::parse(request->prefix(), true);
  if (!prefix) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "prefix: not a prefix (or host bits set): '" + request->prefix() + "'"};
  }
  bgp::OriginatedRoute path{*prefix, {}, {}, {}};
  if (!request->next_hop().empty()) {
    const auto next_hop = IpAddress::parse(request->next_hop());
    if (!next_hop || next_hop->is_unspecified()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "next_hop: not an address: '" + request->next_hop() + "'"};
    }
    path.next_hop = *next_hop;
  }
  for (const auto& text : request->communities()) {
    const auto c = config::parse_community(text);
    if (!c) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "communities: '" + text + "' is not aa:nn (16-bit parts) or aa:nn:mm"};
    }
    if (c->large) {
      path.large_communities.push_back({c->global, c->local1, c->local2});
    } else {
      path.communities.push_back(c->global << 16 | c->local1);
    }
  }
  std::sort(path.communities.begin(), path.communities.end());
  std::sort(path.large_communities.begin(), path.large_communities.end());
  auto done = routing_.run([&] {
    daemon_.add_path(path);
    return true;
  });
  return done ? grpc::Status::OK : kStopped;
}

grpc::Status RoutingService::DeletePath(grpc::ServerContext*, const v1::PathRequest* request,
                                        v1::PathResponse*) {
  const auto prefix = IpPrefix::parse(request->prefix(), true);
  if (!prefix) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "prefix: not a prefix: '" + request->prefix() + "'"};
  }
  auto done = routing_.run([&] { return daemon_.delete_path(*prefix); });
  if (!done) return kStopped;
  if (!*done) {
    return {grpc::StatusCode::NOT_FOUND, request->prefix() + " was not added through the API"};
  }
  return grpc::Status::OK;
}

grpc::Status InfoService::Version(grpc::ServerContext*, const v1::VersionRequest*,
                                  v1::VersionResponse* response) {
  response->set_version(kVersion);
  response->set_revision(kGitRevision);
  return grpc::Status::OK;
}

}  // namespace pinto::daemon
