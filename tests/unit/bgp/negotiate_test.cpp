#include "bgp/negotiate.h"

#include <gtest/gtest.h>

namespace pinto::bgp {
namespace {

PeerConfig config(std::uint32_t local_as = 65001, std::uint32_t remote_as = 65002) {
  PeerConfig c;
  c.name = "test";
  c.address = *IpAddress::parse("10.0.0.2");
  c.local_as = local_as;
  c.remote_as = remote_as;
  c.router_id = IpAddress::parse("10.0.0.1")->v4_value();
  return c;
}

// The peer's OPEN, as built by the same code for the mirrored configuration.
wire::Open peer_open(std::uint32_t as = 65002, const char* id = "10.0.0.2") {
  PeerConfig mirror = config(as, 65001);
  mirror.router_id = IpAddress::parse(id)->v4_value();
  return build_open(mirror, {});
}

std::uint8_t subcode_of(const Result<Negotiated, wire::Notification>& r) {
  EXPECT_FALSE(r);
  return r ? 0 : r.error().subcode;
}

TEST(BuildOpen, AdvertisesFamiliesRefreshGracefulRestartAndFourOctetAs) {
  PeerConfig c = config(4200000001u);
  const wire::Open open = build_open(c, OpenOptions{true, true});
  EXPECT_EQ(open.my_as, wire::kAsTrans);
  EXPECT_EQ(open.effective_as(), 4200000001u);
  EXPECT_EQ(open.hold_time, 90);
  ASSERT_NE(open.find<wire::GracefulRestartCapability>(), nullptr);
  const auto& gr = *open.find<wire::GracefulRestartCapability>();
  EXPECT_TRUE(gr.restart_state);
  EXPECT_EQ(gr.restart_time, 120);
  ASSERT_EQ(gr.families.size(), 2u);
  EXPECT_TRUE(gr.families[0].forwarding_preserved);
  EXPECT_NE(open.find<wire::RouteRefreshCapability>(), nullptr);
  EXPECT_NE(open.find<wire::EnhancedRouteRefreshCapability>(), nullptr);
}

TEST(Negotiate, TakesTheSmallerHoldTimeAndTheCommonFamilies) {
  PeerConfig c = config();
  c.ipv6_unicast = false;
  wire::Open theirs = peer_open();
  theirs.hold_time = 30;
  auto n = negotiate(c, build_open(c, {}), theirs);
  ASSERT_TRUE(n);
  EXPECT_EQ(n.value().hold_time, 30);
  EXPECT_TRUE(n.value().ipv4_unicast);
  EXPECT_FALSE(n.value().ipv6_unicast);
  EXPECT_TRUE(n.value().four_octet_as);
  EXPECT_TRUE(n.value().route_refresh);
  EXPECT_EQ(n.value().peer_router_id, IpAddress::parse("10.0.0.2")->v4_value());
  ASSERT_TRUE(n.value().peer_graceful_restart);
}

TEST(Negotiate, ZeroHoldTimeMeansNoKeepalives) {
  wire::Open theirs = peer_open();
  theirs.hold_time = 0;
  auto n = negotiate(config(), build_open(config(), {}), theirs);
  ASSERT_TRUE(n);
  EXPECT_EQ(n.value().hold_time, 0);
}

TEST(Negotiate, APeerWithoutCapabilitiesSpeaksIpv4Only) {
  wire::Open theirs;
  theirs.my_as = 65002;
  theirs.hold_time = 90;
  theirs.bgp_identifier = 1;
  auto n = negotiate(config(), build_open(config(), {}), theirs);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n.value().ipv4_unicast);
  EXPECT_FALSE(n.value().ipv6_unicast);
  EXPECT_FALSE(n.value().four_octet_as);
}

TEST(Negotiate, RefusesWithTheRfcSubcodes) {
  const PeerConfig c = config();
  const wire::Open ours = build_open(c, {});
  wire::Open bad_version = peer_open();
  bad_version.version = 3;
  auto v = negotiate(c, ours, bad_version);
  EXPECT_EQ(subcode_of(v), wire::open_subcode::kUnsupportedVersion);
  EXPECT_EQ(v.error().data, (wire::Bytes{0, 4}));

  EXPECT_EQ(subcode_of(negotiate(c, ours, peer_open(65003))), wire::open_subcode::kBadPeerAs);

  wire::Open short_hold = peer_open();
  short_hold.hold_time = 2;
  EXPECT_EQ(subcode_of(negotiate(c, ours, short_hold)), wire::open_subcode::kUnacceptableHoldTime);

  wire::Open zero_id = peer_open();
  zero_id.bgp_identifier = 0;
  EXPECT_EQ(subcode_of(negotiate(c, ours, zero_id)), wire::open_subcode::kBadBgpIdentifier);

  // iBGP with our own identifier is a Bad BGP Identifier (RFC 6286); eBGP allows it.
  const PeerConfig ibgp = config(65001, 65001);
  EXPECT_EQ(subcode_of(negotiate(ibgp, build_open(ibgp, {}), peer_open(65001, "10.0.0.1"))),
            wire::open_subcode::kBadBgpIdentifier);
  EXPECT_TRUE(negotiate(c, ours, peer_open(65002, "10.0.0.1")));
}

TEST(Negotiate, NoCommonFamilyIsAnUnsupportedCapability) {
  PeerConfig c = config();
  c.ipv4_unicast = false;  // we speak IPv6 only; the peer IPv4 only
  wire::Open theirs;
  theirs.my_as = 65002;
  theirs.hold_time = 90;
  theirs.bgp_identifier = 1;
  theirs.capabilities.push_back(wire::MultiprotocolCapability{wire::AfiSafi::ipv4_unicast()});
  auto n = negotiate(c, build_open(c, {}), theirs);
  EXPECT_EQ(subcode_of(n), wire::open_subcode::kUnsupportedCapability);
  // The data names the capability we need: MP for IPv6 unicast (code 1, length 4, 2/0/1).
  EXPECT_EQ(n.error().data, (wire::Bytes{1, 4, 0, 2, 0, 1}));
}

}  // namespace
}  // namespace pinto::bgp

namespace pinto::bgp {
namespace {

// RFC 7911 §5: identifiers flow towards a side that said Receive from one that said Send.
wire::Open with_add_path(wire::Open open, std::optional<wire::AddPathDirection> direction) {
  std::erase_if(open.capabilities, [](const wire::Capability& c) {
    return std::holds_alternative<wire::AddPathCapability>(c);
  });
  if (direction) {
    open.capabilities.push_back(
        wire::AddPathCapability{{{wire::AfiSafi::ipv4_unicast(), *direction}}});
  }
  return open;
}

TEST(NegotiateAddPath, OfferedBothWaysByDefaultAndUsedWhereTheDirectionsMeet) {
  const PeerConfig c = config();
  const wire::Open ours = build_open(c, {});
  const auto* offered = ours.find<wire::AddPathCapability>();
  ASSERT_NE(offered, nullptr);
  ASSERT_EQ(offered->families.size(), 2u);
  EXPECT_EQ(offered->families[0].direction, wire::AddPathDirection::Both);

  auto both = negotiate(c, ours, with_add_path(peer_open(), wire::AddPathDirection::Both));
  ASSERT_TRUE(both);
  EXPECT_TRUE(both.value().add_path_send.ipv4_unicast);
  EXPECT_TRUE(both.value().add_path_receive.ipv4_unicast);
  EXPECT_FALSE(both.value().add_path_send.ipv6_unicast);  // they offered it for IPv4 only
  EXPECT_TRUE(both.value().encode_context().add_path.ipv4_unicast);
  EXPECT_TRUE(both.value().decode_context(false).add_path.ipv4_unicast);

  auto receive_only =
      negotiate(c, ours, with_add_path(peer_open(), wire::AddPathDirection::Receive));
  ASSERT_TRUE(receive_only);
  EXPECT_TRUE(receive_only.value().add_path_send.ipv4_unicast);
  EXPECT_FALSE(receive_only.value().add_path_receive.ipv4_unicast);

  auto none = negotiate(c, ours, with_add_path(peer_open(), std::nullopt));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none.value().add_path_send.ipv4_unicast);
  EXPECT_FALSE(none.value().add_path_receive.ipv4_unicast);
}

TEST(NegotiateAddPath, TurnedOffItIsNeitherOfferedNorUsed) {
  PeerConfig c = config();
  c.add_paths = false;
  const wire::Open ours = build_open(c, {});
  EXPECT_EQ(ours.find<wire::AddPathCapability>(), nullptr);
  auto n = negotiate(c, ours, with_add_path(peer_open(), wire::AddPathDirection::Both));
  ASSERT_TRUE(n);
  EXPECT_FALSE(n.value().add_path_send.ipv4_unicast);
  EXPECT_FALSE(n.value().add_path_receive.ipv4_unicast);
}

}  // namespace
}  // namespace pinto::bgp
