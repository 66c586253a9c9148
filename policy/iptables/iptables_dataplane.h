// IptablesDataplane: the `policy.dataplane: iptables` back-end. Keeps what it last installed
// (both families' rulesets and the sets) and on each apply() feeds the tools only the
// difference, in this order so that no rule ever names a missing set:
//   1. ipset restore       create new sets, fill them (swap), add/del members of changed ones
//                          (only the sets a family's rendered rules match with --match-set)
//   2. iptables-restore    --noflush: changed chains rewritten in one transaction, our FORWARD,
//      ip6tables-restore   INPUT and OUTPUT hooks inserted if missing, chains of vanished
//                          endpoints deleted
//   3. ipset restore       destroy sets no rule references any more
// The first apply() (and the first after a failure) reads iptables-save / ipset list to learn
// what a previous run left and rewrites all of ours; later ones touch only what changed.
// The rendering is pure and unit-tested: iptables_rules.h, ipset_text.h.
//
// NOTE Threading: one thread at a time (the daemon's policy thread); apply() blocks on the tools
// (bounded by `tool_timeout` each).
#pragma once

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "policy/dataplane.h"
#include "policy/iptables/ipset_text.h"
#include "policy/iptables/iptables_rules.h"

namespace pinto::policy::iptables {

struct IptablesOptions {
  RenderOptions render;
  /// Prepended to every tool's argv, e.g. {"ip", "netns", "exec", "node-a"} in tests. Empty for
  /// the daemon, which runs in the node's namespace.
  std::vector<std::string> command_prefix;
  std::chrono::milliseconds tool_timeout{30000};
  bool ipv6 = true;  // also program ip6tables
};

class IptablesDataplane : public Dataplane {
 public:
  explicit IptablesDataplane(IptablesOptions options = {});

  Result<void> apply(const Program& program) override;
  Result<void> uninstall() override;
  std::vector<RuleCounter> counters() override;

  /// How many chains the last apply() rewrote or deleted (both families): 0 after an apply that
  /// changed only set members. For tests and logs.
  std::size_t last_chains_written() const { return last_chains_written_; }

 private:
  struct FamilyState {
    Ruleset rules;
    std::vector<std::string> missing_hooks;
  };
  Result<std::string> run(std::vector<std::string> argv, const std::string& input) const;
  Result<void> learn_installed();
  std::vector<Family> families() const;

  IptablesOptions options_;
  bool known_ = false;  // installed_ and sets_ reflect the kernel
  std::map<Family, FamilyState> installed_;
  FamilySets sets_;  // per family, the sets its rules match (literal nets have none)
  std::size_t last_chains_written_ = 0;
};

}  // namespace pinto::policy::iptables
