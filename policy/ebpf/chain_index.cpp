#include "policy/ebpf/chain_index.h"

#include <map>
#include <utility>

namespace pinto::policy::ebpf {

bool is_port_indexed(const pinto_rule& rule) {
  // A rule with destination ports matches only packets of its protocol whose destination port is
  // in them (rule_match.h: ports never match a packet without ports). Without a protocol it could
  // match any port protocol; wide ranges would cost more list entries than they save.
  if (!(rule.flags & PINTO_F_PROTOCOL) || rule.dst.n_ports == 0) return false;
  // Named ports of remote endpoints may be any port: such a rule is looked at by every flow.
  if (rule.dst.n_port_sets != 0) return false;
  std::uint32_t span = 0;
  for (std::uint32_t i = 0; i < rule.dst.n_ports && i < PINTO_MAX_PORT_RANGES; ++i) {
    const pinto_port_range& r = rule.dst.ports[i];
    if (r.last < r.first) continue;  // matches no port: listing it nowhere is exact
    span += static_cast<std::uint32_t>(r.last - r.first) + 1;
    if (span > PINTO_MAX_INDEXED_PORTS) return false;
  }
  return true;
}

ChainIndex build_chain_index(const std::vector<pinto_rule>& rules) {
  ChainIndex index;
  std::map<std::pair<std::uint8_t, std::uint16_t>, std::vector<std::uint32_t>> by_port;
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    const pinto_rule& r = rules[i];
    if (!is_port_indexed(r)) {
      index.lists.push_back(i);
      continue;
    }
    for (std::uint32_t k = 0; k < r.dst.n_ports; ++k) {
      const pinto_port_range& range = r.dst.ports[k];
      for (std::uint32_t port = range.first; port <= range.last; ++port) {
        auto& list = by_port[{r.protocol, static_cast<std::uint16_t>(port)}];
        // Overlapping ranges of one rule list it once: the walk takes one step per entry.
        if (list.empty() || list.back() != i) list.push_back(i);
      }
    }
  }
  index.wild_count = static_cast<std::uint32_t>(index.lists.size());
  for (const auto& [key, list] : by_port) {
    index.ports.push_back({key.first, key.second, static_cast<std::uint32_t>(index.lists.size()),
                           static_cast<std::uint32_t>(list.size())});
    index.lists.insert(index.lists.end(), list.begin(), list.end());
  }
  return index;
}

}  // namespace pinto::policy::ebpf
