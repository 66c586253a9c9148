// The iptables back-end's address sets as `ipset restore` text: first fill by swap, later only
// the difference, destruction of sets no longer used.
#include "policy/iptables/ipset_text.h"

#include <gtest/gtest.h>

#include "policy/iptables/iptables_rules.h"

namespace pinto::policy::iptables {
namespace {

SetMember net(const char* text) {
  return SetMember{IpPrefix::parse(text).value(), 0, 0};
}

IpSet nets_set(SetId id, std::vector<SetMember> members) {
  return IpSet{id, SetKind::Nets, "nets:test", std::move(members)};
}

TEST(IpsetText, SetNamesFitIpsetLimitPerFamily) {
  EXPECT_EQ(ipset_name(0x0123456789abcdefULL, Family::V4), "pinto-s-0123456789abcdef");
  EXPECT_EQ(ipset_name(0x0123456789abcdefULL, Family::V6), "pinto-s6-0123456789abcdef");
  EXPECT_LE(ipset_name(~0ULL, Family::V6).size(), 31u);
}

TEST(IpsetText, UnknownKernelStateFillsEverySetThroughASwap) {
  std::map<SetId, IpSet> sets{{0x1, nets_set(0x1, {net("10.0.0.0/8"), net("fd00::/64")})}};
  EXPECT_EQ(ipset_update_text(nullptr, sets),
            R"(create pinto-s-0000000000000001 hash:net family inet maxelem 1048576 -exist
create pinto-t-0000000000000001 hash:net family inet maxelem 1048576 -exist
flush pinto-t-0000000000000001
add pinto-t-0000000000000001 10.0.0.0/8
swap pinto-t-0000000000000001 pinto-s-0000000000000001
destroy pinto-t-0000000000000001
create pinto-s6-0000000000000001 hash:net family inet6 maxelem 1048576 -exist
create pinto-t6-0000000000000001 hash:net family inet6 maxelem 1048576 -exist
flush pinto-t6-0000000000000001
add pinto-t6-0000000000000001 fd00::/64
swap pinto-t6-0000000000000001 pinto-s6-0000000000000001
destroy pinto-t6-0000000000000001
)");
}

TEST(IpsetText, MembershipChangeAddsAndDeletesOnlyTheDifference) {
  std::map<SetId, IpSet> before{{0x2, nets_set(0x2, {net("10.0.1.1/32"), net("10.0.1.2/32")})},
                                {0x3, nets_set(0x3, {net("192.168.0.0/16")})}};
  std::map<SetId, IpSet> after = before;
  after[0x2].members = {net("10.0.1.2/32"), net("10.0.1.3/32")};
  EXPECT_EQ(ipset_update_text(&before, after), R"(del pinto-s-0000000000000002 10.0.1.1/32 -exist
add pinto-s-0000000000000002 10.0.1.3/32 -exist
)");
  EXPECT_EQ(ipset_update_text(&after, after), "");
}

TEST(IpsetText, NewSetIsCreatedAndOldSetDestroyedSeparately) {
  std::map<SetId, IpSet> before{{0x4, nets_set(0x4, {net("10.0.0.0/8")})}};
  std::map<SetId, IpSet> after{{0x5, nets_set(0x5, {})}};
  const std::string update = ipset_update_text(&before, after);
  EXPECT_NE(update.find("create pinto-s-0000000000000005 hash:net family inet"), std::string::npos);
  EXPECT_EQ(update.find("0000000000000004"), std::string::npos) << update;
  EXPECT_EQ(ipset_destroy_text(before, after),
            "destroy pinto-s-0000000000000004\ndestroy pinto-s6-0000000000000004\n");
}

TEST(IpsetText, OnlyTheSetsAFamilyUsesAreCreatedAndDestroyedThere) {
  // Set 1 is matched in both families, set 2 only in IPv6 (a literal -s in IPv4), set 3 nowhere.
  const IpSet s1 = nets_set(0x1, {net("10.0.0.0/8"), net("10.1.0.0/16")});
  const IpSet s2 = nets_set(0x2, {net("10.0.0.0/8"), net("fd00::/64"), net("fd00:1::/64")});
  const FamilySets sets{{Family::V4, {{0x1, s1}}}, {Family::V6, {{0x1, s1}, {0x2, s2}}}};
  const std::string text = ipset_update_text(nullptr, sets);
  EXPECT_NE(text.find("create pinto-s-0000000000000001 "), std::string::npos) << text;
  EXPECT_NE(text.find("create pinto-s6-0000000000000001 "), std::string::npos) << text;
  EXPECT_NE(text.find("create pinto-s6-0000000000000002 "), std::string::npos) << text;
  EXPECT_EQ(text.find("pinto-s-0000000000000002"), std::string::npos) << text;
  EXPECT_EQ(text.find("0000000000000003"), std::string::npos) << text;

  // Set 2 becomes used in IPv4 too: created and filled there (a swap), IPv6 untouched.
  FamilySets later = sets;
  later[Family::V4][0x2] = s2;
  EXPECT_EQ(ipset_update_text(&sets, later),
            R"(create pinto-s-0000000000000002 hash:net family inet maxelem 1048576 -exist
create pinto-t-0000000000000002 hash:net family inet maxelem 1048576 -exist
flush pinto-t-0000000000000002
add pinto-t-0000000000000002 10.0.0.0/8
swap pinto-t-0000000000000002 pinto-s-0000000000000002
destroy pinto-t-0000000000000002
)");
  // Set 1 no longer used in IPv4: destroyed there only.
  FamilySets fewer = sets;
  fewer[Family::V4].erase(0x1);
  EXPECT_EQ(ipset_destroy_text(sets, fewer), "destroy pinto-s-0000000000000001\n");
  EXPECT_EQ(ipset_destroy_text(sets, sets), "");
}

TEST(IpsetText, SetsUsedPicksTheRenderedOnes) {
  Program p;
  p.sets[0x1] = nets_set(0x1, {net("10.0.0.0/8")});
  p.sets[0x2] = nets_set(0x2, {net("10.1.0.0/16")});
  const auto used = sets_used(p, {0x2});
  ASSERT_EQ(used.size(), 1u);
  EXPECT_EQ(used.at(0x2), p.sets[0x2]);
}

TEST(IpsetText, NamedPortMembersCarryProtocolAndPort) {
  std::map<SetId, IpSet> sets{{0x6, IpSet{0x6,
                                          SetKind::NamedPort,
                                          "port:http",
                                          {{IpPrefix::parse("10.0.1.1/32").value(), 6, 8080}}}}};
  const std::string text = ipset_update_text(nullptr, sets);
  EXPECT_NE(text.find("create pinto-s-0000000000000006 hash:net,port family inet"),
            std::string::npos);
  EXPECT_NE(text.find("add pinto-t-0000000000000006 10.0.1.1/32,6:8080\n"), std::string::npos)
      << text;
}

TEST(IpsetText, DefaultRouteBecomesTwoHalves) {
  std::map<SetId, IpSet> sets{{0x7, nets_set(0x7, {net("0.0.0.0/0")})}};
  const std::string text = ipset_update_text(nullptr, sets);
  EXPECT_NE(
      text.find(
          "add pinto-t-0000000000000007 0.0.0.0/1\nadd pinto-t-0000000000000007 128.0.0.0/1\n"),
      std::string::npos)
      << text;
}

TEST(IpsetText, ParsesOurSetNames) {
  EXPECT_EQ(parse_set_names("KUBE-X\npinto-s-01\npinto-s6-01\n"),
            (std::vector<std::string>{"pinto-s-01", "pinto-s6-01"}));
}

}  // namespace
}  // namespace pinto::policy::iptables
