#include "policy/ebpf/map_image.h"

#include <algorithm>
#include <cstring>

namespace pinto::policy::ebpf {

void SetIndexer::assign(const Program& program) {
  // New sets take indices freed by *earlier* applies only: an index freed now may still have
  // members in the trie until this apply removes them, and must not reach a new set's rules yet.
  std::vector<std::uint32_t> freed_now;
  for (auto it = indices_.begin(); it != indices_.end();) {
    if (program.sets.count(it->first) == 0) {
      freed_now.push_back(it->second);
      it = indices_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, set] : program.sets) {
    if (indices_.count(id) != 0) continue;
    std::uint32_t index = next_;
    if (!free_.empty()) {
      index = free_.back();
      free_.pop_back();
    } else {
      ++next_;
    }
    indices_.emplace(id, index);
  }
  free_.insert(free_.end(), freed_now.begin(), freed_now.end());
}

bool EncodedChain::same_rules(const EncodedChain& other) const {
  // The structs are zero-initialised field by field and hold no implicit padding, so byte
  // equality is value equality. The index is derived from the rules: equal rules, equal index.
  return policed == other.policed && ids == other.ids && rules.size() == other.rules.size() &&
         std::memcmp(rules.data(), other.rules.data(), rules.size() * sizeof(pinto_rule)) == 0;
}

pinto_set_key SetEntry::key() const {
  pinto_set_key key{64 + length, set, family, {0, 0, 0, 0}};
  std::memcpy(key.addr, addr.data(), 16);
  return key;
}

namespace {

Error limit_error(std::size_t count, const char* what, std::size_t limit) {
  return Error{"eBPF dataplane: " + std::to_string(count) + " " + what + ", more than the " +
               std::to_string(limit) + " the eBPF dataplane holds"};
}

Error refuse(const std::string& where, const Rule& rule, const std::string& why) {
  return Error{"eBPF dataplane: " + where + " rule '" + rule.id.text + "': " + why};
}

Result<void> encode_sets(const std::vector<SetId>& ids, __u32* out, __u8& n, const SetIndexer& sets,
                         const std::string& where, const Rule& rule, const char* field) {
  if (ids.size() > PINTO_MAX_SETS_PER_SIDE) {
    return failure(refuse(where, rule,
                          std::string(field) + ": more than " +
                              std::to_string(PINTO_MAX_SETS_PER_SIDE) + " sets (not supported)"));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (sets.indices().count(ids[i]) == 0) {
      return failure(refuse(where, rule, std::string(field) + ": unknown set"));
    }
    out[i] = sets.index_of(ids[i]);
  }
  n = static_cast<__u8>(ids.size());
  return outcome::success();
}

Result<void> encode_ports(const std::vector<PortRange>& ranges, pinto_port_range* out, __u8& n,
                          const std::string& where, const Rule& rule, const char* field) {
  if (ranges.size() > PINTO_MAX_PORT_RANGES) {
    return failure(refuse(where, rule,
                          std::string(field) + ": more than " +
                              std::to_string(PINTO_MAX_PORT_RANGES) + " ranges (not supported)"));
  }
  for (std::size_t i = 0; i < ranges.size(); ++i) out[i] = {ranges[i].first, ranges[i].last};
  n = static_cast<__u8>(ranges.size());
  return outcome::success();
}

Result<void> encode_side(const AddressMatch& m, pinto_side& out, const SetIndexer& sets,
                         const std::string& where, const Rule& rule, const char* side) {
  const std::string s(side);
  for (const auto* port_sets : {&m.port_sets, &m.not_port_sets}) {
    if (port_sets->size() > PINTO_MAX_PORT_SETS) {
      return failure(refuse(where, rule,
                            s + (port_sets == &m.port_sets ? ".port_sets" : ".not_port_sets") +
                                ": more than " + std::to_string(PINTO_MAX_PORT_SETS) +
                                " named ports (not supported)"));
    }
  }
  static_assert(PINTO_MAX_PORT_SETS == PINTO_MAX_SETS_PER_SIDE, "encode_sets fills 4 slots");
  if (auto r = encode_sets(m.port_sets, out.port_sets, out.n_port_sets, sets, where, rule,
                           (s + ".port_sets").c_str());
      !r) {
    return r;
  }
  if (auto r = encode_sets(m.not_port_sets, out.not_port_sets, out.n_not_port_sets, sets, where,
                           rule, (s + ".not_port_sets").c_str());
      !r) {
    return r;
  }
  if (auto r =
          encode_sets(m.in_sets, out.in, out.n_in, sets, where, rule, (s + ".in_sets").c_str());
      !r) {
    return r;
  }
  if (auto r = encode_sets(m.not_in_sets, out.not_in, out.n_not_in, sets, where, rule,
                           (s + ".not_in_sets").c_str());
      !r) {
    return r;
  }
  if (auto r = encode_ports(m.ports, out.ports, out.n_ports, where, rule, (s + ".ports").c_str());
      !r) {
    return r;
  }
  return encode_ports(m.not_ports, out.not_ports, out.n_not_ports, where, rule,
                      (s + ".not_ports").c_str());
}

Result<pinto_rule> encode_rule(const Rule& rule, std::size_t index, const SetIndexer& sets,
                               const std::string& where) {
  pinto_rule out;
  std::memset(&out, 0, sizeof(out));
  switch (rule.action) {
    case Action::Allow: out.action = PINTO_ACTION_ALLOW; break;
    case Action::Deny: out.action = PINTO_ACTION_DENY; break;
    case Action::Log: out.action = PINTO_ACTION_LOG; break;
    case Action::Goto:
      if (rule.goto_index <= index) {
        return failure(refuse(where, rule, "Goto does not jump forward"));
      }
      out.action = PINTO_ACTION_GOTO;
      out.goto_index = rule.goto_index;
      break;
  }
  const Match& m = rule.match;
  if (m.ip_version == IpVersion::V4) out.flags |= PINTO_F_IPV4;
  if (m.ip_version == IpVersion::V6) out.flags |= PINTO_F_IPV6;
  if (m.protocol) {
    out.flags |= PINTO_F_PROTOCOL;
    out.protocol = *m.protocol;
  }
  if (m.not_protocol) {
    out.flags |= PINTO_F_NOT_PROTOCOL;
    out.not_protocol = *m.not_protocol;
  }
  if (m.icmp) {
    out.flags |= PINTO_F_ICMP;
    out.icmp_type = m.icmp->type;
    if (m.icmp->code) {
      out.flags |= PINTO_F_ICMP_CODE;
      out.icmp_code = *m.icmp->code;
    }
  }
  if (m.not_icmp) {
    out.flags |= PINTO_F_NOT_ICMP;
    out.not_icmp_type = m.not_icmp->type;
    if (m.not_icmp->code) {
      out.flags |= PINTO_F_NOT_ICMP_CODE;
      out.not_icmp_code = *m.not_icmp->code;
    }
  }
  if (auto r = encode_side(m.source, out.src, sets, where, rule, "source"); !r) {
    return failure(r.error());
  }
  if (auto r = encode_side(m.destination, out.dst, sets, where, rule, "destination"); !r) {
    return failure(r.error());
  }
  return out;
}

}  // namespace

Result<EncodedChain> encode_chain(const Chain& chain, const SetIndexer& sets,
                                  const std::string& where) {
  if (chain.rules.size() > PINTO_MAX_CHAIN_RULES) {
    return failure(Error{"eBPF dataplane: " + where + ": " + std::to_string(chain.rules.size()) +
                         " rules, more than the " + std::to_string(PINTO_MAX_CHAIN_RULES) +
                         " a chain may hold"});
  }
  EncodedChain out;
  out.policed = chain.policed;
  for (std::size_t i = 0; i < chain.rules.size(); ++i) {
    auto rule = encode_rule(chain.rules[i], i, sets, where);
    if (!rule) return failure(rule.error());
    out.rules.push_back(rule.value());
    out.ids.push_back(chain.rules[i].id);
  }
  out.index = build_chain_index(out.rules);
  return out;
}

Result<MapImage> build_map_image(const Program& program, SetIndexer& sets) {
  if (program.endpoints.size() > PINTO_MAX_ENDPOINTS) {
    return failure(limit_error(program.endpoints.size(), "endpoints", PINTO_MAX_ENDPOINTS));
  }
  sets.assign(program);
  MapImage image;
  for (const auto& [id, set] : program.sets) {
    for (const SetMember& member : set.members) {
      SetEntry e;
      e.set = sets.index_of(id);
      const IpAddress& a = member.net.address();
      e.family = a.is_v4() ? PINTO_FAMILY_IPV4 : PINTO_FAMILY_IPV6;
      // A named-port set's member is (address, protocol, port): see pinto_port_family.
      if (set.kind == SetKind::NamedPort) {
        e.family = pinto_port_family(e.family, member.protocol, member.port);
      }
      std::memcpy(e.addr.data(), a.data(), a.size());
      e.length = member.net.length();
      image.set_entries.push_back(e);
    }
  }
  std::sort(image.set_entries.begin(), image.set_entries.end());
  image.set_entries.erase(std::unique(image.set_entries.begin(), image.set_entries.end()),
                          image.set_entries.end());
  if (image.set_entries.size() > PINTO_MAX_SET_ENTRIES) {
    return failure(limit_error(image.set_entries.size(), "set members", PINTO_MAX_SET_ENTRIES));
  }
  std::size_t rules = 0, list_entries = 0, port_keys = 0;
  for (const EndpointProgram& ep : program.endpoints) {
    const std::string where = ep.endpoint.to_string();
    auto ingress = encode_chain(ep.ingress, sets, where + " ingress");
    if (!ingress) return failure(ingress.error());
    auto egress = encode_chain(ep.egress, sets, where + " egress");
    if (!egress) return failure(egress.error());
    for (const EncodedChain* c : {&ingress.value(), &egress.value()}) {
      rules += c->rules.size();
      list_entries += c->index.lists.size();
      port_keys += c->index.ports.size();
    }
    image.endpoints.push_back(
        {ep.endpoint, ep.interface_name, std::move(ingress.value()), std::move(egress.value())});
  }
  if (rules > PINTO_MAX_TOTAL_RULES) {
    return failure(limit_error(rules, "rules over all chains", PINTO_MAX_TOTAL_RULES));
  }
  if (list_entries > PINTO_MAX_LIST_ENTRIES) {
    return failure(limit_error(list_entries,
                               "port index entries (rules times the ports each one "
                               "lists)",
                               PINTO_MAX_LIST_ENTRIES));
  }
  if (port_keys > PINTO_MAX_PORT_KEYS) {
    return failure(
        limit_error(port_keys, "(chain, protocol, port) index keys", PINTO_MAX_PORT_KEYS));
  }
  return image;
}

}  // namespace pinto::policy::ebpf
