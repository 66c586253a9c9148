// The kernel's chain walk (policy/ebpf/bpf/chain_walk.h and rule_match.h, the very same source)
// over an encoded MapImage in user space: the maps become vectors and a std::map of set members.
// Used by the eBPF unit tests to compare the back-end with the reference evaluator.
#pragma once

#include <arpa/inet.h>

#include <cstring>
#include <map>
#include <vector>

#include "policy/compiler/verdict.h"
#include "policy/ebpf/map_image.h"

namespace pinto::policy::ebpf::sim {

struct Maps {
  std::map<std::uint32_t, std::vector<SetEntry>> sets;  // set index -> members
  const EncodedChain* chain = nullptr;
};

inline bool prefix_holds(const SetEntry& e, std::uint32_t family, const __u32* addr) {
  if (e.family != family) return false;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(addr);
  std::uint32_t bits = e.length;
  for (std::size_t i = 0; bits > 0; ++i) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (e.addr[i] & mask)) return false;
    bits = bits >= 8 ? bits - 8 : 0;
  }
  return true;
}

inline int contains(void* ctx, std::uint32_t set, std::uint32_t family, const __u32* addr) {
  const auto& maps = *static_cast<const Maps*>(ctx);
  auto it = maps.sets.find(set);
  if (it == maps.sets.end()) return 0;
  for (const SetEntry& e : it->second) {
    if (prefix_holds(e, family, addr)) return 1;
  }
  return 0;
}

inline std::uint32_t list_at(void* ctx, std::uint32_t pos) {
  const auto& lists = static_cast<const Maps*>(ctx)->chain->index.lists;
  return pos < lists.size() ? lists[pos] : PINTO_LIST_END;
}

inline const pinto_rule* rule_at(void* ctx, std::uint32_t index) {
  const auto& rules = static_cast<const Maps*>(ctx)->chain->rules;
  return index < rules.size() ? &rules[index] : nullptr;
}

}  // namespace pinto::policy::ebpf::sim

#define PINTO_SET_CONTAINS(ctx, set, family, addr) \
  pinto::policy::ebpf::sim::contains((ctx), (set), (family), (addr))
#define PINTO_LIST_AT(ctx, pos) pinto::policy::ebpf::sim::list_at((ctx), (pos))
#define PINTO_RULE_AT(ctx, index) pinto::policy::ebpf::sim::rule_at((ctx), (index))
#define PINTO_COUNT(ctx, index, bytes) ((void)(index), (void)(bytes))
#include "policy/ebpf/bpf/chain_walk.h"

namespace pinto::policy::ebpf::sim {

struct Outcome {
  bool allowed = false;
  std::uint32_t steps = 0;  // rules the walk looked at
};

inline pinto_packet packet_of(const Packet& p) {
  pinto_packet pkt;
  std::memset(&pkt, 0, sizeof(pkt));
  pkt.family = p.source.is_v4() ? PINTO_FAMILY_IPV4 : PINTO_FAMILY_IPV6;
  std::memcpy(pkt.src, p.source.data(), p.source.size());
  std::memcpy(pkt.dst, p.destination.data(), p.destination.size());
  pkt.protocol = p.protocol;
  pkt.has_ports = p.protocol == 6 || p.protocol == 17 || p.protocol == 132 || p.protocol == 136;
  if (pkt.has_ports) {
    pkt.sport = p.source_port;
    pkt.dport = p.destination_port;
  }
  if (p.protocol == 1 || p.protocol == 58) {
    pkt.icmp_type = p.icmp_type;
    pkt.icmp_code = p.icmp_code;
  }
  return pkt;
}

/// policy.bpf.c's handle() for the first packet of a flow, from the port lookup on.
inline Outcome walk(const MapImage& image, const EncodedChain& chain, const Packet& p) {
  Maps maps;
  for (const SetEntry& e : image.set_entries) maps.sets[e.set].push_back(e);
  maps.chain = &chain;
  pinto_walk w;
  std::memset(&w, 0, sizeof(w));
  w.pkt = packet_of(p);
  w.rule_count = static_cast<std::uint32_t>(chain.rules.size());
  w.wild_end = chain.index.wild_count;
  if (w.pkt.has_ports) {
    for (const PortList& l : chain.index.ports) {
      if (l.protocol == w.pkt.protocol && l.port == w.pkt.dport) {
        w.port_at = l.first;
        w.port_end = l.first + l.count;
      }
    }
  }
  pinto_walk_start(&w, &maps);
  for (std::uint32_t i = 0; i < PINTO_MAX_CHAIN_RULES + 1; ++i) {
    if (pinto_walk_step(&w, &maps)) break;
  }
  return {w.verdict == PINTO_VERDICT_ALLOW, w.steps};
}

}  // namespace pinto::policy::ebpf::sim
