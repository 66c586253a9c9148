// apply, get and delete.
#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <iostream>
#include <iterator>

#include "pinto/v1/pinto.grpc.pb.h"
#include "pintoctl/commands.h"
#include "pintoctl/format.h"
#include "pintoctl/kinds.h"

namespace pinto::ctl {

namespace {

constexpr auto kApplyTimeout = std::chrono::seconds(300);
constexpr auto kTimeout = std::chrono::seconds(30);
constexpr std::size_t kProgressBytes = 1 << 20;

bool read_input(const std::string& file, std::string& out) {
  if (file == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  return read_file(file, out);
}

void print_plan(const google::protobuf::RepeatedPtrField<v1::PlanStep>& plan, bool dry_run) {
  if (plan.empty()) {
    fmt::print("{}: no change to sessions or advertised prefixes on this node\n",
               dry_run ? "plan" : "routing");
    return;
  }
  fmt::print("{}:\n", dry_run ? "plan (nothing changed)" : "routing changes on this node");
  for (const auto& s : plan) fmt::print("  {:<16} {}  ({})\n", s.action(), s.subject(), s.reason());
}

// kubectl's "bgppeer/rack1 created" shape, with the kind as Calico spells it.
std::string resource_label(const std::string& kind, const std::string& ns,
                           const std::string& name) {
  return kind + "/" + (ns.empty() ? "" : ns + "/") + name;
}

}  // namespace

int apply_command(const Connection& c, const std::string& file, bool dry_run) {
  v1::ApplyRequest request;
  if (!read_input(file, *request.mutable_manifest())) {
    fmt::print(stderr, "pintoctl: apply: cannot read {}\n", file);
    return kFailed;
  }
  request.set_source(file == "-" ? "stdin" : file);
  request.set_dry_run(dry_run);
  if (request.manifest().size() >= kProgressBytes) {
    fmt::print(stderr, "sending {:.1f} MiB from {} to pintod...\n",
               static_cast<double>(request.manifest().size()) / (1 << 20), request.source());
  }
  auto stub = v1::Resources::NewStub(c.channel);
  v1::ApplyResponse response;
  auto context = make_context(kApplyTimeout);
  const auto status = stub->Apply(context.get(), request, &response);
  if (!status.ok()) return report_failure(status, "apply " + request.source(), c);
  std::size_t changed = 0;
  for (const auto& r : response.resources()) {
    fmt::print("{} {}{}\n", resource_label(r.kind(), r.namespace_(), r.name()), r.action(),
               dry_run ? " (dry run)" : "");
    if (r.action() != "unchanged") ++changed;
  }
  if (dry_run) {
    fmt::print("dry run: {} resources checked, {} would change\n", response.resources_size(),
               changed);
  } else {
    fmt::print("applied {} resources ({} changed) at revision {}\n", response.resources_size(),
               changed, response.revision());
  }
  print_plan(response.plan(), dry_run);
  return kOk;
}

int get_command(const Connection& c, const GetOptions& options) {
  const auto kind = canonical_kind(options.kind);
  if (!kind) {
    fmt::print(stderr, "pintoctl: get: unknown kind '{}' (known: {})\n", options.kind,
               known_kinds());
    return kUsage;
  }
  std::string ns = options.namespace_name;
  if (is_namespaced(*kind) && ns.empty() && !options.all_namespaces) ns = "default";
  auto stub = v1::Resources::NewStub(c.channel);
  std::vector<v1::Resource> found;
  if (!options.name.empty()) {
    v1::GetRequest request;
    request.set_kind(*kind);
    request.set_name(options.name);
    request.set_namespace_(ns);
    v1::Resource response;
    auto context = make_context(kTimeout);
    const auto status = stub->Get(context.get(), request, &response);
    if (!status.ok()) return report_failure(status, "get", c);
    found.push_back(std::move(response));
  } else {
    v1::ListRequest request;
    request.set_kind(*kind);
    request.set_namespace_(options.all_namespaces ? "" : ns);
    v1::ListResponse response;
    auto context = make_context(kTimeout);
    const auto status = stub->List(context.get(), request, &response);
    if (!status.ok()) return report_failure(status, "get", c);
    found.assign(response.resources().begin(), response.resources().end());
  }
  std::vector<std::string> documents;
  for (const auto& r : found) documents.push_back(r.yaml());
  const bool as_list = options.name.empty();
  if (options.output == "yaml") {
    fmt::print("{}", resources_as_yaml(*kind, documents, as_list));
    return kOk;
  }
  if (options.output == "json") {
    fmt::print("{}", resources_as_json(*kind, documents, as_list));
    return kOk;
  }
  // A table: the name, and a few fields that say what the resource is about.
  struct Column {
    const char* header;
    const char* path;
  };
  std::vector<Column> columns;
  if (*kind == "BGPPeer") {
    columns = {{"PEERIP", "spec.peerIP"}, {"NODE", "spec.node"}, {"ASN", "spec.asNumber"}};
  } else if (*kind == "Node") {
    columns = {{"ASN", "spec.bgp.asNumber"},
               {"IPV4", "spec.bgp.ipv4Address"},
               {"IPV6", "spec.bgp.ipv6Address"}};
  } else if (*kind == "IPPool") {
    columns = {{"CIDR", "spec.cidr"}, {"IPIP", "spec.ipipMode"}, {"VXLAN", "spec.vxlanMode"}};
  } else if (*kind == "BlockAffinity") {
    columns = {{"NODE", "spec.node"}, {"CIDR", "spec.cidr"}, {"STATE", "spec.state"}};
  } else if (*kind == "BGPConfiguration") {
    columns = {{"MESHENABLED", "spec.nodeToNodeMeshEnabled"}, {"ASN", "spec.asNumber"}};
  }
  std::vector<std::string> header;
  if (is_namespaced(*kind)) header.push_back("NAMESPACE");
  header.push_back("NAME");
  for (const auto& col : columns) header.push_back(col.header);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : found) {
    std::vector<std::string> row;
    if (is_namespaced(*kind)) row.push_back(r.namespace_());
    row.push_back(r.name());
    for (const auto& col : columns) row.push_back(yaml_field(r.yaml(), col.path));
    rows.push_back(std::move(row));
  }
  fmt::print("{}", format_table(header, rows));
  return kOk;
}

int delete_command(const Connection& c, const std::string& kind_typed, const std::string& name,
                   const std::string& namespace_name, const std::string& file, bool dry_run) {
  struct Target {
    std::string kind, ns, name;
  };
  std::vector<Target> targets;
  if (!file.empty()) {
    // `delete -f FILE`, as calicoctl: every resource the manifest names.
    std::string text;
    if (!read_input(file, text)) {
      fmt::print(stderr, "pintoctl: delete: cannot read {}\n", file);
      return kFailed;
    }
    try {
      for (const auto& doc : YAML::LoadAll(text)) {
        if (!doc.IsMap()) continue;
        std::string kind = doc["kind"].as<std::string>("");
        // A Kubernetes NetworkPolicy manifest names Pinto's KubernetesNetworkPolicy, not
        // Calico's namespaced NetworkPolicy (which may carry the same name).
        if (kind == "NetworkPolicy" &&
            doc["apiVersion"].as<std::string>("").starts_with("networking.k8s.io/")) {
          kind = "KubernetesNetworkPolicy";
        }
        targets.push_back({kind, doc["metadata"]["namespace"].as<std::string>(""),
                           doc["metadata"]["name"].as<std::string>("")});
      }
    } catch (const YAML::Exception& e) {
      fmt::print(stderr, "pintoctl: delete: {}: not valid YAML: {}\n", file, e.what());
      return kFailed;
    }
  } else {
    const auto kind = canonical_kind(kind_typed);
    if (!kind) {
      fmt::print(stderr, "pintoctl: delete: unknown kind '{}' (known: {})\n", kind_typed,
                 known_kinds());
      return kUsage;
    }
    targets.push_back({*kind, namespace_name, name});
  }
  auto stub = v1::Resources::NewStub(c.channel);
  for (const auto& t : targets) {
    v1::DeleteRequest request;
    request.set_kind(t.kind);
    request.set_name(t.name);
    request.set_namespace_(t.ns);
    request.set_dry_run(dry_run);
    v1::DeleteResponse response;
    auto context = make_context(kTimeout);
    const auto status = stub->Delete(context.get(), request, &response);
    if (!status.ok()) return report_failure(status, "delete", c);
    if (dry_run) {
      fmt::print("{} deleted (dry run)\n",
                 resource_label(t.kind, response.deleted().namespace_(), t.name));
    } else {
      fmt::print("{} deleted at revision {}\n",
                 resource_label(t.kind, response.deleted().namespace_(), t.name),
                 response.revision());
    }
    print_plan(response.plan(), dry_run);
  }
  return kOk;
}

}  // namespace pinto::ctl
