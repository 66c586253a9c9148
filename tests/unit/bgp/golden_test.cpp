// Golden bytes: BGP messages captured on the wire between real BIRD 2 and GoBGP speakers
// (scripts/capture_golden.sh; tests/testdata/bgp/golden/README.md lists the session). Each must
// decode to the values the two daemons were configured with, and re-encode to a message that
// decodes the same (byte for byte where our attribute order matches the sender's).
#include <gtest/gtest.h>

#include <filesystem>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

// What BIRD (AS 65001) and GoBGP (AS 65002) negotiated: 4-octet AS, ADD-PATH both ways for IPv4
// and IPv6 unicast, no extended messages, eBGP.
constexpr DecodeContext kSession{true, AddPathMask::all(), false, true};

Bytes golden(const std::string& name) {
  return from_hex(read_file(PINTO_TESTDATA_DIR "/bgp/golden/" + name));
}

template <class T>
T decode_as(const std::string& name) {
  const Message m = decode_ok(golden(name), kSession);
  EXPECT_TRUE(std::holds_alternative<T>(m)) << name << " decoded to another message type";
  return std::holds_alternative<T>(m) ? std::get<T>(m) : T{};
}

std::uint32_t community(std::uint16_t high, std::uint16_t low) {
  return (std::uint32_t{high} << 16) | low;
}

TEST(Golden, EveryCapturedMessageDecodesAndReencodesToTheSameMessage) {
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PINTO_TESTDATA_DIR "/bgp/golden")) {
    if (entry.path().extension() != ".hex") continue;
    ++files;
    SCOPED_TRACE(entry.path().filename().string());
    const Bytes wire = from_hex(read_file(entry.path()));
    const Message first = decode_ok(wire, kSession);
    if (const auto* u = std::get_if<Update>(&first)) {
      EXPECT_TRUE(u->errors.empty()) << u->errors.front().reason;
    }
    const Bytes again = encode_ok(first, encode_context(kSession));
    EXPECT_TRUE(decode_ok(again, kSession) == first) << "re-encoded: " << to_hex(again);
  }
  EXPECT_GE(files, 20u);
}

TEST(Golden, GobgpOpenCarriesItsConfiguredCapabilities) {
  const Open open = decode_as<Open>("01_gobgp_open.hex");
  EXPECT_EQ(open.version, 4);
  EXPECT_EQ(open.my_as, 65002);
  EXPECT_EQ(open.effective_as(), 65002u);
  EXPECT_EQ(open.hold_time, 90);
  EXPECT_EQ(open.bgp_identifier, address("10.99.0.2").v4_value());
  ASSERT_NE(open.find<FourOctetAsCapability>(), nullptr);
  EXPECT_EQ(open.find<FourOctetAsCapability>()->asn, 65002u);
  EXPECT_NE(open.find<RouteRefreshCapability>(), nullptr);

  std::vector<AfiSafi> families;
  for (const auto& c : open.capabilities) {
    if (const auto* mp = std::get_if<MultiprotocolCapability>(&c)) families.push_back(mp->family);
  }
  EXPECT_EQ(families, (std::vector<AfiSafi>{AfiSafi::ipv4_unicast(), AfiSafi::ipv6_unicast()}));

  const auto* gr = open.find<GracefulRestartCapability>();
  ASSERT_NE(gr, nullptr);
  EXPECT_EQ(gr->restart_time, 120);
  EXPECT_FALSE(gr->restart_state);
  ASSERT_EQ(gr->families.size(), 2u);
  EXPECT_EQ(gr->families[0].family, AfiSafi::ipv4_unicast());
  EXPECT_EQ(gr->families[1].family, AfiSafi::ipv6_unicast());

  const auto* add_path = open.find<AddPathCapability>();
  ASSERT_NE(add_path, nullptr);
  ASSERT_EQ(add_path->families.size(), 2u);
  EXPECT_EQ(add_path->families[0].direction, AddPathDirection::Both);

  // Capabilities Pinto does not interpret are kept whole: GoBGP's FQDN (73) with the host name
  // of its UTS namespace, and extended next hop (5, RFC 8950) for IPv4 over IPv6.
  bool saw_fqdn = false, saw_extended_next_hop = false;
  for (const auto& c : open.capabilities) {
    const auto* u = std::get_if<UnknownCapability>(&c);
    if (u == nullptr) continue;
    if (u->code == 73) {
      saw_fqdn = true;
      EXPECT_EQ(std::string(u->value.begin() + 1, u->value.begin() + 1 + u->value[0]),
                "gobgp-golden");
    }
    if (u->code == 5) saw_extended_next_hop = true;
  }
  EXPECT_TRUE(saw_fqdn);
  EXPECT_TRUE(saw_extended_next_hop);
}

TEST(Golden, BirdOpenCarriesItsConfiguredCapabilities) {
  const Open open = decode_as<Open>("02_bird_open.hex");
  EXPECT_EQ(open.my_as, 65001);
  EXPECT_EQ(open.hold_time, 240);
  EXPECT_EQ(open.bgp_identifier, address("10.99.0.1").v4_value());
  EXPECT_NE(open.find<EnhancedRouteRefreshCapability>(), nullptr);
  ASSERT_NE(open.find<GracefulRestartCapability>(), nullptr);
  EXPECT_EQ(open.find<GracefulRestartCapability>()->restart_time, 120);
  ASSERT_NE(open.find<AddPathCapability>(), nullptr);
  EXPECT_EQ(open.find<AddPathCapability>()->families.size(), 2u);
  // The encoder writes the capabilities back exactly as BIRD sent them.
  EXPECT_EQ(to_hex(encode_ok(open)), to_hex(golden("02_bird_open.hex")));
}

TEST(Golden, KeepalivesAndEndOfRibMarkers) {
  decode_as<Keepalive>("03_bird_keepalive.hex");
  decode_as<Keepalive>("04_gobgp_keepalive.hex");
  EXPECT_EQ(decode_as<Update>("07_gobgp_update.hex").end_of_rib(), AfiSafi::ipv6_unicast());
  EXPECT_EQ(decode_as<Update>("10_gobgp_update.hex").end_of_rib(), AfiSafi::ipv4_unicast());
  EXPECT_EQ(decode_as<Update>("12_bird_update.hex").end_of_rib(), AfiSafi::ipv4_unicast());
  EXPECT_EQ(decode_as<Update>("14_bird_update.hex").end_of_rib(), AfiSafi::ipv6_unicast());
  // And ours are the same bytes.
  Bytes eor;
  encode_end_of_rib(AfiSafi::ipv4_unicast(), eor);
  EXPECT_EQ(to_hex(eor), to_hex(golden("12_bird_update.hex")));
  eor.clear();
  encode_end_of_rib(AfiSafi::ipv6_unicast(), eor);
  EXPECT_EQ(to_hex(eor), to_hex(golden("14_bird_update.hex")));
}

TEST(Golden, GobgpIpv4Announcement) {
  const Update u = decode_as<Update>("08_gobgp_update.hex");
  EXPECT_EQ(u.nlri, (std::vector<Nlri>{nlri("10.99.20.0/24", 1)}));
  const PathAttributes& a = u.attributes;
  EXPECT_EQ(a.origin, Origin::Igp);
  ASSERT_TRUE(a.as_path);
  EXPECT_EQ(a.as_path->segments,
            (std::vector<AsSegment>{AsSegment{AsSegmentType::Sequence, {65002}}}));
  EXPECT_EQ(a.next_hop, address("10.99.0.2"));
  EXPECT_EQ(a.med, 20u);
  EXPECT_EQ(a.communities, (std::vector<std::uint32_t>{community(65002, 200)}));
  EXPECT_FALSE(a.local_pref);
}

TEST(Golden, GobgpIpv6AnnouncementInMpReach) {
  const Update u = decode_as<Update>("05_gobgp_update.hex");
  ASSERT_TRUE(u.attributes.mp_reach);
  const MpReach& r = *u.attributes.mp_reach;
  EXPECT_EQ(r.family, AfiSafi::ipv6_unicast());
  EXPECT_EQ(r.next_hop, address("fd00:99::2"));
  EXPECT_FALSE(r.link_local_next_hop);
  EXPECT_EQ(r.nlri, (std::vector<Nlri>{nlri("fd00:99:20::/64", 1)}));
  EXPECT_EQ(u.attributes.med, 30u);
  EXPECT_EQ(u.attributes.communities, (std::vector<std::uint32_t>{community(65002, 300)}));
}

TEST(Golden, BirdPacksItsIpv4BlocksIntoOneUpdate) {
  const Update u = decode_as<Update>("11_bird_update.hex");
  EXPECT_EQ(u.nlri, (std::vector<Nlri>{nlri("10.99.1.128/26", 3), nlri("10.99.1.64/26", 2),
                                       nlri("10.99.1.0/26", 2)}));
  const PathAttributes& a = u.attributes;
  EXPECT_EQ(a.next_hop, address("10.99.0.1"));
  EXPECT_EQ(a.med, 50u);
  EXPECT_EQ(a.as_path->segments,
            (std::vector<AsSegment>{AsSegment{AsSegmentType::Sequence, {65001}}}));
  EXPECT_EQ(a.communities, (std::vector<std::uint32_t>{community(65001, 100)}));
  // Route target 65001:7 (RFC 4360 two-octet AS specific, subtype 2).
  EXPECT_EQ(a.extended_communities, (std::vector<std::uint64_t>{0x0002fde900000007ull}));
  EXPECT_EQ(a.large_communities, (std::vector<LargeCommunity>{{65001, 1, 2}}));
  // Same attribute order as ours: the bytes come back identical.
  EXPECT_EQ(to_hex(encode_ok(u, encode_context(kSession))), to_hex(golden("11_bird_update.hex")));
}

TEST(Golden, BirdIpv6AnnouncementCarriesALinkLocalNextHop) {
  const Update u = decode_as<Update>("13_bird_update.hex");
  ASSERT_TRUE(u.attributes.mp_reach);
  const MpReach& r = *u.attributes.mp_reach;
  EXPECT_EQ(r.next_hop, address("fd00:99::1"));
  EXPECT_EQ(r.link_local_next_hop, address("fe80::99:ff:fe00:1"));
  EXPECT_EQ(r.nlri, (std::vector<Nlri>{nlri("fd00:99:1::/64", 4), nlri("fd00:99:3::/64", 5),
                                       nlri("fd00:99:2::/122", 4)}));
  EXPECT_EQ(u.attributes.large_communities, (std::vector<LargeCommunity>{{65001, 1, 2}}));
}

TEST(Golden, Withdrawals) {
  EXPECT_EQ(decode_as<Update>("15_gobgp_update.hex").withdrawn,
            (std::vector<Nlri>{nlri("10.99.21.0/24", 1)}));
  EXPECT_EQ(decode_as<Update>("17_bird_update.hex").withdrawn,
            (std::vector<Nlri>{nlri("10.99.1.128/26", 3)}));

  const Update v6 = decode_as<Update>("16_gobgp_update.hex");
  ASSERT_TRUE(v6.attributes.mp_unreach);
  EXPECT_EQ(v6.attributes.mp_unreach->withdrawn, (std::vector<Nlri>{nlri("fd00:99:21::/64", 1)}));
  // BIRD sets the Extended Length flag even on short attributes; that is legal and decodes.
  const Update bird_v6 = decode_as<Update>("18_bird_update.hex");
  ASSERT_TRUE(bird_v6.attributes.mp_unreach);
  EXPECT_EQ(bird_v6.attributes.mp_unreach->withdrawn,
            (std::vector<Nlri>{nlri("fd00:99:3::/64", 5)}));
}

TEST(Golden, RouteRefreshPerFamily) {
  EXPECT_EQ(decode_as<RouteRefresh>("19_bird_route_refresh.hex"),
            (RouteRefresh{AfiSafi::ipv4_unicast(), RouteRefresh::Normal}));
  EXPECT_EQ(decode_as<RouteRefresh>("20_bird_route_refresh.hex"),
            (RouteRefresh{AfiSafi::ipv6_unicast(), RouteRefresh::Normal}));
}

TEST(Golden, AdministrativeShutdownWithCommunication) {
  const Notification n = decode_as<Notification>("25_gobgp_notification.hex");
  EXPECT_EQ(n.code, 6);     // Cease
  EXPECT_EQ(n.subcode, 2);  // Administrative Shutdown
  EXPECT_EQ(n.shutdown_message(), "golden capture");
  EXPECT_EQ(to_hex(encode_ok(Notification::cease(2, "golden capture"))),
            to_hex(golden("25_gobgp_notification.hex")));
}

}  // namespace
}  // namespace pinto::test
