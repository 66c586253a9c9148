#include "config/settings.h"

#include <gtest/gtest.h>

#include "config/duration.h"

namespace pinto::config {
namespace {

TEST(Settings, TheDesignExampleParses) {
  auto s = parse_settings(R"(
nodeName: node-a
routerId: 10.0.0.1
listen: {address: 0.0.0.0, port: 179}
api: {socket: /run/pinto/pintod.sock}
store: /var/lib/pinto/state.db
fib: {enabled: true, table: 254, protocol: 196}
resources: [/etc/pinto/resources.yaml]
)");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().node_name, "node-a");
  EXPECT_EQ(s.value().router_id, IpAddress::parse("10.0.0.1"));
  EXPECT_EQ(s.value().listen.port, 179);
  EXPECT_EQ(s.value().fib.protocol, 196);
  EXPECT_EQ(s.value().resources, std::vector<std::string>{"/etc/pinto/resources.yaml"});
}

TEST(Settings, DefaultsAndRelativePaths) {
  auto s =
      parse_settings("nodeName: n1\nresources: [res.yaml]\nstore: db/state.db\n", "/etc/pinto");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().resources, std::vector<std::string>{"/etc/pinto/res.yaml"});
  EXPECT_EQ(s.value().store, "/etc/pinto/db/state.db");
  EXPECT_EQ(s.value().bgp.hold_time, std::chrono::seconds(90));
  EXPECT_EQ(s.value().bgp.connect_retry_time, std::chrono::seconds(5));
  EXPECT_TRUE(s.value().bgp.graceful_restart.enabled);
  EXPECT_FALSE(s.value().listen.port_set);
  EXPECT_EQ(s.value().policy.dataplane, PolicyDataplane::Iptables);
  EXPECT_EQ(s.value().bgp.max_paths, 16u);
}

// Felix's FailsafeInboundHostPorts / FailsafeOutboundHostPorts defaults, replaced as a whole when
// given; an empty list opens nothing.
TEST(Settings, FailsafeHostPortsDefaultToFelixsAndAreReplacedWhole) {
  auto d = parse_settings("nodeName: n1\n");
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(d.value().policy.failsafe_inbound, default_failsafe_inbound());
  EXPECT_EQ(d.value().policy.failsafe_outbound, default_failsafe_outbound());
  EXPECT_EQ(d.value().policy.failsafe_inbound.size(), 9u);
  EXPECT_EQ(d.value().policy.failsafe_inbound[0], (FailsafePort{6, 22}));
  EXPECT_EQ(d.value().policy.failsafe_outbound[0], (FailsafePort{17, 53}));
  auto s = parse_settings(
      "nodeName: n1\npolicy:\n  failsafeInboundHostPorts: [{protocol: TCP, port: 179}, "
      "{protocol: udp, port: 68}, {port: 22}]\n  failsafeOutboundHostPorts: []\n");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().policy.failsafe_inbound,
            (std::vector<FailsafePort>{{6, 179}, {17, 68}, {6, 22}}));
  EXPECT_TRUE(s.value().policy.failsafe_outbound.empty());
}

TEST(Settings, ConntrackTimeoutsForTheEbpfDataplane) {
  auto s = parse_settings(
      "nodeName: n1\npolicy: {dataplane: ebpf, conntrackTimeouts: {tcpEstablished: 2h, "
      "tcpFinsSeen: 10s, udp: 500ms}}\n");
  ASSERT_TRUE(s) << s.error().to_string();
  const auto& t = s.value().policy.conntrack_timeouts;
  EXPECT_EQ(t.tcp_established, std::chrono::hours(2));
  EXPECT_EQ(t.tcp_fins_seen, std::chrono::seconds(10));
  EXPECT_EQ(t.udp, std::chrono::milliseconds(500));
  EXPECT_FALSE(t.tcp_syn_sent.has_value());  // unset: the data plane's default
  EXPECT_FALSE(t.generic.has_value());
}

TEST(Settings, PolicyDataplaneAndMaxPaths) {
  auto s = parse_settings("nodeName: n1\npolicy: {dataplane: ebpf}\nbgp: {maxPaths: 1}\n");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().policy.dataplane, PolicyDataplane::Ebpf);
  EXPECT_EQ(s.value().bgp.max_paths, 1u);
  EXPECT_TRUE(s.value().bgp.add_paths);  // ADD-PATH on by default
  auto off = parse_settings("nodeName: n1\nbgp: {addPaths: false}\n");
  ASSERT_TRUE(off) << off.error().to_string();
  EXPECT_FALSE(off.value().bgp.add_paths);
}

TEST(Settings, ApiStoreAndSecrets) {
  // Unset: the default socket (another pintod may hold it) and a store of this node's own.
  auto defaults = parse_settings("nodeName: n1\n");
  ASSERT_TRUE(defaults) << defaults.error().to_string();
  EXPECT_EQ(defaults.value().api.socket, "/run/pinto/pintod.sock");
  EXPECT_FALSE(defaults.value().api.socket_set);
  EXPECT_EQ(defaults.value().store, "/var/lib/pinto/n1/state.db");
  EXPECT_TRUE(defaults.value().store_is_default);
  EXPECT_TRUE(defaults.value().secrets.empty());

  auto s = parse_settings(R"(
nodeName: n1
api: {socket: api.sock, tcp: "127.0.0.1:50051", tls: {certFile: c.pem, keyFile: k.pem}}
store: ""
secrets: secrets
)",
                          "/etc/pinto");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().api.socket, "/etc/pinto/api.sock");
  EXPECT_TRUE(s.value().api.socket_set);
  EXPECT_EQ(s.value().api.tcp, "127.0.0.1:50051");
  ASSERT_TRUE(s.value().api.tls);
  EXPECT_EQ(s.value().api.tls->cert_file, "/etc/pinto/c.pem");
  EXPECT_EQ(s.value().store, "");  // memory only
  EXPECT_EQ(s.value().secrets, "/etc/pinto/secrets");

  // TCP only with TLS, and TLS needs both files.
  auto plain = parse_settings("nodeName: n1\napi: {tcp: \"0.0.0.0:50051\"}\n");
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().field, "api.tcp");
  auto half = parse_settings("nodeName: n1\napi: {tcp: \"0.0.0.0:1\", tls: {certFile: c}}\n");
  ASSERT_FALSE(half);
  EXPECT_EQ(half.error().field, "api.tls.certFile");
}

TEST(Settings, OriginateAndBgpTimers) {
  auto s = parse_settings(R"(
nodeName: n1
originate: [10.244.1.0/26, "fd00:244:1::/64"]
logLevel: debug
bgp: {holdTime: 9s, connectRetryTime: 2s, gracefulRestart: {enabled: false, restartTime: 30s}}
)");
  ASSERT_TRUE(s) << s.error().to_string();
  EXPECT_EQ(s.value().originate.size(), 2u);
  EXPECT_EQ(s.value().log_level, LogLevel::Debug);
  EXPECT_EQ(s.value().bgp.hold_time, std::chrono::seconds(9));
  EXPECT_FALSE(s.value().bgp.graceful_restart.enabled);
  EXPECT_EQ(s.value().bgp.graceful_restart.restart_time, std::chrono::seconds(30));
  EXPECT_EQ(s.value().bgp.max_prefixes.limit, 0u);  // no limit unless set
}

TEST(Settings, MaxPrefixes) {
  auto warn = parse_settings("nodeName: n1\nbgp: {maxPrefixes: {limit: 5000}}\n");
  ASSERT_TRUE(warn) << warn.error().to_string();
  EXPECT_EQ(warn.value().bgp.max_prefixes.limit, 5000u);
  EXPECT_FALSE(warn.value().bgp.max_prefixes.restart);
  auto restart = parse_settings("nodeName: n1\nbgp: {maxPrefixes: {limit: 2, action: Restart}}\n");
  ASSERT_TRUE(restart) << restart.error().to_string();
  EXPECT_TRUE(restart.value().bgp.max_prefixes.restart);
}

struct BadSettings {
  const char* yaml;
  const char* field;
};

class SettingsErrors : public testing::TestWithParam<BadSettings> {};

TEST_P(SettingsErrors, NameTheField) {
  auto s = parse_settings(GetParam().yaml);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().field, GetParam().field) << s.error().to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Fields, SettingsErrors,
    testing::Values(
        BadSettings{"routerId: 1.2.3.4\n", "nodeName"},
        BadSettings{"nodeName: a\nrouterID: 1.2.3.4\n", "routerID"},
        BadSettings{"nodeName: a\nrouterId: 1.2.3\n", "routerId"},
        BadSettings{"nodeName: a\nrouterId: fd00::1\n", "routerId"},
        BadSettings{"nodeName: a\nlisten: {port: 70000}\n", "listen.port"},
        BadSettings{"nodeName: a\nlisten: {adress: 1.2.3.4}\n", "listen.adress"},
        BadSettings{"nodeName: a\nfib: {enabled: maybe}\n", "fib.enabled"},
        BadSettings{"nodeName: a\noriginate: [10.0.0.1/24]\n", "originate[0]"},
        BadSettings{"nodeName: a\nresources: /x.yaml\n", "resources"},
        BadSettings{"nodeName: a\npolicy: {dataplane: nftables}\n", "policy.dataplane"},
        BadSettings{
            "nodeName: a\npolicy: {failsafeInboundHostPorts: [{protocol: SCTP, port: 1}]}\n",
            "policy.failsafeInboundHostPorts[0].protocol"},
        BadSettings{"nodeName: a\npolicy: {failsafeOutboundHostPorts: [{protocol: TCP}]}\n",
                    "policy.failsafeOutboundHostPorts[0].port"},
        BadSettings{"nodeName: a\npolicy: {failsafeInboundHostPorts: [{port: 70000}]}\n",
                    "policy.failsafeInboundHostPorts[0].port"},
        BadSettings{"nodeName: a\npolicy: {failsafeInboundHostPorts: tcp:22}\n",
                    "policy.failsafeInboundHostPorts"},
        BadSettings{"nodeName: a\npolicy: {conntrackTimeouts: {udp: 0s}}\n",
                    "policy.conntrackTimeouts.udp"},
        BadSettings{"nodeName: a\npolicy: {conntrackTimeouts: {tcp: 5s}}\n",
                    "policy.conntrackTimeouts.tcp"},
        BadSettings{"nodeName: a\nbgp: {maxPaths: 0}\n", "bgp.maxPaths"},
        BadSettings{"nodeName: a\nbgp: {maxPaths: 300}\n", "bgp.maxPaths"},
        BadSettings{"nodeName: a\nbgp: {addPaths: sometimes}\n", "bgp.addPaths"},
        BadSettings{"nodeName: a\nbgp: {holdTime: 2s}\n", "bgp.holdTime"},
        BadSettings{"nodeName: a\nbgp: {gracefulRestart: {restartTime: 5000s}}\n",
                    "bgp.gracefulRestart.restartTime"},
        BadSettings{"nodeName: a\nbgp: {maxPrefixes: {action: Drop}}\n", "bgp.maxPrefixes.action"},
        BadSettings{"nodeName: a\nbgp: {maxPrefixes: {limit: -1}}\n", "bgp.maxPrefixes.limit"},
        BadSettings{"nodeName: a\nbgp: {maxPrefixes: {max: 1}}\n", "bgp.maxPrefixes.max"},
        BadSettings{"nodeName: a\nlogLevel: loud\n", "logLevel"},
        BadSettings{"- just\n- a list\n", ""}, BadSettings{"nodeName: [unclosed\n", ""}));

TEST(Duration, GoSyntax) {
  using std::chrono::milliseconds;
  EXPECT_EQ(parse_duration("90s"), milliseconds(90000));
  EXPECT_EQ(parse_duration("2m30s"), milliseconds(150000));
  EXPECT_EQ(parse_duration("1.5h"), milliseconds(5400000));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("90"));
  EXPECT_FALSE(parse_duration("5 s"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("5d"));
}

}  // namespace
}  // namespace pinto::config
