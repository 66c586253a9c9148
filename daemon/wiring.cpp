#include "daemon/wiring.h"

#include <algorithm>
#include <filesystem>

#include "common/log.h"
#include "config/resources/resource.h"
#include "config/secrets_dir.h"
#include "config/unimplemented.h"
#include "config/validate_resources.h"
#include "daemon/peer_policy.h"
#include "daemon/policy_dataplanes.h"
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
    if (!intent.config_error.empty()) continue;  // shown by `node status`, logged on change
    bgp::PeerConfig p;
    p.name = intent.name;
    p.address = intent.address;
    p.port = intent.port;
    p.local_as = intent.local_as.value_or(local.as_number);
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
    p.route_reflector_client = intent.route_reflector_client;
    p.policy = peer_policy(intent);
    p.max_prefixes = s.bgp.max_prefixes.limit;
    p.max_prefixes_restart = s.bgp.max_prefixes.restart;
    p.add_paths = s.bgp.add_paths;
    out.push_back(std::move(p));
  }
  return out;
}

namespace {

// The Node's routeReflectorClusterID as BGP carries it (4 octets, host order); unset when this
// node does not reflect.
std::optional<std::uint32_t> cluster_id(const LoadedConfig& loaded) {
  const auto& id = loaded.model.local.route_reflector_cluster_id;
  if (!id) return std::nullopt;
  return id->v4_value();
}

}  // namespace

bgp::SpeakerConfig speaker_config(const LoadedConfig& loaded) {
  bgp::SpeakerConfig c;
  c.local_as = loaded.model.local.as_number;
  c.router_id = loaded.model.local.router_id.v4_value();
  // The settings' listen.address wins; else BGPConfiguration bindMode NodeIP binds to the
  // node's own addresses; else every address.
  if (loaded.settings.listen.address) {
    c.listen_addresses = {*loaded.settings.listen.address};
  } else if (loaded.model.bind_node_ip) {
    for (const auto& a : {loaded.model.local.ipv4, loaded.model.local.ipv6}) {
      if (a) c.listen_addresses.push_back(*a);
    }
  }
  c.listen_port = loaded.model.listen_port;
  c.next_hop_ipv4 = loaded.model.local.ipv4;
  c.next_hop_ipv6 = loaded.model.local.ipv6;
  c.graceful_restart = loaded.settings.bgp.graceful_restart.enabled;
  c.restart_time = loaded.settings.bgp.graceful_restart.restart_time;
  c.cluster_id = cluster_id(loaded);
  return c;
}

Result<std::unique_ptr<config::Store>> open_store(const config::Settings& settings) {
  if (settings.store.empty()) {
    log_warning("store: none configured; resources applied through the API last until exit");
    return config::make_memory_store();
  }
  if (settings.store_is_default) {
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(settings.store).parent_path(),
                                        ignored);
  }
  auto store = config::open_sqlite_store(settings.store);
  if (!store) return failure(Error{"store " + settings.store + ": " + store.error().to_string()});
  return std::move(store).value();
}

Daemon::Daemon(boost::asio::io_context& io, config::Settings settings, std::string settings_path,
               std::unique_ptr<config::Store> store)
    : io_(io),
      settings_(std::move(settings)),
      settings_path_(std::move(settings_path)),
      store_(std::move(store)),
      catalog_(std::make_unique<config::ResourceCatalog>(*store_)) {
  model_.has_local_node = false;
  model_.local.name = settings_.node_name;
}

Daemon::~Daemon() = default;

Result<void> Daemon::open_fib() {
  const auto& f = settings_.fib;
  if (!f.enabled) {
    log_info("fib: disabled in the settings; routes stay out of the kernel");
    return outcome::success();
  }
  auto writer = fib::NetlinkFibWriter::open();
  if (!writer) return failure(Error{"fib: " + writer.error().message});
  fib_ = std::make_unique<fib::FibManager>(io_, std::move(writer).value(), f.table, f.protocol);
  fib_->load_existing();
  // Routes of ours left from a previous run stay while peers re-send theirs (graceful restart);
  // once the restart window has passed, whatever nobody wants any more goes.
  fib_sweep_ = std::make_unique<boost::asio::steady_timer>(io_);
  fib_sweep_->expires_after(settings_.bgp.graceful_restart.enabled
                                ? settings_.bgp.graceful_restart.restart_time
                                : std::chrono::seconds(5));
  fib_sweep_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) fib_->sweep_stale();
  });
  return outcome::success();
}

Result<void> Daemon::open_policy() {
  auto dataplane = make_dataplane(settings_.policy);
  if (!dataplane) return failure(Error{"policy: " + dataplane.error().message});
  if (!dataplane.value()) {
    log_info("policy: not enforced (policy.dataplane: none)");
    return outcome::success();
  }
  // From here on the back-end belongs to the policy thread (daemon/policy_enforcer.h).
  policy::CompileOptions compile_options;
  compile_options.failsafe_inbound = settings_.policy.failsafe_inbound;
  compile_options.failsafe_outbound = settings_.policy.failsafe_outbound;
  policy_ = std::make_unique<PolicyEnforcer>(
      std::move(dataplane).value(), dataplane_name(settings_.policy.dataplane), settings_.node_name,
      std::chrono::seconds(1), std::move(compile_options));
  return outcome::success();
}

void Daemon::follow_routes(const rib::RouteDelta& delta) {
  if (route_listener_) route_listener_(delta);
  if (!fib_) return;
  for (const IpPrefix& prefix : delta.changed) refresh_fib(prefix);
  for (const IpPrefix& prefix : delta.alternatives_changed) refresh_fib(prefix);
}

Result<config::ClusterModel, config::CatalogError> Daemon::model_for(
    const std::vector<config::Resource>& resources,
    const std::vector<config::Resource>* changed) const {
  // The whole resulting state is checked: consistent across resources, and nothing in it that
  // pintod would silently ignore.
  auto invalid = [](const config::ValidationError& e) {
    return config::CatalogError{config::CatalogError::Code::Invalid, e.to_string()};
  };
  // With nothing changed (start, reload, secrets) the state was accepted before: only its
  // blocks' pools may have gone since, which is allowed.
  const std::vector<config::Resource> none;
  if (auto v = config::validate_resources(resources, changed != nullptr ? changed : &none); !v)
    return failure(invalid(v.error()));
  if (auto v = config::check_implemented(resources); !v) return failure(invalid(v.error()));
  std::vector<config::Resource> with_secrets;
  const std::vector<config::Resource>* all = &resources;
  if (!settings_.secrets.empty()) {
    with_secrets = resources;
    for (auto& secret : config::read_referenced_secrets(settings_.secrets, resources))
      with_secrets.push_back(std::move(secret));
    all = &with_secrets;
  }
  auto model = config::build_cluster_model(settings_, *all, config::MissingLocalNode::Wait);
  if (!model) {
    return failure(
        config::CatalogError{config::CatalogError::Code::Invalid, model.error().to_string()});
  }
  return std::move(model).value();
}

Result<ChangeOutcome, config::CatalogError> Daemon::carry_out(config::PendingChange pending,
                                                              bool dry_run) {
  const auto start = std::chrono::steady_clock::now();
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
  };
  std::vector<config::Resource> changed;
  for (const auto& [key, document] : pending.puts) changed.push_back(document.resource);
  auto model = model_for(pending.resulting, &changed);
  if (!model) return failure(model.error());
  const double checked_ms = ms_since(start);
  ChangeOutcome outcome;
  outcome.plan = config::diff_models(model_, model.value());
  outcome.changes = pending.changes;
  if (dry_run) {
    outcome.revision = catalog_->revision();
    return outcome;
  }
  const auto commit_start = std::chrono::steady_clock::now();
  auto revision = catalog_->commit(std::move(pending));
  if (!revision) return failure(revision.error());
  const double commit_ms = ms_since(commit_start);
  const auto apply_start = std::chrono::steady_clock::now();
  outcome.revision = revision.value();
  for (auto& c : outcome.changes) {
    if (c.action != config::ChangeAction::Unchanged) c.revision = revision.value();
  }
  for (const auto& step : outcome.plan)
    log_info("plan: {} {} ({})", step.action, step.subject, step.reason);
  if (auto applied = apply_model(std::move(model).value()); !applied) {
    // Stored and valid, but this node cannot carry it out now (the BGP port is taken, ...):
    // the change stays, the error is logged and shown by `node status`.
    log_error("revision {}: {}", revision.value(), applied.error().message);
  }
  // Time the routing thread spent on this change (BGP waits meanwhile).
  log_debug("revision {}: checked {:.0f} ms, stored {:.0f} ms, carried out {:.0f} ms",
            revision.value(), checked_ms, commit_ms, ms_since(apply_start));
  if (commit_listener_) commit_listener_(revision.value());
  return outcome;
}

Result<std::vector<config::ParsedResource>, config::CatalogError> parse_manifest(
    const std::string& manifest, const std::string& source) {
  auto documents = config::parse_resource_documents(manifest, source);
  if (!documents) {
    return failure(
        config::CatalogError{config::CatalogError::Code::Invalid, documents.error().to_string()});
  }
  return std::move(documents).value();
}

Result<ChangeOutcome, config::CatalogError> Daemon::apply(
    std::vector<config::ParsedResource> documents, bool dry_run) {
  auto pending = catalog_->prepare_apply(std::move(documents));
  if (!pending) return failure(pending.error());
  return carry_out(std::move(pending).value(), dry_run);
}

Result<ChangeOutcome, config::CatalogError> Daemon::remove(const config::ResourceId& id,
                                                           std::int64_t expected_revision,
                                                           bool dry_run) {
  auto pending = catalog_->prepare_delete(id, expected_revision);
  if (!pending) return failure(pending.error());
  return carry_out(std::move(pending).value(), dry_run);
}

// The settings' resource files are applied like a `pintoctl apply` at every start and reload.
// Resources that an earlier version of those files held and that they no longer hold are
// deleted (a file is the whole truth for what it declares); the list lives in the store.
Result<void> Daemon::sync_resource_files() {
  constexpr std::string_view kFilesKey = "/pinto/meta/resource-files";
  std::vector<config::ParsedResource> documents;
  for (const auto& path : settings_.resources) {
    auto text = config::read_text_file(path);
    if (!text) return failure(Error{text.error().message});
    auto parsed = config::parse_resource_documents(text.value(), path);
    if (!parsed) return failure(Error{parsed.error().to_string()});
    for (auto& d : parsed.value()) documents.push_back(std::move(d));
  }
  std::set<std::string> declared;
  for (const auto& d : documents) declared.insert(config::id_of(d.resource).key());
  std::vector<config::ResourceId> dropped;
  auto previous = store_->get(kFilesKey);
  if (!previous) return failure(Error{previous.error().to_string()});
  const std::string previous_list = previous.value() ? previous.value()->value : "";
  std::set<std::string> previously_declared;
  for (std::size_t at = 0, end; at < previous_list.size(); at = end + 1) {
    end = previous_list.find('\n', at);
    if (end == std::string::npos) end = previous_list.size();
    previously_declared.insert(previous_list.substr(at, end - at));
  }
  for (const auto* entry : catalog_->list("", "")) {
    const std::string key = entry->id.key();
    if (!declared.contains(key) && previously_declared.contains(key)) dropped.push_back(entry->id);
  }
  auto pending = catalog_->prepare_apply(std::move(documents), dropped);
  if (!pending) return failure(Error{pending.error().message});
  std::string list;
  for (const auto& key : declared) list += key + "\n";
  if (list != previous_list) {
    config::Mutation m;
    m.key = std::string(kFilesKey);
    m.value = list;
    pending.value().mutations.push_back(std::move(m));
  }
  auto outcome = carry_out(std::move(pending).value(), false);
  if (!outcome) return failure(Error{outcome.error().message});
  std::size_t changed = 0;
  for (const auto& c : outcome.value().changes)
    changed += c.action != config::ChangeAction::Unchanged ? 1 : 0;
  log_info("resource files: {} resources, {} changed, store revision {}", declared.size(), changed,
           outcome.value().revision);
  return outcome::success();
}

// Secret files change without any API call (a rotated Kubernetes secret): look every few
// seconds, and when what the resources refer to changed, rebuild the model — set_peers then
// restarts only the sessions whose password changed.
void Daemon::watch_secrets() {
  if (settings_.secrets.empty()) return;
  if (!secrets_timer_) secrets_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  secrets_timer_->expires_after(std::chrono::seconds(3));
  secrets_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    // Reading the few referenced files is cheap; rebuilding the model (every resource) is only
    // done when what they hold differs from the last look.
    std::vector<config::Resource> referring;  // only the kinds that name secrets
    for (const char* kind : {"BGPPeer", "BGPConfiguration"}) {
      for (const auto* entry : catalog_->list(kind, "")) referring.push_back(entry->resource);
    }
    std::map<std::string, std::map<std::string, std::string>> values;
    for (const auto& r : config::read_referenced_secrets(settings_.secrets, referring)) {
      const auto& secret = std::get<config::Secret>(r);
      values[secret.metadata.name] = secret.data;
    }
    if (values == secret_values_) return watch_secrets();
    secret_values_ = std::move(values);
    auto model = model_for(catalog_->resources());
    if (model && !(model.value().peers == model_.peers)) {
      log_info("secrets in {} changed: applying", settings_.secrets);
      if (auto applied = apply_model(std::move(model).value()); !applied)
        log_error("secrets: {}", applied.error().message);
    }
    watch_secrets();
  });
}

Result<void> Daemon::start() {
  watch_secrets();
  if (auto loaded = catalog_->load(); !loaded) return failure(Error{loaded.error().message});
  log_info("store: {} resources at revision {}", catalog_->list("", "").size(),
           catalog_->revision());
  if (!settings_.resources.empty()) {
    if (auto synced = sync_resource_files(); !synced) return synced;
  }
  // Without resource files nothing has run yet; with them, BGP may have failed to start (a
  // change is kept even when it cannot be carried out): run what the store holds, and let a
  // failure to start BGP end the start.
  if (!speaker_) {
    auto model = model_for(catalog_->resources());
    if (!model) return failure(Error{model.error().message});
    return apply_model(std::move(model).value());
  }
  return outcome::success();
}

Result<void> Daemon::start_speaker() {
  LoadedConfig loaded{settings_, model_};
  rib_ = std::make_unique<rib::Rib>(model_.local.as_number, model_.local.router_id.v4_value(),
                                    cluster_id(loaded));
  speaker_ = std::make_unique<bgp::Speaker>(io_, speaker_config(loaded), *rib_);
  speaker_->set_route_observer([this](const rib::RouteDelta& delta) { follow_routes(delta); });
  const auto& local = model_.local;
  log_info("node {}: AS {}, router id {}, listening on port {}", local.name, local.as_number,
           local.router_id.to_string(), model_.listen_port);
  return speaker_->listen();
}

// Sessions end with a Cease; the routes learned through them leave the kernel with them.
void Daemon::stop_speaker(const std::string& reason) {
  if (!speaker_) return;
  speaker_->shutdown(reason);
  std::vector<IpPrefix> learned;
  if (fib_) rib_->for_each_best([&](const IpPrefix& p, const rib::Path&) { learned.push_back(p); });
  speaker_.reset();
  rib_.reset();
  // Without a RIB each goes, unless it is a block, a workload or a reachableBy route.
  for (const auto& p : learned) refresh_fib(p);
}

// Everything this node originates, each with the communities of every prefixAdvertisement
// whose CIDR holds it (Calico applies them to the routes inside the CIDR).
std::vector<bgp::OriginatedRoute> Daemon::originated() const {
  std::set<IpPrefix> prefixes(model_.originate.begin(), model_.originate.end());
  for (const auto& [prefix, path] : injected_) prefixes.insert(prefix);
  std::vector<bgp::OriginatedRoute> out;
  for (const auto& prefix : prefixes) {
    // An injected path keeps its own next hop and communities; the model's may add to them.
    auto injected = injected_.find(prefix);
    bgp::OriginatedRoute route =
        injected != injected_.end() ? injected->second : bgp::OriginatedRoute{prefix, {}, {}, {}};
    for (const auto& advertisement : model_.prefix_advertisements) {
      if (!advertisement.cidr.contains(prefix)) continue;
      for (const auto& c : advertisement.communities) {
        if (c.large) {
          route.large_communities.push_back({c.global, c.local1, c.local2});
        } else {
          route.communities.push_back(c.global << 16 | c.local1);
        }
      }
    }
    std::sort(route.communities.begin(), route.communities.end());
    route.communities.erase(std::unique(route.communities.begin(), route.communities.end()),
                            route.communities.end());
    std::sort(route.large_communities.begin(), route.large_communities.end());
    route.large_communities.erase(
        std::unique(route.large_communities.begin(), route.large_communities.end()),
        route.large_communities.end());
    out.push_back(std::move(route));
  }
  return out;
}

Result<void> Daemon::apply_model(config::ClusterModel model) {
  // Policy needs no BGP identity: it follows every accepted state, Node or not. The copy is all
  // the routing thread pays; model, compile and the kernel run on the policy thread.
  if (policy_) policy_->submit(catalog_->resources(), catalog_->revision());
  const bool restart = config::identity_changed(model_, model) || !speaker_;
  if (restart) stop_speaker("configuration changed");
  set_log_level(settings_.log_level);
  model_ = std::move(model);
  if (!model_.has_local_node) {
    log_warning("node {}: no Node resource yet; BGP waits for one", model_.local.name);
    return outcome::success();
  }
  if (restart) {
    if (auto started = start_speaker(); !started) {
      stop_speaker("cannot listen");
      return started;
    }
  }
  speaker_->set_originated(originated());
  if (fib_) apply_fib_model();
  for (const auto& peer : model_.peers) {
    if (!peer.config_error.empty())
      log_error("peer {} ({}): not started: {}", peer.address.to_string(), peer.name,
                peer.config_error);
  }
  speaker_->set_peers(peer_configs(LoadedConfig{settings_, model_}));
  log_info("node {}: {} peers, {} originated prefixes", model_.local.name, model_.peers.size(),
           model_.originate.size());
  return outcome::success();
}

void Daemon::reload() {
  auto settings = config::load_settings(settings_path_);
  if (!settings) {
    log_error("reload refused, keeping the running configuration: {}: {}", settings_path_,
              settings.error().to_string());
    return;
  }
  const config::Settings previous = settings_;
  settings_ = std::move(settings).value();
  if (auto synced = sync_resource_files(); !synced) {
    log_error("reload refused, keeping the running configuration: {}", synced.error().message);
    settings_ = previous;
    return;
  }
  // The settings alone may have changed (log level, originate, timers): rebuild from the store.
  auto model = model_for(catalog_->resources());
  if (!model) {
    log_error("reload refused, keeping the running configuration: {}", model.error().message);
    settings_ = previous;
    return;
  }
  if (auto applied = apply_model(std::move(model).value()); !applied)
    log_error("reload: {}", applied.error().message);
}

void Daemon::add_path(const bgp::OriginatedRoute& path) {
  injected_[path.prefix] = path;
  if (speaker_) speaker_->set_originated(originated());
}

bool Daemon::delete_path(const IpPrefix& prefix) {
  if (injected_.erase(prefix) == 0) return false;
  if (speaker_) speaker_->set_originated(originated());
  return true;
}

void Daemon::shutdown(const std::string& reason) {
  if (speaker_) speaker_->shutdown(reason);
}

void Daemon::log_state() const {
  if (speaker_) {
    speaker_->log_state();
  } else {
    log_info("status begin: waiting for Node {}", model_.local.name);
    log_info("status end");
  }
}

}  // namespace pinto::daemon
