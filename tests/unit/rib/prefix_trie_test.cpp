#include "rib/prefix_trie.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace pinto::rib {
namespace {

IpPrefix P(const char* text) {
  auto p = IpPrefix::parse(text);
  EXPECT_TRUE(p.has_value()) << text;
  return *p;
}
IpAddress A(const char* text) {
  return *IpAddress::parse(text);
}

std::vector<std::string> listing(const PrefixTrie<int>& trie) {
  std::vector<std::string> out;
  trie.for_each([&](const IpPrefix& p, const int& v) {
    out.push_back(p.to_string() + "=" + std::to_string(v));
  });
  return out;
}

// ---- exact lookups ---------------------------------------------------------------------------

TEST(PrefixTrie, EmptyTrieFindsNothing) {
  PrefixTrie<int> trie(AddressFamily::V4);
  EXPECT_TRUE(trie.empty());
  EXPECT_EQ(trie.find(P("10.0.0.0/8")), nullptr);
  EXPECT_FALSE(trie.erase(P("10.0.0.0/8")));
  EXPECT_FALSE(trie.longest_match(A("10.1.2.3")).has_value());
}

TEST(PrefixTrie, InsertAddsDefaultValueOnceAndFindReturnsIt) {
  PrefixTrie<int> trie(AddressFamily::V4);
  auto [v, added] = trie.insert(P("10.0.0.0/8"));
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(added);
  EXPECT_EQ(*v, 0);
  *v = 7;
  auto [again, added_again] = trie.insert(P("10.0.0.0/8"));
  EXPECT_FALSE(added_again);
  EXPECT_EQ(again, v);
  EXPECT_EQ(*trie.find(P("10.0.0.0/8")), 7);
  EXPECT_EQ(trie.size(), 1u);
  // Same bits, other lengths are other prefixes.
  EXPECT_EQ(trie.find(P("10.0.0.0/9")), nullptr);
  EXPECT_EQ(trie.find(P("10.0.0.0/7")), nullptr);
  EXPECT_EQ(trie.find(P("11.0.0.0/8")), nullptr);
}

TEST(PrefixTrie, DefaultRouteAndHostRoutesV4) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("0.0.0.0/0")).first = 1;
  *trie.insert(P("255.255.255.255/32")).first = 2;
  *trie.insert(P("0.0.0.0/32")).first = 3;
  *trie.insert(P("128.0.0.0/1")).first = 4;
  EXPECT_EQ(*trie.find(P("0.0.0.0/0")), 1);
  EXPECT_EQ(*trie.find(P("255.255.255.255/32")), 2);
  EXPECT_EQ(*trie.find(P("0.0.0.0/32")), 3);
  EXPECT_EQ(*trie.find(P("128.0.0.0/1")), 4);
  EXPECT_EQ(trie.find(P("0.0.0.0/1")), nullptr);
  EXPECT_EQ(trie.size(), 4u);
  EXPECT_TRUE(trie.erase(P("0.0.0.0/0")));
  EXPECT_EQ(trie.find(P("0.0.0.0/0")), nullptr);
  EXPECT_EQ(*trie.find(P("0.0.0.0/32")), 3);
  EXPECT_EQ(trie.longest_match(A("1.2.3.4")), std::nullopt);
}

TEST(PrefixTrie, DefaultRouteAndHostRoutesV6) {
  PrefixTrie<int> trie(AddressFamily::V6);
  *trie.insert(P("::/0")).first = 1;
  *trie.insert(P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")).first = 2;
  *trie.insert(P("::/128")).first = 3;
  *trie.insert(P("fd00::/8")).first = 4;
  *trie.insert(P("fd00::1/128")).first = 5;
  *trie.insert(P("2001:db8::/64")).first = 6;
  *trie.insert(P("2001:db8:0:0:8000::/65")).first = 7;
  EXPECT_EQ(*trie.find(P("::/0")), 1);
  EXPECT_EQ(*trie.find(P("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")), 2);
  EXPECT_EQ(*trie.find(P("::/128")), 3);
  EXPECT_EQ(*trie.find(P("fd00::/8")), 4);
  EXPECT_EQ(*trie.find(P("fd00::1/128")), 5);
  EXPECT_EQ(*trie.find(P("2001:db8::/64")), 6);
  EXPECT_EQ(*trie.find(P("2001:db8:0:0:8000::/65")), 7);
  EXPECT_EQ(trie.find(P("fd00::/16")), nullptr);
  EXPECT_EQ(trie.find(P("fd00::2/128")), nullptr);
  EXPECT_EQ(trie.find(P("2001:db8::/65")), nullptr);

  auto lpm = trie.longest_match(A("fd00::1"));
  ASSERT_TRUE(lpm);
  EXPECT_EQ(lpm->first, P("fd00::1/128"));
  lpm = trie.longest_match(A("fd00::2"));
  ASSERT_TRUE(lpm);
  EXPECT_EQ(lpm->first, P("fd00::/8"));
  lpm = trie.longest_match(A("2001:db8::8000:0:0:1"));
  ASSERT_TRUE(lpm);
  EXPECT_EQ(lpm->first, P("2001:db8:0:0:8000::/65"));
  EXPECT_EQ(*lpm->second, 7);
  lpm = trie.longest_match(A("2001:db8::1"));
  ASSERT_TRUE(lpm);
  EXPECT_EQ(lpm->first, P("2001:db8::/64"));
  lpm = trie.longest_match(A("3000::1"));
  ASSERT_TRUE(lpm);
  EXPECT_EQ(lpm->first, P("::/0"));

  EXPECT_TRUE(trie.erase(P("fd00::/8")));
  EXPECT_TRUE(trie.erase(P("::/0")));
  EXPECT_FALSE(trie.erase(P("::/0")));
  EXPECT_FALSE(trie.longest_match(A("fd00::2")).has_value());
  EXPECT_EQ(*trie.find(P("fd00::1/128")), 5);
  EXPECT_EQ(trie.size(), 5u);
}

TEST(PrefixTrie, OtherFamilyIsNeverFound) {
  PrefixTrie<int> trie(AddressFamily::V4);
  trie.insert(P("0.0.0.0/0"));
  EXPECT_EQ(trie.find(P("::/0")), nullptr);
  EXPECT_FALSE(trie.erase(P("::/0")));
  EXPECT_FALSE(trie.longest_match(A("::1")).has_value());
  EXPECT_EQ(trie.size(), 1u);
}

TEST(PrefixTrie, NestedPrefixesAreDistinct) {
  PrefixTrie<int> trie(AddressFamily::V4);
  const char* nested[] = {"10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24", "10.0.0.0/32", "10.0.0.1/32"};
  int i = 0;
  for (const char* p : nested) *trie.insert(P(p)).first = ++i;
  i = 0;
  for (const char* p : nested) EXPECT_EQ(*trie.find(P(p)), ++i) << p;
  EXPECT_TRUE(trie.erase(P("10.0.0.0/16")));
  EXPECT_EQ(trie.find(P("10.0.0.0/16")), nullptr);
  EXPECT_EQ(*trie.find(P("10.0.0.0/8")), 1);
  EXPECT_EQ(*trie.find(P("10.0.0.0/24")), 3);
  EXPECT_EQ(*trie.find(P("10.0.0.1/32")), 5);
  EXPECT_EQ(trie.size(), 4u);
}

TEST(PrefixTrie, InsertingAShorterPrefixAboveExistingOnes) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.1.2.0/24")).first = 1;
  *trie.insert(P("10.1.3.0/24")).first = 2;
  *trie.insert(P("10.1.0.0/16")).first = 3;  // above the branch point 10.1.2.0/23
  *trie.insert(P("10.1.2.0/23")).first = 4;  // the branch point itself gets a value
  *trie.insert(P("10.0.0.0/8")).first = 5;
  EXPECT_EQ(listing(trie),
            (std::vector<std::string>{"10.0.0.0/8=5", "10.1.0.0/16=3", "10.1.2.0/23=4",
                                      "10.1.2.0/24=1", "10.1.3.0/24=2"}));
}

TEST(PrefixTrie, EraseOfABranchPointKeepsItsChildren) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.1.2.0/24")).first = 1;
  *trie.insert(P("10.1.3.0/24")).first = 2;
  *trie.insert(P("10.1.2.0/23")).first = 3;  // a node with two children
  EXPECT_TRUE(trie.erase(P("10.1.2.0/23")));
  EXPECT_FALSE(trie.erase(P("10.1.2.0/23")));
  EXPECT_EQ(trie.find(P("10.1.2.0/23")), nullptr);
  EXPECT_EQ(*trie.find(P("10.1.2.0/24")), 1);
  EXPECT_EQ(*trie.find(P("10.1.3.0/24")), 2);
  // A value-less branch point is not a stored prefix.
  EXPECT_EQ(trie.longest_match(A("10.1.1.1")), std::nullopt);
  // Removing one child removes the branch point with it; the other stays reachable.
  EXPECT_TRUE(trie.erase(P("10.1.2.0/24")));
  EXPECT_EQ(*trie.find(P("10.1.3.0/24")), 2);
  EXPECT_EQ(listing(trie), (std::vector<std::string>{"10.1.3.0/24=2"}));
  EXPECT_TRUE(trie.erase(P("10.1.3.0/24")));
  EXPECT_TRUE(trie.empty());
  EXPECT_EQ(listing(trie), std::vector<std::string>{});
}

TEST(PrefixTrie, EraseOfANodeWithOneChildSplicesIt) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.0.0.0/8")).first = 1;
  *trie.insert(P("10.1.0.0/16")).first = 2;
  *trie.insert(P("10.1.1.0/24")).first = 3;
  EXPECT_TRUE(trie.erase(P("10.1.0.0/16")));
  EXPECT_EQ(*trie.find(P("10.1.1.0/24")), 3);
  EXPECT_EQ(trie.longest_match(A("10.1.1.1"))->first, P("10.1.1.0/24"));
  EXPECT_EQ(trie.longest_match(A("10.1.2.1"))->first, P("10.0.0.0/8"));
}

TEST(PrefixTrie, DisjointPrefixesCostOneInnerNodeEachAtMost) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.0.0.0/24")).first = 1;
  EXPECT_EQ(trie.inner_nodes(), 0u);  // a lone prefix is a leaf
  *trie.insert(P("10.0.1.0/24")).first = 2;
  *trie.insert(P("10.0.2.0/24")).first = 3;
  EXPECT_EQ(trie.inner_nodes(), 2u);  // the branch points 10.0.0.0/23 and 10.0.0.0/22
}

TEST(PrefixTrie, ABranchPointThatGetsItsPrefixAndLosesItAgain) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.1.2.0/24")).first = 1;
  *trie.insert(P("10.1.3.0/24")).first = 2;
  EXPECT_EQ(trie.inner_nodes(), 1u);         // the branch point 10.1.2.0/23
  *trie.insert(P("10.1.2.0/23")).first = 3;  // ... becomes a covering node
  EXPECT_EQ(trie.inner_nodes(), 1u);
  EXPECT_EQ(*trie.find(P("10.1.2.0/23")), 3);
  EXPECT_EQ(trie.longest_match(A("10.1.3.9"))->first, P("10.1.3.0/24"));
  EXPECT_TRUE(trie.erase(P("10.1.2.0/23")));  // forks still: stays, without a prefix
  EXPECT_EQ(trie.inner_nodes(), 1u);
  EXPECT_EQ(trie.find(P("10.1.2.0/23")), nullptr);
  *trie.insert(P("10.1.2.0/23")).first = 4;  // and takes it back
  EXPECT_EQ(*trie.find(P("10.1.2.0/23")), 4);
  EXPECT_EQ(listing(trie),
            (std::vector<std::string>{"10.1.2.0/23=4", "10.1.2.0/24=1", "10.1.3.0/24=2"}));
  EXPECT_TRUE(trie.erase(P("10.1.2.0/24")));
  EXPECT_TRUE(trie.erase(P("10.1.2.0/23")));
  EXPECT_EQ(trie.inner_nodes(), 0u);
  EXPECT_EQ(listing(trie), (std::vector<std::string>{"10.1.3.0/24=2"}));
}

TEST(PrefixTrie, APrefixWhoseMoreSpecificsGoIsALeafAgain) {
  PrefixTrie<int> trie(AddressFamily::V4);
  int* eight = trie.insert(P("10.0.0.0/8")).first;
  *eight = 8;
  *trie.insert(P("10.1.0.0/16")).first = 16;
  *trie.insert(P("10.2.0.0/16")).first = 17;
  EXPECT_EQ(trie.inner_nodes(), 2u);             // 10.0.0.0/8 and the branch point 10.0.0.0/14
  EXPECT_EQ(trie.find(P("10.0.0.0/8")), eight);  // its value did not move
  EXPECT_TRUE(trie.erase(P("10.1.0.0/16")));
  EXPECT_EQ(trie.inner_nodes(), 1u);
  EXPECT_TRUE(trie.erase(P("10.2.0.0/16")));
  EXPECT_EQ(trie.inner_nodes(), 0u);
  EXPECT_EQ(trie.find(P("10.0.0.0/8")), eight);
  EXPECT_EQ(*eight, 8);
  EXPECT_EQ(trie.longest_match(A("10.1.2.3"))->first, P("10.0.0.0/8"));
}

TEST(PrefixTrie, EraseIfChangesTheValueAndErasesOnlyWhenAsked) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.0.0.0/8")).first = 8;
  *trie.insert(P("10.1.0.0/16")).first = 16;  // 10.0.0.0/8 is a covering node
  *trie.insert(P("10.2.0.0/16")).first = 17;
  int calls = 0;
  EXPECT_FALSE(trie.erase_if(P("10.3.0.0/16"), [&](int&) { return ++calls, true; }));
  EXPECT_EQ(calls, 0);  // absent: never called
  EXPECT_TRUE(trie.erase_if(P("10.1.0.0/16"), [](int& v) { return ++v, false; }));
  EXPECT_EQ(*trie.find(P("10.1.0.0/16")), 17);  // kept, changed
  EXPECT_TRUE(trie.erase_if(P("10.0.0.0/8"), [](int& v) { return v == 8; }));
  EXPECT_EQ(trie.find(P("10.0.0.0/8")), nullptr);
  EXPECT_TRUE(trie.erase_if(P("10.1.0.0/16"), [](int&) { return true; }));
  EXPECT_EQ(listing(trie), (std::vector<std::string>{"10.2.0.0/16=17"}));
  EXPECT_EQ(trie.inner_nodes(), 0u);
}

// ---- longest-prefix match --------------------------------------------------------------------

TEST(PrefixTrie, LongestMatchPicksTheMostSpecificContainingPrefix) {
  PrefixTrie<int> trie(AddressFamily::V4);
  *trie.insert(P("10.0.0.0/8")).first = 8;
  *trie.insert(P("10.1.0.0/16")).first = 16;
  *trie.insert(P("10.1.1.0/24")).first = 24;
  *trie.insert(P("10.1.1.1/32")).first = 32;
  *trie.insert(P("192.168.0.0/16")).first = 100;

  auto m = trie.longest_match(A("10.1.1.1"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->first, P("10.1.1.1/32"));
  EXPECT_EQ(*m->second, 32);
  EXPECT_EQ(trie.longest_match(A("10.1.1.2"))->first, P("10.1.1.0/24"));
  EXPECT_EQ(trie.longest_match(A("10.1.2.2"))->first, P("10.1.0.0/16"));
  EXPECT_EQ(trie.longest_match(A("10.200.0.1"))->first, P("10.0.0.0/8"));
  EXPECT_EQ(trie.longest_match(A("192.168.255.255"))->first, P("192.168.0.0/16"));
  EXPECT_FALSE(trie.longest_match(A("11.0.0.1")).has_value());
  EXPECT_FALSE(trie.longest_match(A("192.169.0.0")).has_value());
  EXPECT_FALSE(trie.longest_match(A("0.0.0.0")).has_value());

  *trie.insert(P("0.0.0.0/0")).first = 0;
  EXPECT_EQ(trie.longest_match(A("11.0.0.1"))->first, P("0.0.0.0/0"));
}

// ---- walks -----------------------------------------------------------------------------------

TEST(PrefixTrie, ForEachVisitsInAddressOrderShorterFirst) {
  PrefixTrie<int> trie(AddressFamily::V4);
  const char* in[] = {"192.168.1.0/24", "10.0.0.0/8",  "10.0.0.0/16", "0.0.0.0/0",
                      "10.128.0.0/9",   "10.0.0.0/32", "255.0.0.0/8", "10.0.0.1/32",
                      "172.16.0.0/12",  "10.0.0.0/24"};
  int i = 0;
  for (const char* p : in) *trie.insert(P(p)).first = i++;
  std::vector<std::string> order;
  trie.for_each([&](const IpPrefix& p, int& v) {
    v += 100;  // the non-const walk hands out mutable values
    order.push_back(p.to_string());
  });
  EXPECT_EQ(order,
            (std::vector<std::string>{"0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "10.0.0.0/24",
                                      "10.0.0.0/32", "10.0.0.1/32", "10.128.0.0/9", "172.16.0.0/12",
                                      "192.168.1.0/24", "255.0.0.0/8"}));
  EXPECT_EQ(*trie.find(P("0.0.0.0/0")), 103);
}

TEST(PrefixMap, DispatchesOnFamilyAndWalksV4ThenV6) {
  PrefixMap<int> map;
  *map.insert(P("fd00::/64")).first = 1;
  *map.insert(P("10.0.0.0/8")).first = 2;
  *map.insert(P("::/0")).first = 3;
  *map.insert(P("0.0.0.0/0")).first = 4;
  EXPECT_EQ(map.size(), 4u);
  EXPECT_EQ(map.trie(AddressFamily::V4).size(), 2u);
  EXPECT_EQ(*map.find(P("fd00::/64")), 1);
  EXPECT_EQ(*map.find(P("10.0.0.0/8")), 2);
  EXPECT_EQ(map.find(P("10.0.0.0/9")), nullptr);
  EXPECT_EQ(map.longest_match(A("10.1.1.1"))->first, P("10.0.0.0/8"));
  EXPECT_EQ(map.longest_match(A("fd00::5"))->first, P("fd00::/64"));
  EXPECT_EQ(map.longest_match(A("fe80::5"))->first, P("::/0"));
  std::vector<std::string> order;
  map.for_each([&](const IpPrefix& p, const int&) { order.push_back(p.to_string()); });
  EXPECT_EQ(order, (std::vector<std::string>{"0.0.0.0/0", "10.0.0.0/8", "::/0", "fd00::/64"}));
  EXPECT_TRUE(map.erase(P("::/0")));
  EXPECT_FALSE(map.erase(P("::/0")));
  EXPECT_EQ(map.size(), 3u);
  map.clear();
  EXPECT_TRUE(map.empty());
  EXPECT_EQ(map.find(P("10.0.0.0/8")), nullptr);
}

// ---- value lifetime --------------------------------------------------------------------------

TEST(PrefixTrie, ValuePointersSurviveOtherInsertsAndErases) {
  PrefixTrie<std::uint64_t> trie(AddressFamily::V4);
  std::vector<std::uint64_t*> held;
  for (std::uint32_t i = 0; i < 100; ++i) {
    auto [v, added] = trie.insert(IpPrefix(IpAddress::v4(0x0a000000u + i * 256), 24));
    *v = i;
    held.push_back(v);
  }
  // Many more prefixes (the pools grow by new chunks) and erases (slots are reused).
  for (std::uint32_t i = 0; i < 50000; ++i)
    *trie.insert(IpPrefix(IpAddress::v4(0x64400000u + i), 32)).first = 1;
  for (std::uint32_t i = 0; i < 50000; i += 2)
    trie.erase(IpPrefix(IpAddress::v4(0x64400000u + i), 32));
  for (std::uint32_t i = 0; i < 10000; ++i)
    trie.insert(IpPrefix(IpAddress::v4(0x0b000000u + i * 4), 30));
  for (std::uint32_t i = 0; i < 100; ++i) {
    EXPECT_EQ(*held[i], i);
    EXPECT_EQ(trie.find(IpPrefix(IpAddress::v4(0x0a000000u + i * 256), 24)), held[i]);
  }
}

TEST(PrefixTrie, DestroysEveryValue) {
  auto counter = std::make_shared<int>(0);
  {
    PrefixTrie<std::shared_ptr<int>> trie(AddressFamily::V6);
    for (std::uint32_t i = 0; i < 1000; ++i) {
      std::array<std::uint8_t, 16> b{0xfd};
      b[14] = static_cast<std::uint8_t>(i >> 8);
      b[15] = static_cast<std::uint8_t>(i);
      *trie.insert(IpPrefix(IpAddress::from_bytes(AddressFamily::V6, b.data()), 128)).first =
          counter;
    }
    EXPECT_EQ(counter.use_count(), 1001);
    trie.erase(P("fd00::5/128"));
    EXPECT_EQ(counter.use_count(), 1000);
    PrefixTrie<std::shared_ptr<int>> moved(std::move(trie));
    EXPECT_EQ(counter.use_count(), 1000);
    EXPECT_EQ(moved.size(), 999u);
    PrefixTrie<std::shared_ptr<int>> copy(moved);
    EXPECT_EQ(counter.use_count(), 1999);
    copy.clear();
    EXPECT_EQ(counter.use_count(), 1000);
    EXPECT_TRUE(copy.empty());
  }
  EXPECT_EQ(counter.use_count(), 1);
}

// ---- randomized against std::map and a brute-force LPM -------------------------------------

// Prefixes drawn from a small universe (a few bits varying at spread-out positions) so that inserts
// hit existing prefixes, erases hit present ones, and nesting is common.
IpPrefix random_prefix(std::mt19937_64& rng, AddressFamily family) {
  std::array<std::uint8_t, 16> b{};
  const std::uint64_t r = rng();
  if (family == AddressFamily::V4) {
    b[0] = static_cast<std::uint8_t>(10 + (r & 1));
    b[1] = static_cast<std::uint8_t>((r >> 1) & 0x3);
    b[2] = static_cast<std::uint8_t>((r >> 3) & 0xa5);
    b[3] = static_cast<std::uint8_t>((r >> 11) & 0x53);
    const auto length = static_cast<std::uint8_t>((r >> 20) % 33);
    return IpPrefix(IpAddress::from_bytes(family, b.data()), length);
  }
  b[0] = 0xfd;
  b[1] = static_cast<std::uint8_t>(r & 1);
  b[7] = static_cast<std::uint8_t>((r >> 1) & 0x3);
  b[8] = static_cast<std::uint8_t>((r >> 3) & 0xa5);
  b[15] = static_cast<std::uint8_t>((r >> 11) & 0x53);
  const auto length = static_cast<std::uint8_t>((r >> 20) % 129);
  return IpPrefix(IpAddress::from_bytes(family, b.data()), length);
}

// A value with container bytes: the trie keeps an IPv4 leaf's key and length in them.
struct Tagged {
  int number = 0;
  std::byte container_bytes[5];
};
int& number(int& v) {
  return v;
}
int& number(Tagged& v) {
  return v.number;
}
int number(const int& v) {
  return v;
}
int number(const Tagged& v) {
  return v.number;
}

template <class V>
void randomized(AddressFamily family) {
  std::mt19937_64 rng(20260426);
  PrefixTrie<V> trie(family);
  std::map<IpPrefix, int> model;
  std::map<IpPrefix, V*> pointers;  // pointers handed out stay valid while present
  for (int op = 0; op < 20000; ++op) {
    const IpPrefix p = random_prefix(rng, family);
    switch (rng() % 4) {
      case 0:
      case 1: {
        auto [v, added] = trie.insert(p);
        ASSERT_EQ(added, model.count(p) == 0) << p.to_string();
        if (added) {
          number(*v) = op;
          model[p] = op;
          pointers[p] = v;
        }
        ASSERT_EQ(v, pointers[p]);
        break;
      }
      case 2: {
        ASSERT_EQ(trie.erase(p), model.erase(p) == 1) << p.to_string();
        pointers.erase(p);
        break;
      }
      case 3: {
        const V* v = trie.find(p);
        auto it = model.find(p);
        ASSERT_EQ(v != nullptr, it != model.end()) << p.to_string();
        if (v) {
          ASSERT_EQ(number(*v), it->second);
        }
        // Brute-force LPM over the model.
        const IpAddress a = p.address();
        std::optional<IpPrefix> best;
        for (const auto& [q, _] : model)
          if (q.contains(a) && (!best || q.length() > best->length())) best = q;
        const auto got = trie.longest_match(a);
        ASSERT_EQ(got.has_value(), best.has_value()) << a.to_string();
        if (got) {
          ASSERT_EQ(got->first, *best) << a.to_string();
          ASSERT_EQ(number(*got->second), model[*best]);
        }
        break;
      }
    }
    ASSERT_EQ(trie.size(), model.size());
    if (op % 1000 == 999) {
      // The walk matches the model's order (IpPrefix orders by address, then length).
      std::vector<std::pair<IpPrefix, int>> walked;
      trie.for_each([&](const IpPrefix& q, const V& v) { walked.emplace_back(q, number(v)); });
      ASSERT_EQ(walked, (std::vector<std::pair<IpPrefix, int>>(model.begin(), model.end())));
      for (const auto& [q, v] : pointers) ASSERT_EQ(number(*v), model[q]);
      // Every inner node forks or carries a prefix with more-specifics: fewer than the prefixes.
      ASSERT_LT(trie.inner_nodes(), std::max<std::size_t>(model.size(), 1));
    }
  }
  // Drain: everything erases, the trie ends empty, with no node left behind.
  for (const auto& [q, _] : model) ASSERT_TRUE(trie.erase(q));
  EXPECT_TRUE(trie.empty());
  EXPECT_EQ(trie.inner_nodes(), 0u);
  EXPECT_FALSE(trie.longest_match(family == AddressFamily::V4 ? A("10.0.0.1") : A("fd00::1")));
}

TEST(PrefixTrie, RandomizedV4MatchesStdMapAndBruteForceLpm) {
  randomized<int>(AddressFamily::V4);
}
TEST(PrefixTrie, RandomizedV6MatchesStdMapAndBruteForceLpm) {
  randomized<int>(AddressFamily::V6);
}
// The key and length in the value's container bytes (IPv4; IPv6's 17 bytes do not fit in 5).
TEST(PrefixTrie, RandomizedV4WithTheKeyInTheValue) {
  static_assert(detail::BasicTrie<detail::V4Key, Tagged>::leaf_bytes() == sizeof(Tagged));
  static_assert(detail::BasicTrie<detail::V6Key, Tagged>::leaf_bytes() > sizeof(Tagged));
  randomized<Tagged>(AddressFamily::V4);
}
TEST(PrefixTrie, RandomizedV6BesideAValueWithContainerBytes) {
  randomized<Tagged>(AddressFamily::V6);
}

TEST(PrefixTrie, MillionHostRoutesInOrder) {
  PrefixTrie<std::uint32_t> trie(AddressFamily::V4);
  constexpr std::uint32_t kN = 1'000'000;
  const std::uint32_t base = 0x64400000u;  // 100.64.0.0
  for (std::uint32_t i = 0; i < kN; ++i)
    *trie.insert(IpPrefix(IpAddress::v4(base + i), 32)).first = i;
  EXPECT_EQ(trie.size(), kN);
  for (std::uint32_t i = 0; i < kN; i += 997) {
    ASSERT_EQ(*trie.find(IpPrefix(IpAddress::v4(base + i), 32)), i);
  }
  for (std::uint32_t i = 0; i < kN; ++i)
    ASSERT_TRUE(trie.erase(IpPrefix(IpAddress::v4(base + i), 32)));
  EXPECT_TRUE(trie.empty());
}

}  // namespace
}  // namespace pinto::rib
