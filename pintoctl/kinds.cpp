#include "pintoctl/kinds.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace pinto::ctl {

namespace {

struct KindNames {
  std::string_view kind;
  std::array<std::string_view, 3> short_names;  // besides lowercase singular and plural
  bool namespaced;
};

constexpr std::array<KindNames, 18> kKinds{{
    {"BGPConfiguration", {"bgpconfig", "bgpconfigs", "bgpconfigurations"}, false},
    {"BGPPeer", {"bgppeers", "", ""}, false},
    {"BGPFilter", {"bgpfilters", "", ""}, false},
    {"Node", {"nodes", "no", ""}, false},
    {"IPPool", {"ippools", "pool", "pools"}, false},
    {"BlockAffinity", {"blockaffinities", "affinity", "affinities"}, false},
    {"NetworkPolicy", {"networkpolicies", "policy", "policies"}, true},
    {"GlobalNetworkPolicy", {"globalnetworkpolicies", "gnp", ""}, false},
    {"Tier", {"tiers", "", ""}, false},
    // networking.k8s.io/v1 NetworkPolicy, kept apart from Calico's kind of the same name.
    {"KubernetesNetworkPolicy", {"kubernetesnetworkpolicies", "knp", "k8snetworkpolicy"}, true},
    {"Namespace", {"namespaces", "ns", ""}, false},
    {"GlobalNetworkSet", {"globalnetworksets", "", ""}, false},
    {"NetworkSet", {"networksets", "", ""}, true},
    {"WorkloadEndpoint", {"workloadendpoints", "wep", "weps"}, true},
    {"HostEndpoint", {"hostendpoints", "hep", "heps"}, false},
    {"Profile", {"profiles", "pro", "pros"}, false},
    {"Secret", {"secrets", "", ""}, true},
    {"IPReservation", {"ipreservations", "", ""}, false},
}};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::string> canonical_kind(std::string_view typed) {
  const std::string t = lower(typed);
  for (const auto& k : kKinds) {
    if (t == lower(k.kind)) return std::string(k.kind);
    for (auto alias : k.short_names) {
      if (!alias.empty() && t == alias) return std::string(k.kind);
    }
  }
  return std::nullopt;
}

std::string known_kinds() {
  std::string out;
  for (const auto& k : kKinds) out += (out.empty() ? "" : ", ") + std::string(k.kind);
  return out;
}

bool is_namespaced(std::string_view kind) {
  return std::any_of(kKinds.begin(), kKinds.end(),
                     [&](const KindNames& k) { return k.kind == kind && k.namespaced; });
}

}  // namespace pinto::ctl
