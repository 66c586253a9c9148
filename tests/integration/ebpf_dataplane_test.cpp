// EbpfDataplane against a real kernel: a Calico-style node namespace with four pod namespaces
// (the pods of tests/unit/policy/policy_cases.h, same addresses and cali… interface names),
// programs compiled from the shared policy resources, and real TCP between the pods. Every
// verdict is checked against the reference evaluator (policy/compiler/verdict.h).
//
//   pod web 10.0.1.1 ─ cali0web ┐
//   pod db  10.0.1.2 ─ cali0db  ├─ node (ip_forward, proxy ARP, /32 routes) ─ up0 ─ uplink
//   pod client 10.0.1.3 ─ cali0client ┤
//   pod dev client 10.0.2.1 ─ cali1client ┘
#include "policy/ebpf/ebpf_dataplane.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "integration/fixture.h"
#include "integration/in_netns.h"
#include "integration/netns.h"
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
};

constexpr PodSpec kPods[] = {
    {"web", cases::kWeb, "cali0web", "10.0.1.1"},
    {"db", cases::kDb, "cali0db", "10.0.1.2"},
    {"client", cases::kProdClient, "cali0client", "10.0.1.3"},
    {"devclient", cases::kDevClient, "cali1client", "10.0.2.1"},
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
  NsSocket(const Netns& ns, const char* address, int port) {
    InNetns in(ns);
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
    for (const PodSpec& spec : kPods) {
      pods_.push_back(std::make_unique<Netns>(std::string("ebpf") + spec.name));
      const Netns& pod = *pods_.back();
      links_.push_back(
          std::make_unique<VethPair>(VethEnd{pod, "eth0", {std::string(spec.address) + "/32"}},
                                     VethEnd{*node_, spec.interface, {}}));
      ASSERT_EQ(
          pod.run({"ip", "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link"}).exit_code,
          0);
      ASSERT_EQ(pod.run({"ip", "route", "add", "default", "via", "169.254.1.1"}).exit_code, 0);
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

  std::size_t pod_index(const char* name) const {
    for (std::size_t i = 0; i < std::size(kPods); ++i) {
      if (std::string(kPods[i].name) == name) return i;
    }
    ADD_FAILURE() << "no pod " << name;
    return 0;
  }

  // What the reference evaluator says about a new TCP connection: the client's Egress chain and
  // the server's Ingress chain must both allow it.
  bool reference_allows(const PodSpec& client, const PodSpec& server, int port) const {
    policy::Packet p;
    p.source = *IpAddress::parse(client.address);
    p.destination = *IpAddress::parse(server.address);
    p.protocol = 6;
    p.source_port = 40000;
    p.destination_port = static_cast<std::uint16_t>(port);
    const auto* from = program_.find(policy::testing_util::endpoint_id(client.endpoint));
    const auto* to = program_.find(policy::testing_util::endpoint_id(server.endpoint));
    return policy::evaluate(program_, *from, Direction::Egress, p).allowed &&
           policy::evaluate(program_, *to, Direction::Ingress, p).allowed;
  }

  /// Real TCP from pod `client` to pod `server`; checks that it gets through exactly when the
  /// reference evaluator allows it, and that this is `expected` (the case's intent).
  void expect_tcp(const char* client, const char* server, int port, bool expected) {
    const std::size_t c = pod_index(client), s = pod_index(server);
    const bool reference = reference_allows(kPods[c], kPods[s], port);
    EXPECT_EQ(reference, expected) << client << " -> " << server << ":" << port;
    const std::string failure = tcp_exchange(
        TcpEndpoint{*pods_[c], kPods[c].address}, TcpEndpoint{*pods_[s], kPods[s].address}, port,
        expected ? std::chrono::milliseconds(3000) : std::chrono::milliseconds(1200));
    EXPECT_EQ(failure.empty(), reference) << client << " -> " << server << ":" << port << ": "
                                          << (failure.empty() ? "connected" : failure);
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
  EXPECT_GE(checked, 20);
  EXPECT_LE(refused, 2);  // the two remote named-port cases
}

// ICMP: type/code rules, and the echo reply passing through the connection table.
TEST_F(EbpfDataplaneTest, IcmpEchoAllowedByTypeAndCodeOnly) {
  const auto ping = [&](const char* from, const char* to) {
    return pods_[pod_index(from)]
               ->run({"ping", "-c", "3", "-i", "0.3", "-W", "1", kPods[pod_index(to)].address})
               .exit_code == 0;
  };
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

}  // namespace
}  // namespace pinto::itest
