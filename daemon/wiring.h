// The only place that knows every concrete type: settings and resources in, a running speaker
// out. main.cpp handles the process (arguments, signals); this file turns configuration into
// BGP objects, and does it again whenever the resources change (API, SIGHUP).
//
//   resource files ─┐
//   API (gRPC) ─────┴─▶ store ─▶ ResourceCatalog ─▶ config::ClusterModel ─▶ bgp::PeerConfig[]
//                                       │                │                     ─▶ bgp::Speaker
//                                       │                └ originate[], blocks ─▶ rib, fib
//                                       └ resources ─▶ PolicyEnforcer (policy thread) ─▶ kernel
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bgp/speaker.h"
#include "common/result.h"
#include "config/cluster_model.h"
#include "config/model_diff.h"
#include "config/resource_catalog.h"
#include "config/settings.h"
#include "config/store/store.h"
#include "daemon/policy_enforcer.h"
#include "fib/fib_manager.h"
#include "fib/route_intent.h"
#include "rib/rib.h"

namespace pinto::daemon {

struct LoadedConfig {
  config::Settings settings;
  config::ClusterModel model;
};

/// Reads the settings file and every resources file it lists, and builds the cluster model. The
/// error is one line naming the file and field.
Result<LoadedConfig> load_config(const std::string& settings_path);

std::vector<bgp::PeerConfig> peer_configs(const LoadedConfig& loaded);
bgp::SpeakerConfig speaker_config(const LoadedConfig& loaded);

/// The outcome of an apply or delete through the API (or of the settings' resource files).
struct ChangeOutcome {
  std::int64_t revision = 0;
  std::vector<config::ResourceChange> changes;
  std::vector<config::PlanStep> plan;
};

/// Owns the node's routing: the resource catalog (mirror of the store), the cluster model built
/// from it, and the speaker, RIB and FIB that carry it out. Lives on the routing thread; every
/// method is called there (the API posts to it).
class Daemon {
 public:
  Daemon(boost::asio::io_context& io, config::Settings settings, std::string settings_path,
         std::unique_ptr<config::Store> store);
  ~Daemon();

  /// Opens the kernel writer and reads what our protocol already installed (before start()).
  Result<void> open_fib();
  /// The policy back-end the settings name (policy.dataplane) and its thread; none: policy is
  /// not enforced. Call before start() and before the API starts.
  Result<void> open_policy();
  /// Set once by open_policy(); the enforcer itself may be used from any thread.
  PolicyEnforcer* policy() { return policy_.get(); }
  /// Loads the store, applies the settings' resource files, and starts BGP if this node's Node
  /// resource exists (otherwise it waits for one to be applied).
  Result<void> start();
  /// SIGHUP: re-read the settings and resource files; on error keep running with what we had.
  void reload();
  void shutdown(const std::string& reason);
  void log_state() const;

  // The API's operations. dry_run: validate and plan, change nothing.
  /// `documents` from parse_manifest(), which the API calls on its own thread.
  Result<ChangeOutcome, config::CatalogError> apply(std::vector<config::ParsedResource> documents,
                                                    bool dry_run);
  Result<ChangeOutcome, config::CatalogError> remove(const config::ResourceId& id,
                                                     std::int64_t expected_revision, bool dry_run);
  /// Prefixes injected through the API (AddPath), originated like the node's own.
  void add_path(const bgp::OriginatedRoute& path);
  bool delete_path(const IpPrefix& prefix);

  const config::ResourceCatalog& catalog() const { return *catalog_; }
  config::Store& store() { return *store_; }
  const config::ClusterModel& model() const { return model_; }
  const bgp::Speaker* speaker() const { return speaker_.get(); }
  const rib::Rib* rib() const { return rib_.get(); }
  const fib::FibManager* fib() const { return fib_.get(); }
  const std::set<IpPrefix>& blocks() const { return blocks_; }
  const config::Settings& settings() const { return settings_; }

  /// Called after every committed change with its revision (wakes the API's watchers).
  void set_commit_listener(std::function<void(std::int64_t)> listener) {
    commit_listener_ = std::move(listener);
  }
  /// Called with every change of the Loc-RIB (feeds the API's route event streams).
  void set_route_listener(std::function<void(const rib::RouteDelta&)> listener) {
    route_listener_ = std::move(listener);
  }

 private:
  /// Validates `resources` (the blocks among `changed` against the pools; null: none changed)
  /// and builds the cluster model from them.
  Result<config::ClusterModel, config::CatalogError> model_for(
      const std::vector<config::Resource>& resources,
      const std::vector<config::Resource>* changed = nullptr) const;
  Result<ChangeOutcome, config::CatalogError> carry_out(config::PendingChange pending,
                                                        bool dry_run);
  Result<void> sync_resource_files();
  Result<void> apply_model(config::ClusterModel model);
  Result<void> start_speaker();
  void stop_speaker(const std::string& reason);
  std::vector<bgp::OriginatedRoute> originated() const;
  void follow_routes(const rib::RouteDelta& delta);
  /// What the kernel should hold for one prefix (daemon/fib_routes.cpp).
  void refresh_fib(const IpPrefix& prefix);
  /// The model's routes for the kernel: blackholed blocks, workload routes, reachableBy host
  /// routes, tunnel devices (daemon/fib_routes.cpp).
  void apply_fib_model();
  void watch_secrets();

  boost::asio::io_context& io_;
  config::Settings settings_;
  std::string settings_path_;
  std::unique_ptr<config::Store> store_;
  std::unique_ptr<config::ResourceCatalog> catalog_;
  config::ClusterModel model_;                         // what runs now
  std::map<IpPrefix, bgp::OriginatedRoute> injected_;  // AddPath, as given

  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<bgp::Speaker> speaker_;
  std::unique_ptr<fib::FibManager> fib_;
  std::unique_ptr<PolicyEnforcer> policy_;
  std::unique_ptr<boost::asio::steady_timer> fib_sweep_;
  std::unique_ptr<boost::asio::steady_timer> secrets_timer_;
  std::map<std::string, std::map<std::string, std::string>> secret_values_;  // at the last look
  std::set<IpPrefix> blocks_;       // our own blocks: blackholed in the kernel
  std::set<IpPrefix> peer_routes_;  // host routes to reachableBy peers
  std::map<IpPrefix, config::WorkloadRoute> workload_routes_;  // local pods' addresses
  std::vector<fib::EncapsulatedRange> encapsulation_;          // pools routed through tunnels
  std::function<void(std::int64_t)> commit_listener_;
  std::function<void(const rib::RouteDelta&)> route_listener_;
};

/// Parses a manifest (`pintoctl apply`) into documents for Daemon::apply. Pure: the API runs it on
/// the gRPC thread, so the routing thread never parses YAML (~1 s for 10,000 policy rules).
Result<std::vector<config::ParsedResource>, config::CatalogError> parse_manifest(
    const std::string& manifest, const std::string& source);

/// Opens the store the settings name: a SQLite file, or memory when `store` is empty.
Result<std::unique_ptr<config::Store>> open_store(const config::Settings& settings);

}  // namespace pinto::daemon
