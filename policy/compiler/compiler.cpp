#include "policy/compiler/compiler.h"

#include <algorithm>
#include <set>

namespace pinto::policy {

namespace {

const char* direction_name(Direction d) {
  return d == Direction::Ingress ? "ingress" : "egress";
}

RuleId make_rule_id(std::string text) {
  RuleId id;
  id.hash = stable_hash(text);
  id.text = std::move(text);
  return id;
}

Rule unconditional(Action action, std::string id) {
  Rule r;
  r.id = make_rule_id(std::move(id));
  r.action = action;
  return r;
}

std::optional<IpVersion> version_of_nets(const std::vector<IpPrefix>& a,
                                         const std::vector<IpPrefix>& b) {
  std::optional<AddressFamily> family;
  for (const auto* nets : {&a, &b}) {
    for (const auto& n : *nets) {
      if (family && *family != n.family()) return std::nullopt;
      family = n.family();
    }
  }
  if (!family) return std::nullopt;
  return *family == AddressFamily::V4 ? IpVersion::V4 : IpVersion::V6;
}

// The text a set is identified by: equal text, equal set, whatever its members are today.
std::string definition_of(const SetSource& source) {
  if (const auto* term = std::get_if<SelectorTerm>(&source)) return "sel:" + term->definition();
  if (const auto* nets = std::get_if<std::vector<IpPrefix>>(&source)) {
    std::string def = "nets:";
    for (const auto& n : *nets) def += n.to_string() + ",";
    return def;
  }
  const auto& np = std::get<NamedPortSource>(source);
  return "port:" + np.port_name + "/" + std::to_string(np.protocol) + "@" + np.term.definition();
}

IpSet resolve_set(const PolicyModel& model, const SetSource& source) {
  IpSet set;
  set.definition = definition_of(source);
  set.id = stable_hash(set.definition);
  if (const auto* term = std::get_if<SelectorTerm>(&source)) {
    for (const auto& n : model.members(*term)) set.members.push_back({n, 0, 0});
  } else if (const auto* nets = std::get_if<std::vector<IpPrefix>>(&source)) {
    for (const auto& n : *nets) set.members.push_back({n, 0, 0});
    set.fixed_members = true;
  } else {
    const auto& np = std::get<NamedPortSource>(source);
    set.kind = SetKind::NamedPort;
    for (const auto* ep : model.endpoints_of(np.term)) {
      for (const auto& port : ep->ports) {
        if (port.name != np.port_name || port.protocol != np.protocol) continue;
        for (const auto& a : ep->addresses) set.members.push_back({a, np.protocol, port.port});
      }
    }
  }
  std::sort(set.members.begin(), set.members.end());
  set.members.erase(std::unique(set.members.begin(), set.members.end()), set.members.end());
  return set;
}

// The state of one compile(): the model, the sets made so far.
class ChainBuilder {
 public:
  ChainBuilder(const PolicyModel& model, const CompileOptions& options,
               std::map<SetId, IpSet>& sets, std::map<SetId, SetSource>& sources)
      : model_(model), options_(options), sets_(sets), sources_(sources) {}

  Chain build(const Endpoint& ep, Direction dir) {
    Chain chain;
    const auto tiers = model_.policies_for(ep, dir);
    const std::string dir_name = direction_name(dir);
    if (ep.id.host) {
      // Calico: a host endpoint is policed whether or not a policy selects it (no policy and no
      // allowing profile = deny), and the failsafe ports come before any policy, so no policy
      // can cut the node off.
      add_failsafe(chain, dir);
    } else if (tiers.empty()) {
      // No policy: Calico goes straight to the profiles. When they allow everything (Kubernetes'
      // kns.<ns>) the chain is the unpoliced single Allow.
      append_profiles(chain, ep, dir);
      if (chain.rules.size() == 1 && chain.rules[0].id.text == dir_name + "/profile-allow") {
        chain.rules[0] = unconditional(Action::Allow, dir_name + "/no-policy-allow");
      } else {
        chain.policed = true;
      }
      return chain;
    }
    chain.policed = true;
    for (const auto& tier : tiers) {
      std::vector<std::size_t> passes;  // Goto rules to patch to the next tier's first rule
      for (const Policy* p : tier.policies) {
        append_rules(chain, *p, ep, dir, passes);
      }
      chain.rules.push_back(
          unconditional(Action::Deny, "tier/" + tier.tier + "/" + dir_name + "/end-of-tier-deny"));
      patch(chain, passes);
    }
    // Past the last tier (reached by Pass, or directly for a host endpoint no policy selects):
    // Calico's profile stage.
    append_profiles(chain, ep, dir);
    return chain;
  }

 private:
  // One Allow per failsafe port: "ingress/failsafe/tcp:22". Matches the destination port in both
  // directions (a server on the host, or the host as a client); replies pass by conntrack.
  void add_failsafe(Chain& chain, Direction dir) {
    const auto& ports =
        dir == Direction::Ingress ? options_.failsafe_inbound : options_.failsafe_outbound;
    for (const auto& f : ports) {
      const std::string proto = f.protocol == 6    ? "tcp"
                                : f.protocol == 17 ? "udp"
                                                   : std::to_string(f.protocol);
      Rule r = unconditional(Action::Allow, std::string(direction_name(dir)) + "/failsafe/" +
                                                proto + ":" + std::to_string(f.port));
      r.match.protocol = f.protocol;
      r.match.destination.ports.push_back({f.port, f.port});
      chain.rules.push_back(std::move(r));
    }
  }

  // Calico's profile stage: each profile's rules in turn (first match wins; Pass, or no rule
  // matching, goes on to the next profile); when no profile decides, Deny. An allow-everything
  // profile (kns.<ns> made up for Kubernetes, Calico's projectcalico-default-allow) ends the
  // stage with one Allow.
  void append_profiles(Chain& chain, const Endpoint& ep, Direction dir) {
    const std::string dir_name = direction_name(dir);
    for (const Profile* profile : model_.profiles_of(ep)) {
      if (profile->allow_all) {
        chain.rules.push_back(unconditional(Action::Allow, dir_name + "/profile-allow"));
        return;
      }
      std::vector<std::size_t> passes;  // Pass: on to the next profile
      append_rules(chain, profile->rules, ep, dir, passes);
      patch(chain, passes);
    }
    // Named apart for a host endpoint: its default deny, behind the failsafe ports.
    chain.rules.push_back(unconditional(
        Action::Deny, dir_name + (ep.id.host ? "/host-default-deny" : "/no-profile-deny")));
  }

  void append_rules(Chain& chain, const Policy& p, const Endpoint& ep, Direction dir,
                    std::vector<std::size_t>& passes) {
    const auto& rules = dir == Direction::Ingress ? p.ingress_rules : p.egress_rules;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      auto rule = compile_rule(p, rules[i], ep, dir);
      if (!rule) continue;  // can never match this endpoint (an absent named port)
      rule->id = make_rule_id(p.id() + "/" + direction_name(dir) + "/" + std::to_string(i));
      if (rule->action == Action::Goto) passes.push_back(chain.rules.size());
      chain.rules.push_back(std::move(*rule));
    }
  }

  // Points the Goto rules at `passes` to the rule that comes next in the chain.
  static void patch(Chain& chain, const std::vector<std::size_t>& passes) {
    for (auto index : passes) {
      chain.rules[index].goto_index = static_cast<std::uint32_t>(chain.rules.size());
    }
  }

  SetId add_set(SetSource source) {
    const SetId id = stable_hash(definition_of(source));
    if (!sets_.contains(id)) {
      sets_[id] = resolve_set(model_, source);
      sources_[id] = std::move(source);
    }
    return id;
  }

  SetId nets_set(std::vector<IpPrefix> nets) {
    std::sort(nets.begin(), nets.end());
    nets.erase(std::unique(nets.begin(), nets.end()), nets.end());
    return add_set(std::move(nets));
  }
  SetId selector_set(const SelectorTerm& term) { return add_set(term); }
  SetId named_port_set(const SelectorTerm& term, const std::string& name, std::uint8_t protocol) {
    return add_set(NamedPortSource{term, name, protocol});
  }

  // Ports of one rule side. Named ports on the protected endpoint become its port numbers; on
  // remote endpoints, an (address, port) set. Returns false when positive ports were given and
  // none can ever match (the rule is then left out).
  bool compile_ports(const Policy& p, const config::EntityRule& side, bool local_side,
                     const Endpoint& ep, std::optional<std::uint8_t> protocol, AddressMatch& out) {
    const std::uint8_t proto = protocol.value_or(0);
    std::optional<SelectorTerm> remote;
    auto remote_term = [&]() -> const SelectorTerm& {
      if (!remote) remote = p.positive_term(side).value().value_or(SelectorTerm{});
      return *remote;
    };
    auto add = [&](const config::PortMatch& m, std::vector<PortRange>& ranges,
                   std::vector<SetId>& port_sets) {
      if (m.name.empty()) {
        ranges.push_back({m.first, m.last});
      } else if (local_side) {
        for (const auto& port : ep.ports) {
          if (port.name == m.name && port.protocol == proto) {
            ranges.push_back({port.port, port.port});
          }
        }
      } else {
        port_sets.push_back(named_port_set(remote_term(), m.name, proto));
      }
    };
    for (const auto& m : side.ports) add(m, out.ports, out.port_sets);
    for (const auto& m : side.not_ports) add(m, out.not_ports, out.not_port_sets);
    return side.ports.empty() || !out.ports.empty() || !out.port_sets.empty();
  }

  bool compile_side(const Policy& p, const config::EntityRule& side, bool local_side,
                    const Endpoint& ep, std::optional<std::uint8_t> protocol, AddressMatch& out) {
    if (!side.nets.empty()) out.in_sets.push_back(nets_set(side.nets));
    if (auto term = p.positive_term(side).value()) out.in_sets.push_back(selector_set(*term));
    if (!side.not_nets.empty()) out.not_in_sets.push_back(nets_set(side.not_nets));
    if (!side.not_selector.empty()) {
      SelectorTerm neg;  // Calico does not scope a notSelector: it excludes wherever it matches
      neg.selector = Selector::parse(side.not_selector).value();
      out.not_in_sets.push_back(selector_set(neg));
    }
    return compile_ports(p, side, local_side, ep, protocol, out);
  }

  std::optional<Rule> compile_rule(const Policy& p, const config::Rule& r, const Endpoint& ep,
                                   Direction dir) {
    Rule out;
    switch (r.action) {
      case config::RuleAction::Allow: out.action = Action::Allow; break;
      case config::RuleAction::Deny: out.action = Action::Deny; break;
      case config::RuleAction::Log: out.action = Action::Log; break;
      case config::RuleAction::Pass: out.action = Action::Goto; break;
    }
    Match& m = out.match;
    if (r.ip_version) {
      m.ip_version = *r.ip_version == 4 ? IpVersion::V4 : IpVersion::V6;
    } else if (r.protocol == config::protocol::kIcmp) {
      m.ip_version = IpVersion::V4;
    } else if (r.protocol == config::protocol::kIcmpV6) {
      m.ip_version = IpVersion::V6;
    } else if (!r.source.nets.empty() || !r.destination.nets.empty()) {
      // Only positive nets restrict the family: notNets of one family leave the other alone.
      m.ip_version = version_of_nets(r.source.nets, r.destination.nets);
    }
    m.protocol = r.protocol;
    m.not_protocol = r.not_protocol;
    if (r.icmp) m.icmp = IcmpTypeCode{r.icmp->type, r.icmp->code};
    if (r.not_icmp) m.not_icmp = IcmpTypeCode{r.not_icmp->type, r.not_icmp->code};
    const bool ingress = dir == Direction::Ingress;
    if (!compile_side(p, r.source, !ingress, ep, r.protocol, m.source)) return std::nullopt;
    if (!compile_side(p, r.destination, ingress, ep, r.protocol, m.destination)) {
      return std::nullopt;
    }
    return out;
  }

  const PolicyModel& model_;
  const CompileOptions& options_;
  std::map<SetId, IpSet>& sets_;
  std::map<SetId, SetSource>& sources_;
};

}  // namespace

std::uint64_t stable_hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

const EndpointProgram* Program::find(const EndpointId& id) const {
  for (const auto& ep : endpoints) {
    if (ep.endpoint == id) return &ep;
  }
  return nullptr;
}

Program Compiler::compile(const PolicyModel& model) {
  Program program;
  sources_.clear();
  ChainBuilder builder(model, options_, program.sets, sources_);
  for (const Endpoint* ep : model.local_endpoints()) {
    if (ep->id.host && !enforceable_host_interface(ep->interface_name)) continue;
    EndpointProgram ep_program;
    ep_program.endpoint = ep->id;
    ep_program.interface_name = ep->interface_name;
    ep_program.addresses = ep->addresses;
    ep_program.ingress = builder.build(*ep, Direction::Ingress);
    ep_program.egress = builder.build(*ep, Direction::Egress);
    program.endpoints.push_back(std::move(ep_program));
  }
  return program;
}

std::map<SetId, IpSet> Compiler::refresh_sets(const PolicyModel& model) const {
  std::map<SetId, IpSet> out;
  for (const auto& [id, source] : sources_) out[id] = resolve_set(model, source);
  return out;
}

Program compile(const PolicyModel& model, const CompileOptions& options) {
  Compiler c(options);
  return c.compile(model);
}

bool enforceable_host_interface(const std::string& interface_name) {
  return !interface_name.empty() && interface_name != "*" && interface_name != "lo";
}

}  // namespace pinto::policy
