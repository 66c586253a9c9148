// Update groups: peers of one export policy share one Adj-RIB-Out and one encoded stream, and
// still each get exactly what a per-peer Adj-RIB-Out would send them (split horizon included).
#include "rib/update_groups.h"

#include <gtest/gtest.h>

#include <set>

namespace pinto::rib {
namespace {

using bgp::wire::PathAttributes;
using bgp::wire::Update;

constexpr std::uint32_t kLocalAs = 64512;

IpAddress address(const char* text) {
  return *IpAddress::parse(text);
}
IpPrefix prefix(const char* text) {
  return *IpPrefix::parse(text);
}

ExportPolicy client_policy() {
  ExportPolicy p;
  p.local_as = kLocalAs;
  p.peer_as = kLocalAs;
  p.next_hop_ipv4 = address("10.0.0.1");
  p.cluster_id = address("1.1.1.1").v4_value();
  p.route_reflector_client = true;
  return p;
}

Update announce(const char* to, const char* next_hop, std::uint32_t local_pref = 100) {
  Update u;
  u.attributes.origin = bgp::wire::Origin::Igp;
  u.attributes.as_path = bgp::wire::AsPath{};
  u.attributes.local_pref = local_pref;
  u.attributes.next_hop = address(next_hop);
  u.nlri.push_back({prefix(to), 0});
  return u;
}

Update withdraw(const char* what) {
  Update u;
  u.withdrawn.push_back({prefix(what), 0});
  return u;
}

// What one member received, decoded.
struct Received {
  std::set<std::string> announced;
  std::set<std::string> withdrawn;
  std::size_t messages = 0;
};

Received decode_all(const std::vector<UpdateChunk>& chunks) {
  Received r;
  for (const auto& chunk : chunks) {
    bgp::wire::ByteView rest(*chunk.bytes);
    while (!rest.empty()) {
      auto length = bgp::wire::frame(rest);
      EXPECT_TRUE(length && length.value() > 0);
      if (!length || length.value() == 0) return r;
      auto message = bgp::wire::decode(rest.first(length.value()), {});
      EXPECT_TRUE(message);
      if (!message) return r;
      const auto& u = std::get<Update>(message.value());
      for (const auto& n : u.nlri) r.announced.insert(n.prefix.to_string());
      for (const auto& n : u.withdrawn) r.withdrawn.insert(n.prefix.to_string());
      ++r.messages;
      rest = rest.subspan(length.value());
    }
  }
  return r;
}

class UpdateGroupsTest : public testing::Test {
 protected:
  UpdateGroupsTest() {
    for (PeerId id = 1; id <= 4; ++id) {
      const std::string a = "10.0.0." + std::to_string(id + 1);
      rib_.set_peer(
          PeerInfo{id, false, kLocalAs, address(a.c_str()).v4_value(), address(a.c_str()), true});
    }
  }

  std::unordered_map<PeerId, Received> apply(PeerId from, const Update& u) {
    const RouteDelta d = rib_.apply(from, u);
    std::unordered_map<PeerId, Received> out;
    for (const auto& [member, chunks] : groups_.sync(d, rib_)) {
      out[member] = decode_all(chunks);
    }
    return out;
  }

  Rib rib_{kLocalAs, address("10.0.0.1").v4_value(), address("1.1.1.1").v4_value()};
  UpdateGroups groups_;
};

TEST_F(UpdateGroupsTest, ClientsShareOneGroupAndOneEncodingButNotTheirOwnRoutes) {
  for (PeerId id = 1; id <= 3; ++id)
    EXPECT_TRUE(groups_.join(id, client_policy(), {}, rib_).empty());
  EXPECT_EQ(groups_.group_count(), 1u);
  EXPECT_EQ(groups_.group_of(2).size(), 3u);

  const RouteDelta d = rib_.apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  auto out = groups_.sync(d, rib_);
  EXPECT_FALSE(out.contains(1));  // never back to the client it came from
  ASSERT_TRUE(out.contains(2) && out.contains(3));
  ASSERT_EQ(out[2].size(), 1u);
  EXPECT_EQ(out[2][0].bytes, out[3][0].bytes);  // encoded once, shared
  EXPECT_EQ(decode_all(out[2]).announced, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(groups_.advertised(1, rib_), 0u);
  EXPECT_EQ(groups_.advertised(2, rib_), 1u);
}

TEST_F(UpdateGroupsTest, AMemberWhoseOwnRouteBecomesBestDropsTheOneItHeld) {
  for (PeerId id = 1; id <= 3; ++id) groups_.join(id, client_policy(), {}, rib_);
  apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  // Client 2's path wins on LOCAL_PREF: 2 held 1's route and must drop it; 1 and 3 get 2's.
  auto out = apply(2, announce("10.244.1.0/26", "10.0.0.3", 200));
  EXPECT_EQ(out[2].withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_TRUE(out[2].announced.empty());
  EXPECT_EQ(out[1].announced, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(out[3].announced, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(groups_.advertised(1, rib_), 1u);
  EXPECT_EQ(groups_.advertised(2, rib_), 0u);

  // Back to client 1's path: 1 drops 2's, 2 gets 1's.
  out = apply(2, withdraw("10.244.1.0/26"));
  EXPECT_EQ(out[1].withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(out[2].announced, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(out[3].announced, std::set<std::string>{"10.244.1.0/26"});

  // Gone: the others withdraw it, its source is not told of a route it never had.
  out = apply(1, withdraw("10.244.1.0/26"));
  EXPECT_FALSE(out.contains(1));
  EXPECT_EQ(out[2].withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(out[3].withdrawn, std::set<std::string>{"10.244.1.0/26"});
}

TEST_F(UpdateGroupsTest, ALateMemberGetsWhatTheGroupHoldsAndEveryoneStaysInStep) {
  groups_.join(1, client_policy(), {}, rib_);
  groups_.join(2, client_policy(), {}, rib_);
  apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  apply(4, announce("10.244.4.0/26", "10.0.0.5"));  // peer 4 is not Established-joined yet
  const Received table = decode_all(groups_.join(4, client_policy(), {}, rib_));
  // 4 gets 1's route, not its own.
  EXPECT_EQ(table.announced, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(groups_.group_count(), 1u);
  auto out = apply(1, withdraw("10.244.1.0/26"));
  EXPECT_EQ(out[4].withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(decode_all(groups_.refresh(2, bgp::wire::AfiSafi::ipv4_unicast(), rib_)).announced,
            std::set<std::string>{"10.244.4.0/26"});
}

TEST_F(UpdateGroupsTest, PeersOfOtherPoliciesOrEncodingsGetGroupsOfTheirOwn) {
  groups_.join(1, client_policy(), {}, rib_);
  ExportPolicy non_client = client_policy();
  non_client.route_reflector_client = false;
  groups_.join(2, non_client, {}, rib_);
  bgp::wire::EncodeContext two_octet;
  two_octet.four_octet_as = false;
  groups_.join(3, client_policy(), two_octet, rib_);
  EXPECT_EQ(groups_.group_count(), 3u);
  groups_.leave(2);
  groups_.leave(3);
  EXPECT_EQ(groups_.group_count(), 1u);
  EXPECT_FALSE(groups_.contains(2));
}

TEST_F(UpdateGroupsTest, NewExportFiltersMoveAMemberAndTellItOnlyTheDifference) {
  for (PeerId id = 1; id <= 3; ++id) groups_.join(id, client_policy(), {}, rib_);
  apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  apply(1, announce("10.244.2.0/26", "10.0.0.2", 150));
  RouteFilter filter;
  FilterRule reject;
  reject.cidr = prefix("10.244.2.0/26");
  reject.match = PrefixMatch::Equal;
  reject.action = FilterAction::Reject;
  filter.v4.push_back(reject);
  const Received moved = decode_all(groups_.set_filters(3, {filter}, rib_));
  EXPECT_EQ(moved.withdrawn, std::set<std::string>{"10.244.2.0/26"});
  EXPECT_TRUE(moved.announced.empty());  // 10.244.1.0/26 is unchanged for it
  EXPECT_EQ(groups_.group_count(), 2u);
  EXPECT_EQ(groups_.advertised(3, rib_), 1u);
  // Back to no filters: it rejoins the others' group and gets the prefix again.
  const Received back = decode_all(groups_.set_filters(3, {}, rib_));
  EXPECT_EQ(back.announced, std::set<std::string>{"10.244.2.0/26"});
  EXPECT_EQ(groups_.group_count(), 1u);
  EXPECT_EQ(groups_.group_of(1).size(), 3u);
}

// ------------------------------------------------------------------ ADD-PATH (RFC 7911)

bgp::wire::EncodeContext add_path_ctx() {
  bgp::wire::EncodeContext ctx;
  ctx.add_path = bgp::wire::AddPathMask::all();
  return ctx;
}

// (prefix, path id) pairs announced (or withdrawn) to a member with ADD-PATH.
std::set<std::pair<std::string, std::uint32_t>> announced_paths(
    const std::vector<UpdateChunk>& chunks, bool withdrawn = false) {
  std::set<std::pair<std::string, std::uint32_t>> out;
  bgp::wire::DecodeContext ctx;
  ctx.add_path = bgp::wire::AddPathMask::all();
  for (const auto& chunk : chunks) {
    bgp::wire::ByteView rest(*chunk.bytes);
    while (!rest.empty()) {
      auto length = bgp::wire::frame(rest);
      if (!length || length.value() == 0) break;
      auto message = bgp::wire::decode(rest.first(length.value()), ctx);
      EXPECT_TRUE(message);
      if (!message) break;
      const auto& u = std::get<Update>(message.value());
      for (const auto& n : withdrawn ? u.withdrawn : u.nlri)
        out.insert({n.prefix.to_string(), n.path_id});
      rest = rest.subspan(length.value());
    }
  }
  return out;
}

TEST_F(UpdateGroupsTest, WithAddPathEveryPathGoesOutWithItsOwnIdentifier) {
  groups_.join(1, client_policy(), add_path_ctx(), rib_);
  groups_.join(2, client_policy(), add_path_ctx(), rib_);
  groups_.join(3, client_policy(), add_path_ctx(), rib_);
  groups_.join(4, client_policy(), {}, rib_);  // no ADD-PATH: best path only
  EXPECT_EQ(groups_.group_count(), 2u);
  auto d = rib_.apply(1, announce("10.244.1.0/26", "10.0.0.2", 200));
  groups_.sync(d, rib_);
  // A second, worse path: the best is unchanged, yet the ADD-PATH group learns of it.
  d = rib_.apply(2, announce("10.244.1.0/26", "10.0.0.3"));
  EXPECT_TRUE(d.changed.empty());
  auto out = groups_.sync(d, rib_);
  EXPECT_FALSE(out.contains(4));
  EXPECT_FALSE(out.contains(2));  // its own path
  ASSERT_TRUE(out.contains(3));
  const auto to_3 = announced_paths(out[3]);
  ASSERT_EQ(to_3.size(), 1u);
  EXPECT_EQ(to_3.begin()->second, rib_.export_id(rib_.paths(prefix("10.244.1.0/26"))[1]));
  // Member 3 holds both paths, with two identifiers; member 1 holds client 2's only.
  EXPECT_EQ(groups_.advertised(3, rib_), 2u);
  EXPECT_EQ(groups_.advertised(1, rib_), 1u);
  EXPECT_EQ(announced_paths(groups_.refresh(3, bgp::wire::AfiSafi::ipv4_unicast(), rib_)).size(),
            2u);
  EXPECT_EQ(groups_.advertised(4, rib_), 1u);
}

TEST_F(UpdateGroupsTest, ARemovedPeersRoutesAreWithdrawnFromTheOthers) {
  // Nothing per route is stored for the export: the removed peer's routes go out as withdrawals
  // only because the delta carries the paths and the peer as they were.
  for (PeerId id = 1; id <= 3; ++id) groups_.join(id, client_policy(), {}, rib_);
  apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  RouteDelta d = rib_.remove_peer(1);
  ASSERT_EQ(d.departed.size(), 1u);
  groups_.leave(1);
  auto out = groups_.sync(d, rib_);
  ASSERT_TRUE(out.contains(2));
  ASSERT_TRUE(out.contains(3));
  EXPECT_EQ(decode_all(out[2]).withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(decode_all(out[3]).withdrawn, std::set<std::string>{"10.244.1.0/26"});
  EXPECT_EQ(groups_.advertised(2, rib_), 0u);
}

TEST_F(UpdateGroupsTest, ABulkWithdrawalReachesTheMembersInSlices) {
  groups_.join(2, client_policy(), {}, rib_);
  constexpr std::size_t kRoutes = 2 * Rib::kSlice + 100;
  for (std::size_t i = 0; i < kRoutes; ++i) {
    const std::string p = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24";
    apply(1, announce(p.c_str(), "10.0.0.2"));
  }
  ASSERT_EQ(groups_.advertised(2, rib_), kRoutes);
  std::vector<std::size_t> slices;
  std::set<std::string> withdrawn;
  const RouteDelta rest = rib_.withdraw_all(1, [&](RouteDelta& slice) {
    slices.push_back(slice.changed.size());
    EXPECT_EQ(slice.prior.size(), slice.changed.size());
    for (const auto& [member, chunks] : groups_.sync(slice, rib_)) {
      EXPECT_EQ(member, 2u);
      const auto r = decode_all(chunks);
      withdrawn.insert(r.withdrawn.begin(), r.withdrawn.end());
    }
  });
  EXPECT_TRUE(rest.empty());
  EXPECT_EQ(slices, (std::vector<std::size_t>{Rib::kSlice, Rib::kSlice, 100}));
  EXPECT_EQ(withdrawn.size(), kRoutes);
  EXPECT_EQ(groups_.advertised(2, rib_), 0u);
}

TEST(RibPrior, ADeltaCarriesThePathsItsPrefixesHadBefore) {
  Rib rib(kLocalAs, address("10.0.0.1").v4_value());
  rib.set_peer(PeerInfo{1, false, kLocalAs, address("10.0.0.2").v4_value(), address("10.0.0.2")});
  RouteDelta d = rib.apply(1, announce("10.244.1.0/26", "10.0.0.2"));
  ASSERT_EQ(d.prior.size(), 1u);
  EXPECT_TRUE(d.prior[0].paths.empty());  // new: it had nothing
  EXPECT_EQ(d.prior[0].best, -1);
  d = rib.apply(1, announce("10.244.1.0/26", "10.0.0.9"));
  ASSERT_EQ(d.prior.size(), 1u);
  ASSERT_EQ(d.prior[0].paths.size(), 1u);
  EXPECT_EQ(d.prior[0].paths[0].next_hop(), address("10.0.0.2"));
  EXPECT_EQ(d.prior[0].best, 0);
  // The same route again changes nothing, and records nothing.
  d = rib.apply(1, announce("10.244.1.0/26", "10.0.0.9"));
  EXPECT_TRUE(d.prior.empty());
  // Withdrawn and announced again in one UPDATE: one record, of the state before both.
  Update both = announce("10.244.1.0/26", "10.0.0.7");
  both.withdrawn.push_back({prefix("10.244.1.0/26"), 0});
  d = rib.apply(1, both);
  ASSERT_EQ(d.prior.size(), 1u);
  EXPECT_EQ(d.prior[0].paths.at(0).next_hop(), address("10.0.0.9"));
}

TEST_F(UpdateGroupsTest, ARemovedAddPathPeersPathsAreWithdrawnByTheIdentifiersTheyWentOutWith) {
  groups_.join(3, client_policy(), add_path_ctx(), rib_);
  Update u = announce("10.244.1.0/26", "10.0.0.2");
  u.nlri[0].path_id = 7;  // client 1 speaks ADD-PATH to us
  auto out = groups_.sync(rib_.apply(1, u), rib_);
  const auto sent = announced_paths(out[3]);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_GT(sent.begin()->second, 1u);  // a number of our own, not the peer's id
  const RouteDelta d = rib_.remove_peer(1);
  out = groups_.sync(d, rib_);
  EXPECT_EQ(announced_paths(out[3], true), sent);
}

TEST(RibAddPath, PathsOfOnePeerAreToldApartByTheirIdentifiers) {
  Rib rib(kLocalAs, address("10.0.0.1").v4_value());
  rib.set_peer(PeerInfo{1, false, kLocalAs, address("10.0.0.2").v4_value(), address("10.0.0.2")});
  Update u = announce("10.244.1.0/26", "10.0.0.2");
  u.nlri[0].path_id = 7;
  rib.apply(1, u);
  u.attributes.next_hop = address("10.0.0.9");
  u.nlri[0].path_id = 8;
  rib.apply(1, u);
  const auto paths = rib.paths(prefix("10.244.1.0/26"));
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_NE(rib.export_id(paths[0]), rib.export_id(paths[1]));
  EXPECT_EQ(rib.path_count(1), 2u);
  Update w = withdraw("10.244.1.0/26");
  w.withdrawn[0].path_id = 7;
  rib.apply(1, w);
  ASSERT_EQ(rib.paths(prefix("10.244.1.0/26")).size(), 1u);
  EXPECT_EQ(rib.best(prefix("10.244.1.0/26"))->path_id, 8u);
  rib.remove_peer(1);
  EXPECT_TRUE(rib.paths(prefix("10.244.1.0/26")).empty());
  EXPECT_EQ(rib.path_count(1), 0u);
}

}  // namespace
}  // namespace pinto::rib
