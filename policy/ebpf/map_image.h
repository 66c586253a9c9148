// MapImage: the pure half of the eBPF back-end. It turns a compiled Program (program.h) into the
// contents of the BPF maps (bpf/policy_abi.h): encoded rules and their (protocol, port) index per
// endpoint chain, and the members of every set as LPM-trie keys of their family. No kernel, no
// libbpf: unit-tested on its own, and the encoded chains are replayed through the very walk and
// match code the kernel runs (bpf/chain_walk.h, bpf/rule_match.h).
//
// Supported subset (anything else is refused with an error naming the endpoint and rule, never
// silently allowed):
//   - IPv4 and IPv6; a rule of one family (ipVersion, ICMP/ICMPv6, nets of one family) carries
//     PINTO_F_IPV4 / PINTO_F_IPV6 and never matches the other family's packets.
//   - per side at most PINTO_MAX_SETS_PER_SIDE in_sets / not_in_sets and PINTO_MAX_PORT_RANGES
//     ports / not_ports; at most PINTO_MAX_CHAIN_RULES rules per chain, PINTO_MAX_TOTAL_RULES
//     over the Program, PINTO_MAX_ENDPOINTS endpoints, PINTO_MAX_SET_ENTRIES set members
//     over both families, PINTO_MAX_LIST_ENTRIES / PINTO_MAX_PORT_KEYS for the index.
//   - named ports of *remote* endpoints (port_sets, not_port_sets): at most PINTO_MAX_PORT_SETS
//     per side; their (address, protocol, port) members go into the same trie, with protocol
//     and port in the key's family word (pinto_port_family).
//
// Set indices: a SetId (64-bit hash) becomes a dense 32-bit index, kept stable across applies by
// SetIndexer, so a set's members can change in place without touching a rule.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/compiler/program.h"
#include "policy/ebpf/bpf/policy_abi.h"
#include "policy/ebpf/chain_index.h"

namespace pinto::policy::ebpf {

/// Dense, stable indices for SetIds: an id keeps its index while it stays in the Program.
class SetIndexer {
 public:
  /// Gives every set of `program` an index (reusing freed ones) and frees those of vanished sets.
  void assign(const Program& program);
  /// The index of `id`; assign() must have seen it.
  std::uint32_t index_of(SetId id) const { return indices_.at(id); }
  const std::map<SetId, std::uint32_t>& indices() const { return indices_; }

 private:
  std::map<SetId, std::uint32_t> indices_;
  std::vector<std::uint32_t> free_;
  std::uint32_t next_ = 0;
};

struct EncodedChain {
  bool policed = false;
  std::vector<pinto_rule> rules;
  std::vector<RuleId> ids;  // ids[i] names rules[i], for the counters
  ChainIndex index;         // derived from `rules`

  bool same_rules(const EncodedChain& other) const;
};

struct EncodedEndpoint {
  EndpointId endpoint;
  std::string interface_name;
  EncodedChain ingress;  // PINTO_DIR_INGRESS: traffic to the endpoint
  EncodedChain egress;   // PINTO_DIR_EGRESS: traffic from it
};

/// A set member with the ordering the diff of two images needs.
struct SetEntry {
  std::uint32_t set = 0;
  std::uint32_t family = PINTO_FAMILY_IPV4;  // named-port sets: pinto_port_family()
  std::array<std::uint8_t, 16> addr{};       // network byte order; IPv4 in the first 4 bytes
  std::uint32_t length = 0;
  friend auto operator<=>(const SetEntry&, const SetEntry&) = default;
  pinto_set_key key() const;
};

struct MapImage {
  std::vector<SetEntry> set_entries;  // sorted, unique
  std::vector<EncodedEndpoint> endpoints;
};

/// Encodes one chain and its index; sets must have indices in `sets`. Errors name `where` and
/// the rule.
Result<EncodedChain> encode_chain(const Chain& chain, const SetIndexer& sets,
                                  const std::string& where);

/// The whole image of `program`; `sets` is updated first (assign()). Refuses a Program beyond
/// the limits of policy_abi.h with an error that names the limit.
Result<MapImage> build_map_image(const Program& program, SetIndexer& sets);

}  // namespace pinto::policy::ebpf
