#include "policy/iptables/iptables_dataplane.h"

#include "policy/iptables/ipset_text.h"
#include "policy/iptables/tool_runner.h"

namespace pinto::policy::iptables {

namespace {

const char* restore_tool(Family f) {
  return f == Family::V4 ? "iptables-restore" : "ip6tables-restore";
}
const char* save_tool(Family f) {
  return f == Family::V4 ? "iptables-save" : "ip6tables-save";
}

// Stands for "a chain of unknown content": never equal to a rendering, so it is rewritten.
const std::vector<std::string> kUnknownRules{"<unknown>"};

}  // namespace

IptablesDataplane::IptablesDataplane(IptablesOptions options) : options_(std::move(options)) {}

std::vector<Family> IptablesDataplane::families() const {
  if (options_.ipv6) return {Family::V4, Family::V6};
  return {Family::V4};
}

Result<std::string> IptablesDataplane::run(std::vector<std::string> argv,
                                           const std::string& input) const {
  std::vector<std::string> full = options_.command_prefix;
  full.insert(full.end(), argv.begin(), argv.end());
  return run_tool(full, input, options_.tool_timeout);
}

Result<void> IptablesDataplane::learn_installed() {
  installed_.clear();
  for (Family f : families()) {
    auto saved = run({save_tool(f), "-t", "filter"}, "");
    if (!saved) return failure(saved.error());
    const InstalledState state = parse_installed(saved.value(), options_.render);
    FamilyState& fs = installed_[f];
    for (const auto& chain : state.chains) fs.rules.chains[chain] = kUnknownRules;
    for (const auto& hook : hooks(options_.render)) {
      if (std::find(state.hooks.begin(), state.hooks.end(), hook) == state.hooks.end()) {
        fs.missing_hooks.push_back(hook);
      }
    }
  }
  // Sets of ours left by an earlier run: created with -exist and refilled by swap, so only
  // their names matter (unreferenced ones are destroyed after the rules are written).
  sets_.clear();
  return outcome::success();
}

Result<void> IptablesDataplane::apply(const Program& program) {
  last_chains_written_ = 0;
  const bool first = !known_;
  if (first) {
    if (auto r = learn_installed(); !r) return r;
  }
  known_ = false;  // until every step succeeded

  // The rendering decides which sets exist: those a family's rules match with --match-set (a
  // single-CIDR literal nets set is written into the rules and has no kernel set).
  std::map<Family, Ruleset> rendered;
  FamilySets sets;
  for (Family f : families()) {
    rendered[f] = render_ruleset(program, f, options_.render);
    sets[f] = sets_used(program, rendered[f].sets);
  }

  // 1. Sets first: rules about to be written may name new sets.
  const std::string update = ipset_update_text(first ? nullptr : &sets_, sets);
  if (!update.empty()) {
    if (auto r = run({"ipset", "restore"}, update); !r) return failure(r.error());
  }

  // 2. Each family's chains, one transaction each.
  for (Family f : families()) {
    FamilyState& fs = installed_[f];
    Ruleset desired = std::move(rendered[f]);
    const std::string text = restore_text(fs.rules, desired, fs.missing_hooks);
    if (!text.empty()) {
      if (auto r = run({restore_tool(f), "--noflush"}, text); !r) return failure(r.error());
    }
    for (const auto& [name, rules] : desired.chains) {
      auto it = fs.rules.chains.find(name);
      if (it == fs.rules.chains.end() || it->second != rules) ++last_chains_written_;
    }
    for (const auto& [name, rules] : fs.rules.chains) {
      if (!desired.chains.contains(name)) ++last_chains_written_;
    }
    fs.rules = std::move(desired);
    fs.missing_hooks.clear();
  }

  // 3. Sets no rule references any more.
  std::string destroy;
  if (first) {
    auto listed = run({"ipset", "list", "-n"}, "");
    if (!listed) return failure(listed.error());
    for (const auto& name : parse_set_names(listed.value())) {
      bool wanted = false;
      for (const auto& [family, by_id] : sets) {
        for (const auto& [id, set] : by_id) wanted = wanted || name == ipset_name(id, family);
      }
      if (!wanted) destroy += "destroy " + name + "\n";
    }
  } else {
    destroy = ipset_destroy_text(sets_, sets);
  }
  if (!destroy.empty()) {
    if (auto r = run({"ipset", "restore"}, destroy); !r) return failure(r.error());
  }
  sets_ = std::move(sets);
  known_ = true;
  return outcome::success();
}

Result<void> IptablesDataplane::uninstall() {
  known_ = false;
  installed_.clear();
  sets_.clear();
  for (Family f : families()) {
    auto saved = run({save_tool(f), "-t", "filter"}, "");
    if (!saved) return failure(saved.error());
    const std::string text = uninstall_text(parse_installed(saved.value(), options_.render));
    if (text.empty()) continue;
    if (auto r = run({restore_tool(f), "--noflush"}, text); !r) return failure(r.error());
  }
  auto listed = run({"ipset", "list", "-n"}, "");
  if (!listed) return failure(listed.error());
  std::string destroy;
  for (const auto& name : parse_set_names(listed.value())) destroy += "destroy " + name + "\n";
  if (!destroy.empty()) {
    if (auto r = run({"ipset", "restore"}, destroy); !r) return failure(r.error());
  }
  return outcome::success();
}

std::vector<RuleCounter> IptablesDataplane::counters() {
  // (endpoint, direction, rule) → sums over both families and over a rule's alternative lines.
  std::map<std::tuple<EndpointId, Direction, std::string>, RuleCounter> sums;
  for (Family f : families()) {
    auto it = installed_.find(f);
    if (it == installed_.end()) continue;
    auto saved = run({save_tool(f), "-c", "-t", "filter"}, "");
    if (!saved) continue;  // counters are best effort: an empty answer, not an error
    for (const auto& c : parse_counters(saved.value())) {
      auto owner = it->second.rules.owners.find(c.chain);
      if (owner == it->second.rules.owners.end()) continue;
      auto& sum = sums[{owner->second.endpoint, owner->second.direction, c.rule}];
      sum.endpoint = owner->second.endpoint;
      sum.direction = owner->second.direction;
      sum.rule = c.rule;
      sum.packets += c.packets;
      sum.bytes += c.bytes;
    }
  }
  std::vector<RuleCounter> out;
  for (auto& [key, c] : sums) out.push_back(std::move(c));
  return out;
}

}  // namespace pinto::policy::iptables
