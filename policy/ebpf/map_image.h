// MapImage: the pure half of the eBPF back-end. It turns a compiled Program (program.h) into the
// contents of the BPF maps (bpf/policy_abi.h): encoded rules per endpoint chain and the IPv4
// members of every set as LPM-trie keys. No kernel, no libbpf: unit-tested on its own, and the
// encoded rules are replayed through the very match code the kernel runs (bpf/rule_match.h).
//
// Supported subset (anything else is refused with an error naming the endpoint and rule, never
// silently allowed):
//   - IPv4. Rules restricted to IPv6 become never-matching placeholders (they cannot match an
//     IPv4 packet); IPv6 set members are left out of the trie for the same reason.
//   - per side at most PINTO_MAX_SETS_PER_SIDE in_sets / not_in_sets and PINTO_MAX_PORT_RANGES
//     ports / not_ports; at most PINTO_MAX_RULES rules per chain.
//   - not done: named ports on *remote* endpoints (port_sets, not_port_sets).
//
// Set indices: a SetId (64-bit hash) becomes a dense 32-bit index, kept stable across applies by
// SetIndexer, so a set's members can change in place without touching a rule.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/compiler/program.h"
#include "policy/ebpf/bpf/policy_abi.h"

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

  bool same_rules(const EncodedChain& other) const;
};

struct EncodedEndpoint {
  EndpointId endpoint;
  std::string interface_name;
  EncodedChain ingress;  // PINTO_DIR_INGRESS: traffic to the endpoint
  EncodedChain egress;   // PINTO_DIR_EGRESS: traffic from it
};

/// A set key with the ordering the diff of two images needs.
struct SetEntry {
  std::uint32_t set = 0;
  std::uint32_t addr = 0;  // network byte order
  std::uint32_t length = 0;
  friend auto operator<=>(const SetEntry&, const SetEntry&) = default;
  pinto_set_key key() const { return {32 + length, set, addr}; }
};

struct MapImage {
  std::vector<SetEntry> set_entries;  // sorted, unique
  std::vector<EncodedEndpoint> endpoints;
};

/// Encodes one chain; sets must have indices in `sets`. Errors name `where` and the rule.
Result<EncodedChain> encode_chain(const Chain& chain, const SetIndexer& sets,
                                  const std::string& where);

/// The whole image of `program`; `sets` is updated first (assign()).
Result<MapImage> build_map_image(const Program& program, SetIndexer& sets);

}  // namespace pinto::policy::ebpf
