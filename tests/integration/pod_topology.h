// Pods on one pintod node, as Calico wires them: each pod is a network namespace whose eth0
// pairs with a `cali…` veth in the node's namespace. The pod reaches the block's other addresses
// straight over eth0; the node answers ARP for them (proxy_arp) and forwards along pintod's /32
// workload routes. Each pod knows its WorkloadEndpoint, so a test declares a pod once.
//
// Shared by the pintod policy tests (pintod_policy_test, pintod_k8s_policy_test); IPv4 only.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "integration/netns.h"
#include "integration/pintod_node.h"
#include "integration/tcp_probe.h"

namespace pinto::itest {

struct PodSpec {
  std::string name;                       // the pod (and the prefix of its namespace)
  std::string k8s_namespace = "default";  // the Kubernetes namespace it runs in
  std::map<std::string, std::string> labels;
  std::string interface_name;  // host side, "cali…" (<= 15 characters)
  std::string address;         // IPv4, inside `block`
  std::string ports;           // WorkloadEndpoint spec.ports as YAML flow, or ""
};

class Pod {
 public:
  /// Creates the namespace and veth and routes `block` over eth0; proxy ARP without delay on
  /// the node side (the node's ip_forward is the test's).
  Pod(const Netns& node, PodSpec spec, const std::string& block = "10.244.1.0/26");

  const PodSpec& spec() const { return spec_; }
  TcpEndpoint endpoint() const { return {netns_, spec_.address}; }
  /// "namespace/name", for messages.
  std::string label() const { return spec_.k8s_namespace + "/" + spec_.name; }
  /// The pod's WorkloadEndpoint on `node_name` (Calico's name: node--a-k8s-<pod>-eth0).
  std::string workload_endpoint(const std::string& node_name) const;

 private:
  PodSpec spec_;
  Netns netns_;
  VethPair link_;
};

/// PintodConfig for a policy test: node-a with `dataplane`, the resources appended.
PintodConfig policy_node_config(const std::string& dataplane, const std::string& resources);

/// Store revision in the output of `pintoctl apply` ("... at revision N") or `pintoctl delete`
/// ("... deleted at revision N"); 0 when there is none.
std::int64_t revision_in(const std::string& pintoctl_output);

/// Waits until `pintoctl policy` shows the state of `revision` (or a later one) in force with
/// nothing newer being applied and no endpoint waiting for its interface. Empty on success;
/// otherwise why (the last output, which holds "not applied: ..." when the data plane refused the
/// program).
std::string wait_policy_applied(const PintodNode& node, std::int64_t revision,
                                std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace pinto::itest
