// encode_announcements / encode_withdrawals: as many NLRI per UPDATE as fit, never more.
#include <gtest/gtest.h>

#include "support/codec_helpers.h"

namespace pinto::test {
namespace {

std::vector<Nlri> many_v4(std::size_t n, std::uint8_t length = 26) {
  std::vector<Nlri> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(
        Nlri{IpPrefix(IpAddress::v4(0x0a000000u + static_cast<std::uint32_t>(i << 6)), length), 0});
  }
  return out;
}

std::vector<Nlri> many_v6(std::size_t n) {
  std::vector<Nlri> out;
  for (std::size_t i = 0; i < n; ++i) {
    IpAddress a = address("fd00::");
    a.data()[4] = static_cast<std::uint8_t>(i >> 8);
    a.data()[5] = static_cast<std::uint8_t>(i);
    out.push_back(Nlri{IpPrefix(a, 122), 0});
  }
  return out;
}

PathAttributes v4_attributes() {
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = AsPath{{{AsSegmentType::Sequence, {65001}}}};
  a.next_hop = address("192.0.2.1");
  a.local_pref = 100;
  a.communities = {0xfde90064};
  return a;
}

struct Split {
  std::vector<Update> updates;
  std::vector<std::size_t> sizes;
};

Split split(const Bytes& stream, const DecodeContext& ctx = {}) {
  Split s;
  ByteView rest(stream);
  const std::size_t max = ctx.extended_message ? kMaxExtendedSize : kMaxMessageSize;
  while (!rest.empty()) {
    auto length = frame(rest, max);
    EXPECT_TRUE(length && length.value() > 0);
    if (!length || length.value() == 0) break;
    s.sizes.push_back(length.value());
    s.updates.push_back(decode_update_ok(rest.first(length.value()), ctx));
    rest = rest.subspan(length.value());
  }
  return s;
}

TEST(Packing, OnePrefixMakesOneSmallUpdate) {
  Bytes out;
  EXPECT_EQ(encode_announcements(v4_attributes(), many_v4(1), {}, out), 1u);
  const Split s = split(out);
  ASSERT_EQ(s.updates.size(), 1u);
  EXPECT_EQ(s.updates[0].nlri, many_v4(1));
  EXPECT_EQ(s.updates[0].attributes, v4_attributes());
}

TEST(Packing, ThousandsOfIpv4PrefixesFillEachMessageAndLoseNone) {
  const auto prefixes = many_v4(3000);
  Bytes out;
  const std::size_t messages = encode_announcements(v4_attributes(), prefixes, {}, out);
  const Split s = split(out);
  ASSERT_EQ(s.updates.size(), messages);
  std::vector<Nlri> received;
  for (const auto& u : s.updates) received.insert(received.end(), u.nlri.begin(), u.nlri.end());
  EXPECT_EQ(received, prefixes);
  // Every message but the last is full: the next /26 (5 octets) would not have fitted.
  for (std::size_t i = 0; i + 1 < s.sizes.size(); ++i) {
    EXPECT_LE(s.sizes[i], kMaxMessageSize);
    EXPECT_GT(s.sizes[i] + 5, kMaxMessageSize);
  }
  // Attributes take 36 octets, so (4096 - 23 - 36) / 5 = 807 prefixes per UPDATE.
  EXPECT_EQ(messages, (3000 + 806) / 807);
}

TEST(Packing, ExtendedMessagesCarryMorePerUpdate) {
  const auto prefixes = many_v4(20000);
  Bytes normal, extended;
  const std::size_t n1 = encode_announcements(v4_attributes(), prefixes, {}, normal);
  const std::size_t n2 = encode_announcements(v4_attributes(), prefixes,
                                              EncodeContext{.extended_message = true}, extended);
  EXPECT_GT(n1, n2 * 10);
  const Split s = split(extended, DecodeContext{.extended_message = true});
  std::size_t total = 0;
  for (const auto& u : s.updates) total += u.nlri.size();
  EXPECT_EQ(total, prefixes.size());
  EXPECT_GT(s.sizes[0], kMaxMessageSize);
}

TEST(Packing, Ipv6PrefixesGoInMpReachAndSplitToo) {
  PathAttributes a = v4_attributes();
  a.next_hop.reset();
  a.mp_reach = MpReach{AfiSafi::ipv6_unicast(), address("fd00:99::2"), address("fe80::2"), {}};
  const auto prefixes = many_v6(1000);
  Bytes out;
  const std::size_t messages = encode_announcements(a, prefixes, {}, out);
  EXPECT_GT(messages, 1u);
  const Split s = split(out);
  std::vector<Nlri> received;
  for (const auto& u : s.updates) {
    ASSERT_TRUE(u.attributes.mp_reach);
    EXPECT_EQ(u.attributes.mp_reach->link_local_next_hop, address("fe80::2"));
    EXPECT_TRUE(u.nlri.empty());
    received.insert(received.end(), u.attributes.mp_reach->nlri.begin(),
                    u.attributes.mp_reach->nlri.end());
    EXPECT_EQ(u.attributes.communities, a.communities);
  }
  EXPECT_EQ(received, prefixes);
  for (auto size : s.sizes) EXPECT_LE(size, kMaxMessageSize);
}

TEST(Packing, AddPathIdentifiersCountAgainstTheMessageSize) {
  auto prefixes = many_v4(2000);
  for (std::size_t i = 0; i < prefixes.size(); ++i)
    prefixes[i].path_id = static_cast<std::uint32_t>(i);
  const EncodeContext ctx{.add_path = AddPathMask::all()};
  Bytes out;
  encode_announcements(v4_attributes(), prefixes, ctx, out);
  const Split s = split(out, DecodeContext{.add_path = AddPathMask::all()});
  std::vector<Nlri> received;
  for (const auto& u : s.updates) received.insert(received.end(), u.nlri.begin(), u.nlri.end());
  EXPECT_EQ(received, prefixes);
  for (auto size : s.sizes) EXPECT_LE(size, kMaxMessageSize);
}

TEST(Packing, WithdrawalsPackBothFamilies) {
  const auto v4 = many_v4(2000);
  const auto v6 = many_v6(2000);
  Bytes out;
  const std::size_t n4 = encode_withdrawals(AfiSafi::ipv4_unicast(), v4, {}, out);
  const std::size_t n6 = encode_withdrawals(AfiSafi::ipv6_unicast(), v6, {}, out);
  EXPECT_EQ(n4, 3u);  // (4096 - 23) / 5 = 814 per message
  EXPECT_GE(n6, 3u);
  const Split s = split(out);
  std::vector<Nlri> got4, got6;
  for (const auto& u : s.updates) {
    got4.insert(got4.end(), u.withdrawn.begin(), u.withdrawn.end());
    if (u.attributes.mp_unreach) {
      got6.insert(got6.end(), u.attributes.mp_unreach->withdrawn.begin(),
                  u.attributes.mp_unreach->withdrawn.end());
    }
    EXPECT_TRUE(u.errors.empty());
  }
  EXPECT_EQ(got4, v4);
  EXPECT_EQ(got6, v6);
}

TEST(Packing, AttributesTooLargeForAnyMessageSendNothing) {
  PathAttributes a = v4_attributes();
  a.communities.assign(1100, 1);  // 4400 octets of communities
  Bytes out;
  EXPECT_EQ(encode_announcements(a, many_v4(3), {}, out), 0u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace pinto::test
