// policy_bench: how long the iptables back-end takes to program N rules (first apply, an
// incremental apply that changes one rule, and a set-only update of N members), in a network
// namespace of its own. Needs root, iptables-restore, ip6tables-restore and ipset.
//
//   policy_bench [N...]        (default: 1000 10000)
//
// TCP throughput and connections per second between two pods through the rules (issue 7's second
// table) are bench/policy_traffic's.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "policy/compiler/program.h"
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

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000};
  std::printf("%8s %14s %18s %20s %14s\n", "rules", "first apply ms", "one rule changed ms",
              "set of N changed ms", "uninstall ms");
  for (int n : sizes) {
    BenchNetns ns;
    if (!ns.ok) {
      std::fprintf(stderr, "policy_bench: cannot create a network namespace (root?)\n");
      return 1;
    }
    iptables::IptablesOptions options;
    options.command_prefix = {"ip", "netns", "exec", ns.name};
    options.tool_timeout = std::chrono::seconds(120);
    iptables::IptablesDataplane dp(options);

    const Program first = program(n, n);
    auto start = Clock::now();
    if (auto r = dp.apply(first); !r) {
      std::fprintf(stderr, "apply: %s\n", r.error().message.c_str());
      return 1;
    }
    const double first_ms = ms_since(start);

    Program changed = first;
    changed.endpoints[0].ingress.rules[0].match.destination.ports = {{9, 9}};
    start = Clock::now();
    if (auto r = dp.apply(changed); !r) return 1;
    const double one_rule_ms = ms_since(start);

    Program moved = changed;
    for (auto& m : moved.sets[1].members) m.net = IpPrefix(m.net.address(), 31);
    std::sort(moved.sets[1].members.begin(), moved.sets[1].members.end());
    moved.sets[1].members.erase(
        std::unique(moved.sets[1].members.begin(), moved.sets[1].members.end()),
        moved.sets[1].members.end());
    start = Clock::now();
    if (auto r = dp.apply(moved); !r) return 1;
    const double set_ms = ms_since(start);

    start = Clock::now();
    if (auto r = dp.uninstall(); !r) return 1;
    const double uninstall_ms = ms_since(start);
    std::printf("%8d %14.1f %18.1f %20.1f %14.1f\n", n, first_ms, one_rule_ms, set_ms,
                uninstall_ms);
  }
  return 0;
}
