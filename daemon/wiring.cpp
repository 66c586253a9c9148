#include "daemon/wiring.h"

#include "common/log.h"
#include "config/resources/resource.h"
#include "config/unimplemented.h"
#include "config/validate_resources.h"
#include "fib/netlink_fib_writer.h"

namespace pinto::daemon {

Result<LoadedConfig> load_config(const std::string& settings_path) {
  auto settings = config::load_settings(settings_path);
  if (!settings) return failure(Error{settings_path + ": " + settings.error().to_string()});
  std::vector<config::Resource> resources;
  for (const auto& path : settings.value().resources) {
    auto text = config::read_text_file(path);
    if (!text) return failure(Error{text.error().message});
    auto parsed = config::parse_resources(text.value(), path);
    if (!parsed) return failure(Error{parsed.error().to_string()});
    for (auto& r : parsed.value()) resources.push_back(std::move(r));
  }
  // The whole state is checked before any of it is used: consistent across resources, and
  // nothing in it that pintod would silently ignore.
  if (auto v = config::validate_resources(resources); !v) {
    return failure(Error{"resources: " + v.error().to_string()});
  }
  if (auto v = config::check_implemented(resources); !v) {
    return failure(Error{"resources: " + v.error().to_string()});
  }
  auto model = config::build_cluster_model(settings.value(), resources);
  if (!model) return failure(Error{"configuration: " + model.error().to_string()});
  return LoadedConfig{std::move(settings).value(), std::move(model).value()};
}

std::vector<bgp::PeerConfig> peer_configs(const LoadedConfig& loaded) {
  const auto& s = loaded.settings;
  const auto& local = loaded.model.local;
  std::vector<bgp::PeerConfig> out;
  for (const auto& intent : loaded.model.peers) {
    bgp::PeerConfig p;
    p.name = intent.name;
    p.address = intent.address;
    p.port = intent.port;
    p.local_as = local.as_number;
    p.remote_as = intent.remote_as;
    p.router_id = local.router_id.v4_value();
    p.local_address = intent.source_address;
    p.next_hop_ipv4 = local.ipv4;
    p.next_hop_ipv6 = local.ipv6;
    p.password = intent.password;
    p.ttl_security = intent.ttl_security;
    p.ebgp_multihop = intent.ebgp_multihop;
    switch (intent.next_hop_mode) {
      case config::NextHopMode::Auto: p.next_hop = bgp::NextHopPolicy::Auto; break;
      case config::NextHopMode::Self: p.next_hop = bgp::NextHopPolicy::Self; break;
      case config::NextHopMode::Keep: p.next_hop = bgp::NextHopPolicy::Keep; break;
    }
    p.fsm.passive = intent.passive;
    p.fsm.connect_retry_time = static_cast<std::uint32_t>(s.bgp.connect_retry_time.count());
    std::uint32_t hold = static_cast<std::uint32_t>(s.bgp.hold_time.count());
    // Calico's keepaliveTime sets the keepalive; the hold time we offer is three of them.
    if (intent.keepalive_time)
      hold = static_cast<std::uint32_t>(3 * intent.keepalive_time->count());
    p.fsm.hold_time = static_cast<std::uint16_t>(std::min<std::uint32_t>(hold, 65535));
    p.fsm.max_idle_hold_time = 30;
    p.graceful_restart = s.bgp.graceful_restart.enabled;
    p.restart_time = static_cast<std::uint16_t>(s.bgp.graceful_restart.restart_time.count());
    p.max_restart_time = intent.max_restart_time;
    out.push_back(std::move(p));
  }
  return out;
}

bgp::SpeakerConfig speaker_config(const LoadedConfig& loaded) {
  bgp::SpeakerConfig c;
  c.local_as = loaded.model.local.as_number;
  c.router_id = loaded.model.local.router_id.v4_value();
  c.listen_address = loaded.settings.listen.address;
  c.listen_port = loaded.model.listen_port;
  c.next_hop_ipv4 = loaded.model.local.ipv4;
  c.next_hop_ipv6 = loaded.model.local.ipv6;
  c.graceful_restart = loaded.settings.bgp.graceful_restart.enabled;
  c.restart_time = loaded.settings.bgp.graceful_restart.restart_time;
  return c;
}

Daemon::Daemon(boost::asio::io_context& io, LoadedConfig loaded)
    : io_(io), loaded_(std::move(loaded)) {
  rib_ = std::make_unique<rib::Rib>(loaded_.model.local.as_number,
                                    loaded_.model.local.router_id.v4_value());
  speaker_ = std::make_unique<bgp::Speaker>(io_, speaker_config(loaded_), *rib_);
}

Result<void> Daemon::open_fib() {
  const auto& f = loaded_.settings.fib;
  if (!f.enabled) {
    log_info("fib: disabled in the settings; routes stay out of the kernel");
    return outcome::success();
  }
  auto writer = fib::NetlinkFibWriter::open();
  if (!writer) return failure(Error{"fib: " + writer.error().message});
  fib_ = std::make_unique<fib::FibManager>(io_, std::move(writer).value(), f.table, f.protocol);
  fib_->load_existing();
  speaker_->set_route_observer([this](const rib::RouteDelta& delta) { follow_routes(delta); });
  // Routes of ours left from a previous run stay while peers re-send theirs (graceful restart);
  // once the restart window has passed, whatever nobody wants any more goes.
  fib_sweep_ = std::make_unique<boost::asio::steady_timer>(io_);
  fib_sweep_->expires_after(loaded_.settings.bgp.graceful_restart.enabled
                                ? loaded_.settings.bgp.graceful_restart.restart_time
                                : std::chrono::seconds(5));
  fib_sweep_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) fib_->sweep_stale();
  });
  return outcome::success();
}

// The Loc-RIB's best paths learned over BGP go into the kernel via their next hop; our own blocks
// become blackholes (Calico's behaviour: addresses not given to a workload die here); other
// prefixes we originate stay out of the kernel. An IPv4 prefix with an IPv6 next hop (RFC 8950)
// needs RTA_VIA, which arrives with the FIB issue's tunnel work; it is skipped and logged for now.
void Daemon::follow_routes(const rib::RouteDelta& delta) {
  for (const IpPrefix& prefix : delta.changed) {
    const rib::Path* best = rib_->best(prefix);
    if (best != nullptr && best->peer == rib::kLocalPeer && blocks_.contains(prefix)) {
      fib_->set(fib::KernelRoute{prefix, fib::RouteType::Blackhole, {}, 0, 0});
      continue;
    }
    const bool usable = best != nullptr && best->peer != rib::kLocalPeer &&
                        !best->next_hop.is_unspecified() &&
                        best->next_hop.is_v4() == prefix.address().is_v4();
    if (!usable) {
      if (best != nullptr && best->peer != rib::kLocalPeer) {
        log_debug("fib: {} via {} not installed (next hop of another family)", prefix.to_string(),
                  best->next_hop.to_string());
      }
      fib_->remove(prefix);
      continue;
    }
    fib::KernelRoute route;
    route.prefix = prefix;
    route.next_hops.push_back(fib::NextHop{best->next_hop, "", false, 1});
    fib_->set(route);
  }
}

Result<void> Daemon::start() {
  const auto& local = loaded_.model.local;
  log_info("node {}: AS {}, router id {}, {} peers, {} originated prefixes", local.name,
           local.as_number, local.router_id.to_string(), loaded_.model.peers.size(),
           loaded_.model.originate.size());
  if (auto r = speaker_->listen(); !r) return r;
  blocks_ = {loaded_.model.blocks.begin(), loaded_.model.blocks.end()};
  speaker_->set_originated(loaded_.model.originate);
  speaker_->set_peers(peer_configs(loaded_));
  return outcome::success();
}

void Daemon::reload(const std::string& settings_path) {
  auto loaded = load_config(settings_path);
  if (!loaded) {
    log_error("reload refused, keeping the running configuration: {}", loaded.error().message);
    return;
  }
  const auto& now = loaded.value();
  const bool identity_changed = now.model.local.as_number != loaded_.model.local.as_number ||
                                now.model.local.router_id != loaded_.model.local.router_id ||
                                now.model.listen_port != loaded_.model.listen_port ||
                                now.settings.listen.address != loaded_.settings.listen.address;
  if (identity_changed) {
    log_error("reload refused: the AS number, router id or listen address changed; restart pintod");
    return;
  }
  set_log_level(now.settings.log_level);
  loaded_ = std::move(loaded).value();
  log_info("reloaded: {} peers, {} originated prefixes", loaded_.model.peers.size(),
           loaded_.model.originate.size());
  const std::set<IpPrefix> old_blocks = std::move(blocks_);
  blocks_ = {loaded_.model.blocks.begin(), loaded_.model.blocks.end()};
  speaker_->set_originated(loaded_.model.originate);
  // A block that stays originated but is no longer ours must lose its blackhole.
  if (fib_) {
    for (const auto& p : old_blocks) {
      if (!blocks_.contains(p)) fib_->remove(p);
    }
  }
  speaker_->set_peers(peer_configs(loaded_));
}

void Daemon::shutdown(const std::string& reason) {
  speaker_->shutdown(reason);
}

}  // namespace pinto::daemon
