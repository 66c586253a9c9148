// Path attributes: round trips for every attribute and the RFC 6793 2-octet/4-octet AS rules.
#include <gtest/gtest.h>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

PathAttributes full_attributes() {
  PathAttributes a;
  a.origin = Origin::Incomplete;
  a.as_path = AsPath{{{AsSegmentType::ConfedSequence, {64512}},
                      {AsSegmentType::Sequence, {65001, 4200000001u}},
                      {AsSegmentType::Set, {65010, 65011}},
                      {AsSegmentType::ConfedSet, {64513}}}};
  a.next_hop = address("192.0.2.1");
  a.med = 50;
  a.local_pref = 200;
  a.atomic_aggregate = true;
  a.aggregator = Aggregator{4200000002u, address("192.0.2.9")};
  a.communities = {0xfde90064, 0xffffff01};
  a.originator_id = 0x0a000005;
  a.cluster_list = {0x0a0000fe, 0x0a0000fd};
  a.extended_communities = {0x0002fde900000007ull};
  a.large_communities = {{65001, 1, 2}, {4200000001u, 3, 4}};
  a.unknown = {RawAttribute{0xe0, 35, from_hex("0000fde9")}};  // OTC, RFC 9234
  return a;
}

Update update_with(PathAttributes a, std::vector<Nlri> nlri = {nlri("10.244.1.0/26")}) {
  Update u;
  u.attributes = std::move(a);
  u.nlri = std::move(nlri);
  return u;
}

TEST(Attributes, EveryAttributeRoundTripsOnAFourOctetSession) {
  expect_round_trip(update_with(full_attributes()));
}

TEST(Attributes, EveryAttributeRoundTripsOnATwoOctetSession) {
  PathAttributes a = full_attributes();
  // What a 2-octet session carries: AS_TRANS in AS_PATH/AGGREGATOR, the truth in AS4_*.
  a.as_path = AsPath{{{AsSegmentType::Sequence, {65001, kAsTrans}}}};
  a.aggregator = Aggregator{kAsTrans, address("192.0.2.9")};
  a.as4_path = AsPath{{{AsSegmentType::Sequence, {65001, 4200000001u}}}};
  a.as4_aggregator = Aggregator{4200000002u, address("192.0.2.9")};
  expect_round_trip(update_with(a), DecodeContext{.four_octet_as = false});
}

TEST(Attributes, TwoOctetEncodingSubstitutesAsTransAndAddsAs4Path) {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = AsPath{
      {{AsSegmentType::ConfedSequence, {64512}}, {AsSegmentType::Sequence, {4200000001u, 65001}}}};
  a.next_hop = address("192.0.2.1");
  a.aggregator = Aggregator{4200000001u, address("192.0.2.1")};
  EncodeContext two_octet{.four_octet_as = false};
  Bytes bytes;
  ASSERT_TRUE(encode(update_with(a), two_octet, bytes));
  const Update u = decode_update_ok(bytes, DecodeContext{.four_octet_as = false});
  EXPECT_EQ(u.attributes.as_path->segments[1].asns, (std::vector<std::uint32_t>{kAsTrans, 65001}));
  EXPECT_EQ(u.attributes.aggregator->asn, kAsTrans);
  // RFC 6793 §4.2.2: AS4_PATH carries no confederation segments.
  ASSERT_TRUE(u.attributes.as4_path);
  EXPECT_EQ(u.attributes.as4_path->segments.size(), 1u);
  EXPECT_EQ(u.attributes.as4_aggregator->asn, 4200000001u);
  EXPECT_EQ(merge_as4_path(*u.attributes.as_path, *u.attributes.as4_path), *a.as_path);
}

TEST(Attributes, As4PathFromAFourOctetSpeakerIsDiscarded) {
  // RFC 6793 §3: NEW speakers never exchange AS4_PATH; one received is dropped.
  const Update u = decode_update_ok(update("",
                                           "40 01 01 00"
                                           "40 02 06 02 01 0000fde9"
                                           "40 03 04 c0000201"
                                           "c0 11 06 02 01 fa56ea01",
                                           "18 0af401"));
  EXPECT_FALSE(u.attributes.as4_path);
  EXPECT_TRUE(u.errors.empty());
}

TEST(Attributes, MergeAs4PathIgnoresALongerAs4Path) {
  const AsPath as_path{{{AsSegmentType::Sequence, {kAsTrans}}}};
  const AsPath as4_path{{{AsSegmentType::Sequence, {4200000001u, 65001}}}};
  EXPECT_EQ(merge_as4_path(as_path, as4_path), as_path);
}

TEST(Attributes, MergeAs4PathKeepsLeadingAsesThatAs4PathLacks) {
  // An OLD speaker prepended 65005 after the path left the 4-octet world.
  const AsPath as_path{{{AsSegmentType::Sequence, {65005, kAsTrans, 65001}}}};
  const AsPath as4_path{{{AsSegmentType::Sequence, {4200000001u, 65001}}}};
  EXPECT_EQ(merge_as4_path(as_path, as4_path),
            (AsPath{{{AsSegmentType::Sequence, {65005}},
                     {AsSegmentType::Sequence, {4200000001u, 65001}}}}));
}

TEST(Attributes, AsPathLengthCountsSetsOnceAndConfederationsNotAtAll) {
  const AsPath p{{{AsSegmentType::ConfedSequence, {64512, 64513}},
                  {AsSegmentType::Sequence, {65001, 65002}},
                  {AsSegmentType::Set, {1, 2, 3}}}};
  EXPECT_EQ(p.length(), 3u);
  EXPECT_EQ(p.first_as(), 65001u);
  EXPECT_TRUE(p.contains(2));
  EXPECT_FALSE(p.contains(65003));
}

TEST(Attributes, LongAsSequenceIsSplitInto255AsSegments) {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.next_hop = address("192.0.2.1");
  a.as_path = AsPath{{{AsSegmentType::Sequence, std::vector<std::uint32_t>(300, 65001)}}};
  const Update u = decode_update_ok(encode_ok(update_with(a)));
  ASSERT_EQ(u.attributes.as_path->segments.size(), 2u);
  EXPECT_EQ(u.attributes.as_path->segments[0].asns.size(), 255u);
  EXPECT_EQ(u.attributes.as_path->length(), 300u);
}

TEST(Attributes, ExtendedLengthIsUsedOnlyAboveTwoHundredFiftyFiveOctets) {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = AsPath{};
  a.next_hop = address("192.0.2.1");
  a.communities.assign(63, 0xfde90001);  // 252 octets: 1-octet length
  Bytes small = encode_ok(update_with(a));
  a.communities.assign(64, 0xfde90001);  // 256 octets: extended length
  Bytes large = encode_ok(update_with(a));
  const auto find_flags = [](const Bytes& b) {
    for (std::size_t i = 23; i + 1 < b.size(); ++i) {
      if (b[i + 1] == attr_type::kCommunities && (b[i] & 0xc0) == 0xc0) return b[i];
    }
    return std::uint8_t{0};
  };
  EXPECT_EQ(find_flags(small), 0xc0);
  EXPECT_EQ(find_flags(large), 0xd0);
  EXPECT_EQ(decode_update_ok(large).attributes.communities.size(), 64u);
}

TEST(Attributes, UnknownOptionalTransitiveIsKeptWithPartialBit) {
  const Update u = decode_update_ok(update("",
                                           "40 01 01 00 40 02 00 40 03 04 c0000201"
                                           "c0 63 02 abcd",  // type 99, optional transitive
                                           "18 0af401"));
  ASSERT_EQ(u.attributes.unknown.size(), 1u);
  EXPECT_EQ(u.attributes.unknown[0], (RawAttribute{0xe0, 99, from_hex("abcd")}));
  // Re-sent with Partial set (RFC 4271 §5).
  const Bytes again = encode_ok(u);
  EXPECT_NE(to_hex(again).find("e06302abcd"), std::string::npos);
}

TEST(Attributes, UnknownOptionalNonTransitiveIsDroppedQuietly) {
  const Update u = decode_update_ok(update("",
                                           "40 01 01 00 40 02 00 40 03 04 c0000201"
                                           "80 63 02 abcd",
                                           "18 0af401"));
  EXPECT_TRUE(u.attributes.unknown.empty());
  EXPECT_TRUE(u.errors.empty());
}

TEST(Attributes, LocalPrefFromAnExternalPeerIsIgnored) {
  const Bytes bytes = update("",
                             "40 01 01 00 40 02 00 40 03 04 c0000201"
                             "40 05 04 00000064",
                             "18 0af401");
  EXPECT_EQ(decode_update_ok(bytes).attributes.local_pref, 100u);
  EXPECT_FALSE(decode_update_ok(bytes, DecodeContext{.ebgp = true}).attributes.local_pref);
}

TEST(Attributes, LowerFourFlagBitsAreIgnored) {
  // RFC 4271 §4.3: the unused low bits MUST be ignored when received.
  const Update u =
      decode_update_ok(update("", "4f 01 01 02 40 02 00 40 03 04 c0000201", "18 0af401"));
  EXPECT_EQ(u.attributes.origin, Origin::Incomplete);
  EXPECT_TRUE(u.errors.empty());
}

}  // namespace
}  // namespace pinto::test
