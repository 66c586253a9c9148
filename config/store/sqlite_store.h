// SqliteStore: the Store in one SQLite database file, pintod's embedded default for one node.
//
// Owns the connection and its prepared statements (prepared once at open, reset after every use
// so no read transaction stays open and blocks WAL checkpoints). Each commit is one
// `BEGIN IMMEDIATE` transaction holding the key changes, their events, the new revision and any
// history trimming, so a crash at any point leaves either all of it or none. Schema, durability
// and compaction are described in docs/store.md.
//
// NOTE Threading: not thread-safe; the connection is opened without SQLite's mutexes. pintod
// calls it only from the routing thread.
// NOTE Performance: every non-empty commit costs one fsync of the WAL (synchronous=FULL), so
// callers batch what belongs together (one `apply` of many resources is one commit).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "config/store/store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pinto::config {

class SqliteStore final : public Store {
 public:
  /// See open_sqlite_store().
  static Result<std::unique_ptr<SqliteStore>, StoreError> open(const std::filesystem::path& path,
                                                               StoreOptions options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::optional<StoredValue>, StoreError> get(std::string_view key) override;
  Result<std::vector<StoredValue>, StoreError> list(std::string_view prefix) override;
  Result<std::int64_t, StoreError> commit(const std::vector<Mutation>& batch) override;
  std::int64_t revision() const override { return revision_; }
  Result<std::vector<StoreEvent>, StoreError> events_since(std::int64_t after,
                                                           std::size_t limit) override;

  /// The schema version this build writes (the `schema_version` row of table `meta`).
  static constexpr std::int64_t kSchemaVersion = 1;

 private:
  struct DbCloser {
    void operator()(sqlite3* db) const;
  };
  struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

  SqliteStore(std::string path, StoreOptions options) : path_(std::move(path)), options_(options) {}

  Result<void, StoreError> init();
  Result<void, StoreError> create_or_check_schema();
  Result<void, StoreError> load_state();
  Result<void, StoreError> prepare_all();
  Result<void, StoreError> exec(const char* sql);
  Result<Stmt, StoreError> prepare(const char* sql);
  Result<std::int64_t, StoreError> apply(const std::vector<Mutation>& batch, std::int64_t next);
  Result<void, StoreError> trim_history(std::int64_t& compacted, std::int64_t& event_count);
  Result<void, StoreError> set_meta(const char* name, std::int64_t value);

  /// An Io error for the last failed SQLite call, naming the file and what was being done.
  StoreError io_error(const std::string& doing) const;

  std::string path_;
  StoreOptions options_;
  std::unique_ptr<sqlite3, DbCloser> db_;  // declared first: closed after every statement
  std::int64_t revision_ = 0;
  std::int64_t compacted_ = 0;    // every event with revision <= this has been trimmed
  std::int64_t event_count_ = 0;  // rows in `events`, so trimming needs no count(*) per commit

  Stmt get_;
  Stmt mod_revision_;
  Stmt list_from_;
  Stmt upsert_;
  Stmt delete_;
  Stmt insert_event_;
  Stmt set_meta_;
  Stmt events_after_;
  Stmt nth_event_revision_;
  Stmt trim_events_;
  Stmt begin_;
  Stmt commit_;
  Stmt rollback_;
};

}  // namespace pinto::config
