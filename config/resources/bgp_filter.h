// projectcalico.org/v3 BGPFilter: ordered import/export rules per address family, referenced by
// name from BGPPeer.spec.filters. Rules are typed and validated here; rib/ applies them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "config/resources/community.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

enum class MatchOperator : std::uint8_t { Equal, NotEqual, In, NotIn };
enum class FilterAction : std::uint8_t { Accept, Reject };
enum class FilterPeerType : std::uint8_t { EBgp, IBgp };

/// One route modification applied by an Accept rule (exactly one of the three is set).
struct FilterOperation {
  std::optional<Community> add_community;
  std::vector<std::uint32_t> prepend_as_path;  // prepended in the order listed
  std::optional<std::uint32_t> set_priority;   // kernel route metric, 1..2147483646
  friend bool operator==(const FilterOperation&, const FilterOperation&) = default;
};

struct FilterRule {
  std::optional<IpPrefix> cidr;                 // of the rule list's family
  std::optional<MatchOperator> match_operator;  // required exactly when cidr is set
  std::optional<std::uint8_t> prefix_length_min;
  std::optional<std::uint8_t> prefix_length_max;
  bool source_remote_peers = false;  // source: RemotePeers
  std::string interface;             // outgoing interface, may use '*' wildcards
  std::optional<FilterPeerType> peer_type;
  std::optional<Community> community;  // communities: {values: [one]}
  std::vector<std::uint32_t> as_path_prefix;
  std::optional<std::uint32_t> priority;
  FilterAction action = FilterAction::Accept;
  std::vector<FilterOperation> operations;
  friend bool operator==(const FilterRule&, const FilterRule&) = default;
};

struct BgpFilter {
  ObjectMeta metadata;
  std::vector<FilterRule> export_v4;
  std::vector<FilterRule> import_v4;
  std::vector<FilterRule> export_v6;
  std::vector<FilterRule> import_v6;
  friend bool operator==(const BgpFilter&, const BgpFilter&) = default;
};

}  // namespace pinto::config
