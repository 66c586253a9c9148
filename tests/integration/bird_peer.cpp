#include "integration/bird_peer.h"

#include <algorithm>
#include <sstream>

#include "integration/cli_text.h"
#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

constexpr auto kStartTimeout = 10s;
constexpr auto kCliTimeout = 5s;

void render_channel(std::ostringstream& out, std::string_view family, bool ibgp,
                    const std::optional<std::string>& next_hop, bool add_paths) {
  out << "  " << family << " {\n"
      << "    import all;\n"
      << "    export all;\n";
  if (add_paths) out << "    add paths on;\n";
  // iBGP does not rewrite NEXT_HOP by default; routes learned over eBGP would then carry a next
  // hop the iBGP neighbor cannot reach. Self everywhere makes the peers behave alike.
  if (ibgp) out << "    next hop self;\n";
  if (next_hop) out << "    next hop address " << *next_hop << ";\n";
  out << "  };\n";
}

void render_neighbor(std::ostringstream& out, const PeerConfig& config, const NeighborConfig& n) {
  const bool ibgp = is_ibgp(config, n);
  out << "\nprotocol bgp " << BirdPeer::protocol_name(n.address) << " {\n";
  out << "  local " << n.local_address.value_or("") << (n.local_address ? " " : "") << "as "
      << config.local_as << ";\n";
  out << "  neighbor " << n.address << " as " << n.remote_as << ";\n";
  // BIRD treats iBGP as multihop (recursive next hops, needing an IGP table we do not have);
  // `direct` makes a directly connected iBGP neighbor work like Calico's node mesh.
  if (n.ebgp_multihop) {
    out << "  multihop " << static_cast<int>(*n.ebgp_multihop) << ";\n";
  } else if (ibgp && (!n.ttl_security_hops || *n.ttl_security_hops <= 1)) {
    out << "  direct;\n";
  }
  if (n.ttl_security_hops) {
    out << "  ttl security on;\n";
    // With GTSM BIRD derives the accepted minimum TTL from the multihop count.
    if (*n.ttl_security_hops > 1) {
      out << "  multihop " << static_cast<int>(*n.ttl_security_hops) << ";\n";
    }
  }
  if (n.password) out << "  password \"" << *n.password << "\";\n";
  if (n.passive) out << "  passive on;\n";
  if (n.hold_time) {
    out << "  hold time " << n.hold_time->count() << ";\n"
        << "  keepalive time " << std::max<long>(1, n.hold_time->count() / 3) << ";\n";
  }
  // Retry fast, and after an error wait 1 s instead of BIRD's 60 s: tests that provoke errors
  // (wrong password, killed peers) would otherwise wait minutes for the next attempt.
  out << "  connect retry time 1;\n"
      << "  connect delay time 1;\n"
      << "  error wait time 1, 5;\n";
  if (n.graceful_restart.enabled) {
    out << "  graceful restart on;\n"
        << "  graceful restart time " << n.graceful_restart.restart_time.count() << ";\n";
  } else {
    // BIRD's default is `aware` (advertises the capability); off means off.
    out << "  graceful restart off;\n";
  }
  if (n.ipv4) render_channel(out, "ipv4", ibgp, std::nullopt, n.add_paths);
  if (n.ipv6) render_channel(out, "ipv6", ibgp, config.ipv6_next_hop, n.add_paths);
  out << "}\n";
}

}  // namespace

std::string BirdPeer::protocol_name(std::string_view neighbor) {
  std::string name = "n_" + canonical_address(neighbor).value_or(std::string(neighbor));
  std::replace_if(
      name.begin(), name.end(), [](char c) { return c == '.' || c == ':'; }, '_');
  return name;
}

BirdPeer::BirdPeer(const Netns& netns, PeerConfig config)
    : netns_(netns), config_(std::move(config)), dir_("pit-bird") {
  validate(config_);
  announced_.insert(config_.originated.begin(), config_.originated.end());
  conf_ = dir_ / "bird.conf";
  socket_ = dir_ / "bird.ctl";
  log_ = dir_ / "bird.log";
  write_file(conf_, render_config());
  start(RestartMode::Cold);
}

std::string BirdPeer::render_config() const {
  std::ostringstream out;
  out << "# Written by tests/integration/bird_peer.cpp; rewritten on announce()/withdraw().\n"
      << "log stderr all;\n"
      << "router id " << config_.router_id << ";\n\n"
      << "# Interface list: `direct` sessions and next hops need the connected networks.\n"
      << "protocol device {}\n\n"
      << "# Originated prefixes. Both protocols always exist, so `birdc configure` only changes\n"
      << "# their routes and never restarts a BGP session.\n";
  for (std::string_view family : {"ipv4", "ipv6"}) {
    out << "protocol static p_static" << family.back() << " {\n  " << family << ";\n";
    for (const auto& p : announced_) {
      if (is_ipv6(p) == (family == "ipv6")) out << "  route " << p << " blackhole;\n";
    }
    out << "}\n";
  }
  for (const auto& n : config_.neighbors) render_neighbor(out, config_, n);
  return out.str();
}

void BirdPeer::start(RestartMode mode) {
  std::vector<std::string> argv{"bird", "-f", "-c", conf_.string(), "-s", socket_.string()};
  // -R: come up as a restarting speaker (RFC 4724 Restart State bit, wait for End-of-RIB).
  if (mode == RestartMode::Graceful) argv.push_back("-R");
  process_.emplace(netns_.exec_argv(argv), log_);
  bool up = wait_until(
      [this] {
        if (!process_->running()) return true;  // checked below: no point waiting for a corpse
        return birdc({"show", "status"}, 2s).ok();
      },
      kStartTimeout, 100ms);
  if (!up || !process_->running()) {
    throw HarnessError("BIRD did not start in " + netns_.name() + " (" +
                       process_->exit_description().value_or("running, CLI silent") + ")\n" +
                       tail_file(log_));
  }
}

RunResult BirdPeer::birdc(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"birdc", "-s", socket_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return netns_.run(argv, timeout);
}

bool BirdPeer::established(std::string_view neighbor) {
  const std::string name = protocol_name(neighbor);
  RunResult r = birdc({"show", "protocols", name}, kCliTimeout);
  if (!r.ok()) return false;
  // "n_10_0_0_2  BGP  ---  up  12:00:00.000  Established": match the protocol's own line only.
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(name + " ") && line.find("Established") != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::set<std::string> BirdPeer::received_prefixes() {
  RunResult r =
      birdc({"show", "route", "table", "all", "where", "source", "=", "RTS_BGP"}, kCliTimeout);
  if (!r.ok()) return {};
  return prefixes_in(r.output);
}

std::vector<std::string> BirdPeer::next_hops_of(std::string_view prefix) {
  const std::string p = require_prefix(prefix, "BirdPeer::next_hops_of");
  RunResult r = birdc({"show", "route", p, "where", "source", "=", "RTS_BGP"}, kCliTimeout);
  std::vector<std::string> out;
  if (!r.ok()) return out;
  // One "via ADDRESS on IFACE" line per path.
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string word;
    if (words >> word && word == "via" && words >> word) out.push_back(word);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ReflectionAttributes> BirdPeer::reflection_attributes(std::string_view prefix) {
  const std::string p = require_prefix(prefix, "BirdPeer::reflection_attributes");
  RunResult r = birdc({"show", "route", p, "all"}, kCliTimeout);
  if (!r.ok() || !prefixes_in(r.output).contains(p)) return std::nullopt;
  // The best route comes first, so the first attribute lines are its own.
  ReflectionAttributes out;
  if (auto id = tokens_after(r.output, "BGP.originator_id:"); id && !id->empty()) {
    out.originator_id = id->front();
  }
  if (auto list = tokens_after(r.output, "BGP.cluster_list:")) out.cluster_list = *list;
  return out;
}

void BirdPeer::announce(std::string_view prefix) {
  announced_.insert(require_prefix(prefix, "BirdPeer::announce"));
  reconfigure();
}

void BirdPeer::withdraw(std::string_view prefix) {
  announced_.erase(require_prefix(prefix, "BirdPeer::withdraw"));
  reconfigure();
}

void BirdPeer::reconfigure() {
  write_file(conf_, render_config());
  RunResult r = birdc({"configure"}, kCliTimeout);
  // "Reconfigured" when applied at once, "Reconfiguration in progress" while protocols restart;
  // a parse error leaves BIRD on the old config and says so (birdc still exits 0).
  if (!r.ok() || r.output.find("Reconfigur") == std::string::npos) {
    throw HarnessError("birdc configure failed in " + netns_.name() + ":\n" + r.output);
  }
}

void BirdPeer::restart(RestartMode mode) {
  process_.reset();  // Subprocess destructor: SIGTERM, SIGKILL after a grace, reap
  write_file(conf_, render_config());
  start(mode);
}

std::string BirdPeer::diagnostics() {
  std::string out = "---- BIRD in " + netns_.name() + " (" + dir_.path().string() + ")\n";
  out += birdc({"show", "protocols", "all"}, kCliTimeout).output;
  out += birdc({"show", "route", "table", "all"}, kCliTimeout).output;
  out += "---- " + log_.string() + " (tail)\n" + tail_file(log_);
  return out;
}

}  // namespace pinto::itest
