// OPEN messages and capabilities: RFC 4271 §4.2, RFC 5492, RFC 9072 and each capability's RFC.
#include <gtest/gtest.h>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

Open open_with(std::vector<Capability> caps) {
  Open o;
  o.my_as = 65001;
  o.hold_time = 90;
  o.bgp_identifier = 0x0a000001;
  o.capabilities = std::move(caps);
  return o;
}

TEST(OpenCodec, EveryCapabilityRoundTrips) {
  GracefulRestartCapability gr;
  gr.restart_state = true;
  gr.notification = true;
  gr.restart_time = 120;
  gr.families = {{AfiSafi::ipv4_unicast(), true}, {AfiSafi::ipv6_unicast(), false}};
  AddPathCapability ap;
  ap.families = {{AfiSafi::ipv4_unicast(), AddPathDirection::Both},
                 {AfiSafi::ipv6_unicast(), AddPathDirection::Receive}};
  expect_round_trip(open_with({MultiprotocolCapability{AfiSafi::ipv4_unicast()},
                               MultiprotocolCapability{AfiSafi::ipv6_unicast()},
                               RouteRefreshCapability{}, EnhancedRouteRefreshCapability{},
                               ExtendedMessageCapability{}, FourOctetAsCapability{4200000001u}, gr,
                               ap, UnknownCapability{73, from_hex("0a6e6f64652d61")}}));
}

TEST(OpenCodec, EncodesTheExactWireFormOfRfc4271AndRfc5492) {
  // 4-octet AS 65001, MP ipv4-unicast and route refresh, all in one Capabilities parameter.
  const Bytes bytes =
      encode_ok(open_with({MultiprotocolCapability{AfiSafi::ipv4_unicast()},
                           RouteRefreshCapability{}, FourOctetAsCapability{65001}}));
  EXPECT_EQ(to_hex(bytes), to_hex(message(1,
                                          "04 fde9 005a 0a000001"  // version, AS, hold, BGP ID
                                          "10 02 0e"               // params 16, type 2, len 14
                                          "01 04 0001 00 01"       // MP ipv4/unicast
                                          "02 00"                  // route refresh
                                          "41 04 0000fde9")));     // 4-octet AS 65001
}

TEST(OpenCodec, EmptyOpenHasNoOptionalParameters) {
  const Bytes bytes = encode_ok(open_with({}));
  EXPECT_EQ(bytes.size(), 29u);
  expect_round_trip(open_with({}));
}

TEST(OpenCodec, OneParameterPerCapabilityAsGoBgpSendsThemIsCollected) {
  const auto m = decode_ok(message(1,
                                   "04 fde9 00b4 0a000002 10"
                                   "02 06 01 04 0002 00 01"   // MP ipv6/unicast
                                   "02 06 41 04 0000fde9"));  // 4-octet AS 65001
  const auto& open = std::get<Open>(m);
  EXPECT_EQ(open.hold_time, 180);
  ASSERT_EQ(open.capabilities.size(), 2u);
  EXPECT_EQ(std::get<MultiprotocolCapability>(open.capabilities[0]).family,
            AfiSafi::ipv6_unicast());
  EXPECT_EQ(open.effective_as(), 65001u);
}

TEST(OpenCodec, FourOctetAsIsTheEffectiveAsBehindAsTrans) {
  Open o = open_with({FourOctetAsCapability{4200000001u}});
  o.my_as = kAsTrans;
  EXPECT_EQ(o.effective_as(), 4200000001u);
  EXPECT_EQ(open_with({}).effective_as(), 65001u);
}

TEST(OpenCodec, LargeCapabilitySetUsesRfc9072ExtendedParameters) {
  std::vector<Capability> caps;
  for (std::uint8_t code = 128; code < 148; ++code) {
    caps.push_back(UnknownCapability{code, Bytes(12, code)});  // 20 x 14 = 280 octets
  }
  const Open o = open_with(caps);
  const Bytes bytes = encode_ok(o);
  // Non-extended length 255, then the extended marker type 255 and a 2-octet length.
  EXPECT_EQ(bytes[28], 0xff);
  EXPECT_EQ(bytes[29], 0xff);
  expect_round_trip(o);
}

TEST(OpenCodec, DecodesAnRfc9072OpenBuiltByHand) {
  const auto m = decode_ok(message(1,
                                   "04 fde9 005a 0a000001 ff"
                                   "ff 0009"                    // extended: 9 octets of parameters
                                   "02 0006 41 04 0000fde9"));  // type 2, 2-octet length 6
  EXPECT_EQ(std::get<Open>(m).effective_as(), 65001u);
}

TEST(OpenCodec, UnknownCapabilityIsKeptByteForByte) {
  const auto m = decode_ok(message(1, "04 fde9 005a 0a000001 08 02 06 49 04 6e6f6465"));
  const auto& caps = std::get<Open>(m).capabilities;
  ASSERT_EQ(caps.size(), 1u);
  EXPECT_EQ(std::get<UnknownCapability>(caps[0]), (UnknownCapability{73, from_hex("6e6f6465")}));
}

TEST(OpenCodec, GracefulRestartFlagsAndPerFamilyForwardingBit) {
  const auto m = decode_ok(message(1,
                                   "04 fde9 005a 0a000001 0e 02 0c"
                                   "40 0a c078 0001 01 80 0002 01 00"));
  const auto* gr = std::get<Open>(m).find<GracefulRestartCapability>();
  ASSERT_NE(gr, nullptr);
  EXPECT_TRUE(gr->restart_state);
  EXPECT_TRUE(gr->notification);
  EXPECT_EQ(gr->restart_time, 120);
  ASSERT_EQ(gr->families.size(), 2u);
  EXPECT_TRUE(gr->families[0].forwarding_preserved);
  EXPECT_FALSE(gr->families[1].forwarding_preserved);
}

TEST(OpenCodec, AddPathDirectionsDecode) {
  const auto m = decode_ok(message(1,
                                   "04 fde9 005a 0a000001 0c 02 0a"
                                   "45 08 0001 01 03 0002 01 02"));
  const auto* ap = std::get<Open>(m).find<AddPathCapability>();
  ASSERT_NE(ap, nullptr);
  ASSERT_EQ(ap->families.size(), 2u);
  EXPECT_EQ(ap->families[0].direction, AddPathDirection::Both);
  EXPECT_EQ(ap->families[1].direction, AddPathDirection::Send);
}

}  // namespace
}  // namespace pinto::test
