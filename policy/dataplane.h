// Dataplane: what the daemon asks of a policy back-end (iptables, eBPF). Both consume the same
// compiled Program (policy/compiler/program.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/compiler/program.h"

namespace pinto::policy {

struct RuleCounter {
  EndpointId endpoint;
  Direction direction = Direction::Ingress;
  std::string rule;  // RuleId::text
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

class Dataplane {
 public:
  virtual ~Dataplane() = default;
  /// Makes the kernel enforce `program`; only what changed since the last apply is rewritten
  /// (set members in place, the chains of the endpoints whose rules changed).
  virtual Result<void> apply(const Program& program) = 0;
  /// Removes everything this back-end installed (chains, sets, programs, maps).
  virtual Result<void> uninstall() = 0;
  /// Per-rule counters, where the back-end keeps them.
  virtual std::vector<RuleCounter> counters() = 0;
};

}  // namespace pinto::policy
