#include "config/unimplemented.h"

namespace pinto::config {

namespace {

constexpr const char* kNotYet = "not supported by Pinto yet";

ValidationError refused(const std::string& kind, const ObjectMeta& m, const char* field,
                        const std::string& why = kNotYet) {
  return ValidationError{field, why, kind + "/" + m.name};
}

std::optional<ValidationError> check(const BgpPeer& p) {
  if (!p.filters.empty()) return refused("BGPPeer", p.metadata, "spec.filters");
  if (p.num_allowed_local_as_numbers) {
    return refused("BGPPeer", p.metadata, "spec.numAllowedLocalASNumbers");
  }
  if (p.restart_mode == RestartMode::LongLivedGracefulRestart) {
    return refused("BGPPeer", p.metadata, "spec.restartMode",
                   "LongLivedGracefulRestart is not supported by Pinto yet");
  }
  return std::nullopt;
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
