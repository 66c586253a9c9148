#include "policy/iptables/iptables_rules.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <sstream>

#include "policy/compiler/program_text.h"

namespace pinto::policy::iptables {

namespace {

constexpr std::uint8_t kIcmp = 1;
constexpr std::uint8_t kIcmpV6 = 58;
// multiport takes at most 15 ports, a range counting as two.
constexpr int kMultiportSlots = 15;
// The comment match keeps 255 characters.
constexpr std::size_t kCommentMax = 255;

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    out += (out.empty() ? "" : " ") + p;
  }
  return out;
}

std::string endpoint_chain(const EndpointProgram& ep, Direction d) {
  if (ep.endpoint.host) {
    return std::string(d == Direction::Ingress ? "pinto-hi-" : "pinto-ho-") + ep.interface_name;
  }
  return std::string(d == Direction::Ingress ? "pinto-tw-" : "pinto-fw-") + ep.interface_name;
}

constexpr const char* kConntrackAccept = "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT";

std::string icmp_text(const IcmpTypeCode& c) {
  return std::to_string(c.type) + (c.code ? "/" + std::to_string(*c.code) : "");
}

// "-m multiport --dports 80,1000:2000" clauses, split at kMultiportSlots.
std::vector<std::string> multiport(const std::vector<PortRange>& ranges, const char* flag,
                                   bool negate) {
  std::vector<std::string> out;
  std::string list;
  int used = 0;
  auto flush = [&] {
    if (list.empty()) return;
    out.push_back(std::string("-m multiport ") + (negate ? "! " : "") + flag + " " + list);
    list.clear();
    used = 0;
  };
  for (const auto& r : ranges) {
    const int need = r.first == r.last ? 1 : 2;
    if (used + need > kMultiportSlots) flush();
    list += (list.empty() ? "" : ",") + std::to_string(r.first);
    if (r.first != r.last) list += ":" + std::to_string(r.last);
    used += need;
  }
  flush();
  return out;
}

struct SideText {
  std::vector<std::string> all;           // clauses that must all hold
  std::vector<std::string> alternatives;  // one of them must hold (empty: no condition)
};

// The one CIDR of a literal-nets set in `family`; nullopt when the set must stay a set match
// (a selector or named-port set, or not exactly one member in this family).
std::optional<std::string> literal_net(const Program& program, SetId id, Family family) {
  auto it = program.sets.find(id);
  if (it == program.sets.end() || it->second.kind != SetKind::Nets || !it->second.fixed_members)
    return std::nullopt;
  const IpPrefix* only = nullptr;
  for (const auto& m : it->second.members) {
    if ((m.net.family() == AddressFamily::V4) != (family == Family::V4)) continue;
    if (only) return std::nullopt;
    only = &m.net;
  }
  if (!only) return std::nullopt;
  return only->to_string();
}

// One side's clauses; the sets matched with --match-set are added to `used`.
SideText side_text(const AddressMatch& m, const Program& program, Family family, bool source,
                   std::set<SetId>& used) {
  const char* dir = source ? "src" : "dst";
  const char* dir_port = source ? "src,src" : "dst,dst";
  const char* ports_flag = source ? "--sports" : "--dports";
  const char* address_flag = source ? "-s " : "-d ";
  auto set_match = [&](SetId id, bool negate, const char* what) {
    used.insert(id);
    return std::string("-m set ") + (negate ? "! " : "") + "--match-set " + ipset_name(id, family) +
           " " + what;
  };
  // iptables takes one -s (or -d) per rule, negated or not: the first literal wins.
  bool literal_used = false;
  auto address = [&](SetId id, bool negate) {
    if (!literal_used) {
      if (auto net = literal_net(program, id, family)) {
        literal_used = true;
        return std::string(negate ? "! " : "") + address_flag + *net;
      }
    }
    return set_match(id, negate, dir);
  };
  SideText t;
  for (SetId id : m.in_sets) t.all.push_back(address(id, false));
  for (SetId id : m.not_in_sets) t.all.push_back(address(id, true));
  for (auto& c : multiport(m.not_ports, ports_flag, true)) t.all.push_back(std::move(c));
  for (SetId id : m.not_port_sets) t.all.push_back(set_match(id, true, dir_port));
  // ports OR port_sets: one alternative per multiport chunk and per named-port set.
  t.alternatives = multiport(m.ports, ports_flag, false);
  for (SetId id : m.port_sets) t.alternatives.push_back(set_match(id, false, dir_port));
  return t;
}

// The protocol and ICMP part of a rule: alternatives (one must hold); nullopt when the rule can
// never match in this family.
std::optional<std::vector<std::string>> protocol_text(const Match& m, Family family) {
  const std::uint8_t icmp_proto = family == Family::V4 ? kIcmp : kIcmpV6;
  const std::string icmp_module =
      family == Family::V4 ? "-m icmp --icmp-type " : "-m icmp6 --icmpv6-type ";
  const std::string not_icmp_module =
      family == Family::V4 ? "-m icmp ! --icmp-type " : "-m icmp6 ! --icmpv6-type ";
  std::optional<std::uint8_t> proto = m.protocol;
  if (!proto && (m.icmp || m.not_icmp) && !m.icmp && !m.not_protocol) {
    // notICMP alone: either the packet is not ICMP, or it is ICMP of another type.
    return std::vector<std::string>{
        "! -p " + std::to_string(icmp_proto),
        "-p " + std::to_string(icmp_proto) + " " + not_icmp_module + icmp_text(*m.not_icmp)};
  }
  if (!proto && m.icmp) proto = icmp_proto;
  if (proto && m.not_protocol && *proto == *m.not_protocol) return std::nullopt;
  if ((m.icmp || m.not_icmp) && proto && *proto != icmp_proto) {
    if (m.icmp) return std::nullopt;  // ICMP type of a non-ICMP packet: never
    // notICMP on a non-ICMP protocol excludes nothing.
    return std::vector<std::string>{"-p " + std::to_string(*proto)};
  }
  std::vector<std::string> parts;
  if (proto) {
    parts.push_back("-p " + std::to_string(*proto));
  } else if (m.not_protocol) {
    parts.push_back("! -p " + std::to_string(*m.not_protocol));
  }
  if (m.icmp) parts.push_back(icmp_module + icmp_text(*m.icmp));
  if (m.not_icmp) parts.push_back(not_icmp_module + icmp_text(*m.not_icmp));
  return std::vector<std::string>{join(parts)};
}

std::string comment(const RuleId& id) {
  std::string text = id.text.substr(0, kCommentMax);
  std::replace(text.begin(), text.end(), '"', '\'');
  return "-m comment --comment \"" + text + "\"";
}

bool is_unconditional_verdict(const Rule& r) {
  return r.match == Match{} && (r.action == Action::Allow || r.action == Action::Deny);
}

// Renders one endpoint chain (and its Goto segments) into `out`.
void render_chain(const Program& program, const EndpointProgram& ep, Direction direction,
                  Family family, const RenderOptions& options, Ruleset& out) {
  const Chain& chain = ep.chain(direction);
  const std::string base = endpoint_chain(ep, direction);
  // Segment starts: 0 and every Goto target; a segment is named by its ordinal.
  std::vector<std::uint32_t> starts{0};
  for (const auto& r : chain.rules) {
    if (r.action == Action::Goto && r.goto_index < chain.rules.size()) {
      starts.push_back(r.goto_index);
    }
  }
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  auto segment_name = [&](std::size_t ordinal) {
    return ordinal == 0 ? base : base + "-" + std::to_string(ordinal);
  };
  auto segment_of_target = [&](std::uint32_t target) {
    return segment_name(static_cast<std::size_t>(
        std::lower_bound(starts.begin(), starts.end(), target) - starts.begin()));
  };
  // A workload's Egress Allow still owes the destination pod its Ingress say; traffic into or
  // out of the host itself has no second chain to pass.
  const std::string allow = direction == Direction::Ingress || ep.endpoint.host
                                ? "-j ACCEPT"
                                : std::string("-g ") + kToWorkloadChain;

  for (std::size_t s = 0; s < starts.size(); ++s) {
    const std::string name = segment_name(s);
    auto& lines = out.chains[name];
    out.owners[name] = ChainOwner{ep.endpoint, direction};
    // Host endpoint chains are entered from INPUT/OUTPUT for every packet of the interface:
    // replies and established flows pass before the rules (pinto-fwd does this for workloads).
    if (s == 0 && ep.endpoint.host) {
      lines.push_back(kConntrackAccept);
      // IPv6 neighbour discovery (router/neighbour solicitation and advertisement) is the link's
      // own plumbing, as ARP is for IPv4 (which iptables never sees): without it a default-deny
      // host endpoint would cut the interface's IPv6 off, failsafe ports included. The eBPF
      // back-end passes the same four types.
      if (family == Family::V6) {
        for (int type = 133; type <= 136; ++type) {
          lines.push_back("-p 58 -m icmp6 --icmpv6-type " + std::to_string(type) + " -j ACCEPT");
        }
      }
    }
    const std::size_t end = s + 1 < starts.size() ? starts[s + 1] : chain.rules.size();
    for (std::size_t i = starts[s]; i < end; ++i) {
      const Rule& r = chain.rules[i];
      const Match& m = r.match;
      if (m.ip_version && (*m.ip_version == IpVersion::V4) != (family == Family::V4)) continue;
      auto proto = protocol_text(m, family);
      if (!proto) continue;
      const SideText src = side_text(m.source, program, family, true, out.sets);
      const SideText dst = side_text(m.destination, program, family, false, out.sets);
      std::string target;
      switch (r.action) {
        case Action::Allow: target = allow; break;
        case Action::Deny: target = "-j DROP"; break;
        case Action::Log: target = "-j LOG --log-prefix \"" + options.log_prefix + "\""; break;
        case Action::Goto:
          target = r.goto_index < chain.rules.size() ? "-g " + segment_of_target(r.goto_index)
                                                     : "-j DROP";
          break;
      }
      // Alternatives (OR) become one line each; a first match decides, so duplicates are exact
      // for verdicts and Goto (a Log with alternatives may log a packet more than once).
      const std::vector<std::string> none{""};
      const auto& src_alt = src.alternatives.empty() ? none : src.alternatives;
      const auto& dst_alt = dst.alternatives.empty() ? none : dst.alternatives;
      for (const auto& p : *proto) {
        for (const auto& sa : src_alt) {
          for (const auto& da : dst_alt) {
            std::vector<std::string> parts{p};
            parts.insert(parts.end(), src.all.begin(), src.all.end());
            parts.push_back(sa);
            parts.insert(parts.end(), dst.all.begin(), dst.all.end());
            parts.push_back(da);
            parts.push_back(comment(r.id));
            parts.push_back(target);
            lines.push_back(join(parts));
          }
        }
      }
    }
    // A segment that can fall off its end continues with the next one.
    if (s + 1 < starts.size() &&
        (end == starts[s] || !is_unconditional_verdict(chain.rules[end - 1]))) {
      lines.push_back("-g " + segment_name(s + 1));
    }
  }
}

}  // namespace

std::string ipset_name(SetId id, Family family) {
  if (family == Family::V4) return set_name(id);
  return "pinto-s6-" + set_name(id).substr(8);
}

Ruleset render_ruleset(const Program& program, Family family, const RenderOptions& options) {
  Ruleset out;
  auto& fwd = out.chains[kForwardChain];
  auto& to_wl = out.chains[kToWorkloadChain];
  // Established and related traffic never walks the rules; invalid packets are dropped.
  auto& host_in = out.chains[kHostInputChain];
  auto& host_out = out.chains[kHostOutputChain];
  fwd.push_back(kConntrackAccept);
  fwd.push_back("-m conntrack --ctstate INVALID -j DROP");
  for (const auto& ep : program.endpoints) {
    if (ep.interface_name.empty()) continue;
    if (ep.endpoint.host) {
      // INPUT and OUTPUT see only traffic to and from the host itself, never forwarded traffic:
      // exactly what a host endpoint without applyOnForward polices. Loopback has no endpoint.
      host_in.push_back("-i " + ep.interface_name + " -g " +
                        endpoint_chain(ep, Direction::Ingress));
      host_out.push_back("-o " + ep.interface_name + " -g " +
                         endpoint_chain(ep, Direction::Egress));
      render_chain(program, ep, Direction::Ingress, family, options, out);
      render_chain(program, ep, Direction::Egress, family, options, out);
      continue;
    }
    fwd.push_back("-i " + ep.interface_name + " -g " + endpoint_chain(ep, Direction::Egress));
    to_wl.push_back("-o " + ep.interface_name + " -g " + endpoint_chain(ep, Direction::Ingress));
    render_chain(program, ep, Direction::Egress, family, options, out);
    render_chain(program, ep, Direction::Ingress, family, options, out);
  }
  fwd.push_back(std::string("-g ") + kToWorkloadChain);
  to_wl.push_back("-j ACCEPT");
  return out;
}

std::vector<std::string> hooks(const RenderOptions& options) {
  return {"FORWARD -i " + options.interface_prefix + "+ -j " + kForwardChain,
          "FORWARD -o " + options.interface_prefix + "+ -j " + kForwardChain,
          std::string("INPUT -j ") + kHostInputChain, std::string("OUTPUT -j ") + kHostOutputChain};
}

InstalledState parse_installed(const std::string& iptables_save, const RenderOptions& options) {
  InstalledState s;
  const auto ours = hooks(options);
  std::istringstream in(iptables_save);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(std::string(":") + kChainPrefix, 0) == 0) {
      s.chains.push_back(line.substr(1, line.find(' ') - 1));
    } else if (line.rfind("-A ", 0) == 0) {
      const std::string spec = line.substr(3);
      if (std::find(ours.begin(), ours.end(), spec) != ours.end()) s.hooks.push_back(spec);
    }
  }
  return s;
}

std::string restore_text(const Ruleset& previous, const Ruleset& desired,
                         const std::vector<std::string>& missing_hooks) {
  std::vector<std::string> rewrite;
  std::vector<std::string> remove;
  for (const auto& [name, rules] : desired.chains) {
    auto it = previous.chains.find(name);
    if (it == previous.chains.end() || it->second != rules) rewrite.push_back(name);
  }
  for (const auto& [name, rules] : previous.chains) {
    if (!desired.chains.contains(name)) remove.push_back(name);
  }
  if (rewrite.empty() && remove.empty() && missing_hooks.empty()) return "";
  // Declaring a chain creates it or flushes it; every chain a rule may jump to is declared
  // before the first rule, as iptables-restore requires.
  std::string out = "*filter\n";
  for (const auto& name : rewrite) out += ":" + name + " - [0:0]\n";
  for (const auto& name : remove) out += ":" + name + " - [0:0]\n";
  for (const auto& name : rewrite) {
    for (const auto& rule : desired.chains.at(name)) out += "-A " + name + " " + rule + "\n";
  }
  for (const auto& hook : missing_hooks) out += "-I " + hook + "\n";
  for (const auto& name : remove) out += "-X " + name + "\n";
  out += "COMMIT\n";
  return out;
}

std::string uninstall_text(const InstalledState& installed) {
  if (installed.chains.empty() && installed.hooks.empty()) return "";
  std::string out = "*filter\n";
  for (const auto& name : installed.chains) out += ":" + name + " - [0:0]\n";
  for (const auto& hook : installed.hooks) out += "-D " + hook + "\n";
  for (const auto& name : installed.chains) out += "-X " + name + "\n";
  out += "COMMIT\n";
  return out;
}

std::vector<SavedCounter> parse_counters(const std::string& iptables_save_c) {
  std::vector<SavedCounter> out;
  std::istringstream in(iptables_save_c);
  std::string line;
  const std::string comment_flag = "--comment ";
  while (std::getline(in, line)) {
    // "[12:3456] -A pinto-tw-cali0db ... -m comment --comment "RuleId" -j ACCEPT"
    if (line.empty() || line[0] != '[') continue;
    SavedCounter c;
    char chain[64] = {};
    unsigned long long packets = 0, bytes = 0;
    if (std::sscanf(line.c_str(), "[%llu:%llu] -A %63s", &packets, &bytes, chain) != 3) continue;
    c.chain = chain;
    if (c.chain.rfind(kChainPrefix, 0) != 0) continue;
    const auto at = line.find(comment_flag);
    if (at == std::string::npos) continue;
    std::size_t begin = at + comment_flag.size();
    std::size_t end;
    if (begin < line.size() && line[begin] == '"') {
      ++begin;
      end = line.find('"', begin);
    } else {
      end = line.find(' ', begin);
    }
    if (end == std::string::npos) end = line.size();
    c.rule = line.substr(begin, end - begin);
    c.packets = packets;
    c.bytes = bytes;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace pinto::policy::iptables
