// policy_bench: how long the iptables and eBPF back-ends take to program N rules (first apply, an
// incremental apply that changes one rule, and a set-only update of N members, uninstall), in a
// network namespace of its own. Needs root, iptables-restore, ip6tables-restore and ipset (for
// iptables), CAP_BPF and a veth pair made with `ip` (for eBPF).
//
//   policy_bench [--iptables | --ebpf] [N...]        (default: both back-ends, 1000 10000)
//
// TCP throughput and connections per second between two pods through the rules (issue 7's second
// table) are bench/policy_traffic's.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "policy/compiler/program.h"
#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/iptables_dataplane.h"
#include "policy/iptables/tool_runner.h"

namespace {

using namespace pinto;
using namespace pinto::policy;
using Clock = std::chrono::steady_clock;

// A namespace for the run, removed on every exit path that returns.
struct BenchNetns {
  std::string name = "pinto-bench-" + std::to_string(::getpid());
  bool ok = false;
  BenchNetns() {
    ok = iptables::run_tool({"ip", "netns", "add", name}, "", std::chrono::seconds(10)).has_value();
  }
  ~BenchNetns() {
    if (ok) (void)iptables::run_tool({"ip", "netns", "del", name}, "", std::chrono::seconds(10));
  }
};

// The calling thread inside `ns` for its lifetime (the eBPF back-end resolves interfaces and
// attaches tc hooks in the caller's namespace).
struct InBenchNetns {
  int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  bool ok = false;
  explicit InBenchNetns(const std::string& ns) {
    const int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    ok = home >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InBenchNetns() {
    if (ok) (void)::setns(home, CLONE_NEWNET);
    if (home >= 0) ::close(home);
  }
};

// 10.128.0.0 + i, a host prefix.
IpPrefix host(int i) {
  const auto a = IpAddress::parse("10." + std::to_string(128 + (i >> 16)) + "." +
                                  std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff));
  return IpPrefix(*a, 32);
}

// One endpoint whose ingress chain holds `rules` rules (TCP to a distinct port from a shared
// set), then the end-of-tier deny; the set holds `members` addresses.
Program program(int rules, int members, std::uint16_t first_port = 10000) {
  Program p;
  IpSet set{1, SetKind::Nets, "bench", {}};
  for (int i = 0; i < members; ++i) set.members.push_back({host(i), 0, 0});
  p.sets[1] = set;
  EndpointProgram ep;
  ep.endpoint = EndpointId{false, "bench", "pod"};
  ep.interface_name = "cali0bench";
  ep.ingress.policed = true;
  for (int i = 0; i < rules; ++i) {
    Rule r;
    r.id.text = "GlobalNetworkPolicy/bench/ingress/" + std::to_string(i);
    r.match.protocol = 6;
    r.match.source.in_sets = {1};
    const auto port = static_cast<std::uint16_t>(first_port + i % 50000);
    r.match.destination.ports = {{port, port}};
    r.action = Action::Allow;
    ep.ingress.rules.push_back(r);
  }
  ep.ingress.rules.push_back(
      Rule{{"tier/default/ingress/end-of-tier-deny", 0}, {}, Action::Deny, 0});
  ep.egress.rules.push_back(Rule{{"egress/no-policy-allow", 0}, {}, Action::Allow, 0});
  p.endpoints.push_back(ep);
  return p;
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Figures {
  double first_ms = 0, one_rule_ms = 0, set_ms = 0, uninstall_ms = 0;
};

// The three applies and the uninstall every back-end is timed on.
template <class Dataplane>
bool measure(Dataplane& dp, int n, Figures& f) {
  const Program first = program(n, n);
  auto start = Clock::now();
  if (auto r = dp.apply(first); !r) {
    std::fprintf(stderr, "apply: %s\n", r.error().message.c_str());
    return false;
  }
  f.first_ms = ms_since(start);

  Program changed = first;
  changed.endpoints[0].ingress.rules[0].match.destination.ports = {{9, 9}};
  start = Clock::now();
  if (auto r = dp.apply(changed); !r) {
    std::fprintf(stderr, "apply (one rule changed): %s\n", r.error().message.c_str());
    return false;
  }
  f.one_rule_ms = ms_since(start);

  Program moved = changed;
  for (auto& m : moved.sets[1].members) m.net = IpPrefix(m.net.address(), 31);
  std::sort(moved.sets[1].members.begin(), moved.sets[1].members.end());
  moved.sets[1].members.erase(
      std::unique(moved.sets[1].members.begin(), moved.sets[1].members.end()),
      moved.sets[1].members.end());
  start = Clock::now();
  if (auto r = dp.apply(moved); !r) {
    std::fprintf(stderr, "apply (set changed): %s\n", r.error().message.c_str());
    return false;
  }
  f.set_ms = ms_since(start);

  start = Clock::now();
  if (auto r = dp.uninstall(); !r) return false;
  f.uninstall_ms = ms_since(start);
  return true;
}

bool run_iptables(const BenchNetns& ns, int n, Figures& f) {
  iptables::IptablesOptions options;
  options.command_prefix = {"ip", "netns", "exec", ns.name};
  options.tool_timeout = std::chrono::seconds(120);
  iptables::IptablesDataplane dp(options);
  return measure(dp, n, f);
}

bool run_ebpf(const BenchNetns& ns, int n, Figures& f) {
  if (!iptables::run_tool({"ip", "-n", ns.name, "link", "add", "cali0bench", "type", "veth", "peer",
                           "name", "eth0bench"},
                          "", std::chrono::seconds(10))) {
    std::fprintf(stderr, "policy_bench: cannot create the veth pair\n");
    return false;
  }
  InBenchNetns in(ns.name);
  if (!in.ok) {
    std::fprintf(stderr, "policy_bench: cannot enter %s\n", ns.name.c_str());
    return false;
  }
  auto dp = ebpf::EbpfDataplane::load();
  if (!dp) {
    std::fprintf(stderr, "policy_bench: %s\n", dp.error().message.c_str());
    return false;
  }
  return measure(*dp.value(), n, f);  // the namespace (and the veth) go with BenchNetns
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  bool want_iptables = true, want_ebpf = true;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--iptables") {
      want_ebpf = false;
    } else if (arg == "--ebpf") {
      want_iptables = false;
    } else {
      sizes.push_back(std::atoi(argv[i]));
    }
  }
  if (sizes.empty()) sizes = {1000, 10000};
  std::printf("%-9s %8s %14s %18s %20s %14s\n", "backend", "rules", "first apply ms",
              "one rule changed ms", "set of N changed ms", "uninstall ms");
  for (int n : sizes) {
    for (const bool ebpf : {false, true}) {
      if (ebpf ? !want_ebpf : !want_iptables) continue;
      BenchNetns ns;
      if (!ns.ok) {
        std::fprintf(stderr, "policy_bench: cannot create a network namespace (root?)\n");
        return 1;
      }
      Figures f;
      if (!(ebpf ? run_ebpf(ns, n, f) : run_iptables(ns, n, f))) return 1;
      std::printf("%-9s %8d %14.1f %18.1f %20.1f %14.1f\n", ebpf ? "ebpf" : "iptables", n,
                  f.first_ms, f.one_rule_ms, f.set_ms, f.uninstall_ms);
    }
  }
  return 0;
}
