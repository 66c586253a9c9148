// BGP path attributes (RFC 4271 §4.3, §5 and the RFCs that add attributes), decoded into one
// struct with a field per attribute we understand.
//
// Attributes are decoded through a table with one row per type code (BIRD's bgp_attr_table idea):
// the row names the attribute, its required flags and its RFC 7606 error action, so how Pinto
// treats a malformed attribute can be read in one place (attributes.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "bgp/wire/context.h"
#include "bgp/wire/error.h"
#include "bgp/wire/nlri.h"
#include "bgp/wire/types.h"
#include "common/ip_address.h"

namespace pinto::bgp::wire {

namespace attr_flag {
inline constexpr std::uint8_t kOptional = 0x80;
inline constexpr std::uint8_t kTransitive = 0x40;
inline constexpr std::uint8_t kPartial = 0x20;
inline constexpr std::uint8_t kExtendedLength = 0x10;
}  // namespace attr_flag

namespace attr_type {
inline constexpr std::uint8_t kOrigin = 1;
inline constexpr std::uint8_t kAsPath = 2;
inline constexpr std::uint8_t kNextHop = 3;
inline constexpr std::uint8_t kMultiExitDisc = 4;
inline constexpr std::uint8_t kLocalPref = 5;
inline constexpr std::uint8_t kAtomicAggregate = 6;
inline constexpr std::uint8_t kAggregator = 7;
inline constexpr std::uint8_t kCommunities = 8;           // RFC 1997
inline constexpr std::uint8_t kOriginatorId = 9;          // RFC 4456
inline constexpr std::uint8_t kClusterList = 10;          // RFC 4456
inline constexpr std::uint8_t kMpReachNlri = 14;          // RFC 4760
inline constexpr std::uint8_t kMpUnreachNlri = 15;        // RFC 4760
inline constexpr std::uint8_t kExtendedCommunities = 16;  // RFC 4360
inline constexpr std::uint8_t kAs4Path = 17;              // RFC 6793
inline constexpr std::uint8_t kAs4Aggregator = 18;        // RFC 6793
inline constexpr std::uint8_t kLargeCommunities = 32;     // RFC 8092
}  // namespace attr_type

enum class Origin : std::uint8_t { Igp = 0, Egp = 1, Incomplete = 2 };

enum class AsSegmentType : std::uint8_t {
  Set = 1,
  Sequence = 2,
  ConfedSequence = 3,  // RFC 5065
  ConfedSet = 4,
};

struct AsSegment {
  AsSegmentType type = AsSegmentType::Sequence;
  std::vector<std::uint32_t> asns;
  friend bool operator==(const AsSegment&, const AsSegment&) = default;
};

struct AsPath {
  std::vector<AsSegment> segments;

  /// Path length for best-path selection (RFC 4271 §9.1.2.2 a, RFC 5065 §5.3): a SET counts one,
  /// confederation segments count zero.
  std::size_t length() const;
  /// The first AS of the leftmost SEQUENCE (the neighbour AS for MED comparison), 0 if none.
  std::uint32_t first_as() const;
  bool contains(std::uint32_t asn) const;
  friend bool operator==(const AsPath&, const AsPath&) = default;
};

/// RFC 6793 §4.2.3: rebuilds the 4-octet path of a route received from a 2-octet-only peer.
AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path);

struct Aggregator {
  std::uint32_t asn = 0;
  IpAddress address;
  friend bool operator==(const Aggregator&, const Aggregator&) = default;
};

struct LargeCommunity {
  std::uint32_t global_admin = 0;
  std::uint32_t local_data1 = 0;
  std::uint32_t local_data2 = 0;
  friend bool operator==(const LargeCommunity&, const LargeCommunity&) = default;
  friend auto operator<=>(const LargeCommunity&, const LargeCommunity&) = default;
};

/// MP_REACH_NLRI (RFC 4760 §3) for IPv4/IPv6 unicast. For IPv6 the next hop is the global
/// address, optionally followed by a link-local one (RFC 2545 §3).
struct MpReach {
  AfiSafi family;
  IpAddress next_hop;
  std::optional<IpAddress> link_local_next_hop;
  std::vector<Nlri> nlri;
  friend bool operator==(const MpReach&, const MpReach&) = default;
};

/// MP_UNREACH_NLRI (RFC 4760 §4). An empty `withdrawn` is the End-of-RIB marker for `family`.
struct MpUnreach {
  AfiSafi family;
  std::vector<Nlri> withdrawn;
  friend bool operator==(const MpUnreach&, const MpUnreach&) = default;
};

/// An attribute this codec does not interpret. Optional transitive ones are passed on with the
/// Partial bit set (RFC 4271 §5); optional non-transitive ones are dropped when decoded.
struct RawAttribute {
  std::uint8_t flags = 0;
  std::uint8_t type = 0;
  Bytes value;
  friend bool operator==(const RawAttribute&, const RawAttribute&) = default;
};

struct PathAttributes {
  std::optional<Origin> origin;
  std::optional<AsPath> as_path;
  std::optional<IpAddress> next_hop;  // IPv4 NEXT_HOP attribute
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  bool atomic_aggregate = false;
  std::optional<Aggregator> aggregator;
  std::vector<std::uint32_t> communities;
  std::optional<std::uint32_t> originator_id;
  std::vector<std::uint32_t> cluster_list;
  std::optional<MpReach> mp_reach;
  std::optional<MpUnreach> mp_unreach;
  std::vector<std::uint64_t> extended_communities;
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
  std::vector<LargeCommunity> large_communities;
  std::vector<RawAttribute> unknown;  // ordered by type code

  friend bool operator==(const PathAttributes&, const PathAttributes&) = default;
};

/// Outcome of decoding the path attributes field of an UPDATE.
struct AttributeDecodeState {
  std::vector<DecodeError> errors;  // non-fatal (TreatAsWithdraw, AttributeDiscard), in order
};

/// Decodes the Path Attributes field. Returns false with `fatal` set when the error demands a
/// session reset; non-fatal errors are appended to `state.errors` and decoding goes on.
bool decode_path_attributes(ByteView field, const DecodeContext& ctx, PathAttributes& out,
                            AttributeDecodeState& state, DecodeError& fatal);

/// Appends every attribute of `attrs` except MP_REACH_NLRI/MP_UNREACH_NLRI, in type-code order.
/// On a 2-octet session, 4-octet AS numbers become AS_TRANS and AS4_PATH/AS4_AGGREGATOR are
/// generated (RFC 6793 §4.2.2); on a 4-octet session AS4_* are never sent.
void encode_path_attributes(const PathAttributes& attrs, const EncodeContext& ctx, Bytes& out);

/// Appends one attribute header (flags, type, 1- or 2-octet length as needed) and value.
void encode_attribute(std::uint8_t flags, std::uint8_t type, ByteView value, Bytes& out);

/// Appends MP_REACH_NLRI / MP_UNREACH_NLRI with the given NLRI.
void encode_mp_reach(const MpReach& reach, std::span<const Nlri> nlri, const EncodeContext& ctx,
                     Bytes& out);
void encode_mp_unreach(AfiSafi family, std::span<const Nlri> withdrawn, const EncodeContext& ctx,
                       Bytes& out);

}  // namespace pinto::bgp::wire
