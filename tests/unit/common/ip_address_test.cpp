#include "common/ip_address.h"

#include <gtest/gtest.h>

namespace pinto {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::parse("10.244.1.7");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4_value(), 0x0af40107u);
  EXPECT_EQ(v4->to_string(), "10.244.1.7");
  auto v6 = IpAddress::parse("fd00:10::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->to_string(), "fd00:10::1");
  EXPECT_FALSE(IpAddress::parse("10.0.0.256"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("not an address"));
}

TEST(IpAddress, RecognisesLinkLocalIpv6) {
  EXPECT_TRUE(IpAddress::parse("fe80::1")->is_v6_link_local());
  EXPECT_FALSE(IpAddress::parse("fd00::1")->is_v6_link_local());
  EXPECT_FALSE(IpAddress::parse("10.0.0.1")->is_v6_link_local());
}

TEST(IpPrefix, ClearsHostBitsSoEqualPrefixesCompareEqual) {
  IpPrefix p(*IpAddress::parse("10.244.1.77"), 26);
  EXPECT_EQ(p.to_string(), "10.244.1.64/26");
  EXPECT_EQ(p, *IpPrefix::parse("10.244.1.64/26"));
  EXPECT_EQ(IpPrefix(*IpAddress::parse("fd00:1:2:3::1"), 50).to_string(), "fd00:1:2::/50");
}

TEST(IpPrefix, ParseRejectsBadLengthsAndStrictHostBits) {
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpPrefix::parse("fd00::/129"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.0/2x"));
  EXPECT_TRUE(IpPrefix::parse("10.0.0.1/24"));
  EXPECT_FALSE(IpPrefix::parse("10.0.0.1/24", /*strict=*/true));
  EXPECT_EQ(IpPrefix::parse("10.0.0.1")->length(), 32);
}

TEST(IpPrefix, ContainsAddressesAndNarrowerPrefixes) {
  auto pool = *IpPrefix::parse("10.244.0.0/16");
  EXPECT_TRUE(pool.contains(*IpAddress::parse("10.244.200.1")));
  EXPECT_FALSE(pool.contains(*IpAddress::parse("10.245.0.1")));
  EXPECT_TRUE(pool.contains(*IpPrefix::parse("10.244.3.0/26")));
  EXPECT_FALSE(pool.contains(*IpPrefix::parse("10.0.0.0/8")));
  EXPECT_FALSE(pool.contains(*IpPrefix::parse("fd00::/64")));
}

}  // namespace
}  // namespace pinto
