// Kubernetes NetworkPolicy conformance-style table through pintod, on both data planes: pods in
// three Kubernetes namespaces (v1 Namespace resources with labels, WorkloadEndpoints with
// labels), networking.k8s.io/v1 NetworkPolicy manifests as a Kubernetes user writes them, applied
// and deleted with `pintoctl apply -f` / `pintoctl delete -f`, and real TCP and UDP between the
// pods. Each step waits until `pintoctl policy` shows its revision in force (the policy thread
// applies after pintoctl returns), then checks every listed connection once.
//
//   namespace prod (team: a)   web     10.244.1.10  app=web     port http TCP 8080
//                              db      10.244.1.11  app=db
//                              client  10.244.1.12  app=client
//   namespace dev  (team: b)   client  10.244.1.20  app=client
//                              tool    10.244.1.21  app=tool
//   namespace ops  (team: c)   monitor 10.244.1.30  app=monitor
//
// IPv4 only (the eBPF back-end is IPv4-only today).
#include <memory>
#include <string>
#include <vector>

#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/packet_probe.h"
#include "integration/pintod_node.h"
#include "integration/pod_topology.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {
namespace {

constexpr const char* kNamespaces = R"(apiVersion: v1
kind: Namespace
metadata:
  name: prod
  labels: {team: a}
---
apiVersion: v1
kind: Namespace
metadata:
  name: dev
  labels: {team: b}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ops
  labels: {team: c}
)";

// The manifests, one per classic case.
constexpr const char* kDenyAllIngress = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: prod
spec:
  podSelector: {}
  policyTypes:
  - Ingress
)";

constexpr const char* kAllowSameNamespace = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-same-namespace
  namespace: prod
spec:
  podSelector: {}
  ingress:
  - from:
    - podSelector: {}
)";

constexpr const char* kAllowFromTeamB = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-team-b
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: db
  policyTypes:
  - Ingress
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          team: b
)";

constexpr const char* kAllowClientsOfTeamB = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-team-b-clients
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          team: b
      podSelector:
        matchLabels:
          app: client
)";

constexpr const char* kAllowIpBlock = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-ip-block
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
  - from:
    - ipBlock:
        cidr: 10.244.1.16/28
        except:
        - 10.244.1.21/32
)";

constexpr const char* kDenyAllEgress = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: prod
spec:
  podSelector: {}
  policyTypes:
  - Egress
)";

constexpr const char* kWebEgressToCidr = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-egress-to-dev-block
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Egress
  egress:
  - to:
    - ipBlock:
        cidr: 10.244.1.16/28
        except:
        - 10.244.1.21/32
)";

constexpr const char* kPorts = R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-ports
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: db
  ingress:
  - ports:
    - protocol: TCP
      port: 5432
    - protocol: TCP
      port: 32000
      endPort: 32010
    - protocol: UDP
      port: 53
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-named-port
  namespace: prod
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
  - from:
    - namespaceSelector: {}
    ports:
    - port: http
)";

enum class Proto { Tcp, Udp };

struct Check {
  const Pod& from;
  const Pod& to;
  Proto proto;
  int port;
  bool allowed;
};

class PintodK8sPolicy : public IntegrationTest, public testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped()) return;
    node_ = std::make_unique<Netns>("node-a");
    node_->sysctl("net.ipv4.ip_forward", "1");
    auto pod = [&](const char* ns, const char* name, const char* app, const char* cali,
                   const char* address, std::string ports = "") {
      return std::make_unique<Pod>(
          *node_, PodSpec{name, ns, {{"app", app}}, cali, address, std::move(ports)});
    };
    web_ = pod("prod", "web", "web", "cali0prodweb", "10.244.1.10",
               "[{name: http, protocol: TCP, port: 8080}]");
    db_ = pod("prod", "db", "db", "cali0proddb", "10.244.1.11");
    prod_client_ = pod("prod", "client", "client", "cali0prodcli", "10.244.1.12");
    dev_client_ = pod("dev", "client", "client", "cali0devcli", "10.244.1.20");
    dev_tool_ = pod("dev", "tool", "tool", "cali0devtool", "10.244.1.21");
    monitor_ = pod("ops", "monitor", "monitor", "cali0opsmon", "10.244.1.30");
    std::string resources = kNamespaces;
    for (const Pod* p : pods()) resources += "---\n" + p->workload_endpoint("node-a");
    pintod_ = std::make_unique<PintodNode>(*node_, policy_node_config(GetParam(), resources));
    pintod_->start();
  }
  std::vector<const Pod*> pods() const {
    return {web_.get(),        db_.get(),       prod_client_.get(),
            dev_client_.get(), dev_tool_.get(), monitor_.get()};
  }

  /// Every check whose outcome differs from the expectation, one line each; empty when all hold.
  /// An expected denial waits 1 s; an expected success up to 3 s (a loaded machine), which costs
  /// nothing when it succeeds.
  static std::string mismatches(const std::vector<Check>& checks) {
    std::string out;
    for (const auto& c : checks) {
      const auto timeout = c.allowed ? 3s : 1s;
      const std::string failure =
          c.proto == Proto::Tcp ? tcp_exchange(c.from.endpoint(), c.to.endpoint(), c.port, timeout)
                                : udp_exchange(c.from.endpoint(), c.to.endpoint(), c.port, timeout);
      if (failure.empty() == c.allowed) continue;
      out += std::string(c.proto == Proto::Tcp ? "tcp " : "udp ") + c.from.label() + " -> " +
             c.to.label() + ":" + std::to_string(c.port) + ": expected " +
             (c.allowed ? "allowed, " + failure : "denied, was allowed") + "\n";
    }
    return out;
  }

  /// `pintoctl apply -f` (or `delete -f`) with `manifest`, then waits until its revision is in
  /// force. Empty on success.
  std::string change(const std::string& manifest, bool remove = false) {
    const RunResult r = remove ? pintod_->delete_manifest(manifest) : pintod_->apply(manifest);
    if (r.exit_code != 0) return "pintoctl failed: " + r.output;
    const std::int64_t revision = revision_in(r.output);
    if (revision == 0) return "no revision in: " + r.output;
    return wait_policy_applied(*pintod_, revision);
  }
  std::string apply(const std::string& manifest) { return change(manifest); }
  std::string remove(const std::string& manifest) { return change(manifest, true); }

  /// Default allow between every pair the table uses: after start and after each deletion.
  std::string open_everywhere() {
    return mismatches({{*dev_client_, *db_, Proto::Tcp, 5432, true},
                       {*prod_client_, *db_, Proto::Tcp, 5432, true},
                       {*web_, *dev_client_, Proto::Tcp, 443, true},
                       {*monitor_, *web_, Proto::Tcp, 8080, true},
                       {*dev_tool_, *db_, Proto::Udp, 53, true}});
  }

  std::string state() {
    return "\n" + pintod_->pintoctl({"policy"}).output + pintod_->diagnostics();
  }

  // Destroyed in reverse: pintod first, then the pods' links and namespaces, the node last.
  std::unique_ptr<Netns> node_;
  std::unique_ptr<Pod> web_, db_, prod_client_, dev_client_, dev_tool_, monitor_;
  std::unique_ptr<PintodNode> pintod_;
};

TEST_P(PintodK8sPolicy, ClassicNetworkPoliciesDecideRealTraffic) {
  const Pod &web = *web_, &db = *db_, &prod_client = *prod_client_, &dev_client = *dev_client_,
            &dev_tool = *dev_tool_, &monitor = *monitor_;
  // No policy: every pod reaches every other (the network itself works; a denied check later
  // cannot come from a broken route).
  std::string failure;
  ASSERT_TRUE(wait_until(
      [&] {
        failure = open_everywhere();
        return failure.empty();
      },
      20s))
      << failure << state();

  // The table: each step applies a manifest, checks, and may delete manifests after its checks
  // (then every pair must be open again, plus the step's own after-deletion checks).
  struct Step {
    const char* name;
    const char* manifest;
    std::vector<Check> checks;
    std::vector<const char*> delete_after;
    std::vector<Check> after_delete;
  };
  const std::vector<Step> steps = {
      // Nothing reaches prod pods; prod pods still reach out (replies pass); dev is untouched.
      {"deny-all ingress",
       kDenyAllIngress,
       {{prod_client, db, Proto::Tcp, 5432, false},
        {dev_client, web, Proto::Tcp, 8080, false},
        {dev_tool, db, Proto::Udp, 53, false},
        {db, dev_client, Proto::Tcp, 80, true},
        {dev_tool, dev_client, Proto::Tcp, 80, true}},
       {kDenyAllIngress},
       {}},
      {"allow from the same namespace",
       kAllowSameNamespace,
       {{prod_client, db, Proto::Tcp, 5432, true},
        {web, db, Proto::Udp, 53, true},
        {dev_client, db, Proto::Tcp, 5432, false},
        {monitor, web, Proto::Tcp, 8080, false}},
       {kAllowSameNamespace},
       {}},
      // db from every pod of namespaces labelled team: b; web is not selected.
      {"allow from a namespace by label",
       kAllowFromTeamB,
       {{dev_client, db, Proto::Tcp, 5432, true},
        {dev_tool, db, Proto::Tcp, 5432, true},
        {prod_client, db, Proto::Tcp, 5432, false},
        {monitor, db, Proto::Tcp, 5432, false},
        {monitor, web, Proto::Tcp, 8080, true}},
       {kAllowFromTeamB},
       {}},
      // namespaceSelector and podSelector in one peer: both must hold.
      {"allow pods by label in namespaces by label",
       kAllowClientsOfTeamB,
       {{dev_client, db, Proto::Tcp, 5432, true},
        {dev_tool, db, Proto::Tcp, 5432, false},
        {prod_client, db, Proto::Tcp, 5432, false}},
       {kAllowClientsOfTeamB},
       {}},
      // 10.244.1.16/28 holds dev's pods and ops' monitor; dev's tool is the exception.
      {"ipBlock with except",
       kAllowIpBlock,
       {{dev_client, db, Proto::Tcp, 5432, true},
        {monitor, db, Proto::Udp, 53, true},
        {dev_tool, db, Proto::Tcp, 5432, false},
        {prod_client, db, Proto::Tcp, 5432, false}},
       {kAllowIpBlock},
       {}},
      {"egress deny-all",
       kDenyAllEgress,
       {{web, dev_client, Proto::Tcp, 443, false},
        {web, dev_client, Proto::Udp, 53, false},
        {prod_client, db, Proto::Tcp, 5432, false},
        {dev_client, web, Proto::Tcp, 8080, true}},  // replies leave through the deny
       {},
       {}},
      // On top of the deny-all: web may reach the CIDR, except dev's tool.
      {"egress to a CIDR",
       kWebEgressToCidr,
       {{web, dev_client, Proto::Tcp, 443, true},
        {web, dev_client, Proto::Udp, 53, true},
        {web, monitor, Proto::Tcp, 9090, true},
        {web, dev_tool, Proto::Tcp, 443, false},
        {web, db, Proto::Tcp, 5432, false},
        {prod_client, dev_client, Proto::Tcp, 443, false}},
       {kWebEgressToCidr, kDenyAllEgress},
       {}},
      // A number, an endPort range and UDP on db; a named port on web.
      {"ports",
       kPorts,
       {{dev_client, db, Proto::Tcp, 5432, true},
        {dev_client, db, Proto::Tcp, 5433, false},
        {dev_client, db, Proto::Tcp, 32000, true},
        {dev_client, db, Proto::Tcp, 32010, true},
        {dev_client, db, Proto::Tcp, 32011, false},
        {dev_client, db, Proto::Udp, 53, true},
        {dev_client, db, Proto::Udp, 54, false},
        {dev_client, db, Proto::Tcp, 53, false},
        {monitor, web, Proto::Tcp, 8080, true},
        {monitor, web, Proto::Tcp, 8081, false}},
       {kPorts},
       {{dev_client, db, Proto::Tcp, 5433, true},
        {dev_client, db, Proto::Udp, 54, true},
        {monitor, web, Proto::Tcp, 8081, true}}},
  };
  for (const Step& step : steps) {
    ASSERT_EQ(apply(step.manifest), "") << step.name << state();
    EXPECT_EQ(mismatches(step.checks), "") << step.name << state();
    if (step.delete_after.empty()) continue;
    for (const char* manifest : step.delete_after)
      ASSERT_EQ(remove(manifest), "") << step.name << state();
    // Deleting the policies restores connectivity.
    EXPECT_EQ(open_everywhere() + mismatches(step.after_delete), "")
        << step.name << " deleted" << state();
  }
}

INSTANTIATE_TEST_SUITE_P(Dataplanes, PintodK8sPolicy, testing::Values("iptables", "ebpf"),
                         [](const testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace pinto::itest
