// RibEntry: one path inside, more on the heap and back, nothing lost or leaked on the way (the
// ASan build runs these too).
#include "rib/rib_entry.h"

#include <gtest/gtest.h>

#include <vector>

namespace pinto::rib {
namespace {

Path path_from(PeerId peer, std::uint32_t path_id = 0) {
  auto attributes = std::make_shared<bgp::wire::PathAttributes>();
  attributes->local_pref = peer * 10;
  return Path{.peer = peer, .path_id = path_id, .attributes = attributes};
}

std::vector<PeerId> peers_of(const RibEntry& entry) {
  std::vector<PeerId> out;
  for (const Path& p : entry) out.push_back(p.peer);
  return out;
}

TEST(RibEntry, OnePathLivesInsideAndMoreGoToTheHeapAndBack) {
  RibEntry entry;
  EXPECT_TRUE(entry.empty());
  EXPECT_EQ(entry.best, -1);
  entry.push_back(path_from(1));
  ASSERT_EQ(entry.size(), 1u);
  // Inline: the path's storage is inside the entry.
  const auto* inside = reinterpret_cast<const std::byte*>(&entry);
  const auto* first = reinterpret_cast<const std::byte*>(&entry[0]);
  EXPECT_TRUE(first >= inside && first < inside + sizeof(RibEntry));
  entry.push_back(path_from(2));
  entry.push_back(path_from(3));
  EXPECT_EQ(peers_of(entry), (std::vector<PeerId>{1, 2, 3}));
  EXPECT_EQ(entry[2].attributes->local_pref, 30u);
  EXPECT_EQ(entry.remove_if([](const Path& p) { return p.peer != 2; }), 2u);
  ASSERT_EQ(peers_of(entry), (std::vector<PeerId>{2}));
  first = reinterpret_cast<const std::byte*>(&entry[0]);
  EXPECT_TRUE(first >= inside && first < inside + sizeof(RibEntry));  // back inside
  EXPECT_EQ(entry[0].attributes->local_pref, 20u);
  EXPECT_EQ(entry.remove_if([](const Path&) { return false; }), 0u);
  EXPECT_EQ(entry.remove_if([](const Path&) { return true; }), 1u);
  EXPECT_TRUE(entry.empty());
  EXPECT_EQ(entry.remove_if([](const Path&) { return true; }), 0u);
}

TEST(RibEntry, ManyPathsAllGoAtOnceAndTheEntryIsReusable) {
  RibEntry entry;
  for (std::uint32_t id = 1; id <= 40; ++id) entry.push_back(path_from(7, id));
  EXPECT_EQ(entry.size(), 40u);
  EXPECT_EQ(entry.paths().back().path_id, 40u);
  EXPECT_EQ(entry.remove_if([](const Path& p) { return p.peer == 7; }), 40u);
  EXPECT_TRUE(entry.empty());
  entry.push_back(path_from(4));
  EXPECT_EQ(peers_of(entry), (std::vector<PeerId>{4}));
}

TEST(RibEntry, SharesItsAttributesWithoutCopyingThem) {
  const Path original = path_from(5);
  RibEntry entry;
  entry.push_back(original);
  entry.push_back(original);
  EXPECT_EQ(entry[0].attributes, original.attributes);
  EXPECT_EQ(original.attributes.use_count(), 3);
  entry.remove_if([](const Path&) { return true; });
  EXPECT_EQ(original.attributes.use_count(), 1);
}

}  // namespace
}  // namespace pinto::rib
