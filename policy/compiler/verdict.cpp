#include "policy/compiler/verdict.h"

#include <algorithm>

#include "config/resources/network_policy.h"

namespace pinto::policy {

namespace {

bool has_ports(std::uint8_t protocol) {
  return protocol == config::protocol::kTcp || protocol == config::protocol::kUdp ||
         protocol == config::protocol::kSctp || protocol == config::protocol::kUdpLite;
}

bool is_icmp(std::uint8_t protocol) {
  return protocol == config::protocol::kIcmp || protocol == config::protocol::kIcmpV6;
}

const IpSet* find_set(const Program& program, SetId id) {
  auto it = program.sets.find(id);
  return it == program.sets.end() ? nullptr : &it->second;
}

bool in_set(const Program& program, SetId id, const IpAddress& a) {
  const IpSet* set = find_set(program, id);
  if (!set) return false;
  return std::any_of(set->members.begin(), set->members.end(),
                     [&](const SetMember& m) { return m.net.contains(a); });
}

bool in_port_set(const Program& program, SetId id, const IpAddress& a, std::uint8_t protocol,
                 std::uint16_t port) {
  const IpSet* set = find_set(program, id);
  if (!set) return false;
  return std::any_of(set->members.begin(), set->members.end(), [&](const SetMember& m) {
    return m.net.contains(a) && m.protocol == protocol && m.port == port;
  });
}

bool in_ranges(const std::vector<PortRange>& ranges, std::uint16_t port) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const PortRange& r) { return port >= r.first && port <= r.last; });
}

bool side_matches(const Program& program, const AddressMatch& m, const IpAddress& address,
                  std::uint8_t protocol, std::uint16_t port) {
  for (SetId id : m.in_sets) {
    if (!in_set(program, id, address)) return false;
  }
  for (SetId id : m.not_in_sets) {
    if (in_set(program, id, address)) return false;
  }
  const bool port_known = has_ports(protocol);
  if (!m.ports.empty() || !m.port_sets.empty()) {
    if (!port_known) return false;
    bool any = in_ranges(m.ports, port);
    for (SetId id : m.port_sets) any = any || in_port_set(program, id, address, protocol, port);
    if (!any) return false;
  }
  if (port_known) {
    if (in_ranges(m.not_ports, port)) return false;
    for (SetId id : m.not_port_sets) {
      if (in_port_set(program, id, address, protocol, port)) return false;
    }
  }
  return true;
}

bool icmp_matches(const IcmpTypeCode& m, const Packet& p) {
  return p.icmp_type == m.type && (!m.code || p.icmp_code == *m.code);
}

}  // namespace

bool matches(const Program& program, const Match& match, const Packet& packet) {
  if (match.ip_version) {
    const bool v4 = packet.source.is_v4();
    if (v4 != (*match.ip_version == IpVersion::V4)) return false;
  }
  if (match.protocol && packet.protocol != *match.protocol) return false;
  if (match.not_protocol && packet.protocol == *match.not_protocol) return false;
  if (match.icmp && !(is_icmp(packet.protocol) && icmp_matches(*match.icmp, packet))) return false;
  if (match.not_icmp && is_icmp(packet.protocol) && icmp_matches(*match.not_icmp, packet)) {
    return false;
  }
  return side_matches(program, match.source, packet.source, packet.protocol, packet.source_port) &&
         side_matches(program, match.destination, packet.destination, packet.protocol,
                      packet.destination_port);
}

Verdict evaluate(const Program& program, const EndpointProgram& endpoint, Direction direction,
                 const Packet& packet) {
  Verdict v;
  const Chain& chain = endpoint.chain(direction);
  std::size_t i = 0;
  while (i < chain.rules.size()) {
    const Rule& r = chain.rules[i];
    if (!matches(program, r.match, packet)) {
      ++i;
      continue;
    }
    switch (r.action) {
      case Action::Allow:
      case Action::Deny:
        v.allowed = r.action == Action::Allow;
        v.decided_by = r.id;
        return v;
      case Action::Log:
        v.logged.push_back(r.id);
        ++i;
        break;
      case Action::Goto:
        // Only forward jumps exist, so the walk always ends.
        i = std::max<std::size_t>(r.goto_index, i + 1);
        break;
    }
  }
  // Unreachable for a compiled chain (it ends in an unconditional verdict); deny to be safe.
  v.allowed = false;
  return v;
}

}  // namespace pinto::policy
