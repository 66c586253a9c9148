// What only the SQLite store promises: everything survives a reopen and a `kill -9`, and a bad
// file is a clear Io error, never a crash.
#include "config/store/sqlite_store.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "unit/config/store_test_support.h"

namespace pinto::config {
namespace {

using testing::del;
using testing::put;
using testing::TempDir;
using Code = StoreError::Code;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> open_ok(StoreOptions options = {}) {
    auto store = open_sqlite_store(path_, options);
    if (!store) {
      ADD_FAILURE() << store.error().to_string();
      return nullptr;
    }
    return std::move(store.value());
  }

  /// Opening must fail with an Io error that names the file.
  StoreError open_fails() {
    auto store = open_sqlite_store(path_);
    if (store) {
      ADD_FAILURE() << "opening " << path_ << " succeeded";
      return {};
    }
    EXPECT_EQ(store.error().code, Code::Io);
    EXPECT_NE(store.error().message.find(path_.string()), std::string::npos)
        << store.error().to_string();
    return store.error();
  }

  /// Runs SQL on the store's file behind its back, as an operator's sqlite3 shell would.
  void sql(const std::string& statements) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "state.db";
};

TEST_F(SqliteStoreTest, ReopeningKeepsKeysRevisionsAndHistory) {
  {
    auto store = open_ok();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit({put("/a", "1"), put("/b", "2")}));
    ASSERT_TRUE(store->commit({put("/a", "3")}));
    ASSERT_TRUE(store->commit({del("/b")}));
  }
  auto store = open_ok();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->revision(), 3);
  auto a = store->get("/a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a.value(), (StoredValue{"/a", "3", 1, 2}));
  auto events = store->events_since(0, 100);
  ASSERT_TRUE(events);
  EXPECT_EQ(events.value(), (std::vector<StoreEvent>{{StoreEvent::Kind::Put, 1, "/a", "1"},
                                                     {StoreEvent::Kind::Put, 1, "/b", "2"},
                                                     {StoreEvent::Kind::Put, 2, "/a", "3"},
                                                     {StoreEvent::Kind::Delete, 3, "/b", ""}}));
  auto next = store->commit({put("/c", "4", 0)});
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(next.value(), 4);
}

TEST_F(SqliteStoreTest, TheRevisionSurvivesDeletingEveryKeyAndTheWholeHistory) {
  {
    auto store = open_ok(StoreOptions{.max_events = 0});
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit({put("/a", "1")}));
    ASSERT_TRUE(store->commit({del("/a")}));
  }
  auto store = open_ok(StoreOptions{.max_events = 0});
  ASSERT_TRUE(store);
  EXPECT_EQ(store->revision(), 2);
  auto next = store->commit({put("/a", "again")});
  ASSERT_TRUE(next);
  EXPECT_EQ(next.value(), 3);
}

TEST_F(SqliteStoreTest, CompactionIsRememberedAcrossReopen) {
  {
    auto store = open_ok(StoreOptions{.max_events = 4});
    ASSERT_TRUE(store);
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(store->commit({put("/k" + std::to_string(i), "v")}));
  }
  auto store = open_ok(StoreOptions{.max_events = 4});
  ASSERT_TRUE(store);
  auto old = store->events_since(5, 100);
  ASSERT_FALSE(old);
  EXPECT_EQ(old.error().code, Code::Compacted);
  auto kept = store->events_since(6, 100);
  ASSERT_TRUE(kept) << kept.error().to_string();
  EXPECT_EQ(kept.value().size(), 4u);
  // The trimming goes on from where it was: one more commit pushes revision 7 out.
  ASSERT_TRUE(store->commit({put("/k11", "v")}));
  auto after = store->events_since(6, 100);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, Code::Compacted);
}

TEST_F(SqliteStoreTest, AMissingDirectoryIsAnIoErrorNamingThePath) {
  path_ = dir_.path() / "no-such-dir" / "state.db";
  const StoreError e = open_fails();
  EXPECT_NE(e.message.find("does not exist"), std::string::npos) << e.to_string();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "no-such-dir")) << "never created";
}

TEST_F(SqliteStoreTest, ADirectoryIsAnIoError) {
  std::filesystem::create_directory(path_);
  open_fails();
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsAnIoError) {
  {
    std::ofstream out(path_);
    for (int i = 0; i < 200; ++i) out << "nodeName: node-a  # this is a settings file\n";
  }
  const StoreError e = open_fails();
  EXPECT_NE(e.message.find("not a database"), std::string::npos) << e.to_string();
}

TEST_F(SqliteStoreTest, ACorruptDatabaseIsAnIoError) {
  {
    auto store = open_ok();
    ASSERT_TRUE(store);
    std::vector<Mutation> batch;
    for (int i = 0; i < 3000; ++i) batch.push_back(put("/k/" + std::to_string(i), "value"));
    ASSERT_TRUE(store->commit(batch));
  }
  // Overwrite pages in the middle of the file (its header stays valid), as a bad disk would.
  const auto size = std::filesystem::file_size(path_);
  ASSERT_GT(size, 16u * 4096u) << "closing checkpoints the WAL into the file";
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2 / 4096 * 4096));
    const std::string junk(4 * 4096, '\xa5');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  const StoreError e = open_fails();
  EXPECT_NE(e.message.find("corrupt"), std::string::npos) << e.to_string();
}

TEST_F(SqliteStoreTest, ADatabaseOfAnotherProgramIsRefused) {
  sql("CREATE TABLE bookmarks (url TEXT); INSERT INTO bookmarks VALUES ('https://example.org');");
  const StoreError e = open_fails();
  EXPECT_NE(e.message.find("not a Pinto store"), std::string::npos) << e.to_string();
}

TEST_F(SqliteStoreTest, ASchemaWrittenByANewerPintodIsRefused) {
  {
    auto store = open_ok();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->commit({put("/a", "1")}));
  }
  sql("UPDATE meta SET value = 2 WHERE name = 'schema_version';");
  const StoreError e = open_fails();
  EXPECT_NE(e.message.find("newer"), std::string::npos) << e.to_string();
}

TEST_F(SqliteStoreTest, TheFileIsInWalModeWithTheSchemaVersionRecorded) {
  { ASSERT_TRUE(open_ok()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  auto read = [db](const char* query) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, query, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  };
  EXPECT_EQ(read("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(read("SELECT value FROM meta WHERE name = 'schema_version'"),
            std::to_string(SqliteStore::kSchemaVersion));
  sqlite3_close(db);
}

// ---- durability: a child commits in a loop and is killed with SIGKILL
// ----------------------------

/// Forks a child that opens the store at `path` and commits `batch_size` puts per revision in a
/// loop, writing each acknowledged revision to a pipe. The parent kills it with SIGKILL after
/// `acks` acknowledgements (or after a deadline) and returns every revision it acknowledged,
/// including those still in the pipe when it died.
std::vector<std::int64_t> commit_until_killed(const std::filesystem::path& path, int batch_size,
                                              std::size_t acks) {
  int fds[2];
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return {};
  }
  const pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return {};
  }
  if (pid == 0) {
    // The child: no gtest macros, no destructors of the parent's objects (_exit).
    close(fds[0]);
    auto store = open_sqlite_store(path);
    if (!store) _exit(2);
    for (int i = 0; i < 1'000'000; ++i) {
      // Keys are named by the revision that writes them, so the parent can find each one.
      const std::string prefix = "/rev/" + std::to_string(store.value()->revision() + 1) + "/";
      std::vector<Mutation> batch;
      for (int j = 0; j < batch_size; ++j) batch.push_back(put(prefix + std::to_string(j), "v"));
      auto r = store.value()->commit(batch);
      if (!r) _exit(3);
      const std::int64_t revision = r.value();
      if (write(fds[1], &revision, sizeof revision) != sizeof revision) _exit(4);
    }
    _exit(0);
  }

  close(fds[1]);
  std::vector<std::int64_t> acked;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  bool killed = false;
  auto kill_child = [&] {
    if (!killed) kill(pid, SIGKILL);
    killed = true;
  };
  std::int64_t revision = 0;
  std::size_t have = 0;  // bytes of `revision` read so far (a pipe may hand over part of one)
  for (;;) {
    if (acked.size() >= acks || std::chrono::steady_clock::now() > deadline) kill_child();
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) < 0 && errno != EINTR) break;
    if (p.revents == 0) continue;
    const ssize_t n =
        read(fds[0], reinterpret_cast<char*>(&revision) + have, sizeof revision - have);
    if (n <= 0) break;  // EOF: the child is gone and everything it wrote has been read
    have += static_cast<std::size_t>(n);
    if (have == sizeof revision) {
      acked.push_back(revision);
      have = 0;
    }
  }
  kill_child();
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "the child ended by itself with status " << status;
  EXPECT_GE(acked.size(), acks) << "the deadline passed first";
  return acked;
}

TEST_F(SqliteStoreTest, EveryAcknowledgedCommitSurvivesSigkill) {
  // Several rounds on the same file, each killed after an odd number of acknowledgements, so the
  // kill lands at different points of the commit cycle and restarts are exercised too.
  std::vector<std::int64_t> all_acked;
  for (std::size_t acks : {97u, 151u, 61u}) {
    const std::vector<std::int64_t> acked = commit_until_killed(path_, 1, acks);
    ASSERT_FALSE(acked.empty());
    auto store = open_ok();
    ASSERT_TRUE(store);
    const std::int64_t first = all_acked.empty() ? 1 : all_acked.back() + 1;
    EXPECT_LE(acked.front(), first + 1) << "at most one unacknowledged commit between rounds";
    for (std::size_t i = 1; i < acked.size(); ++i) {
      ASSERT_EQ(acked[i], acked[i - 1] + 1) << "revisions are consecutive";
    }
    all_acked.insert(all_acked.end(), acked.begin(), acked.end());

    EXPECT_GE(store->revision(), acked.back());
    for (std::int64_t revision : all_acked) {
      auto v = store->get("/rev/" + std::to_string(revision) + "/0");
      ASSERT_TRUE(v);
      ASSERT_TRUE(v.value()) << "acknowledged revision " << revision << " is lost";
      EXPECT_EQ(v.value()->mod_revision, revision);
    }
  }
  // The store goes on from the last revision a child reached, acknowledged or not.
  auto store = open_ok();
  ASSERT_TRUE(store);
  const std::int64_t last = store->revision();
  auto next = store->commit({put("/after", "restart")});
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_EQ(next.value(), last + 1);
}

TEST_F(SqliteStoreTest, ABatchKilledMidwayIsWhollyThereOrWhollyAbsent) {
  constexpr int kBatch = 500;
  const std::vector<std::int64_t> acked = commit_until_killed(path_, kBatch, 20);
  ASSERT_FALSE(acked.empty());

  auto store = open_ok();
  ASSERT_TRUE(store);
  auto all = store->list("/rev/");
  ASSERT_TRUE(all);
  std::map<std::int64_t, int> keys_per_revision;
  for (const StoredValue& v : all.value()) ++keys_per_revision[v.mod_revision];
  for (const auto& [revision, count] : keys_per_revision) {
    EXPECT_EQ(count, kBatch) << "revision " << revision << " is partly there";
  }
  EXPECT_EQ(static_cast<std::int64_t>(keys_per_revision.size()), store->revision());
  EXPECT_GE(store->revision(), acked.back());
  auto events = store->events_since(0, 1'000'000);
  ASSERT_TRUE(events);
  EXPECT_EQ(events.value().size(), all.value().size()) << "history and keys agree";
}

}  // namespace
}  // namespace pinto::config
