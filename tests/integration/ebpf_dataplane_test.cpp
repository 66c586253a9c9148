// EbpfDataplane against a real kernel: a Calico-style node namespace with four pod namespaces
// (the pods of tests/unit/policy/policy_cases.h, same addresses and cali… interface names, plus
// an IPv6 address each), programs compiled from the shared policy resources or generated at
// scale, and real TCP, UDP, ICMP and ICMPv6 between the pods. Every verdict is checked against
// the reference evaluator (policy/compiler/verdict.h).
//
//   pod web 10.0.1.1 fd00::1:1 ─ cali0web ┐
//   pod db  10.0.1.2 fd00::1:2 ─ cali0db  ├─ node (forwarding, proxy ARP, fe80::1, host routes)
//   pod client 10.0.1.3 fd00::1:3 ─ cali0client ┤     ─ up0 ─ uplink
//   pod dev client 10.0.2.1 fd00::2:1 ─ cali1client ┘
#include "policy/ebpf/ebpf_dataplane.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/fixture.h"
#include "integration/in_netns.h"
#include "integration/netns.h"
#include "integration/packet_probe.h"
#include "integration/tcp_probe.h"
#include "unit/policy/policy_cases.h"
#include "unit/policy/policy_test_util.h"

namespace pinto::itest {
namespace {

using policy::Direction;
using policy::Program;
namespace cases = policy::cases;

struct PodSpec {
  const char* name;
  const char* endpoint;  // "ns/name" as in policy_cases.h
  const char* interface;
  const char* address;
  const char* address6;
};

constexpr PodSpec kPods[] = {
    {"web", cases::kWeb, "cali0web", "10.0.1.1", "fd00::1:1"},
    {"db", cases::kDb, "cali0db", "10.0.1.2", "fd00::1:2"},
    {"client", cases::kProdClient, "cali0client", "10.0.1.3", "fd00::1:3"},
    {"devclient", cases::kDevClient, "cali1client", "10.0.2.1", "fd00::2:1"},
};

// Resources on top of the cluster: ingress to db from web on 5432, and db may open nothing itself
// (egress selected, no rule): its replies pass only through the connection table.
constexpr const char* kDbFromWebNoEgress = R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-locked, namespace: prod}
spec:
  selector: app == 'db'
  types: [Ingress, Egress]
  ingress: [{action: Allow, protocol: TCP, source: {selector: app == 'web'},
             destination: {ports: [5432]}}]
)";

// A socket made inside `ns` (it stays there), closed on scope exit; -1 if anything failed.
class NsSocket {
 public:
  NsSocket(const Netns& ns, const char* address, int port, int type = SOCK_STREAM) {
    InNetns in(ns);
    fd_ = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, address, &a.sin_addr);
    const int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    const timeval two_seconds{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof(two_seconds));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) close();
  }
  explicit NsSocket(int fd) : fd_(fd) {}
  ~NsSocket() { close(); }
  NsSocket(const NsSocket&) = delete;
  NsSocket& operator=(const NsSocket&) = delete;
  int fd() const { return fd_; }

 private:
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

sockaddr_in address_of(const char* address, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, address, &a.sin_addr);
  return a;
}

bool connect_to(int fd, const char* address, int port) {
  const sockaddr_in a = address_of(address, port);
  return ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof(a)) == 0;
}

bool send_and_receive(int from, int to, char byte) {
  char got = 0;
  return ::send(from, &byte, 1, MSG_NOSIGNAL) == 1 && ::recv(to, &got, 1, 0) == 1 && got == byte;
}

class EbpfDataplaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    require_root_and_tools(std::span<const std::string_view>{});
    if (IsSkipped()) return;
    node_ = std::make_unique<Netns>("ebpfnode");
    uplink_ns_ = std::make_unique<Netns>("ebpfup");
    links_.push_back(
        std::make_unique<VethPair>(VethEnd{*node_, "up0", {"192.168.250.1/30"}},
                                   VethEnd{*uplink_ns_, "eth0", {"192.168.250.2/30"}}));
    // Proxy ARP answers for 169.254.1.1 only if the node routes it out of another device.
    ASSERT_EQ(node_->run({"ip", "route", "add", "default", "dev", "up0"}).exit_code, 0);
    node_->sysctl("net.ipv4.ip_forward", "1");
    node_->sysctl("net.ipv6.conf.all.forwarding", "1");
    for (const PodSpec& spec : kPods) {
      pods_.push_back(std::make_unique<Netns>(std::string("ebpf") + spec.name));
      const Netns& pod = *pods_.back();
      // IPv6 as Calico does it: the pod's /128 and a default route via the cali side's fe80::1.
      links_.push_back(std::make_unique<VethPair>(
          VethEnd{pod,
                  "eth0",
                  {std::string(spec.address) + "/32", std::string(spec.address6) + "/128"}},
          VethEnd{*node_, spec.interface, {"fe80::1/64"}}));
      ASSERT_EQ(
          pod.run({"ip", "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link"}).exit_code,
          0);
      ASSERT_EQ(pod.run({"ip", "route", "add", "default", "via", "169.254.1.1"}).exit_code, 0);
      ASSERT_EQ(pod.run({"ip", "-6", "route", "add", "default", "via", "fe80::1", "dev", "eth0"})
                    .exit_code,
                0);
      ASSERT_EQ(node_
                    ->run({"ip", "-6", "route", "add", std::string(spec.address6) + "/128", "dev",
                           spec.interface})
                    .exit_code,
                0);
      node_->sysctl(std::string("net.ipv4.conf.") + spec.interface + ".proxy_arp", "1");
      ASSERT_EQ(node_
                    ->run({"ip", "route", "add", std::string(spec.address) + "/32", "dev",
                           spec.interface, "scope", "link"})
                    .exit_code,
                0);
    }
    auto dp = policy::ebpf::EbpfDataplane::load();
    ASSERT_TRUE(dp) << dp.error().message;
    dataplane_ = std::move(dp).value();
  }

  void TearDown() override {
    if (dataplane_) {
      InNetns in(*node_);
      dataplane_.reset();  // detaches from the cali… interfaces, then frees program and maps
    }
    links_.clear();
    pods_.clear();
    uplink_ns_.reset();
    node_.reset();
  }

  Program program_of(const std::string& resources) {
    return policy::compile(policy::testing_util::model_of(std::string(cases::kClusterResources) +
                                                          "\n---\n" + resources));
  }

  void apply(const Program& program) {
    program_ = program;
    InNetns in(*node_);  // interface names resolve in the node namespace
    auto r = dataplane_->apply(program);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(dataplane_->pending_interfaces().empty());
  }

  /// Replaces the data plane with one whose connection table has `timeouts`.
  void reload(const policy::ebpf::ConntrackTimeouts& timeouts) {
    InNetns in(*node_);
    dataplane_.reset();
    auto dp = policy::ebpf::EbpfDataplane::load(timeouts);
    ASSERT_TRUE(dp) << dp.error().message;
    dataplane_ = std::move(dp).value();
  }

  /// Waits (up to 3 s) until the connection table's TCP entries satisfy `ok`.
  template <class Pred>
  bool tcp_table_becomes(Pred ok) const {
    return wait_until([&] { return ok(dataplane_->conntrack_census(6)); }, 3s);
  }

  std::size_t pod_index(const char* name) const {
    for (std::size_t i = 0; i < std::size(kPods); ++i) {
      if (std::string(kPods[i].name) == name) return i;
    }
    ADD_FAILURE() << "no pod " << name;
    return 0;
  }

  // What the reference evaluator says about a new flow: the client's Egress chain and the
  // server's Ingress chain must both allow it.
  bool reference_allows(const PodSpec& client, const PodSpec& server, int port, bool ipv6 = false,
                        std::uint8_t protocol = 6) const {
    policy::Packet p;
    p.source = *IpAddress::parse(ipv6 ? client.address6 : client.address);
    p.destination = *IpAddress::parse(ipv6 ? server.address6 : server.address);
    p.protocol = protocol;
    p.source_port = 40000;
    p.destination_port = static_cast<std::uint16_t>(port);
    const auto* from = program_.find(policy::testing_util::endpoint_id(client.endpoint));
    const auto* to = program_.find(policy::testing_util::endpoint_id(server.endpoint));
    return policy::evaluate(program_, *from, Direction::Egress, p).allowed &&
           policy::evaluate(program_, *to, Direction::Ingress, p).allowed;
  }

  /// Real TCP (or UDP) from pod `client` to pod `server`, over IPv4 or IPv6; checks that it gets
  /// through exactly when the reference evaluator allows it, and that this is `expected` (the
  /// case's intent).
  void expect_flow(const char* client, const char* server, int port, bool expected, bool ipv6,
                   std::uint8_t protocol) {
    const std::size_t c = pod_index(client), s = pod_index(server);
    const char* family = ipv6 ? " (IPv6)" : "";
    const char* name = protocol == 6 ? " tcp" : " udp";
    const bool reference = reference_allows(kPods[c], kPods[s], port, ipv6, protocol);
    EXPECT_EQ(reference, expected) << client << " -> " << server << ":" << port << name << family;
    const TcpEndpoint from{*pods_[c], ipv6 ? kPods[c].address6 : kPods[c].address};
    const TcpEndpoint to{*pods_[s], ipv6 ? kPods[s].address6 : kPods[s].address};
    const auto timeout =
        expected ? std::chrono::milliseconds(3000) : std::chrono::milliseconds(1200);
    const std::string failure = protocol == 6 ? tcp_exchange(from, to, port, timeout)
                                              : udp_exchange(from, to, port, timeout);
    EXPECT_EQ(failure.empty(), reference)
        << client << " -> " << server << ":" << port << name << family << ": "
        << (failure.empty() ? "got through" : failure);
  }

  void expect_tcp(const char* client, const char* server, int port, bool expected) {
    expect_flow(client, server, port, expected, false, 6);
  }
  void expect_tcp6(const char* client, const char* server, int port, bool expected) {
    expect_flow(client, server, port, expected, true, 6);
  }
  void expect_udp(const char* client, const char* server, int port, bool expected) {
    expect_flow(client, server, port, expected, false, 17);
  }

  bool ping(const char* from, const char* to, bool ipv6 = false) const {
    const PodSpec& target = kPods[pod_index(to)];
    std::vector<std::string> argv = {"ping", "-c", "3", "-i", "0.3", "-W", "1"};
    if (ipv6) argv.push_back("-6");
    argv.push_back(ipv6 ? target.address6 : target.address);
    return pods_[pod_index(from)]->run(argv).exit_code == 0;
  }

  /// The id of the BPF program tc runs on `hook` of `interface` ("" if none).
  std::string program_id(const char* interface, const char* hook) const {
    const std::string out = tc_filters(interface, hook);
    const auto at = out.find(" id ");
    if (at == std::string::npos) return "";
    return out.substr(at + 4, out.find(' ', at + 4) - (at + 4));
  }

  std::string tc_filters(const char* interface, const char* hook) const {
    return node_->run({"tc", "filter", "show", "dev", interface, hook}).output;
  }

  std::unique_ptr<Netns> node_;
  std::unique_ptr<Netns> uplink_ns_;
  std::vector<std::unique_ptr<Netns>> pods_;
  std::vector<std::unique_ptr<VethPair>> links_;
  std::unique_ptr<policy::ebpf::EbpfDataplane> dataplane_;
  Program program_;
};

TEST_F(EbpfDataplaneTest, NoPolicyAllowsEverything) {
  apply(program_of(""));
  EXPECT_NE(tc_filters("cali0db", "egress").find("pinto_to_pod"), std::string::npos);
  EXPECT_NE(tc_filters("cali0db", "ingress").find("pinto_from_pod"), std::string::npos);
  expect_tcp("web", "db", 5432, true);
  expect_tcp("devclient", "web", 8080, true);
}

TEST_F(EbpfDataplaneTest, SelectedEndpointDeniesWhatNoRuleAllowsAndAllowsByLabelAndPort) {
  apply(program_of(cases::kDbIngressFromWeb));
  expect_tcp("web", "db", 5432, true);
  expect_tcp("web", "db", 5433, false);     // wrong port
  expect_tcp("client", "db", 5432, false);  // wrong label
  expect_tcp("db", "web", 8080, true);      // db's egress is not selected
}

TEST_F(EbpfDataplaneTest, AllowByCidrWithNotNets) {
  apply(program_of(cases::kDbNotFromDevNets));
  expect_tcp("web", "db", 5432, true);
  expect_tcp("devclient", "db", 5432, false);
}

TEST_F(EbpfDataplaneTest, DenyBeatsAllowByOrder) {
  apply(program_of(cases::kDenyClientsBeforeAllowAll));
  expect_tcp("client", "db", 5432, false);
  expect_tcp("devclient", "db", 5432, false);
  expect_tcp("web", "db", 5432, true);
}

TEST_F(EbpfDataplaneTest, RepliesOfAnAllowedConnectionPassADeniedDirection) {
  apply(program_of(kDbFromWebNoEgress));
  // The exchange needs db's SYN-ACK and echo to leave through db's Egress chain, which allows
  // nothing: only the connection table lets them out.
  expect_tcp("web", "db", 5432, true);
  expect_tcp("db", "web", 8080, false);  // a connection db opens itself is still denied
}

TEST_F(EbpfDataplaneTest, SetMembershipChangeAppliesLiveWithoutReloadingTheProgram) {
  apply(program_of(cases::kDbIngressFromWeb));
  expect_tcp("client", "db", 5432, false);
  const std::string before = tc_filters("cali0db", "egress");

  // The prod client becomes app=web: only the members of the selector's set change.
  std::string cluster = cases::kClusterResources;
  const std::string old_client =
      "metadata: {name: node--a-k8s-client-eth0, namespace: prod, "
      "labels: {app: client}}";
  const auto at = cluster.find(old_client);
  ASSERT_NE(at, std::string::npos);
  cluster.replace(at, old_client.size(),
                  "metadata: {name: node--a-k8s-client-eth0, namespace: prod, labels: {app: web}}");
  const Program next = policy::compile(
      policy::testing_util::model_of(cluster + "\n---\n" + cases::kDbIngressFromWeb));
  ASSERT_EQ(next.endpoints.size(), program_.endpoints.size());
  apply(next);
  expect_tcp("client", "db", 5432, true);
  expect_tcp("web", "db", 5432, true);
  // Same program, same filter: the change went into the maps only.
  EXPECT_EQ(tc_filters("cali0db", "egress"), before);
}

TEST_F(EbpfDataplaneTest, CountsPacketsPerRule) {
  apply(program_of(cases::kDbIngressFromWeb));
  expect_tcp("web", "db", 5432, true);
  expect_tcp("client", "db", 5432, false);
  std::uint64_t allowed = 0, denied = 0;
  for (const auto& c : dataplane_->counters()) {
    if (c.endpoint != policy::testing_util::endpoint_id(cases::kDb) ||
        c.direction != Direction::Ingress) {
      continue;
    }
    if (c.rule.find("db-from-web/ingress/0") != std::string::npos)
      allowed += c.packets;
    else
      denied += c.packets;
  }
  EXPECT_GE(allowed, 1u);  // the SYN walked the rules; the rest of the flow hit conntrack
  EXPECT_GE(denied, 1u);   // the client's SYN (and its retries) hit the end-of-tier Deny
}

TEST_F(EbpfDataplaneTest, UninstallRemovesTheFiltersAndOpensTraffic) {
  apply(program_of(cases::kDbIngressFromWeb));
  expect_tcp("client", "db", 5432, false);
  {
    InNetns in(*node_);
    ASSERT_TRUE(dataplane_->uninstall());
  }
  EXPECT_EQ(tc_filters("cali0db", "egress").find("pinto"), std::string::npos);
  program_ = program_of("");
  expect_tcp("client", "db", 5432, true);
}

// The shared table of cases with real TCP: every TCP case between two of the pods, applied in
// turn on the same namespaces (the table's cases are applied live one after the other, which
// also exercises chain rewrites). Real TCP needs the client's Egress *and* the server's Ingress,
// so each exchange is compared with the reference evaluator on both.
TEST_F(EbpfDataplaneTest, TableOfCasesWithRealTcpBetweenPods) {
  int checked = 0, refused = 0;
  for (const cases::PolicyCase& c : cases::kCases) {
    const policy::Packet packet = policy::testing_util::parse_packet(c.packet);
    if (packet.protocol != 6 || !packet.source.is_v4()) continue;
    const PodSpec* client = nullptr;
    const PodSpec* server = nullptr;
    for (const PodSpec& pod : kPods) {
      if (packet.source == *IpAddress::parse(pod.address)) client = &pod;
      if (packet.destination == *IpAddress::parse(pod.address)) server = &pod;
    }
    if (!client || !server) continue;
    SCOPED_TRACE(c.name);
    program_ = program_of(c.resources);
    {
      InNetns in(*node_);
      auto r = dataplane_->apply(program_);
      if (!r) {
        EXPECT_NE(r.error().message.find("not supported"), std::string::npos) << r.error().message;
        ++refused;
        continue;
      }
    }
    expect_tcp(client->name, server->name, packet.destination_port,
               reference_allows(*client, *server, packet.destination_port));
    ++checked;
  }
  EXPECT_GE(checked, 30);
  EXPECT_EQ(refused, 0);  // remote named ports included
}

// ICMP: type/code rules, and the echo reply passing through the connection table.
TEST_F(EbpfDataplaneTest, IcmpEchoAllowedByTypeAndCodeOnly) {
  apply(program_of(cases::kDbIcmpEchoOnly));
  policy::Packet echo;
  echo.source = *IpAddress::parse("10.0.1.1");
  echo.destination = *IpAddress::parse("10.0.1.2");
  echo.protocol = 1;
  echo.icmp_type = 8;
  const auto* db = program_.find(policy::testing_util::endpoint_id(cases::kDb));
  ASSERT_TRUE(policy::evaluate(program_, *db, Direction::Ingress, echo).allowed);
  EXPECT_TRUE(ping("web", "db"));

  apply(program_of(cases::kDbIngressFromWeb));  // TCP only: ICMP falls to the end-of-tier Deny
  ASSERT_FALSE(policy::evaluate(program_,
                                *program_.find(policy::testing_util::endpoint_id(cases::kDb)),
                                Direction::Ingress, echo)
                   .allowed);
  EXPECT_FALSE(ping("web", "db"));
}

// A policy change that denies new connections leaves an established, allowed one working in
// both directions (its packets hit the connection table, not the new rules).
TEST_F(EbpfDataplaneTest, PolicyUpdateLeavesEstablishedConnectionsIntact) {
  apply(program_of(""));
  const Netns& web = *pods_[pod_index("web")];
  const Netns& db = *pods_[pod_index("db")];
  NsSocket listener(db, "10.0.1.2", 6000);
  ASSERT_GE(listener.fd(), 0);
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  NsSocket client(web, "10.0.1.1", 0);
  ASSERT_GE(client.fd(), 0);
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(6000);
  ::inet_pton(AF_INET, "10.0.1.2", &server.sin_addr);
  ASSERT_EQ(::connect(client.fd(), reinterpret_cast<sockaddr*>(&server), sizeof(server)), 0);
  NsSocket accepted(::accept(listener.fd(), nullptr, nullptr));
  ASSERT_GE(accepted.fd(), 0);
  EXPECT_TRUE(send_and_receive(client.fd(), accepted.fd(), 'a'));

  apply(program_of(cases::kDbIngressFromWeb));  // db now takes new connections on 5432 only
  expect_tcp("web", "db", 6001, false);         // new connections meet the new policy
  EXPECT_TRUE(send_and_receive(client.fd(), accepted.fd(), 'b'));
  EXPECT_TRUE(send_and_receive(accepted.fd(), client.fd(), 'c'));
}

// The connection table lets a flow's later packets skip the rules only while the flow lives: a
// TCP RST closes its entries at once, a FIN from each end moves them to the short closing
// timeout, and a new connection on the same 4-tuple after either meets the policy in force.
TEST_F(EbpfDataplaneTest, ClosedConnectionsLeaveTheTableAndTheirTupleMeetsTheNewPolicy) {
  using policy::ebpf::ConntrackCensus;
  apply(program_of(""));
  const Netns& web = *pods_[pod_index("web")];
  const Netns& db = *pods_[pod_index("db")];
  NsSocket listener(db, "10.0.1.2", 6000);
  ASSERT_GE(listener.fd(), 0);
  ASSERT_EQ(::listen(listener.fd(), 4), 0);
  {
    NsSocket client(web, "10.0.1.1", 45000);
    ASSERT_TRUE(connect_to(client.fd(), "10.0.1.2", 6000));
    NsSocket accepted(::accept(listener.fd(), nullptr, nullptr));
    ASSERT_TRUE(send_and_receive(client.fd(), accepted.fd(), 'a'));
    // One entry on each interface the flow crosses (cali0web, cali0db), shared by both ways.
    EXPECT_TRUE(tcp_table_becomes([](const ConntrackCensus& c) { return c.established == 2; }));
    const linger rst_on_close{1, 0};  // close with a RST: no TIME_WAIT, the 4-tuple is free at once
    ASSERT_EQ(::setsockopt(client.fd(), SOL_SOCKET, SO_LINGER, &rst_on_close, sizeof(rst_on_close)),
              0);
  }
  EXPECT_TRUE(tcp_table_becomes([](const ConntrackCensus& c) {
    return c.established == 0 && c.opening == 0 && c.closing == 0;
  })) << "a RST leaves no entry";

  // db now takes 5432 from web only: the same 4-tuple to 6000 is a new connection, denied.
  apply(program_of(cases::kDbIngressFromWeb));
  {
    NsSocket again(web, "10.0.1.1", 45000);
    ASSERT_GE(again.fd(), 0) << "the 4-tuple is free for reuse";
    EXPECT_FALSE(connect_to(again.fd(), "10.0.1.2", 6000));
  }

  // A graceful close (FIN from each end, the server first so the client's port is free again)
  // leaves the entries closing; the next connection on that 4-tuple meets a policy that now
  // denies 5432 too.
  NsSocket pg(db, "10.0.1.2", 5432);
  ASSERT_GE(pg.fd(), 0);
  ASSERT_EQ(::listen(pg.fd(), 4), 0);
  {
    NsSocket client(web, "10.0.1.1", 45001);
    ASSERT_TRUE(connect_to(client.fd(), "10.0.1.2", 5432));
    NsSocket accepted(::accept(pg.fd(), nullptr, nullptr));
    ASSERT_TRUE(send_and_receive(client.fd(), accepted.fd(), 'b'));
    ASSERT_EQ(::shutdown(accepted.fd(), SHUT_WR), 0);
    char eof = 0;
    EXPECT_EQ(::recv(client.fd(), &eof, 1, 0), 0);  // the server's FIN arrived
  }
  EXPECT_TRUE(tcp_table_becomes([](const ConntrackCensus& c) {
    return c.closing == 2 && c.established == 0;
  })) << "FIN from both ends: closing";
  apply(program_of(R"(
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-closed, namespace: prod}
spec: {selector: app == 'db', types: [Ingress]}
)"));
  {
    NsSocket again(web, "10.0.1.1", 45001);
    ASSERT_GE(again.fd(), 0);
    EXPECT_FALSE(connect_to(again.fd(), "10.0.1.2", 5432));
  }
}

// Idle entries expire after their state's timeout (lowered here to 1 s for UDP): a UDP flow
// allowed before a policy change goes on while it is active, and once idle past the timeout the
// same 4-tuple is a new flow that meets the policy in force.
TEST_F(EbpfDataplaneTest, IdleEntriesExpireAndTheirTupleMeetsTheNewPolicy) {
  policy::ebpf::ConntrackTimeouts timeouts;
  timeouts.udp = std::chrono::seconds(1);
  reload(timeouts);
  apply(program_of(""));
  const Netns& web = *pods_[pod_index("web")];
  const Netns& db = *pods_[pod_index("db")];
  NsSocket server(db, "10.0.1.2", 7000, SOCK_DGRAM);
  NsSocket client(web, "10.0.1.1", 45002, SOCK_DGRAM);
  ASSERT_GE(server.fd(), 0);
  ASSERT_GE(client.fd(), 0);
  ASSERT_TRUE(connect_to(client.fd(), "10.0.1.2", 7000));
  ASSERT_TRUE(connect_to(server.fd(), "10.0.1.1", 45002));
  ASSERT_TRUE(send_and_receive(client.fd(), server.fd(), 'a'));
  ASSERT_TRUE(send_and_receive(server.fd(), client.fd(), 'b'));
  EXPECT_EQ(dataplane_->conntrack_census(17).established, 2u);

  apply(program_of(cases::kDbIngressFromWeb));  // db takes TCP 5432 from web only
  // Active: the flow's entries let it on, both ways, within the timeout of each packet.
  for (char c : {'c', 'd', 'e'}) {
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(send_and_receive(client.fd(), server.fd(), c)) << c;
  }
  // Idle past the timeout: expired; the next datagram walks db's rules and is dropped.
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(dataplane_->conntrack_census(17).expired, 2u);
  EXPECT_FALSE(send_and_receive(client.fd(), server.fd(), 'f'));
}

// --- At scale: chains of 10,000 rules, the (protocol, port) index, IPv6, map-only updates ---

constexpr policy::SetId kWebSet = 0x7e57'0001;
constexpr policy::SetId kDevSet = 0x7e57'0002;

policy::Rule scale_rule(const std::string& id, policy::Action action,
                        std::optional<std::uint8_t> protocol, std::uint16_t first_port,
                        std::uint16_t last_port, std::optional<policy::SetId> from) {
  policy::Rule r;
  r.id = {id, policy::stable_hash(id)};
  r.action = action;
  r.match.protocol = protocol;
  if (first_port != 0) r.match.destination.ports = {{first_port, last_port}};
  if (from) r.match.source.in_sets = {*from};
  return r;
}

// `base` with db's Ingress chain replaced by `rules` and an end-of-tier Deny; the sets the rules
// use hold web's addresses (kWebSet) and the dev namespace's (kDevSet).
Program with_db_ingress(Program base, std::vector<policy::Rule> rules) {
  base.sets[kWebSet] =
      policy::IpSet{kWebSet,
                    policy::SetKind::Nets,
                    "test:web",
                    {{*IpPrefix::parse("10.0.1.1/32")}, {*IpPrefix::parse("fd00::1:1/128")}}};
  base.sets[kDevSet] = policy::IpSet{
      kDevSet, policy::SetKind::Nets, "test:dev", {{*IpPrefix::parse("10.0.2.0/24")}}};
  rules.push_back(scale_rule("tier/default/ingress/end-of-tier-deny", policy::Action::Deny,
                             std::nullopt, 0, 0, std::nullopt));
  for (auto& ep : base.endpoints) {
    if (ep.endpoint != policy::testing_util::endpoint_id(cases::kDb)) continue;
    ep.ingress.policed = true;
    ep.ingress.rules = rules;
  }
  return base;
}

// 9,999 rules that do not match web -> db:5432 (other ports, other sources, UDP wildcards, some
// on 5432 itself so the packet's own port list is long too), then the one that allows it.
std::vector<policy::Rule> ten_thousand_rules_last_allows_web() {
  std::vector<policy::Rule> rules;
  for (int i = 0; i < 9999; ++i) {
    const std::string id = "GlobalNetworkPolicy/scale/ingress/" + std::to_string(i);
    switch (i % 4) {
      case 0:  // the packet's own port, another source
        rules.push_back(scale_rule(id, policy::Action::Deny, 6, 5432, 5432, kDevSet));
        break;
      case 1:  // a wildcard: UDP from anyone
        rules.push_back(scale_rule(id, policy::Action::Deny, 17, 0, 0, std::nullopt));
        break;
      default:  // other ports
        rules.push_back(scale_rule(id, policy::Action::Allow, 6,
                                   static_cast<std::uint16_t>(10000 + i),
                                   static_cast<std::uint16_t>(10000 + i), std::nullopt));
    }
  }
  rules.push_back(scale_rule("GlobalNetworkPolicy/scale/ingress/9999", policy::Action::Allow, 6,
                             5432, 5432, kWebSet));
  return rules;
}

TEST_F(EbpfDataplaneTest, TenThousandRulesWhereOnlyTheLastMatchesAllows) {
  apply(
      with_db_ingress(program_of(cases::kDbIngressFromWeb), ten_thousand_rules_last_allows_web()));
  expect_tcp("web", "db", 5432, true);
  expect_tcp6("web", "db", 5432, true);
  expect_tcp("client", "db", 5432, false);     // no rule matches: end-of-tier Deny
  expect_tcp("devclient", "db", 5432, false);  // rule 0 denies it
  expect_tcp("web", "db", 5433, false);
  expect_udp("web", "db", 5432, false);  // rule 1, a UDP wildcard, denies it
  std::uint64_t last = 0;
  for (const auto& c : dataplane_->counters()) {
    if (c.rule == "GlobalNetworkPolicy/scale/ingress/9999") last += c.packets;
  }
  EXPECT_GE(last, 2u);  // the two SYNs; the rest of each flow passed through the connection table
}

TEST_F(EbpfDataplaneTest, TenThousandRulesWhereAnEarlierDenyWins) {
  auto rules = ten_thousand_rules_last_allows_web();
  rules[5002] = scale_rule("GlobalNetworkPolicy/scale/ingress/5002", policy::Action::Deny, 6, 5432,
                           5432, kWebSet);
  rules[7001] = scale_rule("GlobalNetworkPolicy/scale/ingress/7001", policy::Action::Allow, 6, 5433,
                           5433, std::nullopt);
  apply(with_db_ingress(program_of(cases::kDbIngressFromWeb), rules));
  expect_tcp("web", "db", 5432, false);
  expect_tcp6("web", "db", 5432, false);
  expect_tcp("web", "db", 5433, true);
  std::uint64_t deny = 0, allow = 0;
  for (const auto& c : dataplane_->counters()) {
    if (c.rule == "GlobalNetworkPolicy/scale/ingress/5002") deny += c.packets;
    if (c.rule == "GlobalNetworkPolicy/scale/ingress/9999") allow += c.packets;
  }
  EXPECT_GE(deny, 2u);
  EXPECT_EQ(allow, 0u);
}

// The index lists a narrow port range per port and keeps wide ranges and port-less rules in the
// wildcard list; real flows must still meet the rules in order.
TEST_F(EbpfDataplaneTest, PortIndexKeepsRuleOrderBetweenRangesAndWildcards) {
  using policy::Action;
  apply(with_db_ingress(
      program_of(cases::kDbIngressFromWeb),
      {scale_rule("GlobalNetworkPolicy/idx/ingress/0", Action::Deny, 6, 5000, 5010, std::nullopt),
       scale_rule("GlobalNetworkPolicy/idx/ingress/1", Action::Deny, 6, 7000, 7999, kWebSet),
       scale_rule("GlobalNetworkPolicy/idx/ingress/2", Action::Allow, std::nullopt, 0, 0, kWebSet),
       scale_rule("GlobalNetworkPolicy/idx/ingress/3", Action::Allow, 6, 5005, 5005, std::nullopt),
       scale_rule("GlobalNetworkPolicy/idx/ingress/4", Action::Allow, 17, 5005, 5005,
                  std::nullopt)}));
  expect_tcp("web", "db", 5005, false);     // the indexed range comes first
  expect_tcp("client", "db", 5005, false);  // ... for everyone
  expect_tcp("web", "db", 5011, true);      // past the range: the wildcard allows web
  expect_tcp("client", "db", 5011, false);
  expect_tcp("web", "db", 7500, false);    // the wide range (a wildcard) precedes the allow
  expect_udp("web", "db", 5005, true);     // the wildcard again, before the UDP rule
  expect_udp("client", "db", 5005, true);  // the UDP rule: listed under (17, 5005)
  expect_udp("client", "db", 5006, false);
}

TEST_F(EbpfDataplaneTest, Ipv6TcpAllowedByNetsAndDeniedOtherwise) {
  apply(program_of(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: db-v6}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: TCP, source: {nets: ["fd00::1:1/128"]},
             destination: {ports: [5432]}}]
)"));
  expect_tcp6("web", "db", 5432, true);
  expect_tcp6("client", "db", 5432, false);
  expect_tcp6("web", "db", 5433, false);
  expect_tcp("web", "db", 5432, false);  // an IPv6-only rule does not allow IPv4

  apply(program_of(cases::kWebIpv4Only));  // ipVersion 4: IPv6 falls to the end-of-tier Deny
  expect_tcp("client", "web", 8080, true);
  expect_tcp6("client", "web", 8080, false);
}

TEST_F(EbpfDataplaneTest, Icmpv6EchoAllowedByTypeOnly) {
  apply(program_of(R"(
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: echo6}
spec:
  selector: app == 'db'
  ingress: [{action: Allow, protocol: ICMPv6, icmp: {type: 128}}]
)"));
  policy::Packet echo;
  echo.source = *IpAddress::parse("fd00::1:1");
  echo.destination = *IpAddress::parse("fd00::1:2");
  echo.protocol = 58;
  echo.icmp_type = 128;
  const auto* db = program_.find(policy::testing_util::endpoint_id(cases::kDb));
  ASSERT_TRUE(policy::evaluate(program_, *db, Direction::Ingress, echo).allowed);
  EXPECT_TRUE(ping("web", "db", true));
  EXPECT_FALSE(ping("web", "db", false));  // ICMP (IPv4) is not ICMPv6
  expect_tcp6("web", "db", 5432, false);

  apply(program_of(cases::kDbIngressFromWeb));  // TCP only: ICMPv6 echo is denied
  ASSERT_FALSE(policy::evaluate(program_,
                                *program_.find(policy::testing_util::endpoint_id(cases::kDb)),
                                Direction::Ingress, echo)
                   .allowed);
  EXPECT_FALSE(ping("web", "db", true));
}

// A policy update (rules and sets) rewrites maps only: the same program stays attached.
TEST_F(EbpfDataplaneTest, PolicyUpdatesChangeMapsNotThePrograms) {
  apply(program_of(cases::kDbIngressFromWeb));
  const std::string to_pod = program_id("cali0db", "egress");
  const std::string from_pod = program_id("cali0db", "ingress");
  ASSERT_FALSE(to_pod.empty());
  ASSERT_FALSE(from_pod.empty());
  expect_tcp("web", "db", 5432, true);

  apply(
      with_db_ingress(program_of(cases::kDbIngressFromWeb), ten_thousand_rules_last_allows_web()));
  EXPECT_EQ(program_id("cali0db", "egress"), to_pod);
  EXPECT_EQ(program_id("cali0db", "ingress"), from_pod);
  expect_tcp("web", "db", 5432, true);
  expect_tcp("devclient", "db", 5432, false);

  auto rules = ten_thousand_rules_last_allows_web();
  rules.insert(rules.begin(), scale_rule("GlobalNetworkPolicy/scale/ingress/first",
                                         policy::Action::Deny, 6, 5432, 5432, kWebSet));
  apply(with_db_ingress(program_of(cases::kDbIngressFromWeb), rules));
  EXPECT_EQ(program_id("cali0db", "egress"), to_pod);
  expect_tcp("web", "db", 5432, false);

  apply(program_of(cases::kDbIngressFromWeb));  // back to the small chain
  EXPECT_EQ(program_id("cali0db", "egress"), to_pod);
  EXPECT_EQ(program_id("cali0db", "ingress"), from_pod);
  expect_tcp("web", "db", 5432, true);
  expect_tcp("client", "db", 5432, false);
}

}  // namespace
}  // namespace pinto::itest
