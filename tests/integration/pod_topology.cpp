#include "integration/pod_topology.h"

#include <regex>

namespace pinto::itest {

Pod::Pod(const Netns& node, PodSpec spec, const std::string& block)
    : spec_(std::move(spec)),
      netns_(spec_.k8s_namespace + "-" + spec_.name),
      link_({node, spec_.interface_name, {}}, {netns_, "eth0", {spec_.address + "/32"}}) {
  netns_.run({"ip", "route", "add", block, "dev", "eth0", "scope", "link"});
  node.sysctl("net.ipv4.conf." + spec_.interface_name + ".proxy_arp", "1");
  // As Felix does: answer at once, not after the kernel's random proxy delay (up to 0.8 s),
  // which a first connection between two pods would otherwise spend on ARP.
  node.sysctl("net.ipv4.neigh." + spec_.interface_name + ".proxy_delay", "0");
}

std::string Pod::workload_endpoint(const std::string& node_name) const {
  // Calico's WorkloadEndpoint name escapes '-' in the node name as '--'.
  std::string node_part;
  for (char c : node_name) node_part += c == '-' ? std::string("--") : std::string(1, c);
  std::string labels;
  for (const auto& [key, value] : spec_.labels)
    labels += (labels.empty() ? "" : ", ") + key + ": " + value;
  return "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
         "metadata: {name: " +
         node_part + "-k8s-" + spec_.name + "-eth0, namespace: " + spec_.k8s_namespace +
         ", labels: {" + labels + "}}\n" + "spec: {node: " + node_name +
         ", orchestrator: k8s, pod: " + spec_.name +
         ", endpoint: eth0, interfaceName: " + spec_.interface_name + ", ipNetworks: [" +
         spec_.address + "/32]" + (spec_.ports.empty() ? "" : ", ports: " + spec_.ports) + "}\n";
}

PintodConfig policy_node_config(const std::string& dataplane, const std::string& resources) {
  PintodConfig config;
  config.node_name = "node-a";
  config.ipv4 = "10.83.0.1/32";
  config.policy_dataplane = dataplane;
  config.extra_resources = resources;
  return config;
}

std::int64_t revision_in(const std::string& pintoctl_output) {
  static const std::regex kRevision(R"(at revision (\d+))");
  std::smatch m;
  if (!std::regex_search(pintoctl_output, m, kRevision)) return 0;
  return std::stoll(m[1].str());
}

std::string wait_policy_applied(const PintodNode& node, std::int64_t revision,
                                std::chrono::milliseconds timeout) {
  static const std::regex kInForce(R"(\nrevision: (\d+)(.*)\n)");
  std::string last;
  const bool applied = wait_until(
      [&] {
        last = node.pintoctl({"policy"}).output;
        std::smatch m;
        if (!std::regex_search(last, m, kInForce)) return false;
        return std::stoll(m[1].str()) >= revision && m[2].str().empty() &&
               last.find("waiting for interfaces:") == std::string::npos;
      },
      timeout, std::chrono::milliseconds(50));
  if (applied && last.find("not applied:") == std::string::npos) return "";
  return "policy of revision " + std::to_string(revision) + " not in force:\n" + last;
}

}  // namespace pinto::itest
