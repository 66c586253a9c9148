// ebpf_connect_bench: new TCP connections per second from one pod to another through the eBPF
// back-end, with no program, with the program and no policy, and with 10,000-rule chains on the
// server's Ingress. Each connection is a SYN that walks the rules (SYN always does) and a RST
// (SO_LINGER 0, so no TIME_WAIT runs the client out of ports). Needs root.
//
//   ebpf_connect_bench [seconds per run]        (default 2)
//
//   client 10.0.9.1 ─ cali0cli ─ node (forwarding, proxy ARP) ─ cali0srv ─ server 10.0.9.2:5432
//
// The rows: "per-port" holds 9,999 TCP rules to other ports and the allowing rule last (the
// index gives the SYN one rule to look at); "wildcard" holds 9,999 rules without a protocol
// from a set the client is not in (every one is on the SYN's path: the linear worst case).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "policy/compiler/program.h"
#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/tool_runner.h"

namespace {

using namespace pinto;
using namespace pinto::policy;
using Clock = std::chrono::steady_clock;

bool ip(const std::vector<std::string>& argv) {
  return policy::iptables::run_tool(argv, "", std::chrono::seconds(10)).has_value();
}

// Three namespaces, removed on every exit path that returns.
struct Topology {
  std::string node = "pinto-cb-node-" + std::to_string(::getpid());
  std::string server = "pinto-cb-srv-" + std::to_string(::getpid());
  std::string client = "pinto-cb-cli-" + std::to_string(::getpid());
  bool ok = false;
  Topology() {
    ok = ip({"ip", "netns", "add", node}) && ip({"ip", "netns", "add", server}) &&
         ip({"ip", "netns", "add", client}) &&
         // Local delivery needs lo up (a SYN to the pod's own address is otherwise dropped).
         ip({"ip", "-n", node, "link", "set", "lo", "up"}) &&
         ip({"ip", "-n", server, "link", "set", "lo", "up"}) &&
         ip({"ip", "-n", client, "link", "set", "lo", "up"}) &&
         ip({"ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1"}) &&
         // Proxy ARP answers for 169.254.1.1 only if the node routes it out of another device.
         // (A veth pair inside the node: the dummy driver is not always there.)
         ip({"ip", "-n", node, "link", "add", "up0", "type", "veth", "peer", "name", "up1"}) &&
         ip({"ip", "-n", node, "link", "set", "up0", "up"}) &&
         ip({"ip", "-n", node, "link", "set", "up1", "up"}) &&
         ip({"ip", "-n", node, "route", "add", "default", "dev", "up0"}) &&
         pod(server, "cali0srv", "10.0.9.2") && pod(client, "cali0cli", "10.0.9.1");
  }
  ~Topology() {
    for (const std::string& ns : {client, server, node}) (void)ip({"ip", "netns", "del", ns});
  }
  bool pod(const std::string& ns, const std::string& cali, const std::string& address) {
    return ip({"ip", "-n", node, "link", "add", cali, "type", "veth", "peer", "name", "eth0",
               "netns", ns}) &&
           ip({"ip", "-n", ns, "addr", "add", address + "/32", "dev", "eth0"}) &&
           ip({"ip", "-n", ns, "link", "set", "eth0", "up"}) &&
           ip({"ip", "-n", ns, "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link"}) &&
           ip({"ip", "-n", ns, "route", "add", "default", "via", "169.254.1.1"}) &&
           ip({"ip", "-n", node, "link", "set", cali, "up"}) &&
           ip({"ip", "netns", "exec", node, "sysctl", "-qw",
               "net.ipv4.conf." + cali + ".proxy_arp=1"}) &&
           // Proxy ARP answers after up to 0.8 s by default; the first connection need not wait.
           ip({"ip", "netns", "exec", node, "sysctl", "-qw",
               "net.ipv4.neigh." + cali + ".proxy_delay=0"}) &&
           ip({"ip", "-n", node, "route", "add", address + "/32", "dev", cali, "scope", "link"});
  }
};

// The calling thread inside a namespace for its lifetime.
struct InNs {
  int home = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  bool ok = false;
  explicit InNs(const std::string& ns) {
    const int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    ok = home >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InNs() {
    if (ok) (void)::setns(home, CLONE_NEWNET);
    if (home >= 0) ::close(home);
  }
};

sockaddr_in address_of(const char* text, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, text, &a.sin_addr);
  return a;
}

// Connections per second from the client namespace to the server's port 5432 for `seconds`;
// -1 if the first connection fails (the policy denies it or the network is broken).
double connection_rate(const Topology& t, double seconds) {
  int listener = -1;
  {
    InNs in(t.server);
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const sockaddr_in a = address_of("10.0.9.2", 5432);
    if (::bind(listener, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener, 1024) != 0) {
      ::close(listener);
      return -1;
    }
  }
  std::atomic<bool> done{false};
  std::thread acceptor([&] {
    while (!done) {
      const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) ::close(c);
    }
  });
  long count = 0;
  bool failed = false;
  const auto start = Clock::now();
  {
    InNs in(t.client);
    const sockaddr_in server = address_of("10.0.9.2", 5432);
    const linger reset{1, 0};
    const timeval timeout{3, 0};
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
      const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      ::setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      const bool connected =
          ::connect(s, reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0;
      ::close(s);
      if (!connected) {
        std::fprintf(stderr, "connect: %s\n", std::strerror(errno));
        failed = true;
        break;
      }
      ++count;
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  done = true;
  // shutdown() of a listening socket makes the blocked accept() return.
  ::shutdown(listener, SHUT_RDWR);
  acceptor.join();
  ::close(listener);
  return failed ? -1 : static_cast<double>(count) / elapsed;
}

Rule rule(const std::string& id, Action action) {
  Rule r;
  r.id = {id, stable_hash(id)};
  r.action = action;
  return r;
}

// Both endpoints; the server's Ingress holds `rules` (then the end-of-tier Deny) when policed.
Program program(bool policed, const std::vector<Rule>& rules) {
  Program p;
  p.sets[1] = IpSet{1, SetKind::Nets, "client", {{*IpPrefix::parse("10.0.9.1/32")}}};
  p.sets[2] = IpSet{2, SetKind::Nets, "others", {{*IpPrefix::parse("10.0.7.0/24")}}};
  for (const char* name : {"cli", "srv"}) {
    EndpointProgram ep;
    ep.endpoint = EndpointId{false, "bench", name};
    ep.interface_name = std::string("cali0") + name;
    ep.ingress.rules = {rule("ingress/no-policy-allow", Action::Allow)};
    ep.egress.rules = {rule("egress/no-policy-allow", Action::Allow)};
    if (policed && std::string(name) == "srv") {
      ep.ingress.policed = true;
      ep.ingress.rules = rules;
      ep.ingress.rules.push_back(rule("tier/default/ingress/end-of-tier-deny", Action::Deny));
    }
    p.endpoints.push_back(ep);
  }
  return p;
}

std::vector<Rule> per_port_rules(int n) {
  std::vector<Rule> rules;
  for (int i = 0; i + 1 < n; ++i) {
    Rule r = rule("scale/" + std::to_string(i), Action::Allow);
    r.match.protocol = 6;
    const auto port = static_cast<std::uint16_t>(10000 + i);
    r.match.destination.ports = {{port, port}};
    rules.push_back(r);
  }
  Rule last = rule("scale/last", Action::Allow);
  last.match.protocol = 6;
  last.match.source.in_sets = {1};
  last.match.destination.ports = {{5432, 5432}};
  rules.push_back(last);
  return rules;
}

std::vector<Rule> wildcard_rules(int n) {
  std::vector<Rule> rules;
  for (int i = 0; i + 1 < n; ++i) {
    Rule r = rule("scale/" + std::to_string(i), Action::Deny);
    r.match.source.in_sets = {2};
    rules.push_back(r);
  }
  Rule last = rule("scale/last", Action::Allow);
  last.match.source.in_sets = {1};
  rules.push_back(last);
  return rules;
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  Topology t;
  if (!t.ok) {
    std::fprintf(stderr, "ebpf_connect_bench: cannot build the namespaces (root?)\n");
    return 1;
  }
  std::printf("%-36s %14s\n", "server Ingress", "connections/s");
  const double bare = connection_rate(t, seconds);
  std::printf("%-36s %14.0f\n", "no eBPF program", bare);
  InNs in(t.node);
  auto dp = ebpf::EbpfDataplane::load();
  if (!dp || !in.ok) {
    std::fprintf(stderr, "ebpf_connect_bench: %s\n", dp ? "setns" : dp.error().message.c_str());
    return 1;
  }
  struct Row {
    const char* name;
    Program program;
  };
  const Row rows[] = {
      {"eBPF, no policy", program(false, {})},
      {"eBPF, 1 rule", program(true, per_port_rules(1))},
      {"eBPF, 1,000 per-port rules", program(true, per_port_rules(1000))},
      {"eBPF, 10,000 per-port rules", program(true, per_port_rules(10000))},
      {"eBPF, 1,000 wildcard rules", program(true, wildcard_rules(1000))},
      {"eBPF, 10,000 wildcard rules", program(true, wildcard_rules(10000))},
  };
  for (const Row& row : rows) {
    if (auto r = dp.value()->apply(row.program); !r) {
      std::fprintf(stderr, "apply: %s\n", r.error().message.c_str());
      return 1;
    }
    std::printf("%-36s %14.0f\n", row.name, connection_rate(t, seconds));
  }
  return 0;
}
