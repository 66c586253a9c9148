// Message-level codec tests: framing, KEEPALIVE, NOTIFICATION, ROUTE-REFRESH and UPDATE with
// IPv4, IPv6 (MP-BGP), ADD-PATH and End-of-RIB.
#include <gtest/gtest.h>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

TEST(Frame, NeedsMoreBytesUntilTheWholeMessageIsThere) {
  const Bytes ka = message(4, "");
  EXPECT_EQ(frame(ByteView(ka).first(10)).value(), 0u);
  EXPECT_EQ(frame(ByteView(ka).first(18)).value(), 0u);
  EXPECT_EQ(frame(ka).value(), 19u);
  const Bytes update_msg = update("", "");
  EXPECT_EQ(frame(ByteView(update_msg).first(20)).value(), 0u);
}

TEST(Frame, ReturnsTheFirstMessageOfAStream) {
  Bytes stream = message(4, "");
  const Bytes second = update("", "");
  stream.insert(stream.end(), second.begin(), second.end());
  EXPECT_EQ(frame(stream).value(), 19u);
  EXPECT_EQ(frame(ByteView(stream).subspan(19)).value(), 23u);
}

TEST(Frame, AllowsLargeMessagesOnlyWithExtendedMessages) {
  Bytes big = message(2, "0000 0000" + std::string(2 * 5000, '0'));
  EXPECT_FALSE(frame(big, kMaxMessageSize));
  EXPECT_EQ(frame(big, kMaxExtendedSize).value(), big.size());
}

TEST(Keepalive, IsNineteenOctets) {
  EXPECT_EQ(to_hex(encode_ok(Keepalive{})), to_hex(message(4, "")));
  EXPECT_TRUE(std::holds_alternative<Keepalive>(decode_ok(message(4, ""))));
}

TEST(Notification, RoundTripsWithData) {
  expect_round_trip(Notification{3, 11, from_hex("400206020100")});
  expect_round_trip(Notification{4, 0, {}});
}

TEST(Notification, CarriesAnRfc9003ShutdownCommunication) {
  const Notification n =
      Notification::cease(cease_subcode::kAdministrativeShutdown, "maintenance: kernel upgrade");
  EXPECT_EQ(n.data[0], 27);
  const auto back = std::get<Notification>(decode_ok(encode_ok(n)));
  EXPECT_EQ(back.shutdown_message(), "maintenance: kernel upgrade");
  EXPECT_EQ(describe_notification(back.code, back.subcode), "Cease / Administrative Shutdown");
}

TEST(Notification, ShutdownCommunicationIsCutAt255OctetsOnACharacterBoundary) {
  std::string text(254, 'a');
  text += "\xc3\xa9";  // 'é' straddles octets 255 and 256
  const Notification n = Notification::cease(cease_subcode::kAdministrativeReset, text);
  EXPECT_EQ(n.data[0], 254);
  EXPECT_EQ(n.shutdown_message()->size(), 254u);
}

TEST(Notification, MalformedShutdownLengthYieldsNoMessage) {
  const Notification n{6, 2, from_hex("20 6869")};  // claims 32 octets, has 2
  EXPECT_FALSE(n.shutdown_message());
  EXPECT_FALSE((Notification{6, 3, from_hex("02 6869")}.shutdown_message()));
}

TEST(RouteRefresh, RoundTripsEveryRfc7313Subtype) {
  for (std::uint8_t subtype : {0, 1, 2}) {
    expect_round_trip(RouteRefresh{AfiSafi::ipv6_unicast(), subtype});
  }
  EXPECT_EQ(to_hex(encode_ok(RouteRefresh{AfiSafi::ipv4_unicast(), 1})),
            to_hex(message(5, "0001 01 01")));
}

TEST(RouteRefresh, UnknownSubtypeDecodesSoTheSessionCanIgnoreIt) {
  const auto rr = std::get<RouteRefresh>(decode_ok(message(5, "0001 07 01")));
  EXPECT_EQ(rr.subtype, 7);
}

Update ipv4_update() {
  Update u;
  u.withdrawn = {nlri("10.244.9.0/26")};
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{{AsSegmentType::Sequence, {65001}}}};
  u.attributes.next_hop = address("192.0.2.1");
  u.attributes.local_pref = 100;
  u.nlri = {nlri("10.244.1.0/26"), nlri("10.244.1.64/26"), nlri("0.0.0.0/0"), nlri("192.0.2.7/32")};
  return u;
}

TEST(UpdateCodec, Ipv4UpdateHasTheRfc4271WireForm) {
  EXPECT_EQ(to_hex(encode_ok(ipv4_update())),
            to_hex(update("1a 0af409 00",
                          "40 01 01 00"
                          "40 02 06 02 01 0000fde9"
                          "40 03 04 c0000201"
                          "40 05 04 00000064",
                          "1a 0af40100 1a 0af40140 00 20 c0000207")));
  expect_round_trip(ipv4_update());
}

TEST(UpdateCodec, PrefixHostBitsAreClearedOnDecode) {
  const Update u = decode_update_ok(update("", "40 01 01 00 40 02 00 40 03 04 c0000201",
                                           "1a 0af401ff"));  // /26 with host bits set
  EXPECT_EQ(u.nlri[0].prefix.to_string(), "10.244.1.192/26");
}

TEST(UpdateCodec, Ipv6ThroughMpReachWithGlobalAndLinkLocalNextHop) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{{{AsSegmentType::Sequence, {65002}}}};
  u.attributes.mp_reach = MpReach{AfiSafi::ipv6_unicast(),
                                  address("fd00:99::2"),
                                  address("fe80::1"),
                                  {nlri("fd00:244:1::/122"), nlri("2001:db8::/32")}};
  u.attributes.mp_unreach = MpUnreach{AfiSafi::ipv6_unicast(), {nlri("fd00:244:2::/122")}};
  expect_round_trip(u);
  const Bytes bytes = encode_ok(u);
  // MP_UNREACH comes first, then MP_REACH (RFC 7606 §5.1).
  EXPECT_EQ(bytes[23], 0x80);
  EXPECT_EQ(bytes[24], attr_type::kMpUnreachNlri);
}

TEST(UpdateCodec, Ipv6NextHopMayBeGlobalOnly) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{};
  u.attributes.mp_reach =
      MpReach{AfiSafi::ipv6_unicast(), address("fd00:99::2"), std::nullopt, {nlri("fd00::/64")}};
  expect_round_trip(u);
}

TEST(UpdateCodec, Ipv4InMpReachIsSupported) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{};
  u.attributes.mp_reach =
      MpReach{AfiSafi::ipv4_unicast(), address("192.0.2.1"), std::nullopt, {nlri("10.0.0.0/8")}};
  expect_round_trip(u);
}

// RFC 8950: IPv4 prefixes with an IPv6 next hop, as GoBGP sends them over an IPv6 session.
TEST(UpdateCodec, Ipv4InMpReachMayCarryAnIpv6NextHop) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{};
  u.attributes.mp_reach = MpReach{AfiSafi::ipv4_unicast(), address("fd00:81::2"), std::nullopt,
                                  {nlri("10.81.2.0/26")}};
  expect_round_trip(u);
  const Bytes bytes = encode_ok(u);
  const Update back = decode_update_ok(bytes);
  ASSERT_TRUE(back.attributes.mp_reach);
  EXPECT_EQ(back.attributes.mp_reach->next_hop, address("fd00:81::2"));
}

TEST(UpdateCodec, AddPathIdentifiersPrecedeEachPrefix) {
  Update u = ipv4_update();
  u.withdrawn = {nlri("10.244.9.0/26", 7)};
  u.nlri = {nlri("10.244.1.0/26", 1), nlri("10.244.1.0/26", 2)};
  const DecodeContext ctx{.add_path = AddPathMask::all()};
  expect_round_trip(u, ctx);
  const Bytes bytes = encode_ok(u, encode_context(ctx));
  EXPECT_EQ(to_hex(ByteView(bytes).subspan(19, 11)), "0009000000071a0af40900");
  // The same bytes read without ADD-PATH are different prefixes, proving the context matters.
  const auto plain = decode(bytes, DecodeContext{});
  EXPECT_TRUE(!plain || !(std::get<Update>(plain.value()) == u));
}

TEST(UpdateCodec, AddPathInMpReachAndMpUnreach) {
  Update u;
  u.attributes.origin = Origin::Igp;
  u.attributes.as_path = AsPath{};
  u.attributes.mp_reach = MpReach{AfiSafi::ipv6_unicast(),
                                  address("fd00::1"),
                                  std::nullopt,
                                  {nlri("fd00:1::/64", 3), nlri("fd00:1::/64", 4)}};
  u.attributes.mp_unreach = MpUnreach{AfiSafi::ipv6_unicast(), {nlri("fd00:2::/64", 9)}};
  expect_round_trip(u, DecodeContext{.add_path = {false, true}});
}

TEST(UpdateCodec, EndOfRibForIpv4IsTheEmptyUpdate) {
  Bytes bytes;
  encode_end_of_rib(AfiSafi::ipv4_unicast(), bytes);
  EXPECT_EQ(to_hex(bytes), to_hex(update("", "")));
  EXPECT_EQ(decode_update_ok(bytes).end_of_rib(), AfiSafi::ipv4_unicast());
}

TEST(UpdateCodec, EndOfRibForIpv6IsAnEmptyMpUnreach) {
  Bytes bytes;
  encode_end_of_rib(AfiSafi::ipv6_unicast(), bytes);
  EXPECT_EQ(to_hex(bytes), to_hex(update("", "80 0f 03 0002 01")));
  EXPECT_EQ(decode_update_ok(bytes).end_of_rib(), AfiSafi::ipv6_unicast());
  EXPECT_FALSE(decode_update_ok(encode_ok(ipv4_update())).end_of_rib());
}

TEST(UpdateCodec, EncodeRefusesAnUpdateTooLargeForTheSession) {
  Update u = ipv4_update();
  for (int i = 0; i < 1200; ++i) u.nlri.push_back(nlri("10.0.0.0/24"));
  Bytes out;
  EXPECT_FALSE(encode(u, EncodeContext{}, out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(encode(u, EncodeContext{.extended_message = true}, out));
}

TEST(MessageType, FollowsTheVariantOrder) {
  EXPECT_EQ(type_of(Keepalive{}), MessageType::Keepalive);
  EXPECT_EQ(type_of(Update{}), MessageType::Update);
  EXPECT_EQ(type_of(RouteRefresh{}), MessageType::RouteRefresh);
  EXPECT_EQ(type_of(Open{}), MessageType::Open);
  EXPECT_EQ(type_of(Notification{}), MessageType::Notification);
}

}  // namespace
}  // namespace pinto::test
