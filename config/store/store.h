// Store: where pintod keeps every resource it is told over gRPC, so that a restart (even
// `kill -9`) loses nothing.
//
// The interface is shaped like etcd's v3 key-value API (get, list by prefix, transactions guarded
// by mod revisions, watch from a revision), so the SQLite implementation that serves a single node
// today can later be swapped for etcd itself without touching the callers. See docs/store.md.
//
// Revisions: every successful non-empty commit gets exactly one new revision, one greater than
// the last; every key records the revision that created it and the one that last changed it.
// Revisions only ever grow, across restarts too, and are never reused after deletions.
//
// NOTE Threading: implementations are not thread-safe. pintod calls the store only from its
// routing thread (gRPC handlers post there), so no locking is done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pinto::config {

/// One key as stored, with etcd's two revisions.
struct StoredValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;  // revision of the Put that created this incarnation of the key
  std::int64_t mod_revision = 0;     // revision of the last Put of the key

  friend bool operator==(const StoredValue&, const StoredValue&) = default;
};

/// One step of a commit.
struct Mutation {
  enum class Kind : std::uint8_t { Put, Delete };
  Kind kind = Kind::Put;
  std::string key;
  std::string value;  // Put only
  /// Optimistic concurrency, checked before the mutation is applied: a value N > 0 means the key
  /// must exist with mod_revision N; 0 means the key must not exist; unset means no check.
  std::optional<std::int64_t> expected_mod_revision;
};

/// One change in the history that `events_since` replays (etcd's watch events).
struct StoreEvent {
  enum class Kind : std::uint8_t { Put, Delete };
  Kind kind = Kind::Put;
  std::int64_t revision = 0;
  std::string key;
  std::string value;  // empty on Delete

  friend bool operator==(const StoreEvent&, const StoreEvent&) = default;
};

struct StoreError {
  enum class Code : std::uint8_t {
    Conflict,   // an expected_mod_revision did not hold; `key` names it
    NotFound,   // Delete of a key that does not exist; `key` names it
    Compacted,  // events_since asked for history that has been trimmed; re-list instead
    Io,         // the database could not be opened, read or written; `message` says why
  };
  Code code = Code::Io;
  std::string key;      // the offending key, empty when none applies
  std::string message;  // what went wrong, in words

  /// "conflict on /pinto/nodes/a: expected mod_revision 3, key is at 5"
  std::string to_string() const;
};

/// Tunables shared by both implementations.
struct StoreOptions {
  /// The newest events kept for `events_since`. Older ones are trimmed after each commit, whole
  /// revisions at a time; a watcher further behind than this gets Compacted and re-lists.
  std::size_t max_events = 100'000;
};

class Store {
 public:
  virtual ~Store() = default;

  /// The key's current value, or nullopt when it does not exist.
  virtual Result<std::optional<StoredValue>, StoreError> get(std::string_view key) = 0;

  /// Every key that starts with `prefix` (all keys for ""), sorted by key bytewise.
  virtual Result<std::vector<StoredValue>, StoreError> list(std::string_view prefix) = 0;

  /// Applies `batch` all or nothing, and durably (fsynced) before it returns: the whole batch
  /// gets one new revision (etcd's transaction semantics), which is returned. Mutations apply in
  /// order, and each one's check sees the earlier ones of the same batch. Conflict names the key
  /// whose expected revision did not hold; Delete of a missing key is NotFound (the expectation is
  /// checked first). On any error nothing is applied and the revision is unchanged. An empty
  /// batch changes nothing and returns the current revision.
  virtual Result<std::int64_t, StoreError> commit(const std::vector<Mutation>& batch) = 0;

  /// The last committed revision, 0 for an empty store.
  virtual std::int64_t revision() const = 0;

  /// Events with revision > `after`, oldest first, at most `limit` of them, in whole revisions so
  /// that the caller can resume from the last event's revision without losing any. One exception
  /// keeps a caller from being stuck: when the first revision alone has more than `limit` events,
  /// all of them are returned. Compacted when history after `after` has been trimmed (the caller
  /// then re-lists and watches from the list's revision).
  virtual Result<std::vector<StoreEvent>, StoreError> events_since(std::int64_t after,
                                                                   std::size_t limit) = 0;
};

/// Opens (creating when missing) the SQLite store at `path`. The parent directory must exist: a
/// missing one, an unreadable file, a file that is not a database, a corrupt database or one
/// written by a newer pintod is an Io error naming the path.
Result<std::unique_ptr<Store>, StoreError> open_sqlite_store(const std::filesystem::path& path,
                                                             StoreOptions options = {});

/// The same semantics in memory, for unit tests of the store's users. Nothing survives it.
std::unique_ptr<Store> make_memory_store(StoreOptions options = {});

}  // namespace pinto::config
