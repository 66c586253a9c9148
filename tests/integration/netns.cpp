#include "integration/netns.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>

#include "integration/cli_text.h"
#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

std::atomic<unsigned> g_netns_counter{0};

bool is_name_char(char c, std::string_view extra) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         extra.find(c) != std::string_view::npos;
}

void require_name(std::string_view name, std::string_view extra, std::size_t max_len,
                  std::string_view what) {
  bool ok = !name.empty() && name.size() <= max_len;
  for (char c : name) ok = ok && is_name_char(c, extra);
  if (!ok) {
    throw HarnessError(std::string(what) + " '" + std::string(name) + "': use 1-" +
                       std::to_string(max_len) + " letters, digits or '" + std::string(extra) +
                       "'");
  }
}

// Splits "pit-<prefix>-<pid>-<n>" and returns <pid>, or 0 when the name is not ours.
pid_t owner_pid(std::string_view name) {
  if (!name.starts_with("pit-")) return 0;
  auto last = name.rfind('-');
  if (last == std::string_view::npos || last < 4) return 0;
  auto before = name.rfind('-', last - 1);
  if (before == std::string_view::npos || before < 3) return 0;
  auto pid_text = name.substr(before + 1, last - before - 1);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (ec != std::errc{} || end != pid_text.data() + pid_text.size()) return 0;
  return pid;
}

// The PIDs whose network namespace is /run/netns/<name>: those whose /proc/PID/ns/net is the
// same nsfs inode, the test `ip netns pids` makes, done in-process so a check costs no fork.
std::vector<pid_t> pids_in_netns(const std::string& name) {
  std::vector<pid_t> out;
  struct stat target {};
  if (stat(("/run/netns/" + name).c_str(), &target) != 0) return out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string pid_text = entry.path().filename().string();
    pid_t pid = 0;
    auto [end, perr] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
    if (perr != std::errc{} || end != pid_text.data() + pid_text.size()) continue;
    struct stat ns {};
    if (stat((entry.path() / "ns" / "net").c_str(), &ns) != 0) continue;  // gone, or a kthread
    if (ns.st_dev == target.st_dev && ns.st_ino == target.st_ino) out.push_back(pid);
  }
  return out;
}

}  // namespace

Netns::Netns(std::string_view prefix) {
  require_name(prefix, "-", 32, "namespace prefix");
  name_ = "pit-" + std::string(prefix) + "-" + std::to_string(getpid()) + "-" +
          std::to_string(g_netns_counter.fetch_add(1));
  run_or_throw({"ip", "netns", "add", name_});
  try {
    run_or_throw({"ip", "-n", name_, "link", "set", "lo", "up"});
  } catch (...) {
    run({"ip", "netns", "del", name_});
    throw;
  }
}

Netns::~Netns() {
  // A process still inside keeps the namespace (and its links) alive after `ip netns del`; it is
  // not ours to kill here (only its Subprocess may), but it is a leak worth shouting about.
  std::string leaked;
  for (pid_t pid : pids_in_netns(name_))
    leaked += (leaked.empty() ? "" : ",") + std::to_string(pid);
  if (!leaked.empty()) {
    RunResult ps = run({"ps", "-o", "pid,ppid,stat,args", "-p", leaked}, 5s);
    std::fprintf(stderr, "[itest] WARNING: processes still in %s:\n%s\n", name_.c_str(),
                 ps.output.c_str());
  }
  RunResult r = run({"ip", "netns", "del", name_}, 10s);
  if (!r.ok()) {
    std::fprintf(stderr, "[itest] WARNING: ip netns del %s failed: %s\n", name_.c_str(),
                 r.output.c_str());
  }
}

std::vector<std::string> Netns::exec_argv(const std::vector<std::string>& argv) const {
  std::vector<std::string> out{"ip", "netns", "exec", name_};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

RunResult Netns::run(const std::vector<std::string>& argv,
                     std::chrono::milliseconds timeout) const {
  return itest::run(exec_argv(argv), timeout);
}

void Netns::set_link_state(std::string_view ifname, LinkState state) const {
  run_or_throw({"ip", "-n", name_, "link", "set", "dev", std::string(ifname),
                state == LinkState::Up ? "up" : "down"});
}

void Netns::sysctl(std::string_view key, std::string_view value) const {
  run_or_throw(exec_argv({"sysctl", "-q", "-w", std::string(key) + "=" + std::string(value)}));
}

VethPair::VethPair(VethEnd a, VethEnd b) : a_(std::move(a)), b_(std::move(b)) {
  // Interface names end up in sysctl keys (net.ipv6.conf.<if>.x), where '.' would be a separator.
  require_name(a_.ifname, "_-", 15, "interface name");
  require_name(b_.ifname, "_-", 15, "interface name");
  // Both ends are created inside their namespaces at once, so the host namespace never sees a
  // name that could collide with another test's link or the machine's own.
  run_or_throw({"ip", "link", "add", "name", a_.ifname, "netns", a_.netns.name(), "type", "veth",
                "peer", "name", b_.ifname, "netns", b_.netns.name()});
  try {
    configure_end(a_);
    configure_end(b_);
  } catch (...) {
    remove();
    throw;
  }
}

VethPair::~VethPair() {
  remove();
}

void VethPair::configure_end(const VethEnd& end) const {
  const std::string& ns = end.netns.name();
  // Before any address and before `up` (which creates the link-local address): no duplicate
  // address detection, so IPv6 addresses are not "tentative" and daemons can bind at once; and
  // keep IPv6 addresses when a test takes the link down (the default flushes them, and they
  // would not come back on up).
  const std::string conf = "net.ipv6.conf." + end.ifname + ".";
  run_or_throw(end.netns.exec_argv(
      {"sysctl", "-q", "-w", conf + "accept_dad=0", conf + "keep_addr_on_down=1"}));
  for (const auto& cidr : end.addresses) {
    std::vector<std::string> cmd{"ip", "-n", ns, "addr", "add", cidr, "dev", end.ifname};
    if (is_ipv6(cidr)) cmd.push_back("nodad");
    run_or_throw(cmd);
  }
  end.netns.set_link_state(end.ifname, LinkState::Up);
}

void VethPair::remove() const {
  // Deleting one end removes both. It may already be gone (namespace deleted first): ignore.
  run({"ip", "-n", a_.netns.name(), "link", "del", "dev", a_.ifname}, 5s);
}

void remove_stale_namespaces() {
  if (geteuid() != 0) return;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t pid = owner_pid(name);
    if (pid <= 0) continue;
    // Its test binary still runs (a /proc look-up, not kill(pid, 0): no signal to a PID that
    // may belong to someone else by now).
    if (std::filesystem::exists("/proc/" + std::to_string(pid), ec)) continue;
    if (!pids_in_netns(name).empty()) continue;
    std::fprintf(stderr, "[itest] removing stale namespace %s\n", name.c_str());
    run({"ip", "netns", "del", name}, 10s);
  }
}

}  // namespace pinto::itest
