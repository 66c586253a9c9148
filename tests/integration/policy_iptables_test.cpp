// The iptables back-end against real packets: a node namespace with Calico-style pods (veth
// pairs, host side "cali…", proxy ARP, /32 routes) and an "outside" namespace behind an uplink
// holding the external addresses the table of cases uses. IptablesDataplane runs the tools in
// the node namespace (`ip netns exec`); real TCP, UDP, ICMP and GRE decide each verdict, which
// must equal both the table's and the reference evaluator's (policy/compiler/verdict.h).
//
// Cleanup: every iptables chain and ipset lives in the node namespace, so removing the namespace
// (Netns destructor, also when an assertion fails) removes them; the tests still call
// uninstall() and check that it leaves nothing.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>

#include "integration/fixture.h"
#include "integration/in_netns.h"
#include "integration/netns.h"
#include "integration/packet_probe.h"
#include "integration/process.h"
#include "integration/tcp_probe.h"
#include "policy/compiler/compiler.h"
#include "policy/compiler/verdict.h"
#include "policy/iptables/iptables_dataplane.h"
#include "unit/policy/policy_cases.h"
#include "unit/policy/policy_test_util.h"

namespace pinto::itest {
namespace {

using namespace std::chrono_literals;
using policy::Direction;
using policy::Program;
using policy::iptables::IptablesDataplane;
using policy::iptables::IptablesOptions;

constexpr std::array<std::string_view, 6> kTools = {
    "ip", "sysctl", "iptables-restore", "ip6tables-restore", "ipset", "iptables-save"};

// Pods of the shared table (policy_cases.h): namespace prefix, interface, IPv4, IPv6 (or "").
struct PodSpec {
  const char* prefix;
  const char* interface_name;
  const char* ipv4;
  const char* ipv6;
};
constexpr std::array<PodSpec, 4> kPods = {{
    {"web", "cali0web", "10.0.1.1", "fd00::1:1"},
    {"db", "cali0db", "10.0.1.2", ""},
    {"client", "cali0client", "10.0.1.3", ""},
    {"devcl", "cali1client", "10.0.2.1", ""},
}};
// Addresses outside the node that the table's packets come from or go to.
constexpr std::array<const char*, 10> kExternal = {
    "8.8.8.8",     "192.168.7.7",  "192.168.5.7", "10.9.9.9",   "203.0.113.5",
    "203.0.113.9", "198.51.100.1", "172.20.0.1",  "172.16.1.9", "fd00::9"};

// The node, its pods and the outside world; everything goes away with the object.
class PodNetwork {
 public:
  PodNetwork() : node_("polnode"), outside_("polout") {
    node_.sysctl("net.ipv4.ip_forward", "1");
    node_.sysctl("net.ipv6.conf.all.forwarding", "1");
    links_.push_back(
        std::make_unique<VethPair>(VethEnd{node_, "up0", {"192.0.2.1/30", "fd00:ff::1/64"}},
                                   VethEnd{outside_, "eth0", {"192.0.2.2/30", "fd00:ff::2/64"}}));
    node_run({"ip", "route", "add", "default", "via", "192.0.2.2"});
    node_run({"ip", "-6", "route", "add", "default", "via", "fd00:ff::2"});
    outside_.run({"ip", "route", "add", "10.0.0.0/16", "via", "192.0.2.1"});
    outside_.run({"ip", "-6", "route", "add", "fd00::1:0/112", "via", "fd00:ff::1"});
    for (const char* a : kExternal) {
      const std::string text = a;
      const bool v6 = text.find(':') != std::string::npos;
      ok(outside_.run({"ip", "addr", "add", text + (v6 ? "/128" : "/32"), "dev", "lo"}));
      namespace_of_[text] = &outside_;
    }
    for (const auto& spec : kPods) add_pod(spec);
  }

  const Netns& node() const { return node_; }
  /// The namespace that owns `address` (a pod or the outside).
  const Netns& owner(const std::string& address) const { return *namespace_of_.at(address); }

 private:
  static void ok(const RunResult& r) {
    if (!r.ok()) throw HarnessError("setup failed: " + r.output);
  }
  void node_run(const std::vector<std::string>& argv) { ok(node_.run(argv)); }

  // Calico's pod recipe (shared/PEERS.md): /32 on eth0, 169.254.1.1 as the gateway answered by
  // proxy ARP on the cali side; IPv6 through the cali side's fe80::1.
  void add_pod(const PodSpec& spec) {
    pods_.push_back(std::make_unique<Netns>(std::string("pol") + spec.prefix));
    const Netns& pod = *pods_.back();
    std::vector<std::string> pod_addresses{std::string(spec.ipv4) + "/32"};
    if (*spec.ipv6) pod_addresses.push_back(std::string(spec.ipv6) + "/128");
    links_.push_back(std::make_unique<VethPair>(VethEnd{node_, spec.interface_name, {"fe80::1/64"}},
                                                VethEnd{pod, "eth0", pod_addresses}));
    ok(pod.run({"ip", "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link"}));
    ok(pod.run({"ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0"}));
    if (*spec.ipv6)
      ok(pod.run({"ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0"}));
    node_.sysctl(std::string("net.ipv4.conf.") + spec.interface_name + ".proxy_arp", "1");
    node_run({"ip", "route", "add", std::string(spec.ipv4) + "/32", "dev", spec.interface_name,
              "scope", "link"});
    namespace_of_[spec.ipv4] = &pod;
    if (*spec.ipv6) {
      node_run({"ip", "-6", "route", "add", std::string(spec.ipv6) + "/128", "dev",
                spec.interface_name});
      namespace_of_[spec.ipv6] = &pod;
    }
  }

  Netns node_;
  Netns outside_;
  std::vector<std::unique_ptr<Netns>> pods_;
  std::vector<std::unique_ptr<VethPair>> links_;  // destroyed before the namespaces
  std::map<std::string, const Netns*> namespace_of_;
};

IptablesOptions options_for(const Netns& node) {
  IptablesOptions o;
  o.command_prefix = {"ip", "netns", "exec", node.name()};
  o.tool_timeout = 10s;
  return o;
}

Program program_of(const std::string& resources) {
  return policy::compile(policy::testing_util::model_of(
      std::string(policy::cases::kClusterResources) + "\n---\n" + resources));
}

// Sends the table's packet for real: empty when it got through, otherwise what failed.
std::string send(const PodNetwork& net, const policy::Packet& p,
                 std::chrono::milliseconds timeout) {
  const std::string src = p.source.to_string();
  const std::string dst = p.destination.to_string();
  const TcpEndpoint from{net.owner(src), src};
  const TcpEndpoint to{net.owner(dst), dst};
  switch (p.protocol) {
    case 6: return tcp_exchange(from, to, p.destination_port, timeout);
    case 17: return udp_exchange(from, to, p.destination_port, timeout);
    default: return raw_ipv4_probe(from, to, p.protocol, p.icmp_type, p.icmp_code, timeout);
  }
}

class PolicyIptables : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { remove_stale_namespaces(); }
  void SetUp() override {
    require_root_and_tools(kTools);
    if (IsSkipped()) return;
    net_ = std::make_unique<PodNetwork>();
    dataplane_ = std::make_unique<IptablesDataplane>(options_for(net_->node()));
  }
  void TearDown() override {
    if (dataplane_) {
      auto r = dataplane_->uninstall();
      EXPECT_TRUE(r) << (r ? "" : r.error().message);
    }
  }

  void apply(const Program& p) {
    auto r = dataplane_->apply(p);
    ASSERT_TRUE(r) << r.error().message;
  }

  std::string node_output(const std::vector<std::string>& argv) {
    return net_->node().run(argv).output;
  }

  std::unique_ptr<PodNetwork> net_;
  std::unique_ptr<IptablesDataplane> dataplane_;
};

// The table of cases, replayed with real packets on one network. Each case is applied on top of
// the previous one's rules, so the diffing path (only changed chains rewritten) is what gets
// exercised. Every packet is also sent with no policy at all first: a denied verdict must come
// from the rules, never from a broken network.
TEST_F(PolicyIptables, TableOfCasesGivesTheReferenceVerdicts) {
  apply(program_of(""));
  for (const auto& c : policy::cases::kCases) {
    const policy::Packet p = policy::testing_util::parse_packet(c.packet);
    if (p.protocol == 1 && p.icmp_type == 0) continue;  // see NotIcmpOtherTypeAllowed below
    EXPECT_EQ(send(*net_, p, 3s), "") << c.name << ": no policy, yet " << c.packet << " failed";
  }
  int checked = 0;
  for (const auto& c : policy::cases::kCases) {
    const Program program = program_of(c.resources);
    const policy::Packet p = policy::testing_util::parse_packet(c.packet);
    // An unsolicited echo reply is INVALID to conntrack and dropped before any rule (as in
    // Calico): the one row iptables cannot replay.
    if (p.protocol == 1 && p.icmp_type == 0) continue;
    const auto* ep = program.find(policy::testing_util::endpoint_id(c.endpoint));
    ASSERT_NE(ep, nullptr) << c.name;
    const bool reference = policy::evaluate(program, *ep, c.direction, p).allowed;
    ASSERT_EQ(reference, c.allowed) << c.name << ": the table and the evaluator disagree";
    apply(program);
    const std::string outcome = send(*net_, p, c.allowed ? 3s : 700ms);
    EXPECT_EQ(outcome.empty(), c.allowed)
        << c.name << ": " << c.packet << (c.allowed ? " was dropped: " : " got through") << outcome;
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

// Ingress allowed, egress denied outright: the reply of the allowed connection still flows
// (conntrack), while the pod cannot open a connection of its own.
TEST_F(PolicyIptables, RepliesOfAllowedConnectionsPassAnEgressDeny) {
  apply(program_of(std::string(policy::cases::kDbIngressFromWeb) + R"(
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-no-egress}
spec: {selector: app == 'db', types: [Egress]}
)"));
  const TcpEndpoint web{net_->owner("10.0.1.1"), "10.0.1.1"};
  const TcpEndpoint db{net_->owner("10.0.1.2"), "10.0.1.2"};
  EXPECT_EQ(tcp_exchange(web, db, 5432), "");
  EXPECT_NE(tcp_exchange(db, web, 8080, 700ms), "");
}

// An open TCP connection between two sockets, made in their namespaces.
struct OpenConnection {
  int client = -1, accepted = -1;
  ~OpenConnection() {
    if (client >= 0) ::close(client);
    if (accepted >= 0) ::close(accepted);
  }
  bool exchange() const {
    if (::send(client, "x", 1, MSG_NOSIGNAL) != 1) return false;
    pollfd pfd{accepted, POLLIN, 0};
    char c;
    return ::poll(&pfd, 1, 2000) == 1 && ::recv(accepted, &c, 1, 0) == 1;
  }
};

void open_connection(const Netns& client_ns, const char* client_ip, const Netns& server_ns,
                     const char* server_ip, int port, OpenConnection& out) {
  sockaddr_in server{}, client{};
  server.sin_family = client.sin_family = AF_INET;
  server.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, server_ip, &server.sin_addr);
  inet_pton(AF_INET, client_ip, &client.sin_addr);
  int listener;
  {
    InNetns in(server_ns);
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  }
  ASSERT_GE(listener, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&server), sizeof server), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  {
    InNetns in(client_ns);
    out.client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  }
  ASSERT_EQ(::bind(out.client, reinterpret_cast<sockaddr*>(&client), sizeof client), 0);
  timeval tv{3, 0};
  ::setsockopt(out.client, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const int rc = ::connect(out.client, reinterpret_cast<sockaddr*>(&server), sizeof server);
  out.accepted = rc == 0 ? ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC) : -1;
  ::close(listener);
  ASSERT_GE(out.accepted, 0) << "connect failed";
}

// A policy update that stops new web→db connections leaves the one already open working.
TEST_F(PolicyIptables, PolicyUpdateLeavesEstablishedConnectionIntact) {
  apply(program_of(policy::cases::kDbIngressFromWeb));
  OpenConnection conn;
  open_connection(net_->owner("10.0.1.1"), "10.0.1.1", net_->owner("10.0.1.2"), "10.0.1.2", 5432,
                  conn);
  ASSERT_TRUE(conn.exchange());
  apply(program_of(policy::cases::kK8sDenyAllIngressProd));
  const TcpEndpoint web{net_->owner("10.0.1.1"), "10.0.1.1"};
  const TcpEndpoint db{net_->owner("10.0.1.2"), "10.0.1.2"};
  EXPECT_NE(tcp_exchange(web, db, 5432, 700ms), "") << "a new connection must be denied";
  EXPECT_TRUE(conn.exchange()) << "the established connection must survive the update";
}

// A GlobalNetworkSet gains a CIDR: the set is updated in place, no chain is rewritten, and the
// new address is allowed at once.
TEST_F(PolicyIptables, GlobalNetworkSetChangeIsAppliedLiveWithoutRuleRewrite) {
  const std::string policy = R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-to-partners}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, destination: {selector: role == 'external'}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: partners, labels: {role: external}}
)";
  apply(program_of(policy + "spec: {nets: [203.0.113.0/24]}\n"));
  const TcpEndpoint web{net_->owner("10.0.1.1"), "10.0.1.1"};
  const TcpEndpoint partner{net_->owner("203.0.113.5"), "203.0.113.5"};
  const TcpEndpoint other{net_->owner("198.51.100.1"), "198.51.100.1"};
  EXPECT_EQ(tcp_exchange(web, partner, 443), "");
  EXPECT_NE(tcp_exchange(web, other, 443, 700ms), "");
  const std::string rules_before = node_output({"iptables-save", "-t", "filter"});

  apply(program_of(policy + "spec: {nets: [203.0.113.0/24, 198.51.100.0/24]}\n"));
  EXPECT_EQ(dataplane_->last_chains_written(), 0u);
  EXPECT_EQ(tcp_exchange(web, other, 443), "");
  // Same rules (iptables-save's first and last lines carry a timestamp: compare between them).
  const std::string rules_after = node_output({"iptables-save", "-t", "filter"});
  auto rules_only = [](const std::string& saved) {
    const auto begin = saved.find("*filter");
    return saved.substr(begin, saved.find("COMMIT") - begin);
  };
  EXPECT_EQ(rules_only(rules_before), rules_only(rules_after));

  apply(program_of(policy + "spec: {nets: [198.51.100.0/24]}\n"));
  EXPECT_NE(tcp_exchange(web, partner, 443, 700ms), "") << "a removed CIDR must be denied";
}

// A rule's single-CIDR nets are written into the rule (-s), with no ipset behind them; a
// two-CIDR list is an ipset, destroyed again when the rule goes back to one CIDR.
TEST_F(PolicyIptables, SingleCidrNetsAreLiteralAndMakeNoIpset) {
  auto policy = [](const std::string& nets) {
    return R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: web-to-partners}
spec:
  selector: app == 'web'
  types: [Egress]
  egress: [{action: Allow, destination: {nets: [)" +
           nets + "]}}]\n";
  };
  const TcpEndpoint web{net_->owner("10.0.1.1"), "10.0.1.1"};
  const TcpEndpoint partner{net_->owner("203.0.113.5"), "203.0.113.5"};
  const TcpEndpoint other{net_->owner("198.51.100.1"), "198.51.100.1"};
  auto sets = [&] {
    std::size_t n = 0;
    const std::string listed = node_output({"ipset", "list", "-n"});
    for (std::size_t at = 0; (at = listed.find("pinto-s", at)) != std::string::npos; ++at) ++n;
    return n;
  };

  apply(program_of(policy("203.0.113.0/24")));
  EXPECT_NE(node_output({"iptables-save", "-t", "filter"}).find("-d 203.0.113.0/24"),
            std::string::npos);
  EXPECT_EQ(sets(), 0u) << node_output({"ipset", "list", "-n"});
  EXPECT_EQ(tcp_exchange(web, partner, 443), "");
  EXPECT_NE(tcp_exchange(web, other, 443, 700ms), "");

  apply(program_of(policy("203.0.113.0/24, 198.51.100.0/24")));
  EXPECT_EQ(sets(), 1u) << node_output({"ipset", "list", "-n"});  // IPv4 only: no IPv6 member
  EXPECT_EQ(tcp_exchange(web, other, 443), "");

  apply(program_of(policy("198.51.100.0/24")));
  EXPECT_EQ(sets(), 0u) << node_output({"ipset", "list", "-n"});
  EXPECT_EQ(tcp_exchange(web, other, 443), "");
  EXPECT_NE(tcp_exchange(web, partner, 443, 700ms), "") << "a removed CIDR must be denied";
}

// Counters come back per endpoint, direction and RuleId; uninstall leaves no chain, hook or set.
TEST_F(PolicyIptables, CountersAndUninstall) {
  apply(program_of(policy::cases::kDbIngressFromWeb));
  const TcpEndpoint web{net_->owner("10.0.1.1"), "10.0.1.1"};
  const TcpEndpoint db{net_->owner("10.0.1.2"), "10.0.1.2"};
  ASSERT_EQ(tcp_exchange(web, db, 5432), "");
  bool found = false;
  for (const auto& c : dataplane_->counters()) {
    if (c.endpoint.name == "node--a-k8s-db-eth0" && c.direction == Direction::Ingress &&
        c.rule == "NetworkPolicy/prod/db-from-web/ingress/0") {
      found = true;
      // The SYN walks the rules; the rest of the exchange (about ten packets) is conntrack's.
      // A packet of the closing handshake may be NEW again to conntrack, so allow one more.
      EXPECT_GE(c.packets, 1u);
      EXPECT_LE(c.packets, 3u) << "established packets must not walk the rules";
      EXPECT_GT(c.bytes, 0u);
    }
  }
  EXPECT_TRUE(found);

  ASSERT_TRUE(dataplane_->uninstall());
  for (const char* save : {"iptables-save", "ip6tables-save"}) {
    EXPECT_EQ(node_output({save}).find("pinto"), std::string::npos) << node_output({save});
  }
  EXPECT_EQ(node_output({"ipset", "list", "-n"}).find("pinto"), std::string::npos);
  // Nothing enforced any more, nothing left behind: a second uninstall is a no-op.
  EXPECT_TRUE(dataplane_->uninstall());
}

// A restarted daemon (a new IptablesDataplane) takes over what the old one left: stale chains
// of vanished endpoints and stale sets are removed, the hooks are not duplicated.
TEST_F(PolicyIptables, NewInstanceReconcilesWhatAnEarlierOneLeft) {
  apply(program_of(policy::cases::kWebToExternalSet));
  IptablesDataplane restarted(options_for(net_->node()));
  ASSERT_TRUE(restarted.apply(program_of("")));
  const std::string saved = node_output({"iptables-save", "-t", "filter"});
  EXPECT_EQ(saved.find("-m set"), std::string::npos) << saved;
  std::size_t hooks = 0;
  for (std::size_t at = 0; (at = saved.find("-j pinto-fwd", at)) != std::string::npos; ++at)
    ++hooks;
  EXPECT_EQ(hooks, 2u) << saved;
  EXPECT_EQ(node_output({"ipset", "list", "-n"}).find("pinto"), std::string::npos);
}

}  // namespace
}  // namespace pinto::itest
