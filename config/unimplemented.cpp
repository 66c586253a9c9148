#include "config/unimplemented.h"

namespace pinto::config {

namespace {

constexpr const char* kNotYet = "not supported by Pinto yet";

ValidationError refused(const std::string& kind, const ObjectMeta& m, const std::string& field,
                        const std::string& why = kNotYet) {
  return ValidationError{field, why, kind + "/" + m.name};
}

std::optional<ValidationError> check(const BgpPeer& p) {
  if (p.restart_mode == RestartMode::LongLivedGracefulRestart) {
    return refused("BGPPeer", p.metadata, "spec.restartMode",
                   "LongLivedGracefulRestart is not supported by Pinto yet");
  }
  return std::nullopt;
}

// Route filters are applied by the RIB (docs/route-policy.md) except what needs a route's
// interface or kernel metric: Pinto's routes carry neither yet (no routes are learned from
// interfaces, and the FIB does not program metrics).
std::optional<ValidationError> check_rules(const BgpFilter& f, const char* list,
                                           const std::vector<FilterRule>& rules) {
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const std::string at = std::string("spec.") + list + "[" + std::to_string(i) + "]";
    if (!rules[i].interface.empty()) return refused("BGPFilter", f.metadata, at + ".interface");
    if (rules[i].priority) return refused("BGPFilter", f.metadata, at + ".priority");
    for (std::size_t j = 0; j < rules[i].operations.size(); ++j) {
      if (rules[i].operations[j].set_priority) {
        return refused("BGPFilter", f.metadata,
                       at + ".operations[" + std::to_string(j) + "].setPriority");
      }
    }
  }
  return std::nullopt;
}

std::optional<ValidationError> check(const BgpFilter& f) {
  if (auto e = check_rules(f, "exportV4", f.export_v4)) return e;
  if (auto e = check_rules(f, "importV4", f.import_v4)) return e;
  if (auto e = check_rules(f, "exportV6", f.export_v6)) return e;
  return check_rules(f, "importV6", f.import_v6);
}

std::optional<ValidationError> check(const BgpConfiguration& c) {
  if (c.local_workload_peering_ipv4) {
    return refused("BGPConfiguration", c.metadata, "spec.localWorkloadPeeringIPV4");
  }
  if (c.local_workload_peering_ipv6) {
    return refused("BGPConfiguration", c.metadata, "spec.localWorkloadPeeringIPV6");
  }
  return std::nullopt;
}

template <class T>
std::optional<ValidationError> check(const T&) {
  return std::nullopt;
}

}  // namespace

Validated<void> check_implemented(const std::vector<Resource>& all) {
  for (const auto& r : all) {
    if (auto e = std::visit([](const auto& x) { return check(x); }, r)) return failure(*e);
  }
  return outcome::success();
}

}  // namespace pinto::config
