// The Store's semantics, run against both implementations: whatever the memory store lets a unit
// test of the API assume must hold for the SQLite store the daemon runs on.
#include "config/store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "unit/config/store_test_support.h"

namespace pinto::config {
namespace {

using testing::del;
using testing::put;
using testing::TempDir;

// Each open() gives a new, empty store.
struct MemoryBackend {
  std::unique_ptr<Store> open(StoreOptions options) { return make_memory_store(options); }
};

struct SqliteBackend {
  TempDir dir;
  int files = 0;
  std::unique_ptr<Store> open(StoreOptions options) {
    auto store =
        open_sqlite_store(dir.path() / ("store" + std::to_string(++files) + ".db"), options);
    if (!store) throw std::runtime_error(store.error().to_string());
    return std::move(store.value());
  }
};

template <class Backend>
class StoreTest : public ::testing::Test {
 protected:
  /// Replaces the store under test by a new, empty one with other options.
  void reopen_fresh(StoreOptions options) {
    store_.reset();
    store_ = backend_.open(options);
  }

  std::int64_t commit_ok(const std::vector<Mutation>& batch) {
    auto r = store_->commit(batch);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r.value() : -1;
  }

  std::optional<StoredValue> get_ok(std::string_view key) {
    auto r = store_->get(key);
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r.value() : std::nullopt;
  }

  std::vector<std::string> keys_with(std::string_view prefix) {
    auto r = store_->list(prefix);
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::string> keys;
    if (r) {
      for (const StoredValue& v : r.value()) keys.push_back(v.key);
    }
    return keys;
  }

  /// The revisions of the events after `after`, one entry per event.
  std::vector<std::int64_t> event_revisions(std::int64_t after, std::size_t limit) {
    auto r = store_->events_since(after, limit);
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::int64_t> revisions;
    if (r) {
      for (const StoreEvent& e : r.value()) revisions.push_back(e.revision);
    }
    return revisions;
  }

  Backend backend_;
  std::unique_ptr<Store> store_ = backend_.open({});
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend>;
class BackendNames {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, MemoryBackend> ? "Memory" : "Sqlite";
  }
};
TYPED_TEST_SUITE(StoreTest, Backends, BackendNames);

using Code = StoreError::Code;
using Revisions = std::vector<std::int64_t>;

TYPED_TEST(StoreTest, AnEmptyStoreIsAtRevisionZeroAndHoldsNothing) {
  EXPECT_EQ(this->store_->revision(), 0);
  EXPECT_EQ(this->get_ok("a"), std::nullopt);
  EXPECT_TRUE(this->keys_with("").empty());
  EXPECT_TRUE(this->event_revisions(0, 10).empty());
  EXPECT_EQ(this->commit_ok({}), 0);
  EXPECT_EQ(this->store_->revision(), 0);
}

TYPED_TEST(StoreTest, PutRecordsCreateAndModRevisions) {
  EXPECT_EQ(this->commit_ok({put("/a", "one")}), 1);
  EXPECT_EQ(this->get_ok("/a"), (StoredValue{"/a", "one", 1, 1}));
  EXPECT_EQ(this->commit_ok({put("/b", "bee")}), 2);
  EXPECT_EQ(this->commit_ok({put("/a", "two")}), 3);
  EXPECT_EQ(this->get_ok("/a"), (StoredValue{"/a", "two", 1, 3}));
  EXPECT_EQ(this->get_ok("/b"), (StoredValue{"/b", "bee", 2, 2}));
  EXPECT_EQ(this->store_->revision(), 3);
  EXPECT_EQ(this->commit_ok({}), 3) << "an empty batch answers the current revision";
}

TYPED_TEST(StoreTest, ListReturnsExactlyThePrefixSortedByKey) {
  this->commit_ok({put("/n/b", "2"), put("/n/a", "1"), put("/n/", "0"), put("/m/x", "m"),
                   put("/na", "x"), put("/n/a/deep", "d"), put("/o", "o")});
  EXPECT_EQ(this->keys_with("/n/"), (std::vector<std::string>{"/n/", "/n/a", "/n/a/deep", "/n/b"}));
  EXPECT_EQ(this->keys_with("/n/a"), (std::vector<std::string>{"/n/a", "/n/a/deep"}));
  EXPECT_EQ(this->keys_with("/n"),
            (std::vector<std::string>{"/n/", "/n/a", "/n/a/deep", "/n/b", "/na"}));
  EXPECT_TRUE(this->keys_with("/z").empty());
  EXPECT_EQ(this->keys_with("").size(), 7u);
  auto values = this->store_->list("/n/a");
  ASSERT_TRUE(values);
  EXPECT_EQ(values.value()[1], (StoredValue{"/n/a/deep", "d", 1, 1}));
}

TYPED_TEST(StoreTest, KeysAndValuesAreBytesOrderedAsUnsigned) {
  // Embedded NULs, high bytes and empty values must round-trip and sort as std::string does.
  const std::vector<std::string> keys = {
      std::string("k\0b", 3), "k\x01", "k\x7f", "k\x80", "k\xff", "k\xff\xff", "k"};
  std::vector<Mutation> batch;
  for (const std::string& k : keys) batch.push_back(put(k, k + std::string("\0v", 2)));
  batch.push_back(put("empty", ""));
  this->commit_ok(batch);

  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(this->keys_with("k"), sorted);
  EXPECT_EQ(this->keys_with("k\xff"), (std::vector<std::string>{"k\xff", "k\xff\xff"}));
  for (const std::string& k : keys) {
    auto v = this->get_ok(k);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->value, k + std::string("\0v", 2));
  }
  auto empty = this->get_ok("empty");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->value, "");
}

TYPED_TEST(StoreTest, ABatchGetsOneRevisionAndOneEventPerMutationInOrder) {
  EXPECT_EQ(this->commit_ok({put("/c", "3"), put("/a", "1"), put("/b", "2")}), 1);
  for (const char* k : {"/a", "/b", "/c"}) EXPECT_EQ(this->get_ok(k)->mod_revision, 1) << k;
  auto events = this->store_->events_since(0, 10);
  ASSERT_TRUE(events);
  EXPECT_EQ(events.value(), (std::vector<StoreEvent>{{StoreEvent::Kind::Put, 1, "/c", "3"},
                                                     {StoreEvent::Kind::Put, 1, "/a", "1"},
                                                     {StoreEvent::Kind::Put, 1, "/b", "2"}}));
}

TYPED_TEST(StoreTest, ExpectedModRevisionGuardsAPut) {
  this->commit_ok({put("/a", "v1")});
  EXPECT_EQ(this->commit_ok({put("/a", "v2", 1)}), 2);
  auto stale = this->store_->commit({put("/a", "v3", 1)});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Code::Conflict);
  EXPECT_EQ(stale.error().key, "/a");
  EXPECT_NE(stale.error().to_string().find("/a"), std::string::npos) << stale.error().to_string();
  EXPECT_EQ(this->store_->revision(), 2);
  EXPECT_EQ(this->get_ok("/a"), (StoredValue{"/a", "v2", 1, 2}));
}

TYPED_TEST(StoreTest, ExpectedZeroMeansTheKeyMustNotExist) {
  EXPECT_EQ(this->commit_ok({put("/a", "v1", 0)}), 1);
  auto again = this->store_->commit({put("/a", "v2", 0)});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Code::Conflict);
  EXPECT_EQ(this->get_ok("/a")->value, "v1");

  this->commit_ok({del("/a")});
  EXPECT_EQ(this->commit_ok({put("/a", "v3", 0)}), 3);
  EXPECT_EQ(this->get_ok("/a"), (StoredValue{"/a", "v3", 3, 3})) << "a new incarnation";
}

TYPED_TEST(StoreTest, ExpectingARevisionOfAMissingKeyIsAConflict) {
  auto r = this->store_->commit({put("/a", "v", 4)});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::Conflict);
  EXPECT_EQ(r.error().key, "/a");
  EXPECT_EQ(this->get_ok("/a"), std::nullopt);
}

TYPED_TEST(StoreTest, AConflictInTheThirdMutationAppliesNothing) {
  this->commit_ok({put("/x", "old"), put("/guard", "g")});
  auto r = this->store_->commit(
      {put("/a", "new"), put("/x", "changed"), put("/guard", "g2", 7), put("/b", "never reached")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::Conflict);
  EXPECT_EQ(r.error().key, "/guard");
  EXPECT_EQ(this->store_->revision(), 1);
  EXPECT_EQ(this->get_ok("/a"), std::nullopt);
  EXPECT_EQ(this->get_ok("/x"), (StoredValue{"/x", "old", 1, 1}));
  EXPECT_EQ(this->keys_with(""), (std::vector<std::string>{"/guard", "/x"}));
  EXPECT_EQ(this->event_revisions(0, 100), (Revisions{1, 1}));
  // The refused batch did not use up a revision.
  EXPECT_EQ(this->commit_ok({put("/a", "new")}), 2);
}

TYPED_TEST(StoreTest, DeletingAMissingKeyIsNotFoundAndAppliesNothing) {
  auto r = this->store_->commit({put("/a", "1"), del("/missing")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::NotFound);
  EXPECT_EQ(r.error().key, "/missing");
  EXPECT_EQ(this->get_ok("/a"), std::nullopt);
  EXPECT_EQ(this->store_->revision(), 0);
  EXPECT_TRUE(this->event_revisions(0, 10).empty());
}

TYPED_TEST(StoreTest, DeleteRemovesTheKeyAndRecordsAnEventWithoutValue) {
  this->commit_ok({put("/a", "1"), put("/b", "2")});
  EXPECT_EQ(this->commit_ok({del("/a")}), 2);
  EXPECT_EQ(this->get_ok("/a"), std::nullopt);
  EXPECT_EQ(this->keys_with(""), std::vector<std::string>{"/b"});
  auto events = this->store_->events_since(1, 10);
  ASSERT_TRUE(events);
  EXPECT_EQ(events.value(), (std::vector<StoreEvent>{{StoreEvent::Kind::Delete, 2, "/a", ""}}));
}

TYPED_TEST(StoreTest, AGuardedDeleteChecksTheRevisionFirst) {
  this->commit_ok({put("/a", "1")});
  auto stale = this->store_->commit({del("/a", 5)});
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, Code::Conflict);
  auto missing = this->store_->commit({del("/nope", 5)});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Code::Conflict) << "the expectation is checked before existence";
  EXPECT_EQ(this->commit_ok({del("/a", 1)}), 2);
}

TYPED_TEST(StoreTest, MutationsSeeTheEarlierOnesOfTheirBatch) {
  EXPECT_EQ(this->commit_ok({put("/a", "1"), del("/a")}), 1);
  EXPECT_EQ(this->get_ok("/a"), std::nullopt);
  EXPECT_EQ(this->event_revisions(0, 10), (Revisions{1, 1}));

  auto twice = this->store_->commit({put("/b", "1", 0), put("/b", "2", 0)});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, Code::Conflict);
  EXPECT_EQ(this->get_ok("/b"), std::nullopt);
  EXPECT_EQ(this->commit_ok({put("/b", "1", 0), put("/b", "2", 2)}), 2);
  EXPECT_EQ(this->get_ok("/b"), (StoredValue{"/b", "2", 2, 2}));
}

TYPED_TEST(StoreTest, RevisionsAreNeverReusedAfterDeletes) {
  this->commit_ok({put("/a", "1")});
  this->commit_ok({del("/a")});
  EXPECT_EQ(this->store_->revision(), 2);
  EXPECT_EQ(this->commit_ok({put("/a", "again")}), 3);
  EXPECT_EQ(this->get_ok("/a")->create_revision, 3);
}

TYPED_TEST(StoreTest, EventsSinceIsOrderedAndLimited) {
  for (int i = 0; i < 5; ++i) this->commit_ok({put("/k" + std::to_string(i), "v")});
  EXPECT_EQ(this->event_revisions(2, 10), (Revisions{3, 4, 5}));
  EXPECT_EQ(this->event_revisions(0, 2), (Revisions{1, 2}));
  EXPECT_EQ(this->event_revisions(2, 1), (Revisions{3}));
  EXPECT_TRUE(this->event_revisions(5, 10).empty());
  EXPECT_TRUE(this->event_revisions(99, 10).empty());
  EXPECT_TRUE(this->event_revisions(0, 0).empty());
  auto events = this->store_->events_since(3, 10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events.value().size(), 2u);
  EXPECT_EQ(events.value()[0], (StoreEvent{StoreEvent::Kind::Put, 4, "/k3", "v"}));
}

TYPED_TEST(StoreTest, EventsSinceNeverSplitsARevision) {
  this->commit_ok({put("/a", "1"), put("/b", "1"), put("/c", "1")});  // revision 1: 3 events
  this->commit_ok({put("/d", "2")});                                  // revision 2: 1 event
  this->commit_ok({put("/e", "3"), put("/f", "3")});                  // revision 3: 2 events
  EXPECT_EQ(this->event_revisions(0, 2), (Revisions{1, 1, 1})) << "the first revision is whole";
  EXPECT_EQ(this->event_revisions(0, 4), (Revisions{1, 1, 1, 2}));
  EXPECT_EQ(this->event_revisions(0, 5), (Revisions{1, 1, 1, 2})) << "revision 3 would be cut";
  EXPECT_EQ(this->event_revisions(0, 6), (Revisions{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(this->event_revisions(1, 2), (Revisions{2}));
}

TYPED_TEST(StoreTest, HistoryIsTrimmedToMaxEventsAndOlderReadsAreCompacted) {
  this->reopen_fresh(StoreOptions{.max_events = 4});
  for (int i = 1; i <= 10; ++i) this->commit_ok({put("/k" + std::to_string(i), "v")});
  EXPECT_EQ(this->event_revisions(6, 100), (Revisions{7, 8, 9, 10}));
  for (std::int64_t after : {0, 1, 5}) {
    auto r = this->store_->events_since(after, 100);
    ASSERT_FALSE(r) << after;
    EXPECT_EQ(r.error().code, Code::Compacted) << after;
  }
  EXPECT_EQ(this->keys_with("").size(), 10u) << "trimming history never touches keys";
  EXPECT_EQ(this->store_->revision(), 10);
}

TYPED_TEST(StoreTest, TrimmingDropsWholeRevisions) {
  this->reopen_fresh(StoreOptions{.max_events = 3});
  this->commit_ok({put("/a", "1"), put("/b", "1")});  // revision 1
  this->commit_ok({put("/c", "2"), put("/d", "2")});  // revision 2: 4 events, revision 1 goes
  EXPECT_EQ(this->event_revisions(1, 100), (Revisions{2, 2}));
  auto before = this->store_->events_since(0, 100);
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().code, Code::Compacted);

  // A batch larger than the whole history leaves none: watchers re-list from revision 3.
  this->commit_ok({put("/e", "3"), put("/f", "3"), put("/g", "3"), put("/h", "3")});
  EXPECT_TRUE(this->event_revisions(3, 100).empty());
  auto behind = this->store_->events_since(2, 100);
  ASSERT_FALSE(behind);
  EXPECT_EQ(behind.error().code, Code::Compacted);
  EXPECT_EQ(this->commit_ok({put("/i", "4")}), 4);
  EXPECT_EQ(this->event_revisions(3, 100), (Revisions{4}));
}

TYPED_TEST(StoreTest, ALargeApplyIsOneCommit) {
  std::vector<Mutation> batch;
  for (int i = 0; i < 20'000; ++i) {
    batch.push_back(
        put("/pinto/ipam/blocks/" + std::to_string(100'000 + i), std::string(200, 'x')));
  }
  EXPECT_EQ(this->commit_ok(batch), 1);
  auto all = this->store_->list("/pinto/ipam/blocks/");
  ASSERT_TRUE(all);
  ASSERT_EQ(all.value().size(), 20'000u);
  EXPECT_EQ(all.value().front().key, "/pinto/ipam/blocks/100000");
  EXPECT_EQ(all.value().back().key, "/pinto/ipam/blocks/119999");
  EXPECT_EQ(this->event_revisions(0, 10).size(), 20'000u);
}

}  // namespace
}  // namespace pinto::config
