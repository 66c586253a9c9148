// The policy compiler: PolicyModel → Program (program.h), the per-endpoint rule program both
// back-ends consume. Calico's semantics are decided here and nowhere else (docs/policy.md):
//   - per endpoint and direction, the applicable policies in tier order, then policy order;
//   - Allow and Deny decide, Log continues, Pass jumps past the end of the current tier;
//   - an endpoint that no policy selects in a direction goes to its profiles (Calico's profile
//     stage: a workload's Kubernetes kns.<ns> allows everything); once one does, each tier with
//     an applicable policy ends in a Deny, and Pass out of the last tier reaches the profiles;
//   - selectors become shared sets (program.h), named ports become port numbers on the endpoint
//     the chain protects and (address, port) sets on remote endpoints;
//   - host endpoints (Calico's HostEndpoint on one named interface) are denied by default in both
//     directions, policy or not, unless a profile allows (Calico's built-in
//     `projectcalico-default-allow`, or a Profile resource's rules); every host endpoint
//     chain opens the failsafe ports (CompileOptions) before any policy rule. Host endpoints
//     with no interface, `*` or `lo` get no chains (nothing to enforce on; loopback is never
//     policed).
//
// NOTE Threading: a Compiler is used by one thread (it remembers what each set stands for).
// NOTE Performance: compile() is O(local endpoints × applicable rules) plus one members() walk per
// distinct set; refresh_sets() redoes only the set walks, which is all that a GlobalNetworkSet
// change or an endpoint's address change needs (the chains reference sets by id).
//
// Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "config/failsafe_ports.h"
#include "policy/compiler/program.h"
#include "policy/model/policy_model.h"

namespace pinto::policy {

/// What a set stands for, so its members can be recomputed from a newer model.
struct NamedPortSource {
  SelectorTerm term;  // the remote endpoints that may carry the port
  std::string port_name;
  std::uint8_t protocol = 0;
};
using SetSource = std::variant<SelectorTerm, std::vector<IpPrefix>, NamedPortSource>;

/// Calico's built-in profile that allows everything: the only profile Pinto knows.

struct CompileOptions {
  /// Opened first in every host endpoint's Ingress chain (destination port of traffic into the
  /// host) and Egress chain (destination port of traffic out of it).
  std::vector<config::FailsafePort> failsafe_inbound = config::default_failsafe_inbound();
  std::vector<config::FailsafePort> failsafe_outbound = config::default_failsafe_outbound();
};

class Compiler {
 public:
  explicit Compiler(CompileOptions options = {}) : options_(std::move(options)) {}

  /// Compiles every local endpoint of `model`. Remembers the sources of the sets it made.
  Program compile(const PolicyModel& model);

  /// The members of every set the last compile() made, recomputed against `model`: what a
  /// back-end applies when only set members may have changed (network sets, endpoint addresses,
  /// remote endpoints' labels) — no chain is rebuilt.
  std::map<SetId, IpSet> refresh_sets(const PolicyModel& model) const;

 private:
  CompileOptions options_;
  std::map<SetId, SetSource> sources_;
};

/// One-shot convenience for tests and tools.
Program compile(const PolicyModel& model, const CompileOptions& options = {});

/// True for a host endpoint the back-ends can enforce: one named interface, not loopback.
bool enforceable_host_interface(const std::string& interface_name);

}  // namespace pinto::policy
