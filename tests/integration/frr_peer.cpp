#include "integration/frr_peer.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include "integration/cli_text.h"
#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kCliTimeout = 5s;
constexpr const char* kV6NextHopMap = "pit_v6_next_hop";
constexpr const char* kV4NextHopMap = "pit_v4_next_hop";

std::string family_of(std::string_view prefix) {
  return is_ipv6(prefix) ? "ipv6 unicast" : "ipv4 unicast";
}

void render_neighbor(std::ostringstream& out, const NeighborConfig& n) {
  const std::string& a = n.address;
  out << " neighbor " << a << " remote-as " << n.remote_as << "\n";
  if (n.local_address) out << " neighbor " << a << " update-source " << *n.local_address << "\n";
  if (n.password) out << " neighbor " << a << " password " << *n.password << "\n";
  if (n.passive) out << " neighbor " << a << " passive\n";
  if (n.ebgp_multihop) {
    out << " neighbor " << a << " ebgp-multihop " << static_cast<int>(*n.ebgp_multihop) << "\n";
  }
  if (n.ttl_security_hops) {
    out << " neighbor " << a << " ttl-security hops " << static_cast<int>(*n.ttl_security_hops)
        << "\n";
  }
  // FRR's connect-retry default is 120 s; a test waiting for the session cannot afford that.
  out << " neighbor " << a << " timers connect 1\n";
  if (n.hold_time) {
    out << " neighbor " << a << " timers " << std::max<long>(1, n.hold_time->count() / 3) << " "
        << n.hold_time->count() << "\n";
  }
  // Per-neighbor GR mode, so one neighbor can have it and another not. FRR's default (helper)
  // would advertise the capability even when the test asked for none.
  out << " neighbor " << a
      << (n.graceful_restart.enabled ? " graceful-restart\n" : " graceful-restart-disable\n");
}

void render_family(std::ostringstream& out, const PeerConfig& config, bool v6,
                   const std::set<std::string>& announced) {
  out << " !\n address-family " << (v6 ? "ipv6" : "ipv4") << " unicast\n";
  for (const auto& p : announced) {
    if (is_ipv6(p) == v6) out << "  network " << p << "\n";
  }
  for (const auto& n : config.neighbors) {
    if (!(v6 ? n.ipv6 : n.ipv4)) continue;
    out << "  neighbor " << n.address << " activate\n";
    if (is_ibgp(config, n)) out << "  neighbor " << n.address << " next-hop-self\n";
    if (v6 && config.ipv6_next_hop && !is_ipv6(n.address)) {
      out << "  neighbor " << n.address << " route-map " << kV6NextHopMap << " out\n";
    }
    if (!v6 && config.ipv4_next_hop && is_ipv6(n.address)) {
      out << "  neighbor " << n.address << " route-map " << kV4NextHopMap << " out\n";
    }
  }
  out << " exit-address-family\n";
}

}  // namespace

FrrPeer::FrrPeer(const Netns& netns, PeerConfig config)
    : netns_(netns), config_(std::move(config)), dir_("pit-frr") {
  validate(config_);
  announced_.insert(config_.originated.begin(), config_.originated.end());
  conf_ = dir_ / "bgpd.conf";
  log_ = dir_ / "bgpd.log";
  pid_file_ = dir_ / "bgpd.pid";
  vty_dir_ = dir_.path();
  start();
}

std::string FrrPeer::render_config() const {
  std::ostringstream out;
  out << "! Written by tests/integration/frr_peer.cpp (and again by restart()).\n"
      << "hostname pit-frr\n"
      << "log stdout informational\n"
      << "debug bgp neighbor-events\n"
      << "!\n";
  if (config_.ipv6_next_hop) {
    // Without zebra bgpd knows no interface address, so over an IPv4 session it would send an
    // IPv4-mapped IPv6 next hop that the neighbor rejects; name the global one explicitly.
    out << "route-map " << kV6NextHopMap << " permit 10\n"
        << " set ipv6 next-hop global " << *config_.ipv6_next_hop << "\n"
        << "exit\n!\n";
  }
  if (config_.ipv4_next_hop) {
    // The same for IPv4 routes over an IPv6 session: without an IPv4 next hop bgpd sends none.
    out << "route-map " << kV4NextHopMap << " permit 10\n"
        << " set ip next-hop " << *config_.ipv4_next_hop << "\n"
        << "exit\n!\n";
  }
  out << "router bgp " << config_.local_as << "\n"
      << " bgp router-id " << config_.router_id << "\n"
      << " no bgp ebgp-requires-policy\n"
      << " no bgp network import-check\n"
      << " no bgp default ipv4-unicast\n";
  for (const auto& n : config_.neighbors) {
    if (n.graceful_restart.enabled) {
      out << " bgp graceful-restart restart-time " << n.graceful_restart.restart_time.count()
          << "\n";
      break;  // FRR has one restart time per instance
    }
  }
  for (const auto& n : config_.neighbors) render_neighbor(out, n);
  render_family(out, config_, false, announced_);
  render_family(out, config_, true, announced_);
  out << "exit\n";
  return out.str();
}

void FrrPeer::start() {
  write_file(conf_, render_config());
  // A pid file left by a SIGKILLed bgpd is harmless (bgpd locks it), but the old vty socket
  // would make vtysh talk to nothing until bgpd replaces it.
  std::error_code ec;
  std::filesystem::remove(vty_dir_ / "bgpd.vty", ec);
  process_.emplace(netns_.exec_argv({kBgpdPath, "-f", conf_.string(), "-i", pid_file_.string(),
                                     "-Z", "--vty_socket", vty_dir_.string(), "-S", "-P", "0"}),
                   log_);
  // The vty answers before the config file is applied; wait for the BGP instance itself.
  const std::string instance = "router bgp " + std::to_string(config_.local_as);
  bool up = wait_until(
      [&] {
        if (!process_->running()) return true;
        RunResult r = vtysh({"show running-config"}, 2s);
        return r.ok() && r.output.find(instance) != std::string::npos;
      },
      kStartTimeout, 100ms);
  if (!up || !process_->running()) {
    throw HarnessError("bgpd did not start in " + netns_.name() + " (" +
                       process_->exit_description().value_or("running, vtysh silent") + ")\n" +
                       tail_file(log_));
  }
}

RunResult FrrPeer::vtysh(const std::vector<std::string>& commands,
                         std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"vtysh", "--vty_socket", vty_dir_.string(), "-d", "bgpd"};
  for (const auto& c : commands) {
    argv.push_back("-c");
    argv.push_back(c);
  }
  return netns_.run(argv, timeout);
}

bool FrrPeer::established(std::string_view neighbor) {
  auto addr = canonical_address(neighbor);
  if (!addr) return false;
  RunResult r = vtysh({"show bgp neighbors " + *addr + " json"}, kCliTimeout);
  static const std::regex kEstablished(R"("bgpState"\s*:\s*"Established")");
  return r.ok() && std::regex_search(r.output, kEstablished);
}

std::set<std::string> FrrPeer::received_prefixes() {
  std::vector<std::string> commands;
  for (const auto& n : config_.neighbors) {
    if (n.ipv4) commands.push_back("show bgp ipv4 unicast neighbors " + n.address + " routes json");
    if (n.ipv6) commands.push_back("show bgp ipv6 unicast neighbors " + n.address + " routes json");
  }
  if (commands.empty()) return {};
  RunResult r = vtysh(commands, kCliTimeout);
  if (!r.ok()) return {};
  return prefixes_in(r.output);
}

std::optional<ReflectionAttributes> FrrPeer::reflection_attributes(std::string_view prefix) {
  const std::string p = require_prefix(prefix, "FrrPeer::reflection_attributes");
  RunResult r = vtysh({"show bgp " + family_of(p) + " " + p}, kCliTimeout);
  if (!r.ok() || r.output.find("not in table") != std::string::npos) return std::nullopt;
  if (r.output.find("Paths:") == std::string::npos) return std::nullopt;
  // One path per neighbour; with a single neighbour sending it the first path is the one.
  ReflectionAttributes out;
  if (auto id = tokens_after(r.output, "Originator:", /*stop_at_comma=*/true); id && !id->empty()) {
    out.originator_id = id->front();
  }
  if (auto list = tokens_after(r.output, "Cluster list:")) out.cluster_list = *list;
  return out;
}

void FrrPeer::set_network(const std::string& prefix, bool present) {
  RunResult r = vtysh({"configure terminal", "router bgp " + std::to_string(config_.local_as),
                       "address-family " + family_of(prefix),
                       std::string(present ? "" : "no ") + "network " + prefix},
                      kCliTimeout);
  if (!r.ok()) {
    throw HarnessError("vtysh (no) network " + prefix + " failed in " + netns_.name() + ":\n" +
                       r.output);
  }
}

void FrrPeer::announce(std::string_view prefix) {
  std::string p = require_prefix(prefix, "FrrPeer::announce");
  set_network(p, true);
  announced_.insert(p);
}

void FrrPeer::withdraw(std::string_view prefix) {
  std::string p = require_prefix(prefix, "FrrPeer::withdraw");
  set_network(p, false);
  announced_.erase(p);
}

void FrrPeer::clear(std::string_view neighbor) {
  auto addr = canonical_address(neighbor);
  if (!addr) throw HarnessError("FrrPeer::clear: not an address: " + std::string(neighbor));
  RunResult r = vtysh({"clear bgp " + *addr}, kCliTimeout);
  if (!r.ok()) throw HarnessError("vtysh clear bgp " + *addr + " failed:\n" + r.output);
}

void FrrPeer::restart(RestartMode /*mode*/) {
  process_.reset();
  start();
}

std::string FrrPeer::diagnostics() {
  std::string out = "---- FRR bgpd in " + netns_.name() + " (" + dir_.path().string() + ")\n";
  out += vtysh({"show bgp summary", "show bgp ipv4 unicast", "show bgp ipv6 unicast"}, kCliTimeout)
             .output;
  out += "---- " + log_.string() + " (tail)\n" + tail_file(log_);
  return out;
}

}  // namespace pinto::itest
