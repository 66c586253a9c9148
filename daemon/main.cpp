// pintod: the Pinto routing daemon.
//
//   pintod --config FILE     run (settings: docs/configuration.md)
//   pintod --check FILE      validate the settings and resources, print the peers, exit
//   pintod --version
//
// Signals: SIGTERM/SIGINT shut down gracefully (Cease to every peer), SIGHUP re-reads the
// settings and resources, SIGUSR1 logs every peer's status and the Loc-RIB.
#include <fmt/core.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <string>
#include <string_view>

#include "api/server.h"
#include "common/log.h"
#include "common/version.h"
#include "daemon/api_services.h"
#include "daemon/routing_thread.h"
#include "daemon/wiring.h"

namespace {

namespace asio = boost::asio;

void print_usage() {
  fmt::print(
      "usage: pintod --config FILE | --check FILE | --version | --help\n"
      "  --config FILE  run with these settings (YAML)\n"
      "  --check FILE   validate the settings and resources, list the peers, and exit\n"
      "  --version      print the version and exit\n");
}

pinto::api::ServerOptions api_server_options(const pinto::config::Settings& settings) {
  pinto::api::ServerOptions o;
  o.unix_socket = settings.api.socket;
  o.tcp_address = settings.api.tcp;
  if (settings.api.tls) {
    o.tls = pinto::api::TlsFiles{settings.api.tls->cert_file, settings.api.tls->key_file,
                                 settings.api.tls->client_ca_file};
  }
  return o;
}

int check(const std::string& path) {
  auto loaded = pinto::daemon::load_config(path);
  if (!loaded) {
    fmt::print(stderr, "pintod: {}\n", loaded.error().message);
    return 1;
  }
  const auto& local = loaded.value().model.local;
  fmt::print("node {} AS {} router id {}\n", local.name, local.as_number,
             local.router_id.to_string());
  for (const auto& p : pinto::daemon::peer_configs(loaded.value())) {
    fmt::print("peer {} port {} AS {} ({}BGP{})\n", p.address.to_string(), p.port, p.remote_as,
               p.ebgp() ? "e" : "i", p.password ? ", TCP MD5" : "");
  }
  for (const auto& prefix : loaded.value().model.originate)
    fmt::print("originate {}\n", prefix.to_string());
  return 0;
}

int run(const std::string& path) {
  auto settings = pinto::config::load_settings(path);
  if (!settings) {
    fmt::print(stderr, "pintod: {}: {}\n", path, settings.error().to_string());
    return 1;
  }
  pinto::set_log_level(settings.value().log_level);
  pinto::log_info("pintod {} ({}) starting", pinto::kVersion, pinto::kGitRevision);
  std::signal(SIGPIPE, SIG_IGN);
  auto store = pinto::daemon::open_store(settings.value());
  if (!store) {
    fmt::print(stderr, "pintod: {}\n", store.error().message);
    return 1;
  }
  const pinto::api::ServerOptions api_options = api_server_options(settings.value());

  asio::io_context io;
  pinto::daemon::Daemon daemon(io, std::move(settings).value(), path, std::move(store).value());
  if (auto fib = daemon.open_fib(); !fib) {
    fmt::print(stderr, "pintod: {}\n", fib.error().message);
    return 1;
  }
  if (auto policy = daemon.open_policy(); !policy) {
    fmt::print(stderr, "pintod: {}\n", policy.error().message);
    return 1;
  }
  if (auto started = daemon.start(); !started) {
    fmt::print(stderr, "pintod: {}\n", started.error().message);
    return 1;
  }

  pinto::daemon::RoutingThread routing(io);
  daemon.set_commit_listener([&](std::int64_t revision) { routing.notify(revision); });
  pinto::daemon::ResourcesService resources(routing, daemon);
  pinto::daemon::RoutingService routes(routing, daemon);
  pinto::daemon::PolicyService policy(routing, daemon);
  pinto::daemon::InfoService info;
  auto server = pinto::api::start_server(api_options, {&resources, &routes, &policy, &info});
  if (server) {
    pinto::log_info("api: listening on unix:{}{}", api_options.unix_socket,
                    api_options.tcp_address ? " and " + *api_options.tcp_address : "");
  } else if (daemon.settings().api.socket_set || api_options.tcp_address) {
    fmt::print(stderr, "pintod: {}\n", server.error().message);
    return 1;
  } else {
    // The default socket is another pintod's (several on one machine): keep routing, without
    // an API, and say so; setting api.socket gives each its own.
    pinto::log_error("{}; running without the API (set api.socket)", server.error().message);
  }

  asio::signal_set stop_signals(io, SIGTERM, SIGINT);
  asio::steady_timer drain(io);
  stop_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    pinto::log_info("received {}: shutting down", signal == SIGTERM ? "SIGTERM" : "SIGINT");
    daemon.shutdown("pintod shutting down");
    // Give the Cease NOTIFICATIONs a moment to leave before the sockets close with the process.
    drain.expires_after(std::chrono::milliseconds(500));
    drain.async_wait([&](const boost::system::error_code&) { io.stop(); });
  });

  asio::signal_set control_signals(io, SIGHUP, SIGUSR1);
  std::function<void()> wait_control = [&] {
    control_signals.async_wait([&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        pinto::log_info("received SIGHUP: reloading {}", path);
        daemon.reload();
      } else {
        daemon.log_state();
      }
      wait_control();
    });
  };
  wait_control();

  io.run();
  // Requests still waiting for the routing thread get "unavailable"; streams end.
  routing.stop();
  if (server) server.value()->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  pinto::log_info("pintod stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view arg = argc > 1 ? argv[1] : "";
  if (arg == "--version" || arg == "-V") {
    fmt::print("pintod {} ({})\n", pinto::kVersion, pinto::kGitRevision);
    return 0;
  }
  if (arg == "--help" || arg == "-h") {
    print_usage();
    return 0;
  }
  if ((arg == "--config" || arg == "--check") && argc == 3) {
    return arg == "--check" ? check(argv[2]) : run(argv[2]);
  }
  if (!arg.empty()) fmt::print(stderr, "pintod: unknown or incomplete arguments\n");
  print_usage();
  return 2;
}
