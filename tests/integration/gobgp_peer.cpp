#include "integration/gobgp_peer.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "integration/cli_text.h"
#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kCliTimeout = 5s;

// TOML tables of one [[neighbors]] entry. The [[neighbors.afi-safis]] array comes last: a table
// header after it would still belong to this neighbor, but reads as if it belonged to the family.
void render_neighbor(std::ostringstream& out, const NeighborConfig& n) {
  out << "\n[[neighbors]]\n"
      << "  [neighbors.config]\n"
      << "    neighbor-address = \"" << n.address << "\"\n"
      << "    peer-as = " << n.remote_as << "\n";
  if (n.password) out << "    auth-password = \"" << *n.password << "\"\n";
  if (n.passive || n.local_address) {
    out << "  [neighbors.transport.config]\n";
    if (n.passive) out << "    passive-mode = true\n";
    if (n.local_address) out << "    local-address = \"" << *n.local_address << "\"\n";
  }
  // GoBGP waits 120 s between connection attempts and 30 s after a reset by default.
  out << "  [neighbors.timers.config]\n"
      << "    connect-retry = 1\n"
      << "    idle-hold-time-after-reset = 1\n";
  if (n.hold_time) {
    out << "    hold-time = " << n.hold_time->count() << "\n"
        << "    keepalive-interval = " << std::max<long>(1, n.hold_time->count() / 3) << "\n";
  }
  if (n.ebgp_multihop) {
    out << "  [neighbors.ebgp-multihop.config]\n"
        << "    enabled = true\n"
        << "    multihop-ttl = " << static_cast<int>(*n.ebgp_multihop) << "\n";
  }
  if (n.ttl_security_hops) {
    // RFC 5082: send with TTL 255, accept TTL >= 256 - hops.
    out << "  [neighbors.ttl-security.config]\n"
        << "    enabled = true\n"
        << "    ttl-min = " << 256 - static_cast<int>(*n.ttl_security_hops) << "\n";
  }
  if (n.graceful_restart.enabled) {
    out << "  [neighbors.graceful-restart.config]\n"
        << "    enabled = true\n"
        << "    restart-time = " << n.graceful_restart.restart_time.count() << "\n";
  }
  auto family = [&](std::string_view name) {
    out << "  [[neighbors.afi-safis]]\n"
        << "    [neighbors.afi-safis.config]\n"
        << "      afi-safi-name = \"" << name << "\"\n";
    // The per-family flag is what puts the family into the GR capability (RFC 4724 §3).
    if (n.graceful_restart.enabled) {
      out << "    [neighbors.afi-safis.mp-graceful-restart.config]\n"
          << "      enabled = true\n";
    }
  };
  if (n.ipv4) family("ipv4-unicast");
  if (n.ipv6) family("ipv6-unicast");
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
  return it != haystack.end();
}

// Prefixes of `gobgp neighbor X adj-in` rows ("ID Network NextHop AS_PATH... Age [Attrs]"),
// minus rows whose AS_PATH holds our own AS. GoBGP keeps such looped routes in its Adj-RIB-In
// and only refuses them later, while BIRD and bgpd discard them on receipt (RFC 4271 §9.1.2);
// FRR even sends an eBGP neighbor its own routes back. Dropping them here makes all three
// wrappers answer "what was learned" alike.
std::set<std::string> adj_in_prefixes(const std::string& text, std::uint32_t local_as) {
  std::set<std::string> out;
  const std::string own_as = std::to_string(local_as);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::optional<std::string> prefix;
    bool looped = false;
    for (std::string w; words >> w && !w.starts_with('[');) {  // attributes start with '['
      if (!prefix) prefix = canonical_prefix(w);
      if (w == own_as) looped = true;
    }
    if (prefix && !looped) out.insert(*prefix);
  }
  return out;
}

}  // namespace

GobgpPeer::GobgpPeer(const Netns& netns, PeerConfig config, std::uint16_t api_port)
    : netns_(netns), config_(std::move(config)), api_port_(api_port), dir_("pit-gobgp") {
  validate(config_);
  announced_.insert(config_.originated.begin(), config_.originated.end());
  conf_ = dir_ / "gobgpd.toml";
  log_ = dir_ / "gobgpd.log";
  write_file(conf_, render_config());
  start(RestartMode::Cold);
}

std::string GobgpPeer::render_config() const {
  std::ostringstream out;
  out << "# Written by tests/integration/gobgp_peer.cpp. Routes are added over the API.\n"
      << "[global.config]\n"
      << "  as = " << config_.local_as << "\n"
      << "  router-id = \"" << config_.router_id << "\"\n";
  for (const auto& n : config_.neighbors) render_neighbor(out, n);
  return out.str();
}

void GobgpPeer::start(RestartMode mode) {
  std::vector<std::string> argv{"gobgpd",
                                "-f",
                                conf_.string(),
                                "-p",
                                "--pprof-disable",
                                "--api-hosts",
                                "127.0.0.1:" + std::to_string(api_port_)};
  // -r: set the Restart State bit in the GR capability (RFC 4724 §3).
  if (mode == RestartMode::Graceful) argv.push_back("-r");
  process_.emplace(netns_.exec_argv(argv), log_);
  bool up = wait_until(
      [this] {
        if (!process_->running()) return true;
        return gobgp({"global"}, 2s).ok();
      },
      kStartTimeout, 100ms);
  if (!up || !process_->running()) {
    throw HarnessError("gobgpd did not start in " + netns_.name() + " (" +
                       process_->exit_description().value_or("running, API silent") + ")\n" +
                       tail_file(log_));
  }
  for (const auto& p : announced_) rib("add", p);
}

RunResult GobgpPeer::gobgp(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"gobgp", "-u", "127.0.0.1", "-p", std::to_string(api_port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  return netns_.run(argv, timeout);
}

bool GobgpPeer::established(std::string_view neighbor) {
  auto addr = canonical_address(neighbor);
  if (!addr) return false;
  RunResult r = gobgp({"neighbor", *addr}, kCliTimeout);
  return r.ok() && contains_ignoring_case(r.output, "BGP state = established");
}

std::set<std::string> GobgpPeer::received_prefixes() {
  std::set<std::string> out;
  for (const auto& n : config_.neighbors) {
    for (std::string_view family : {"ipv4", "ipv6"}) {
      if (!(family == "ipv4" ? n.ipv4 : n.ipv6)) continue;
      // "Network not in table" (exit 0) when empty; an error while the session is down.
      RunResult r =
          gobgp({"neighbor", n.address, "adj-in", "-a", std::string(family)}, kCliTimeout);
      if (!r.ok()) continue;
      auto found = adj_in_prefixes(r.output, config_.local_as);
      out.insert(found.begin(), found.end());
    }
  }
  return out;
}

void GobgpPeer::rib(const std::string& verb, const std::string& prefix) {
  std::vector<std::string> args{"global", "rib", verb, "-a", is_ipv6(prefix) ? "ipv6" : "ipv4",
                                prefix};
  // Left alone, GoBGP puts its session's local address into NEXT_HOP, which for IPv6 routes on
  // an IPv4 session is an IPv4 address (neighbors reject it).
  if (verb == "add" && is_ipv6(prefix) && config_.ipv6_next_hop) {
    args.insert(args.end(), {"nexthop", *config_.ipv6_next_hop});
  }
  RunResult r = gobgp(args, kCliTimeout);
  if (!r.ok()) {
    throw HarnessError("gobgp global rib " + verb + " " + prefix + " failed in " + netns_.name() +
                       ":\n" + r.output);
  }
}

void GobgpPeer::announce(std::string_view prefix) {
  std::string p = require_prefix(prefix, "GobgpPeer::announce");
  rib("add", p);
  announced_.insert(p);
}

void GobgpPeer::withdraw(std::string_view prefix) {
  std::string p = require_prefix(prefix, "GobgpPeer::withdraw");
  rib("del", p);
  announced_.erase(p);
}

void GobgpPeer::restart(RestartMode mode) {
  process_.reset();
  start(mode);
}

std::string GobgpPeer::diagnostics() {
  std::string out = "---- gobgpd in " + netns_.name() + " (" + dir_.path().string() + ")\n";
  out += gobgp({"neighbor"}, kCliTimeout).output;
  for (const auto& n : config_.neighbors) out += gobgp({"neighbor", n.address}, kCliTimeout).output;
  out += gobgp({"global", "rib", "-a", "ipv4"}, kCliTimeout).output;
  out += gobgp({"global", "rib", "-a", "ipv6"}, kCliTimeout).output;
  out += "---- " + log_.string() + " (tail)\n" + tail_file(log_);
  return out;
}

}  // namespace pinto::itest
