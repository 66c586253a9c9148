#include "integration/pintod_node.h"

#include <csignal>
#include <fstream>
#include <sstream>

#include "integration/harness_error.h"

namespace pinto::itest {

std::filesystem::path pintod_path() {
  return PINTO_PINTOD_PATH;
}

std::filesystem::path pintoctl_path() {
  return PINTO_PINTOCTL_PATH;
}

PintodNode::PintodNode(const Netns& netns, PintodConfig config)
    : netns_(netns), config_(std::move(config)), dir_("pit-pintod") {}

PintodNode::~PintodNode() {
  if (process_) process_->stop();
}

void PintodNode::write_files() const {
  std::ofstream settings(dir_ / "settings.yaml");
  settings << "nodeName: " << config_.node_name << "\n"
           << (config_.api_only ? "" : "resources: [resources.yaml]\n")
           << "api: {socket: " << (dir_ / "pintod.sock").string() << config_.api_extra << "}\n"
           << "store: state.db\n"
           << (config_.secrets_dir.empty() ? "" : "secrets: " + config_.secrets_dir + "\n")
           << "logLevel: debug\n"
           << (config_.policy_dataplane.empty()
                   ? ""
                   : "policy: {dataplane: " + config_.policy_dataplane + config_.policy_extra +
                         "}\n")
           << "bgp: {holdTime: " << config_.hold_time_seconds << "s, connectRetryTime: 2s, "
           << "gracefulRestart: {enabled: " << (config_.graceful_restart ? "true" : "false")
           << ", restartTime: " << config_.restart_time_seconds << "s}" << config_.bgp_extra
           << "}\n";
  if (!config_.originate.empty()) {
    settings << "originate:\n";
    for (const auto& p : config_.originate) settings << "  - \"" << p << "\"\n";
  }
  std::ofstream res(dir_ / "resources.yaml");
  res << "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: " << config_.node_name
      << "}\nspec:\n  bgp:\n    asNumber: " << config_.as_number << "\n";
  if (config_.ipv4) res << "    ipv4Address: " << *config_.ipv4 << "\n";
  if (config_.ipv6) res << "    ipv6Address: \"" << *config_.ipv6 << "\"\n";
  if (config_.route_reflector_cluster_id) {
    res << "    routeReflectorClusterID: " << *config_.route_reflector_cluster_id << "\n";
  }
  res << "---\napiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: "
         "default}\n"
      << "spec: {nodeToNodeMeshEnabled: " << (config_.mesh ? "true" : "false") << "}\n";
  for (const auto& p : config_.peers) {
    res << "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: " << p.name
        << "}\nspec:\n  peerIP: \"" << p.address << "\"\n  asNumber: " << p.as_number << "\n";
    if (p.password) {
      res << "  password: {secretKeyRef: {name: " << p.name << "-secret, key: password}}\n";
    }
    if (p.passive) res << "  passive: true\n";
    if (p.ttl_security) res << "  ttlSecurity: " << *p.ttl_security << "\n";
    if (p.keepalive_seconds) res << "  keepaliveTime: " << *p.keepalive_seconds << "s\n";
    if (p.max_restart_seconds) res << "  maxRestartTime: " << *p.max_restart_seconds << "s\n";
    if (!p.filters.empty()) {
      res << "  filters:\n";
      for (const auto& f : p.filters) res << "    - " << f << "\n";
    }
    if (p.num_allowed_local_as) {
      res << "  numAllowedLocalASNumbers: " << *p.num_allowed_local_as << "\n";
    }
    if (p.password) {
      res << "---\napiVersion: v1\nkind: Secret\nmetadata: {name: " << p.name
          << "-secret}\nstringData: {password: \"" << *p.password << "\"}\n";
    }
  }
  if (!config_.extra_resources.empty()) res << "---\n" << config_.extra_resources << "\n";
}

void PintodNode::start() {
  write_files();
  // The log is appended across restarts: only what this run writes counts.
  const std::size_t log_start = log().size();
  auto logged_since_start = [&](const std::string& text) {
    return log().find(text, log_start) != std::string::npos;
  };
  process_.emplace(
      netns_.exec_argv({pintod_path().string(), "--config", (dir_ / "settings.yaml").string()}),
      dir_ / "pintod.log");
  const char* ready = config_.api_only ? "api: listening" : "listening for BGP";
  if (!wait_until([&] { return logged_since_start(ready) || !process_->running(); }, 5s) ||
      !process_->running()) {
    throw HarnessError("pintod did not start:\n" + log());
  }
}

void PintodNode::stop() {
  if (process_) process_->stop();
}

RunResult PintodNode::pintoctl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{pintoctl_path().string(), "--socket", api_socket().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, 10s);
}

RunResult PintodNode::apply(const std::string& yaml, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"apply", "-f", manifest_file(yaml)};
  args.insert(args.end(), extra.begin(), extra.end());
  return pintoctl(args);
}

RunResult PintodNode::delete_manifest(const std::string& yaml) {
  return pintoctl({"delete", "-f", manifest_file(yaml)});
}

std::string PintodNode::manifest_file(const std::string& yaml) {
  const auto path = dir_ / ("manifest-" + std::to_string(++applied_files_) + ".yaml");
  std::ofstream(path) << yaml;
  return path.string();
}

void PintodNode::kill() {
  if (!process_ || !process_->running()) return;
  process_->signal(SIGKILL);
  wait_until([&] { return !process_->running(); }, 5s, 20ms);
}

void PintodNode::reload() {
  write_files();
  process_->signal(SIGHUP);
}

std::string PintodNode::log() const {
  std::ifstream in(dir_ / "pintod.log");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool PintodNode::log_contains(const std::string& text) const {
  return log().find(text) != std::string::npos;
}

std::optional<std::vector<std::string>> PintodNode::status_dump() {
  if (!process_ || !process_->running()) return std::nullopt;
  const std::size_t from = log().size();
  process_->signal(SIGUSR1);
  std::string tail;
  const bool done = wait_until(
      [&] {
        const std::string text = log();
        tail = text.size() > from ? text.substr(from) : "";
        return tail.find("status end") != std::string::npos;
      },
      2s, 20ms);
  if (!done) return std::nullopt;
  std::vector<std::string> lines;
  std::istringstream in(tail.substr(0, tail.find("status end")));
  for (std::string line; std::getline(in, line);) {
    if (line.find(" status ") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

namespace {

// "… status peer 10.0.0.2 (BGPPeer/bird, AS 65002): Established up 3s received 2 stale 0
// advertised 1 …"
std::optional<std::pair<std::string, PintodPeerState>> parse_peer(const std::string& line) {
  const auto at = line.find(" status peer ");
  if (at == std::string::npos) return std::nullopt;
  std::istringstream in(line.substr(at + 13));
  std::string address;
  in >> address;
  PintodPeerState s;
  s.line = line;
  const auto colon = line.find("): ", at);
  if (colon == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(colon + 3));
  std::string word;
  rest >> s.state;
  while (rest >> word) {
    if (word == "received") rest >> s.received;
    if (word == "stale") rest >> s.stale;
    if (word == "advertised") rest >> s.advertised;
  }
  return std::pair{address, s};
}

}  // namespace

std::map<std::string, PintodPeerState> PintodNode::peers() {
  std::map<std::string, PintodPeerState> out;
  auto lines = status_dump();
  if (!lines) return out;
  for (const auto& line : *lines) {
    if (auto p = parse_peer(line)) out[p->first] = p->second;
  }
  return out;
}

bool PintodNode::established(const std::string& peer_address) {
  auto all = peers();
  auto it = all.find(peer_address);
  return it != all.end() && it->second.state == "Established";
}

namespace {

std::set<std::string> routes(const std::vector<std::string>& lines, bool stale_only) {
  std::set<std::string> out;
  for (const auto& line : lines) {
    const auto at = line.find(" status route ");
    if (at == std::string::npos || line.find(" from local") != std::string::npos) continue;
    if (stale_only && !line.ends_with(" stale")) continue;
    std::istringstream in(line.substr(at + 14));
    std::string prefix;
    in >> prefix;
    out.insert(prefix);
  }
  return out;
}

}  // namespace

std::set<std::string> PintodNode::learned_prefixes() {
  auto lines = status_dump();
  return lines ? routes(*lines, false) : std::set<std::string>{};
}

std::set<std::string> PintodNode::stale_prefixes() {
  auto lines = status_dump();
  return lines ? routes(*lines, true) : std::set<std::string>{};
}

std::string PintodNode::diagnostics() {
  std::string text = log();
  if (text.size() > 6000) text = "…" + text.substr(text.size() - 6000);
  return "---- pintod log (tail)\n" + text;
}

}  // namespace pinto::itest
