// Network namespaces and veth links for integration tests, driven through `ip` (fork/exec, never a
// shell string), so the harness needs nothing but iproute2 and shows in logs exactly what it ran.
//
// Ownership: a Netns removes its namespace on destruction and a VethPair its link. Declare
// namespaces first, links next and daemons last: C++ destroys in reverse order, so daemons stop
// before their namespace goes away, also when an assertion fails half-way.
//
// Names: every namespace is "pit-<prefix>-<pid>-<counter>" ("pit" = Pinto integration test), so
// parallel test binaries never collide and remove_stale_namespaces() can recognise leftovers of
// a crashed run by their dead PID.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "integration/process.h"

namespace pinto::itest {

enum class LinkState : std::uint8_t { Up, Down };

/// One network namespace, created on construction, deleted on destruction, `lo` up.
class Netns {
 public:
  /// `prefix`: letters, digits and '-' only, e.g. "bird". Throws HarnessError if `ip netns add`
  /// fails.
  explicit Netns(std::string_view prefix);
  ~Netns();
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  const std::string& name() const { return name_; }

  /// {"ip", "netns", "exec", name(), argv...}: runs argv inside this namespace. `ip netns exec`
  /// execs without forking, so the PID of a Subprocess started with it is the daemon's PID.
  std::vector<std::string> exec_argv(const std::vector<std::string>& argv) const;

  /// run(exec_argv(argv), timeout): a short command inside the namespace.
  RunResult run(const std::vector<std::string>& argv,
                std::chrono::milliseconds timeout = 10s) const;

  /// Sets a link of this namespace up or down (`ip -n NAME link set IFNAME up|down`). Veth links
  /// made by VethPair keep their IPv6 addresses across down/up (keep_addr_on_down=1).
  void set_link_state(std::string_view ifname, LinkState state) const;

  /// `sysctl -w key=value` inside the namespace, e.g. ("net.ipv4.ip_forward", "1").
  void sysctl(std::string_view key, std::string_view value) const;

 private:
  std::string name_;
};

/// One end of a veth link.
struct VethEnd {
  const Netns& netns;  // must outlive the VethPair
  /// Interface name inside `netns` (<= 15 characters; letters, digits, '_' and '-'). Only unique
  /// per namespace: the link is created directly inside the namespaces, never in the host's.
  std::string ifname;
  /// CIDR addresses, IPv4 ("10.0.0.1/30") or IPv6 ("fd00::1/64"). IPv6 ones are added `nodad`
  /// with accept_dad=0, so they (and the link-local one) are usable at once.
  std::vector<std::string> addresses;
};

/// A veth link between two namespaces, addressed and up on construction, deleted on destruction.
class VethPair {
 public:
  /// Throws HarnessError (and removes what it created) if any `ip` step fails.
  VethPair(VethEnd a, VethEnd b);
  ~VethPair();
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;

  const VethEnd& a() const { return a_; }
  const VethEnd& b() const { return b_; }

 private:
  void configure_end(const VethEnd& end) const;
  void remove() const;

  VethEnd a_;
  VethEnd b_;
};

/// Deletes "pit-*-<pid>-<n>" namespaces whose <pid> no longer runs and that hold no process
/// (leftovers of a test binary killed with SIGKILL). Namespaces of live test binaries and every
/// other namespace on the machine are left alone. No-op when not root.
void remove_stale_namespaces();

}  // namespace pinto::itest
