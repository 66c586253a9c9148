// pintod driven only through its API: pintoctl apply/get/delete/node status/routes/explain
// against real pintods in namespaces, with a store that survives `kill -9`.
//
// The three-node tests join three node namespaces to a fourth holding a Linux bridge (the
// "switch"), so every node reaches every other one on one subnet, as a rack does.
#include <grpcpp/create_channel.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/bird_peer.h"
#include "integration/fixture.h"
#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/temp_dir.h"
#include "pinto/v1/pinto.grpc.pb.h"

namespace pinto::itest {
namespace {

constexpr auto kTimeout = 30s;

std::string node_yaml(const std::string& name, const std::string& ipv4,
                      const std::string& extra_bgp = "") {
  return "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: " + name +
         "\nspec:\n  bgp:\n    ipv4Address: " + ipv4 + "\n" + extra_bgp;
}

std::string block_yaml(const std::string& node, const std::string& cidr) {
  std::string name = node + "-" + cidr;
  std::replace(name.begin(), name.end(), '.', '-');
  std::replace(name.begin(), name.end(), '/', '-');
  return "apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata:\n  name: " + name +
         "\nspec:\n  node: " + node + "\n  cidr: " + cidr + "\n  state: confirmed\n";
}

std::string kernel_routes(const Netns& ns) {
  return ns.run({"ip", "-N", "-4", "route", "show", "table", "254"}).output;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

bool has_route(const Netns& ns, const std::string& text) {
  return kernel_routes(ns).find(text) != std::string::npos;
}

// Three nodes on one bridge, each pintod empty until pintoctl feeds it.
struct Rack {
  Netns sw{"sw"};
  std::vector<std::unique_ptr<Netns>> ns;
  std::vector<std::unique_ptr<VethPair>> links;
  std::vector<std::unique_ptr<PintodNode>> nodes;
  static constexpr std::array<const char*, 3> kNames = {"node-a", "node-b", "node-c"};

  Rack() {
    sw.run({"ip", "link", "add", "br0", "type", "bridge"});
    sw.run({"ip", "link", "set", "br0", "up"});
    for (int i = 0; i < 3; ++i) {
      ns.push_back(std::make_unique<Netns>(kNames[i]));
      const std::string port = "p" + std::to_string(i);
      links.push_back(std::make_unique<VethPair>(VethEnd{*ns.back(), "eth0", {address(i) + "/24"}},
                                                 VethEnd{sw, port, {}}));
      sw.run({"ip", "link", "set", port, "master", "br0"});
      PintodConfig c;
      c.node_name = kNames[i];
      c.api_only = true;
      nodes.push_back(std::make_unique<PintodNode>(*ns.back(), c));
    }
  }
  static std::string address(int i) { return "10.84.0." + std::to_string(i + 1); }
  static std::string block(int i) { return "10.244." + std::to_string(i + 1) + ".0/26"; }

  std::string cluster_manifest(bool mesh) const {
    std::string m =
        "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata:\n"
        "  name: default\nspec:\n  nodeToNodeMeshEnabled: " +
        std::string(mesh ? "true" : "false") + "\n  asNumber: 64512\n";
    for (int i = 0; i < 3; ++i) {
      m += "---\n" + node_yaml(kNames[i], address(i) + "/24") + "---\n" +
           block_yaml(kNames[i], block(i));
    }
    // Two pools: node-a's block in one, the others in the second.
    m += "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pool-a\n"
         "spec:\n  cidr: 10.244.1.0/24\n  blockSize: 26\n  ipipMode: Never\n"
         "  vxlanMode: Never\n  natOutgoing: true\n"
         "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata:\n  name: pool-rest\n"
         "spec:\n  cidr: 10.244.2.0/23\n  blockSize: 26\n  nodeSelector: all()\n";
    return m;
  }

  std::string state() {
    std::string s;
    for (int i = 0; i < 3; ++i) {
      s += std::string("\n--- ") + kNames[i] + " kernel\n" + kernel_routes(*ns[i]) +
           nodes[i]->pintoctl({"node", "status"}).output + nodes[i]->diagnostics();
    }
    return s;
  }

  // Every node's kernel holds both other blocks via their nodes.
  bool converged() {
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        if (i != j && !has_route(*ns[i], block(j) + " via " + address(j) + " dev eth0 proto 196"))
          return false;
      }
    }
    return true;
  }
};

class PintodApi : public IntegrationTest {};

TEST_F(PintodApi, ThreeNodesFedOnlyThroughPintoctlFormAMeshAndSurviveKill9) {
  Rack rack;
  for (auto& n : rack.nodes) n->start();
  // Before any resource, a node says it waits for its Node.
  const auto empty = rack.nodes[0]->pintoctl({"node", "status"});
  ASSERT_TRUE(empty.ok()) << empty.output;
  EXPECT_NE(empty.output.find("no Node resource yet"), std::string::npos) << empty.output;

  const std::string manifest = rack.cluster_manifest(true);
  // A dry run shows the sessions and prefixes and changes nothing.
  const auto plan = rack.nodes[0]->apply(manifest, {"--dry-run"});
  ASSERT_TRUE(plan.ok()) << plan.output;
  EXPECT_NE(plan.output.find("open-session"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("mesh/node-b 10.84.0.2"), std::string::npos) << plan.output;
  EXPECT_NE(plan.output.find("advertise        10.244.1.0/26"), std::string::npos) << plan.output;
  EXPECT_EQ(rack.nodes[0]->pintoctl({"get", "nodes", "-o", "yaml"}).output.find("node-b"),
            std::string::npos);

  for (auto& n : rack.nodes) {
    const auto applied = n->apply(manifest);
    ASSERT_TRUE(applied.ok()) << applied.output;
    EXPECT_NE(applied.output.find("Node/node-c created"), std::string::npos) << applied.output;
  }
  ASSERT_TRUE(wait_until([&] { return rack.converged(); }, kTimeout)) << rack.state();
  const auto status = rack.nodes[0]->pintoctl({"node", "status"});
  for (const char* peer : {"10.84.0.2", "10.84.0.3"}) {
    const auto line_at = status.output.find(peer);
    ASSERT_NE(line_at, std::string::npos) << status.output;
    const auto line = status.output.substr(line_at, status.output.find('\n', line_at) - line_at);
    EXPECT_NE(line.find("Established"), std::string::npos) << line;
    EXPECT_NE(line.find("node-to-node mesh"), std::string::npos) << line;
  }
  const auto routes = rack.nodes[0]->pintoctl({"routes", "10.244.2.0/24"});
  EXPECT_NE(routes.output.find("10.244.2.0/26   10.84.0.2"), std::string::npos) << routes.output;
  const auto explain = rack.nodes[0]->pintoctl({"explain", "10.244.3.7"});
  EXPECT_NE(explain.output.find("affine to node node-c"), std::string::npos) << explain.output;
  EXPECT_NE(explain.output.find("received from 10.84.0.3"), std::string::npos) << explain.output;
  EXPECT_NE(explain.output.find("is in this node's kernel routes"), std::string::npos)
      << explain.output;

  // kill -9 node-b: its state is in its store, so it comes back with every resource and peers
  // again without anyone re-applying anything.
  rack.nodes[1]->kill();
  rack.nodes[1]->start();
  const auto nodes = rack.nodes[1]->pintoctl({"get", "nodes"});
  for (const char* name : Rack::kNames) {
    EXPECT_NE(nodes.output.find(name), std::string::npos) << nodes.output;
  }
  EXPECT_TRUE(wait_until(
      [&] {
        return occurrences(rack.nodes[1]->pintoctl({"node", "status"}).output, "Established") == 2;
      },
      kTimeout))
      << rack.state();
  EXPECT_TRUE(wait_until([&] { return rack.converged(); }, kTimeout)) << rack.state();

  // Calico's route-reflector topology: the mesh off, node-c labelled and given a cluster ID, one
  // BGPPeer `nodeSelector: all(), peerSelector: route-reflector == 'true'`. node-a and node-b
  // drop their session and learn each other's blocks through node-c.
  std::string reflected = rack.cluster_manifest(false);
  reflected.replace(reflected.find("  name: node-c\n"), 15,
                    "  name: node-c\n  labels:\n    route-reflector: \"true\"\n");
  reflected +=
      "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n"
      "  name: peer-with-route-reflectors\nspec:\n  nodeSelector: all()\n"
      "  peerSelector: route-reflector == 'true'\n";
  reflected.replace(reflected.find("ipv4Address: 10.84.0.3/24\n"), 26,
                    "ipv4Address: 10.84.0.3/24\n    routeReflectorClusterID: 224.0.0.1\n");
  for (auto& n : rack.nodes) {
    const auto applied = n->apply(reflected);
    ASSERT_TRUE(applied.ok()) << applied.output;
  }
  auto one_session_to_c = [&](int i) {
    const auto s = rack.nodes[i]->pintoctl({"node", "status"}).output;
    // One peer row (rows start with the peer address), node-c's, and it is up.
    return occurrences(s, "\n10.84.0.") == 1 && occurrences(s, "\n10.84.0.3 ") == 1 &&
           occurrences(s, "Established") == 1;
  };
  EXPECT_TRUE(wait_until([&] { return one_session_to_c(0) && one_session_to_c(1); }, kTimeout))
      << rack.state();
  EXPECT_TRUE(wait_until([&] { return rack.converged(); }, kTimeout)) << rack.state();
  EXPECT_EQ(occurrences(rack.nodes[2]->pintoctl({"node", "status"}).output, "Established"), 2u)
      << rack.state();

  // Deleting a block through the API withdraws it everywhere.
  const auto deleted = rack.nodes[2]->pintoctl({"delete", "blockaffinity", "node-c-10-244-3-0-26"});
  ASSERT_TRUE(deleted.ok()) << deleted.output;
  EXPECT_NE(deleted.output.find("withdraw"), std::string::npos) << deleted.output;
  EXPECT_TRUE(wait_until([&] { return !has_route(*rack.ns[0], "10.244.3.0/26"); }, kTimeout))
      << rack.state();
  // Deleting a pool withdraws its blocks: node-a stops advertising 10.244.1.0/26 (it keeps its
  // blackhole, as the block is still its own).
  const auto pool_gone = rack.nodes[0]->pintoctl({"delete", "ippool", "pool-a"});
  ASSERT_TRUE(pool_gone.ok()) << pool_gone.output;
  EXPECT_NE(pool_gone.output.find("withdraw"), std::string::npos) << pool_gone.output;
  EXPECT_TRUE(wait_until([&] { return !has_route(*rack.ns[1], "10.244.1.0/26"); }, kTimeout))
      << rack.state();
  EXPECT_TRUE(has_route(*rack.ns[0], "6 10.244.1.0/26 proto 196")) << rack.state();
}

class PintodApiSingle : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    if (IsSkipped()) return;
    ns_ = std::make_unique<Netns>("api");
    PintodConfig c;
    c.node_name = "node-a";
    c.api_only = true;
    node_ = std::make_unique<PintodNode>(*ns_, c);
    node_->start();
  }
  std::unique_ptr<Netns> ns_;
  std::unique_ptr<PintodNode> node_;
};

TEST_F(PintodApiSingle, ConcurrentWritersLoseNoUpdate) {
  constexpr int kWriters = 4;
  constexpr int kPerWriter = 15;
  std::vector<std::thread> writers;
  std::vector<std::string> failures(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        const auto r = node_->apply(block_yaml(
            "node-" + std::to_string(w), "10.250." + std::to_string(w * kPerWriter + i) + ".0/26"));
        if (!r.ok()) failures[w] += r.output;
      }
    });
  }
  for (auto& t : writers) t.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");
  const auto listed = node_->pintoctl({"get", "blockaffinities"});
  ASSERT_TRUE(listed.ok()) << listed.output;
  EXPECT_EQ(std::count(listed.output.begin(), listed.output.end(), '\n'), kWriters * kPerWriter + 1)
      << listed.output;
}

TEST_F(PintodApiSingle, ResourceVersionsRefuseStaleUpdates) {
  ASSERT_TRUE(node_->apply(node_yaml("node-b", "10.0.0.2/24")).ok());
  const auto got = node_->pintoctl({"get", "node", "node-b", "-o", "yaml"});
  ASSERT_TRUE(got.ok()) << got.output;
  const auto at = got.output.find("resourceVersion: ");
  ASSERT_NE(at, std::string::npos) << got.output;
  // Someone else changes it; our copy (with the old resourceVersion) is refused.
  ASSERT_TRUE(node_->apply(node_yaml("node-b", "10.0.0.3/24")).ok());
  std::string stale = got.output;
  stale.replace(stale.find("10.0.0.2/24"), 11, "10.0.0.9/24");
  const auto refused = node_->apply(stale);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("resourceVersion"), std::string::npos) << refused.output;
  EXPECT_NE(node_->pintoctl({"get", "node", "node-b", "-o", "json"}).output.find("10.0.0.3/24"),
            std::string::npos);
  // What get prints applies back unchanged.
  const auto current = node_->pintoctl({"get", "node", "node-b", "-o", "yaml"});
  const auto again = node_->apply(current.output);
  EXPECT_TRUE(again.ok()) << again.output;
  EXPECT_NE(again.output.find("Node/node-b unchanged"), std::string::npos) << again.output;
}

TEST_F(PintodApiSingle, BadManifestIsRefusedWholeWithTheFieldNamed) {
  const std::string manifest =
      node_yaml("node-b", "10.0.0.2/24") +
      "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\n"
      "metadata: {name: tor}\nspec: {peerIP: 10.0.0.300, asNumber: 65000}\n";
  const auto refused = node_->apply(manifest);
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("document 2 (BGPPeer tor): spec.peerIP"), std::string::npos)
      << refused.output;
  // Nothing of it was applied: the valid first document is not there either.
  const auto get = node_->pintoctl({"get", "node", "node-b"});
  EXPECT_EQ(get.exit_code, 1) << get.output;
  EXPECT_NE(get.output.find("not found"), std::string::npos) << get.output;
  // Unknown kinds on the command line are usage errors; an unreachable pintod is exit code 3.
  EXPECT_EQ(node_->pintoctl({"get", "bgppeerz"}).exit_code, 2);
  EXPECT_EQ(run({pintoctl_path().string(), "--socket", "/nonexistent/pintod.sock", "get", "nodes"})
                .exit_code,
            3);
}

// BGPPeer passwords from a Kubernetes-style secret volume (<dir>/<name>/<key>): a missing secret
// is an error on that peer only, and the file appearing (or changing) is picked up without any
// API call.
TEST_F(PintodApi, PeerPasswordComesFromTheSecretsDirectory) {
  Netns ns_a("node-a");
  Netns ns_b("node-b");
  VethPair link({ns_a, "eth0", {"10.85.0.1/24"}}, {ns_b, "eth0", {"10.85.0.2/24"}});
  TempDir secrets("pit-secrets");
  PintodConfig ca;
  ca.node_name = "node-a";
  ca.api_only = true;
  ca.secrets_dir = secrets.path().string();
  PintodConfig cb = ca;
  cb.node_name = "node-b";
  cb.secrets_dir.clear();
  PintodNode a(ns_a, ca);
  PintodNode b(ns_b, cb);
  a.start();
  b.start();
  const std::string common =
      "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\n"
      "spec: {nodeToNodeMeshEnabled: false}\n---\n" +
      node_yaml("node-a", "10.85.0.1/24") + "---\n" + node_yaml("node-b", "10.85.0.2/24");
  auto peer = [](const std::string& name, const std::string& ip) {
    return "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: " + name +
           "}\nspec:\n  peerIP: " + ip +
           "\n  asNumber: 64512\n  password: {secretKeyRef: {name: bgp-secrets, key: rack1}}\n";
  };
  // node-b has the password as a Secret resource; node-a has it nowhere yet.
  ASSERT_TRUE(b.apply(common + peer("to-a", "10.85.0.1") +
                      "---\napiVersion: v1\nkind: Secret\nmetadata: {name: bgp-secrets}\n"
                      "stringData: {rack1: s3cret-one}\n")
                  .ok());
  ASSERT_TRUE(a.apply(common + peer("to-b", "10.85.0.2")).ok());
  const auto missing = a.pintoctl({"node", "status"});
  EXPECT_NE(missing.output.find("no Secret named 'bgp-secrets'"), std::string::npos)
      << missing.output;

  std::filesystem::create_directories(secrets.path() / "bgp-secrets");
  std::ofstream(secrets.path() / "bgp-secrets" / "rack1") << "s3cret-one\n";
  EXPECT_TRUE(wait_until(
      [&] {
        return a.pintoctl({"node", "status"}).output.find("Established") != std::string::npos;
      },
      kTimeout))
      << a.pintoctl({"node", "status"}).output << a.diagnostics() << b.diagnostics();
}

// Watch from a revision over gRPC, as orchestration tooling uses it: every change in order,
// deletes included, history first and then live ones.
TEST_F(PintodApiSingle, WatchStreamsEveryChangeInOrder) {
  ASSERT_TRUE(node_->apply(node_yaml("node-b", "10.0.0.2/24")).ok());
  auto channel = grpc::CreateChannel("unix:" + node_->api_socket().string(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::Resources::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::WatchRequest request;
  request.set_after_revision(0);
  request.add_kinds("Node");
  auto stream = stub->Watch(&context, request);
  std::vector<v1::WatchEvent> events;
  std::thread reader([&] {
    v1::WatchEvent e;
    while (events.size() < 3 && stream->Read(&e)) events.push_back(e);
    context.TryCancel();
  });
  // Live changes after the stream started (EXPECT, not ASSERT: the reader must be joined); a
  // BlockAffinity is filtered out by kind.
  EXPECT_TRUE(node_->apply(node_yaml("node-c", "10.0.0.3/24")).ok());
  EXPECT_TRUE(node_->apply(block_yaml("node-b", "10.244.9.0/26")).ok());
  EXPECT_TRUE(node_->pintoctl({"delete", "node", "node-b"}).ok());
  reader.join();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type(), v1::WatchEvent::PUT);
  EXPECT_EQ(events[0].resource().name(), "node-b");
  EXPECT_NE(events[0].resource().yaml().find("10.0.0.2/24"), std::string::npos);
  EXPECT_EQ(events[1].resource().name(), "node-c");
  EXPECT_EQ(events[2].type(), v1::WatchEvent::DELETE);
  EXPECT_EQ(events[2].resource().name(), "node-b");
  EXPECT_LT(events[0].revision(), events[1].revision());
  EXPECT_LT(events[1].revision(), events[2].revision());
}

// Paths injected through the API (GoBGP's `global rib add`) are originated like the node's own,
// and route events stream every best-path change.
TEST_F(PintodApiSingle, InjectedPathsAppearInTheRibAndTheRouteStream) {
  ASSERT_TRUE(node_->apply(node_yaml("node-a", "10.0.0.1/24")).ok());
  auto channel = grpc::CreateChannel("unix:" + node_->api_socket().string(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::Routing::NewStub(channel);
  grpc::ClientContext watch_context;
  watch_context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto stream = stub->WatchRoutes(&watch_context, v1::WatchRoutesRequest{});
  // pintod sends the stream's initial metadata once it is subscribed to route changes.
  stream->WaitForInitialMetadata();
  std::vector<v1::RouteEvent> events;
  std::thread reader([&] {
    v1::RouteEvent e;
    while (events.size() < 2 && stream->Read(&e)) events.push_back(e);
    watch_context.TryCancel();
  });
  v1::PathRequest path;
  path.set_prefix("10.99.0.0/24");
  path.set_next_hop("10.0.0.77");
  path.add_communities("65000:77");
  path.add_communities("65000:1:2");
  v1::PathResponse ignored;
  grpc::ClientContext add_context;
  EXPECT_TRUE(stub->AddPath(&add_context, path, &ignored).ok());
  const auto routes = node_->pintoctl({"routes"});
  EXPECT_NE(routes.output.find("10.99.0.0/24"), std::string::npos) << routes.output;
  EXPECT_NE(routes.output.find("65000:77"), std::string::npos) << routes.output;
  grpc::ClientContext delete_context;
  EXPECT_TRUE(stub->DeletePath(&delete_context, path, &ignored).ok());
  grpc::ClientContext again_context;
  EXPECT_EQ(stub->DeletePath(&again_context, path, &ignored).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::PathRequest bad_community;
  bad_community.set_prefix("10.98.0.0/24");
  bad_community.add_communities("70000:1");
  grpc::ClientContext bad_community_context;
  EXPECT_EQ(stub->AddPath(&bad_community_context, bad_community, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::PathRequest bad;
  bad.set_prefix("10.99.0.1/24");
  grpc::ClientContext bad_context;
  EXPECT_EQ(stub->AddPath(&bad_context, bad, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  reader.join();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type(), v1::RouteEvent::BEST);
  EXPECT_EQ(events[0].route().prefix(), "10.99.0.0/24");
  EXPECT_EQ(events[1].type(), v1::RouteEvent::WITHDRAWN);
  EXPECT_EQ(node_->pintoctl({"routes"}).output.find("10.99.0.0/24"), std::string::npos);
}

// The TCP listener only with TLS: pintoctl reaches it with the CA that signed pintod's
// certificate, and is refused without it.
TEST_F(PintodApi, TcpListenerServesTlsOnly) {
  Netns ns("api-tls");
  TempDir certs("pit-certs");
  auto openssl = [&](const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, 30s);
  };
  const auto dir = certs.path().string();
  ASSERT_TRUE(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                       "/CN=pinto-test-ca", "-keyout", dir + "/ca.key", "-out", dir + "/ca.pem"})
                  .ok());
  ASSERT_TRUE(openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=pintod", "-keyout",
                       dir + "/server.key", "-out", dir + "/server.csr"})
                  .ok());
  std::ofstream(certs.path() / "san.ext") << "subjectAltName=IP:127.0.0.1\n";
  ASSERT_TRUE(openssl({"x509", "-req", "-in", dir + "/server.csr", "-CA", dir + "/ca.pem", "-CAkey",
                       dir + "/ca.key", "-CAcreateserial", "-days", "1", "-extfile",
                       dir + "/san.ext", "-out", dir + "/server.pem"})
                  .ok());
  PintodConfig c;
  c.node_name = "node-a";
  c.api_only = true;
  c.api_extra = ", tcp: \"127.0.0.1:50551\", tls: {certFile: " + dir +
                "/server.pem, keyFile: " + dir + "/server.key}";
  PintodNode node(ns, c);
  node.start();
  const auto ctl = pintoctl_path().string();
  const auto with_ca =
      ns.run({ctl, "--server", "127.0.0.1:50551", "--tls-ca", dir + "/ca.pem", "node", "status"});
  EXPECT_TRUE(with_ca.ok()) << with_ca.output << node.diagnostics();
  EXPECT_NE(with_ca.output.find("no Node resource yet"), std::string::npos) << with_ca.output;
  // Without the CA the server's certificate is not trusted: unreachable (exit code 3).
  const auto without_ca = ns.run({ctl, "--server", "127.0.0.1:50551", "node", "status"});
  EXPECT_EQ(without_ca.exit_code, 3) << without_ca.output;
}

// Calico's service advertisement, prefixAdvertisements, bindMode, localASNumber and reachableBy,
// seen from a real BIRD 2 peer and the kernel: every service range is announced, a block inside an
// advertised CIDR carries its communities, and the session uses the peer's own local AS.
TEST_F(PintodApi, ServiceRangesAndCommunitiesReachABirdPeer) {
  Netns ns_p("node-a");
  Netns ns_b("bird");
  VethPair link({ns_p, "eth0", {"10.86.0.1/24"}}, {ns_b, "eth0", {"10.86.0.2/24"}});
  PintodConfig c;
  c.node_name = "node-a";
  c.api_only = true;
  PintodNode pintod(ns_p, c);
  pintod.start();
  BirdPeer bird(
      ns_b, PeerConfig{.local_as = 65010,
                       .router_id = "10.86.0.2",
                       .neighbors = {NeighborConfig{.address = "10.86.0.1", .remote_as = 64999}}});
  const auto applied = pintod.apply(
      "apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\n"
      "spec:\n  nodeToNodeMeshEnabled: false\n  bindMode: NodeIP\n"
      "  serviceClusterIPs: [{cidr: 10.96.0.0/12}]\n"
      "  serviceLoadBalancerIPs: [{cidr: 198.51.100.0/24}]\n"
      "  communities: [{name: pods, value: '64512:300'}, {name: big, value: '64512:1:2'}]\n"
      "  prefixAdvertisements: [{cidr: 10.244.0.0/16, communities: [pods, big, '65000:7']}]\n"
      "---\n" +
      node_yaml("node-a", "10.86.0.1/24") + "---\n" + block_yaml("node-a", "10.244.5.0/26") +
      "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: bird}\n"
      "spec: {peerIP: 10.86.0.2, asNumber: 65010, localASNumber: 64999}\n"
      "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: far}\n"
      "spec: {peerIP: 10.99.99.1, asNumber: 65011, reachableBy: 10.86.0.2}\n");
  ASSERT_TRUE(applied.ok()) << applied.output;
  ASSERT_TRUE(wait_until(
      [&] {
        const auto got = bird.received_prefixes();
        return got.contains("10.244.5.0/26") && got.contains("10.96.0.0/12") &&
               got.contains("198.51.100.0/24");
      },
      kTimeout))
      << bird.diagnostics() << pintod.diagnostics();
  const auto block = bird.birdc({"show", "route", "10.244.5.0/26", "all"}).output;
  EXPECT_NE(block.find("(64512,300)"), std::string::npos) << block;
  EXPECT_NE(block.find("(65000,7)"), std::string::npos) << block;
  EXPECT_NE(block.find("(64512, 1, 2)"), std::string::npos) << block;
  // reachableBy: a host route to the far peer through its gateway.
  EXPECT_TRUE(has_route(ns_p, "10.99.99.1 via 10.86.0.2 dev eth0 proto 196"))
      << kernel_routes(ns_p);
  // bindMode NodeIP: BGP listens on the node's address only.
  const auto listening = ns_p.run({"ss", "-ltnH", "sport = :179"}).output;
  EXPECT_NE(listening.find("10.86.0.1:179"), std::string::npos) << listening;
  EXPECT_EQ(listening.find("*:179"), std::string::npos) << listening;
  // localASNumber: the session speaks AS 64999 (BIRD expects it) and the path starts with it.
  EXPECT_NE(block.find("BGP.as_path: 64999"), std::string::npos) << block;
  const auto service = bird.birdc({"show", "route", "10.96.0.0/12", "all"}).output;
  EXPECT_EQ(service.find("BGP.community"), std::string::npos) << service;
}

}  // namespace
}  // namespace pinto::itest
