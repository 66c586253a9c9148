// The only place that knows every concrete type: settings and resources in, a running speaker
// out. main.cpp handles the process (arguments, signals); this file turns configuration into
// BGP objects, and does it again on SIGHUP.
//
//   settings.yaml ─┐
//   resources.yaml ┴─▶ config::ClusterModel ─▶ bgp::PeerConfig[] ─▶ bgp::Speaker ◀─▶ peers
//                                                   originate[] ─▶ rib::Rib
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bgp/speaker.h"
#include "common/result.h"
#include "config/cluster_model.h"
#include "config/settings.h"
#include "fib/fib_manager.h"
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

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, LoadedConfig loaded);
  Result<void> start();
  /// Opens the kernel writer and reads what our protocol already installed (before start()).
  Result<void> open_fib();
  /// SIGHUP: re-read everything; on error keep running with what we had.
  void reload(const std::string& settings_path);
  void shutdown(const std::string& reason);
  void log_state() const { speaker_->log_state(); }

 private:
  boost::asio::io_context& io_;
  LoadedConfig loaded_;
  void follow_routes(const rib::RouteDelta& delta);

  std::unique_ptr<rib::Rib> rib_;
  std::unique_ptr<bgp::Speaker> speaker_;
  std::unique_ptr<fib::FibManager> fib_;
  std::unique_ptr<boost::asio::steady_timer> fib_sweep_;
  std::set<IpPrefix> blocks_;  // our own blocks: blackholed in the kernel
};

}  // namespace pinto::daemon
