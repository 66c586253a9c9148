// Path attribute decoding and encoding, driven by one table row per attribute type.
//
// RFC 7606 §7 decides, per attribute, what a malformed instance costs: most make the whole UPDATE
// "treat-as-withdraw"; a few informational ones are simply discarded; MP_REACH/MP_UNREACH reset
// the session because once they are unreadable the NLRI they carry cannot be located. That choice
// is the `on_error` column of kAttrTable below.
#include "bgp/wire/attributes.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdio>

#include "bgp/wire/byte_io.h"

namespace pinto::bgp::wire {

// ---------------------------------------------------------------------------------------------
// AS_PATH helpers

std::size_t AsPath::length() const {
  std::size_t n = 0;
  for (const auto& s : segments) {
    if (s.type == AsSegmentType::Sequence) n += s.asns.size();
    if (s.type == AsSegmentType::Set) n += 1;
  }
  return n;
}

std::uint32_t AsPath::first_as() const {
  for (const auto& s : segments) {
    if (s.type == AsSegmentType::Sequence && !s.asns.empty()) return s.asns.front();
    if (s.type == AsSegmentType::Set) return 0;
  }
  return 0;
}

bool AsPath::contains(std::uint32_t asn) const {
  return std::any_of(segments.begin(), segments.end(), [asn](const AsSegment& s) {
    return std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end();
  });
}

AsPath merge_as4_path(const AsPath& as_path, const AsPath& as4_path) {
  const std::size_t n = as_path.length();
  const std::size_t m = as4_path.length();
  // §4.2.3: an AS4_PATH longer than AS_PATH is ignored.
  if (m > n) return as_path;
  std::size_t keep = n - m;
  AsPath merged;
  for (const auto& s : as_path.segments) {
    if (s.type == AsSegmentType::ConfedSequence || s.type == AsSegmentType::ConfedSet) {
      merged.segments.push_back(s);
      continue;
    }
    if (keep == 0) break;
    if (s.type == AsSegmentType::Set) {
      merged.segments.push_back(s);
      --keep;
      continue;
    }
    const std::size_t take = std::min(keep, s.asns.size());
    merged.segments.push_back(AsSegment{
        s.type,
        std::vector<std::uint32_t>(s.asns.begin(), s.asns.begin() + static_cast<long>(take))});
    keep -= take;
  }
  for (const auto& s : as4_path.segments) merged.segments.push_back(s);
  return merged;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Decoders: each reads one attribute value. They return std::nullopt on success, or the UPDATE
// Message Error subcode that describes what was wrong (with a reason for the log).

struct Malformed {
  std::uint8_t subcode;
  std::string reason;
};
using AttrResult = std::optional<Malformed>;

struct AttrInput {
  ByteView value;
  std::uint8_t flags;
  const DecodeContext& ctx;
};

AttrResult bad_length(const AttrInput& in, const char* what) {
  return Malformed{update_subcode::kAttributeLengthError,
                   std::string(what) + " has length " + std::to_string(in.value.size())};
}

AttrResult decode_origin(const AttrInput& in, PathAttributes& out) {
  if (in.value.size() != 1) return bad_length(in, "ORIGIN");
  if (in.value[0] > 2) {
    return Malformed{update_subcode::kInvalidOriginAttribute,
                     "ORIGIN value " + std::to_string(in.value[0])};
  }
  out.origin = static_cast<Origin>(in.value[0]);
  return std::nullopt;
}

/// Shared by AS_PATH and AS4_PATH (RFC 7606 §7.2, RFC 6793 §6).
AttrResult decode_as_path_value(ByteView value, bool four_octet, bool allow_confed, AsPath& out) {
  ByteReader r(value);
  const std::size_t as_size = four_octet ? 4 : 2;
  while (!r.empty()) {
    std::uint8_t type = 0, count = 0;
    if (!r.u8(type) || !r.u8(count)) {
      return Malformed{update_subcode::kMalformedAsPath, "AS_PATH segment header truncated"};
    }
    const bool confed = type == 3 || type == 4;
    if (type < 1 || type > 4 || (confed && !allow_confed)) {
      return Malformed{update_subcode::kMalformedAsPath,
                       "AS_PATH segment type " + std::to_string(type)};
    }
    if (count == 0) {
      return Malformed{update_subcode::kMalformedAsPath, "AS_PATH segment of length zero"};
    }
    if (r.remaining() < count * as_size) {
      return Malformed{update_subcode::kMalformedAsPath, "AS_PATH segment runs past attribute"};
    }
    AsSegment seg{static_cast<AsSegmentType>(type), {}};
    seg.asns.reserve(count);
    for (unsigned i = 0; i < count; ++i) {
      std::uint32_t asn = 0;
      if (four_octet) {
        r.u32(asn);
      } else {
        std::uint16_t a16 = 0;
        r.u16(a16);
        asn = a16;
      }
      if (asn == 0) {  // RFC 7607: AS 0 makes the path malformed
        return Malformed{update_subcode::kMalformedAsPath, "AS_PATH contains AS 0"};
      }
      seg.asns.push_back(asn);
    }
    out.segments.push_back(std::move(seg));
  }
  return std::nullopt;
}

AttrResult decode_as_path(const AttrInput& in, PathAttributes& out) {
  AsPath path;
  if (auto err = decode_as_path_value(in.value, in.ctx.four_octet_as, true, path)) return err;
  out.as_path = std::move(path);
  return std::nullopt;
}

AttrResult decode_next_hop(const AttrInput& in, PathAttributes& out) {
  if (in.value.size() != 4) return bad_length(in, "NEXT_HOP");
  const IpAddress nh = IpAddress::from_bytes(AddressFamily::V4, in.value.data());
  // RFC 4271 §6.3: a syntactically incorrect NEXT_HOP. 0.0.0.0, multicast (224/4) and the
  // reserved/broadcast block (240/4) can never be a forwarding address.
  const std::uint32_t v = nh.v4_value();
  if (v == 0 || (v >> 28) >= 0xe) {
    return Malformed{update_subcode::kInvalidNextHopAttribute, "NEXT_HOP " + nh.to_string()};
  }
  out.next_hop = nh;
  return std::nullopt;
}

AttrResult decode_u32(const AttrInput& in, std::optional<std::uint32_t>& field, const char* name) {
  ByteReader r(in.value);
  std::uint32_t v = 0;
  if (in.value.size() != 4 || !r.u32(v)) return bad_length(in, name);
  field = v;
  return std::nullopt;
}

AttrResult decode_med(const AttrInput& in, PathAttributes& out) {
  return decode_u32(in, out.med, "MULTI_EXIT_DISC");
}

AttrResult decode_local_pref(const AttrInput& in, PathAttributes& out) {
  std::optional<std::uint32_t> v;
  if (auto err = decode_u32(in, v, "LOCAL_PREF")) return err;
  // RFC 4271 §5.1.5: LOCAL_PREF received from an external peer is ignored.
  if (!in.ctx.ebgp) out.local_pref = v;
  return std::nullopt;
}

AttrResult decode_atomic_aggregate(const AttrInput& in, PathAttributes& out) {
  if (!in.value.empty()) return bad_length(in, "ATOMIC_AGGREGATE");
  out.atomic_aggregate = true;
  return std::nullopt;
}

AttrResult decode_aggregator_value(const AttrInput& in, bool four_octet,
                                   std::optional<Aggregator>& field, const char* name) {
  const std::size_t want = four_octet ? 8 : 6;
  if (in.value.size() != want) return bad_length(in, name);
  ByteReader r(in.value);
  Aggregator a;
  if (four_octet) {
    r.u32(a.asn);
  } else {
    std::uint16_t a16 = 0;
    r.u16(a16);
    a.asn = a16;
  }
  std::uint8_t addr[4];
  r.copy(4, addr);
  a.address = IpAddress::from_bytes(AddressFamily::V4, addr);
  if (a.asn == 0) {  // RFC 7607
    return Malformed{update_subcode::kOptionalAttributeError, std::string(name) + " with AS 0"};
  }
  field = a;
  return std::nullopt;
}

AttrResult decode_aggregator(const AttrInput& in, PathAttributes& out) {
  return decode_aggregator_value(in, in.ctx.four_octet_as, out.aggregator, "AGGREGATOR");
}

/// A list of fixed-size items whose length must be a non-zero multiple of the item size.
template <class T, class ReadItem>
AttrResult decode_list(const AttrInput& in, std::size_t item_size, const char* name,
                       std::vector<T>& out, ReadItem read_item) {
  if (in.value.empty() || in.value.size() % item_size != 0) return bad_length(in, name);
  ByteReader r(in.value);
  out.reserve(in.value.size() / item_size);
  while (!r.empty()) out.push_back(read_item(r));
  return std::nullopt;
}

std::uint32_t read_u32(ByteReader& r) {
  std::uint32_t v = 0;
  r.u32(v);
  return v;
}

AttrResult decode_communities(const AttrInput& in, PathAttributes& out) {
  return decode_list(in, 4, "COMMUNITIES", out.communities, read_u32);
}

AttrResult decode_originator_id(const AttrInput& in, PathAttributes& out) {
  return decode_u32(in, out.originator_id, "ORIGINATOR_ID");
}

AttrResult decode_cluster_list(const AttrInput& in, PathAttributes& out) {
  return decode_list(in, 4, "CLUSTER_LIST", out.cluster_list, read_u32);
}

AttrResult decode_extended_communities(const AttrInput& in, PathAttributes& out) {
  return decode_list(in, 8, "EXTENDED_COMMUNITIES", out.extended_communities, [](ByteReader& r) {
    std::uint64_t v = 0;
    r.u64(v);
    return v;
  });
}

AttrResult decode_large_communities(const AttrInput& in, PathAttributes& out) {
  return decode_list(in, 12, "LARGE_COMMUNITY", out.large_communities, [](ByteReader& r) {
    LargeCommunity c;
    r.u32(c.global_admin);
    r.u32(c.local_data1);
    r.u32(c.local_data2);
    return c;
  });
}

AttrResult decode_as4_path(const AttrInput& in, PathAttributes& out) {
  // RFC 6793 §3: a NEW speaker discards AS4_PATH received from another NEW speaker.
  if (in.ctx.four_octet_as) return std::nullopt;
  AsPath path;
  // RFC 6793 §6: confederation segments in AS4_PATH make it malformed.
  if (auto err = decode_as_path_value(in.value, true, false, path)) {
    err->subcode = update_subcode::kOptionalAttributeError;
    return err;
  }
  out.as4_path = std::move(path);
  return std::nullopt;
}

AttrResult decode_as4_aggregator(const AttrInput& in, PathAttributes& out) {
  if (in.ctx.four_octet_as) return std::nullopt;
  return decode_aggregator_value(in, true, out.as4_aggregator, "AS4_AGGREGATOR");
}

std::optional<AddressFamily> address_family_of(AfiSafi family) {
  if (family == AfiSafi::ipv4_unicast()) return AddressFamily::V4;
  if (family == AfiSafi::ipv6_unicast()) return AddressFamily::V6;
  return std::nullopt;
}

AttrResult mp_error(std::string reason) {
  return Malformed{update_subcode::kOptionalAttributeError, std::move(reason)};
}

AttrResult decode_mp_reach(const AttrInput& in, PathAttributes& out) {
  ByteReader r(in.value);
  MpReach reach;
  std::uint8_t nh_length = 0, reserved = 0;
  if (!r.u16(reach.family.afi) || !r.u8(reach.family.safi) || !r.u8(nh_length)) {
    return mp_error("MP_REACH_NLRI truncated before next hop");
  }
  const auto af = address_family_of(reach.family);
  if (!af) return mp_error("MP_REACH_NLRI for unsupported " + to_string(reach.family));
  ByteView nh;
  if (!r.take(nh_length, nh) || !r.u8(reserved)) {
    return mp_error("MP_REACH_NLRI next hop runs past attribute");
  }
  // RFC 4760 §3 / RFC 2545 §3: 4 octets for IPv4; 16 (global) or 32 (global + link-local) for IPv6.
  // RFC 8950: IPv4 NLRI may carry an IPv6 next hop too. GoBGP sends that on IPv6 sessions even
  // without the Extended Next Hop capability, so it is accepted whenever it is well-formed.
  if (*af == AddressFamily::V4 && nh_length == 4) {
    reach.next_hop = IpAddress::from_bytes(AddressFamily::V4, nh.data());
  } else if (nh_length == 16 || nh_length == 32) {
    reach.next_hop = IpAddress::from_bytes(AddressFamily::V6, nh.data());
    if (nh_length == 32) {
      reach.link_local_next_hop = IpAddress::from_bytes(AddressFamily::V6, nh.data() + 16);
    }
  } else {
    return mp_error("MP_REACH_NLRI next hop length " + std::to_string(nh_length) + " for " +
                    to_string(reach.family));
  }
  DecodeError nlri_error;
  if (!decode_nlri(r.rest(), *af, in.ctx.add_path.enabled(reach.family),
                   update_subcode::kOptionalAttributeError, reach.nlri, nlri_error)) {
    return mp_error("MP_REACH_NLRI: " + nlri_error.reason);
  }
  out.mp_reach = std::move(reach);
  return std::nullopt;
}

AttrResult decode_mp_unreach(const AttrInput& in, PathAttributes& out) {
  ByteReader r(in.value);
  MpUnreach unreach;
  if (!r.u16(unreach.family.afi) || !r.u8(unreach.family.safi)) {
    return mp_error("MP_UNREACH_NLRI truncated");
  }
  const auto af = address_family_of(unreach.family);
  if (!af) return mp_error("MP_UNREACH_NLRI for unsupported " + to_string(unreach.family));
  DecodeError nlri_error;
  if (!decode_nlri(r.rest(), *af, in.ctx.add_path.enabled(unreach.family),
                   update_subcode::kOptionalAttributeError, unreach.withdrawn, nlri_error)) {
    return mp_error("MP_UNREACH_NLRI: " + nlri_error.reason);
  }
  out.mp_unreach = std::move(unreach);
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The attribute table (BIRD's bgp_attr_table): one row per type code we understand.

using DecodeFn = AttrResult (*)(const AttrInput&, PathAttributes&);

struct AttrDesc {
  const char* name = nullptr;
  std::uint8_t flags = 0;  // the Optional and Transitive bits the attribute must carry
  ErrorAction on_error = ErrorAction::TreatAsWithdraw;  // RFC 7606 §7
  DecodeFn decode = nullptr;
};

constexpr std::uint8_t kWellKnown = attr_flag::kTransitive;
constexpr std::uint8_t kOptionalTransitive = attr_flag::kOptional | attr_flag::kTransitive;
constexpr std::uint8_t kOptionalNonTransitive = attr_flag::kOptional;
constexpr auto kTaW = ErrorAction::TreatAsWithdraw;
constexpr auto kDiscard = ErrorAction::AttributeDiscard;
constexpr auto kReset = ErrorAction::SessionReset;

constexpr std::array<AttrDesc, 256> make_attr_table() {
  std::array<AttrDesc, 256> t{};
  using namespace attr_type;
  // clang-format off: one row per line, RFC 7606 section in the last column
  t[kOrigin] = {"ORIGIN", kWellKnown, kTaW, decode_origin};                           // §7.1
  t[kAsPath] = {"AS_PATH", kWellKnown, kTaW, decode_as_path};                         // §7.2
  t[kNextHop] = {"NEXT_HOP", kWellKnown, kTaW, decode_next_hop};                      // §7.3
  t[kMultiExitDisc] = {"MULTI_EXIT_DISC", kOptionalNonTransitive, kTaW, decode_med};  // §7.4
  t[kLocalPref] = {"LOCAL_PREF", kWellKnown, kTaW, decode_local_pref};                // §7.5
  t[kAtomicAggregate] = {"ATOMIC_AGGREGATE", kWellKnown, kDiscard,
                         decode_atomic_aggregate};                                    // §7.6
  t[kAggregator] = {"AGGREGATOR", kOptionalTransitive, kDiscard, decode_aggregator};  // §7.7
  t[kCommunities] = {"COMMUNITIES", kOptionalTransitive, kTaW, decode_communities};   // §7.8
  t[kOriginatorId] = {"ORIGINATOR_ID", kOptionalNonTransitive, kTaW, decode_originator_id};  // §7.9
  t[kClusterList] = {"CLUSTER_LIST", kOptionalNonTransitive, kTaW, decode_cluster_list};  // §7.10
  t[kMpReachNlri] = {"MP_REACH_NLRI", kOptionalNonTransitive, kReset, decode_mp_reach};   // §7.11
  t[kMpUnreachNlri] = {"MP_UNREACH_NLRI", kOptionalNonTransitive, kReset,
                       decode_mp_unreach};  // §7.12
  t[kExtendedCommunities] = {"EXTENDED_COMMUNITIES", kOptionalTransitive, kTaW,
                             decode_extended_communities};                     // §7.14
  t[kAs4Path] = {"AS4_PATH", kOptionalTransitive, kDiscard, decode_as4_path};  // §7.15
  t[kAs4Aggregator] = {"AS4_AGGREGATOR", kOptionalTransitive, kDiscard,
                       decode_as4_aggregator};  // §7.16
  t[kLargeCommunities] = {"LARGE_COMMUNITY", kOptionalTransitive, kTaW,
                          decode_large_communities};  // RFC 8092
  // clang-format on
  return t;
}

constexpr std::array<AttrDesc, 256> kAttrTable = make_attr_table();

DecodeError attribute_error(std::uint8_t subcode, ErrorAction action, std::uint8_t type,
                            ByteView whole_attribute, std::string reason) {
  // RFC 4271 §6.3: the data field carries the erroneous attribute (type, length and value).
  return DecodeError{ErrorCode::UpdateMessage,
                     subcode,
                     action,
                     Bytes(whole_attribute.begin(), whole_attribute.end()),
                     type,
                     std::move(reason)};
}

}  // namespace

bool decode_path_attributes(ByteView field, const DecodeContext& ctx, PathAttributes& out,
                            AttributeDecodeState& state, DecodeError& fatal) {
  ByteReader r(field);
  std::bitset<256> seen;
  while (!r.empty()) {
    const std::size_t start = r.position();
    std::uint8_t flags = 0, type = 0;
    std::uint16_t length = 0;
    bool header_ok = r.u8(flags) && r.u8(type);
    if (header_ok) {
      if (flags & attr_flag::kExtendedLength) {
        header_ok = r.u16(length);
      } else {
        std::uint8_t l8 = 0;
        header_ok = r.u8(l8);
        length = l8;
      }
    }
    ByteView value;
    if (!header_ok || !r.take(length, value)) {
      // RFC 7606 §4: an attribute that overruns the Total Path Attribute Length leaves the rest of
      // the list unreadable; the NLRI field is still located by that total, so treat-as-withdraw.
      state.errors.push_back(attribute_error(
          update_subcode::kAttributeLengthError, kTaW, type, {},
          "path attribute " + std::to_string(type) + " runs past the path attributes field"));
      break;
    }
    const ByteView whole = field.subspan(start, r.position() - start);
    const AttrDesc& desc = kAttrTable[type];
    const std::string name = desc.name ? desc.name : "attribute " + std::to_string(type);

    if (seen.test(type)) {
      // RFC 7606 §3 g: a repeated MP_REACH/MP_UNREACH resets; other repeats are discarded.
      if (type == attr_type::kMpReachNlri || type == attr_type::kMpUnreachNlri) {
        fatal = attribute_error(update_subcode::kMalformedAttributeList, kReset, type, {},
                                name + " appears more than once");
        return false;
      }
      state.errors.push_back(attribute_error(update_subcode::kMalformedAttributeList, kDiscard,
                                             type, {}, name + " appears more than once"));
      continue;
    }
    seen.set(type);

    if (!desc.decode) {
      if (!(flags & attr_flag::kOptional)) {
        fatal = attribute_error(update_subcode::kUnrecognizedWellKnownAttribute, kReset, type,
                                whole, "unrecognized well-known " + name);
        return false;
      }
      // RFC 4271 §5: keep unknown optional transitive attributes, marked Partial; quietly drop
      // unknown optional non-transitive ones.
      if (flags & attr_flag::kTransitive) {
        out.unknown.push_back(
            RawAttribute{static_cast<std::uint8_t>((flags & 0xe0) | attr_flag::kPartial), type,
                         Bytes(value.begin(), value.end())});
      }
      continue;
    }

    // RFC 7606 §3 c: Optional/Transitive bits in conflict with the attribute's definition.
    const std::uint8_t category = flags & (attr_flag::kOptional | attr_flag::kTransitive);
    if (category != desc.flags) {
      char flag_text[8];
      std::snprintf(flag_text, sizeof flag_text, "0x%02x", flags);
      DecodeError e = attribute_error(update_subcode::kAttributeFlagsError, desc.on_error, type,
                                      whole, name + " has flags " + flag_text);
      if (desc.on_error == kReset) {
        fatal = std::move(e);
        return false;
      }
      state.errors.push_back(std::move(e));
      continue;
    }

    if (auto err = desc.decode(AttrInput{value, flags, ctx}, out)) {
      DecodeError e =
          attribute_error(err->subcode, desc.on_error, type, whole, std::move(err->reason));
      // An MP_REACH for a family we do not speak is ignored, not fatal: like BIRD, we drop it.
      if ((type == attr_type::kMpReachNlri || type == attr_type::kMpUnreachNlri) &&
          e.reason.find("unsupported") != std::string::npos) {
        e.action = kDiscard;
      }
      if (e.action == kReset) {
        fatal = std::move(e);
        return false;
      }
      state.errors.push_back(std::move(e));
    }
  }
  std::stable_sort(out.unknown.begin(), out.unknown.end(),
                   [](const RawAttribute& a, const RawAttribute& b) { return a.type < b.type; });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Encoding

void encode_attribute(std::uint8_t flags, std::uint8_t type, ByteView value, Bytes& out) {
  ByteWriter w(out);
  const bool extended = value.size() > 255;
  w.u8(static_cast<std::uint8_t>((flags & 0xe0) | (extended ? attr_flag::kExtendedLength : 0)));
  w.u8(type);
  if (extended) {
    w.u16(static_cast<std::uint16_t>(value.size()));
  } else {
    w.u8(static_cast<std::uint8_t>(value.size()));
  }
  w.bytes(value);
}

namespace {

/// Writes an attribute whose value is produced by `fill`, patching the length afterwards so the
/// value is not built in a temporary buffer first.
template <class Fill>
void encode_attribute_with(std::uint8_t flags, std::uint8_t type, Bytes& out, Fill fill) {
  ByteWriter w(out);
  const std::size_t header = w.size();
  // Reserve the extended (2-octet) length form; shrink to 1 octet afterwards if it fits.
  w.u8(static_cast<std::uint8_t>((flags & 0xe0) | attr_flag::kExtendedLength));
  w.u8(type);
  w.u16(0);
  const std::size_t value_start = w.size();
  fill(w);
  const std::size_t length = w.size() - value_start;
  if (length <= 255) {
    out[header] = static_cast<std::uint8_t>(flags & 0xe0);
    out[header + 2] = static_cast<std::uint8_t>(length);
    out.erase(out.begin() + static_cast<long>(header + 3));
  } else {
    w.patch_u16(header + 2, static_cast<std::uint16_t>(length));
  }
}

bool has_wide_as(const AsPath& path) {
  for (const auto& s : path.segments) {
    for (auto asn : s.asns) {
      if (asn > 0xffff) return true;
    }
  }
  return false;
}

void write_as_path(const AsPath& path, bool four_octet, bool skip_confed, ByteWriter& w) {
  for (const auto& s : path.segments) {
    if (skip_confed &&
        (s.type == AsSegmentType::ConfedSequence || s.type == AsSegmentType::ConfedSet)) {
      continue;
    }
    // A segment holds at most 255 ASes; longer runs become consecutive segments of one type.
    for (std::size_t i = 0; i < s.asns.size(); i += 255) {
      const std::size_t n = std::min<std::size_t>(255, s.asns.size() - i);
      w.u8(static_cast<std::uint8_t>(s.type));
      w.u8(static_cast<std::uint8_t>(n));
      for (std::size_t j = i; j < i + n; ++j) {
        const std::uint32_t asn = s.asns[j];
        if (four_octet) {
          w.u32(asn);
        } else {
          w.u16(asn > 0xffff ? kAsTrans : static_cast<std::uint16_t>(asn));
        }
      }
    }
  }
}

void write_aggregator(const Aggregator& a, bool four_octet, ByteWriter& w) {
  if (four_octet) {
    w.u32(a.asn);
  } else {
    w.u16(a.asn > 0xffff ? kAsTrans : static_cast<std::uint16_t>(a.asn));
  }
  w.bytes(a.address.data(), 4);
}

void write_u32(std::uint8_t flags, std::uint8_t type, std::uint32_t v, Bytes& out) {
  const std::uint8_t value[4] = {static_cast<std::uint8_t>(v >> 24),
                                 static_cast<std::uint8_t>(v >> 16),
                                 static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  encode_attribute(flags, type, value, out);
}

}  // namespace

void encode_path_attributes(const PathAttributes& a, const EncodeContext& ctx, Bytes& out) {
  using namespace attr_type;
  auto unknown = a.unknown.begin();
  // Unknown attributes are interleaved by type code so the output is in ascending type order.
  auto flush_unknown_below = [&](std::uint8_t type) {
    for (; unknown != a.unknown.end() && unknown->type < type; ++unknown) {
      encode_attribute(unknown->flags, unknown->type, unknown->value, out);
    }
  };
  const bool four = ctx.four_octet_as;

  if (a.origin) {
    const std::uint8_t v = static_cast<std::uint8_t>(*a.origin);
    encode_attribute(kWellKnown, kOrigin, ByteView(&v, 1), out);
  }
  if (a.as_path) {
    encode_attribute_with(kWellKnown, kAsPath, out,
                          [&](ByteWriter& w) { write_as_path(*a.as_path, four, false, w); });
  }
  if (a.next_hop && a.next_hop->is_v4()) {
    encode_attribute(kWellKnown, kNextHop, ByteView(a.next_hop->data(), 4), out);
  }
  if (a.med) write_u32(kOptionalNonTransitive, kMultiExitDisc, *a.med, out);
  if (a.local_pref) write_u32(kWellKnown, kLocalPref, *a.local_pref, out);
  if (a.atomic_aggregate) encode_attribute(kWellKnown, kAtomicAggregate, {}, out);
  if (a.aggregator) {
    encode_attribute_with(kOptionalTransitive, kAggregator, out,
                          [&](ByteWriter& w) { write_aggregator(*a.aggregator, four, w); });
  }
  flush_unknown_below(kCommunities);
  if (!a.communities.empty()) {
    encode_attribute_with(kOptionalTransitive, kCommunities, out, [&](ByteWriter& w) {
      for (auto c : a.communities) w.u32(c);
    });
  }
  flush_unknown_below(kOriginatorId);
  if (a.originator_id) write_u32(kOptionalNonTransitive, kOriginatorId, *a.originator_id, out);
  if (!a.cluster_list.empty()) {
    encode_attribute_with(kOptionalNonTransitive, kClusterList, out, [&](ByteWriter& w) {
      for (auto c : a.cluster_list) w.u32(c);
    });
  }
  flush_unknown_below(kExtendedCommunities);
  if (!a.extended_communities.empty()) {
    encode_attribute_with(kOptionalTransitive, kExtendedCommunities, out, [&](ByteWriter& w) {
      for (auto c : a.extended_communities) w.u64(c);
    });
  }
  flush_unknown_below(kAs4Path);
  if (!four) {
    // RFC 6793 §4.2.2: towards an OLD speaker, carry the real 4-octet path in AS4_PATH.
    if (a.as4_path) {
      encode_attribute_with(kOptionalTransitive, kAs4Path, out,
                            [&](ByteWriter& w) { write_as_path(*a.as4_path, true, true, w); });
    } else if (a.as_path && has_wide_as(*a.as_path)) {
      encode_attribute_with(kOptionalTransitive, kAs4Path, out,
                            [&](ByteWriter& w) { write_as_path(*a.as_path, true, true, w); });
    }
    const Aggregator* as4_aggregator = a.as4_aggregator ? &*a.as4_aggregator : nullptr;
    if (!as4_aggregator && a.aggregator && a.aggregator->asn > 0xffff) {
      as4_aggregator = &*a.aggregator;
    }
    if (as4_aggregator) {
      encode_attribute_with(kOptionalTransitive, kAs4Aggregator, out,
                            [&](ByteWriter& w) { write_aggregator(*as4_aggregator, true, w); });
    }
  }
  flush_unknown_below(kLargeCommunities);
  if (!a.large_communities.empty()) {
    encode_attribute_with(kOptionalTransitive, kLargeCommunities, out, [&](ByteWriter& w) {
      for (const auto& c : a.large_communities) {
        w.u32(c.global_admin);
        w.u32(c.local_data1);
        w.u32(c.local_data2);
      }
    });
  }
  flush_unknown_below(255);
  if (unknown != a.unknown.end())
    encode_attribute(unknown->flags, unknown->type, unknown->value, out);
}

void encode_mp_reach(const MpReach& reach, std::span<const Nlri> nlri, const EncodeContext& ctx,
                     Bytes& out) {
  const bool add_path = ctx.add_path.enabled(reach.family);
  encode_attribute_with(kOptionalNonTransitive, attr_type::kMpReachNlri, out, [&](ByteWriter& w) {
    w.u16(reach.family.afi);
    w.u8(reach.family.safi);
    const bool link_local = reach.link_local_next_hop.has_value() && reach.next_hop.is_v6();
    w.u8(static_cast<std::uint8_t>(reach.next_hop.size() + (link_local ? 16 : 0)));
    w.bytes(reach.next_hop.data(), reach.next_hop.size());
    if (link_local) w.bytes(reach.link_local_next_hop->data(), 16);
    w.u8(0);  // reserved
    for (const auto& n : nlri) encode_nlri(n, add_path, out);
  });
}

void encode_mp_unreach(AfiSafi family, std::span<const Nlri> withdrawn, const EncodeContext& ctx,
                       Bytes& out) {
  const bool add_path = ctx.add_path.enabled(family);
  encode_attribute_with(kOptionalNonTransitive, attr_type::kMpUnreachNlri, out, [&](ByteWriter& w) {
    w.u16(family.afi);
    w.u8(family.safi);
    for (const auto& n : withdrawn) encode_nlri(n, add_path, out);
  });
}

}  // namespace pinto::bgp::wire
