// ChainIndex: which rules of an encoded chain a new flow's packet must look at (policy_abi.h, "The
// index"). Rules that name a protocol and at most PINTO_MAX_INDEXED_PORTS destination ports are
// listed under each (protocol, port) they allow; every other rule is in the wildcard list. The
// kernel walks the merge of the wildcard list and the packet's (protocol, destination port) list
// in rule order (bpf/chain_walk.h), so a new flow costs the rules that could match it, not the
// chain's length, and verdicts are those of the linear walk.
//
// Pure: built from encoded rules alone, so equal rules give an equal index.
#pragma once

#include <cstdint>
#include <vector>

#include "policy/ebpf/bpf/policy_abi.h"

namespace pinto::policy::ebpf {

struct PortList {
  std::uint8_t protocol = 0;
  std::uint16_t port = 0;
  std::uint32_t first = 0;  // offset of the list in ChainIndex::lists
  std::uint32_t count = 0;
  friend bool operator==(const PortList&, const PortList&) = default;
};

struct ChainIndex {
  /// The wildcard list (its first `wild_count` entries), then every port list; entries are
  /// chain-relative rule indices, ascending within each list.
  std::vector<std::uint32_t> lists;
  std::uint32_t wild_count = 0;
  std::vector<PortList> ports;  // sorted by (protocol, port)
  friend bool operator==(const ChainIndex&, const ChainIndex&) = default;
};

/// Whether `rule` is listed per (protocol, port) rather than in the wildcard list.
bool is_port_indexed(const pinto_rule& rule);

ChainIndex build_chain_index(const std::vector<pinto_rule>& rules);

}  // namespace pinto::policy::ebpf
