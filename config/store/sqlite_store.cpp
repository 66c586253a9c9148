#include "config/store/sqlite_store.h"

#include <sqlite3.h>

#include <system_error>
#include <utility>

#include "config/store/store_rules.h"

namespace pinto::config {
namespace {

// "Pint" in the database header (PRAGMA application_id), so that `file(1)` and we ourselves can
// tell a Pinto store from any other SQLite database handed to --config by mistake.
constexpr std::int64_t kApplicationId = 0x50696E74;

// Keys and values are BLOBs, not TEXT: a std::string may hold any bytes, and BLOBs compare with
// memcmp, the same order std::string's operator< gives (the memory store's order), whatever the
// database's text encoding. Both tables are WITHOUT ROWID: they are looked up only by their
// primary key, which then is the table itself rather than a second b-tree beside it.
constexpr const char* kSchema = R"sql(
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE kv (
  key             BLOB PRIMARY KEY,
  value           BLOB NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
  revision INTEGER NOT NULL,
  seq      INTEGER NOT NULL,  -- position of the mutation within its commit
  kind     INTEGER NOT NULL,  -- 0 put, 1 delete
  key      BLOB NOT NULL,
  value    BLOB NOT NULL,     -- empty for a delete
  PRIMARY KEY (revision, seq)
) WITHOUT ROWID;
INSERT INTO meta (name, value) VALUES ('schema_version', 1), ('revision', 0), ('compacted', 0);
PRAGMA application_id = 1349086836;
)sql";
static_assert(kApplicationId == 1349086836, "kSchema spells the application id in decimal");

// Resets a statement when it goes out of scope, whatever path is taken: a SELECT left mid-way
// holds a read transaction open, which in WAL mode keeps the checkpointer from ever catching up.
class Reset {
 public:
  explicit Reset(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Reset(const Reset&) = delete;
  Reset& operator=(const Reset&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

bool bind_bytes(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  // A null pointer would bind SQL NULL, not an empty BLOB (a default string_view has one).
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  return sqlite3_bind_blob64(stmt, index, data, bytes.size(), SQLITE_STATIC) == SQLITE_OK;
}

bool bind_text(sqlite3_stmt* stmt, int index, const char* text) {
  return sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC) == SQLITE_OK;
}

bool bind_int(sqlite3_stmt* stmt, int index, std::int64_t value) {
  return sqlite3_bind_int64(stmt, index, value) == SQLITE_OK;
}

std::string column_bytes(sqlite3_stmt* stmt, int index) {
  const void* data = sqlite3_column_blob(stmt, index);  // null for an empty BLOB
  if (data == nullptr) return {};
  return std::string(static_cast<const char*>(data),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt, index)));
}

}  // namespace

void SqliteStore::DbCloser::operator()(sqlite3* db) const {
  sqlite3_close_v2(db);
}
void SqliteStore::StmtFinalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>, StoreError> SqliteStore::open(
    const std::filesystem::path& path, StoreOptions options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path.string(), options));
  if (auto r = store->init(); !r) return failure(std::move(r.error()));
  return store;
}

Result<std::unique_ptr<Store>, StoreError> open_sqlite_store(const std::filesystem::path& path,
                                                             StoreOptions options) {
  auto store = SqliteStore::open(path, options);
  if (!store) return failure(std::move(store.error()));
  return std::unique_ptr<Store>(std::move(store.value()));
}

StoreError SqliteStore::io_error(const std::string& doing) const {
  std::string message = path_ + ": " + doing;
  if (db_) message += ": " + std::string(sqlite3_errmsg(db_.get()));
  return StoreError{StoreError::Code::Io, "", std::move(message)};
}

Result<void, StoreError> SqliteStore::exec(const char* sql) {
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return failure(io_error(std::string("cannot run \"") + sql + "\""));
  }
  return outcome::success();
}

Result<SqliteStore::Stmt, StoreError> SqliteStore::prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  // PERSISTENT: these statements live as long as the connection and are reused for every call.
  if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) !=
      SQLITE_OK) {
    return failure(io_error(std::string("cannot prepare \"") + sql + "\""));
  }
  return Stmt(raw);
}

Result<void, StoreError> SqliteStore::init() {
  // SQLite would report a missing directory as "unable to open database file"; say what it is.
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return failure(StoreError{StoreError::Code::Io, "",
                              path_ + ": directory " + parent.string() + " does not exist"});
  }

  sqlite3* raw = nullptr;
  // NOMUTEX: one thread uses the connection (see the header), so SQLite's own locks are waste.
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // closed on every path, also when the open failed
  if (rc != SQLITE_OK) return failure(io_error("cannot open"));

  // Another process holding the write lock (a second pintod, an operator's sqlite3 shell) gets a
  // moment to finish before commit reports it as an Io error.
  sqlite3_busy_timeout(db_.get(), 2000);

  // The first statement reads the file header, so a file that is not a database fails here.
  {
    auto mode = prepare("PRAGMA journal_mode = WAL");
    if (!mode) return failure(std::move(mode.error()));
    sqlite3_stmt* stmt = mode.value().get();
    if (sqlite3_step(stmt) != SQLITE_ROW) return failure(io_error("cannot switch to WAL mode"));
    const std::string got = column_bytes(stmt, 0);
    if (got != "wal") {
      return failure(
          StoreError{StoreError::Code::Io, "",
                     path_ + ": cannot switch to WAL mode (journal mode is " + got + ")"});
    }
  }
  // WAL lets the commit append to one file and fsync it once. synchronous=FULL makes that fsync
  // happen on every commit: WAL's usual NORMAL survives a killed process (the data is in the
  // page cache) but may lose the last commits on power loss or a kernel crash, and commit()
  // promises durability when it returns, so the API can acknowledge a write to its client.
  if (auto r = exec("PRAGMA synchronous = FULL"); !r) return r;
  // A large commit leaves a large WAL behind after its checkpoint; keep the file from staying big.
  if (auto r = exec("PRAGMA journal_size_limit = 67108864"); !r) return r;

  // Corruption (a torn copy, a disk error) is reported once at start-up, with the path, rather
  // than as a failure of whichever commit first touches the bad page. It reads every page, which
  // for a full history of 100,000 events is tens of milliseconds.
  {
    auto check = prepare("PRAGMA quick_check");
    if (!check) return failure(std::move(check.error()));
    sqlite3_stmt* stmt = check.value().get();
    if (sqlite3_step(stmt) != SQLITE_ROW) return failure(io_error("cannot check the database"));
    const std::string verdict = column_bytes(stmt, 0);
    if (verdict != "ok") {
      return failure(
          StoreError{StoreError::Code::Io, "", path_ + ": the database is corrupt: " + verdict});
    }
  }

  if (auto r = create_or_check_schema(); !r) return r;
  if (auto r = prepare_all(); !r) return r;
  return load_state();
}

Result<void, StoreError> SqliteStore::create_or_check_schema() {
  // One immediate transaction, so that two processes opening a new file do not both create it.
  if (auto r = exec("BEGIN IMMEDIATE"); !r) return r;
  auto result = [this]() -> Result<void, StoreError> {
    auto read_int = [this](const char* sql) -> Result<std::optional<std::int64_t>, StoreError> {
      auto stmt = prepare(sql);
      if (!stmt) return failure(std::move(stmt.error()));
      const int rc = sqlite3_step(stmt.value().get());
      if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
      if (rc != SQLITE_ROW) return failure(io_error(std::string("cannot read \"") + sql + "\""));
      return std::optional<std::int64_t>{sqlite3_column_int64(stmt.value().get(), 0)};
    };
    auto tables = read_int("SELECT count(*) FROM sqlite_schema");
    if (!tables) return failure(std::move(tables.error()));
    if (tables.value().value_or(0) == 0) return exec(kSchema);

    auto app = read_int("PRAGMA application_id");
    if (!app) return failure(std::move(app.error()));
    if (app.value().value_or(0) != kApplicationId) {
      return failure(StoreError{StoreError::Code::Io, "",
                                path_ +
                                    ": not a Pinto store (an SQLite database of another "
                                    "program: application_id " +
                                    std::to_string(app.value().value_or(0)) + ")"});
    }
    auto version = read_int("SELECT value FROM meta WHERE name = 'schema_version'");
    if (!version) return failure(std::move(version.error()));
    if (!version.value() || *version.value() < 1) {
      return failure(
          StoreError{StoreError::Code::Io, "", path_ + ": the schema version row is missing"});
    }
    if (*version.value() > kSchemaVersion) {
      return failure(StoreError{StoreError::Code::Io, "",
                                path_ + ": schema version " + std::to_string(*version.value()) +
                                    " was written by a newer pintod (this one knows up to " +
                                    std::to_string(kSchemaVersion) + ")"});
    }
    // Migrations from older versions go here, one step per version, inside this transaction.
    return outcome::success();
  }();
  if (!result) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    return result;
  }
  return exec("COMMIT");
}

Result<void, StoreError> SqliteStore::prepare_all() {
  struct Entry {
    Stmt* stmt;
    const char* sql;
  };
  const Entry entries[] = {
      {&get_, "SELECT value, create_revision, mod_revision FROM kv WHERE key = ?1"},
      {&mod_revision_, "SELECT mod_revision FROM kv WHERE key = ?1"},
      // The keys with a prefix are contiguous from the prefix itself on; list() stops at the
      // first key that does not start with it, so no upper bound has to be computed.
      {&list_from_,
       "SELECT key, value, create_revision, mod_revision FROM kv WHERE key >= ?1 "
       "ORDER BY key"},
      {&upsert_,
       "INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?1, ?2, ?3, ?3) "
       "ON CONFLICT (key) DO UPDATE SET value = excluded.value, mod_revision = "
       "excluded.mod_revision"},
      {&delete_, "DELETE FROM kv WHERE key = ?1"},
      {&insert_event_,
       "INSERT INTO events (revision, seq, kind, key, value) VALUES (?1, ?2, ?3, ?4, ?5)"},
      {&set_meta_, "UPDATE meta SET value = ?2 WHERE name = ?1"},
      {&events_after_,
       "SELECT revision, kind, key, value FROM events WHERE revision > ?1 ORDER BY revision, seq"},
      {&nth_event_revision_,
       "SELECT revision FROM events ORDER BY revision, seq LIMIT 1 OFFSET ?1"},
      {&trim_events_, "DELETE FROM events WHERE revision <= ?1"},
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
  };
  for (const Entry& e : entries) {
    auto stmt = prepare(e.sql);
    if (!stmt) return failure(std::move(stmt.error()));
    *e.stmt = std::move(stmt.value());
  }
  return outcome::success();
}

Result<void, StoreError> SqliteStore::load_state() {
  auto stmt = prepare(
      "SELECT (SELECT value FROM meta WHERE name = 'revision'), "
      "(SELECT value FROM meta WHERE name = 'compacted'), (SELECT count(*) FROM events)");
  if (!stmt) return failure(std::move(stmt.error()));
  sqlite3_stmt* s = stmt.value().get();
  if (sqlite3_step(s) != SQLITE_ROW) return failure(io_error("cannot read the revision"));
  if (sqlite3_column_type(s, 0) == SQLITE_NULL || sqlite3_column_type(s, 1) == SQLITE_NULL) {
    return failure(StoreError{StoreError::Code::Io, "",
                              path_ + ": the revision or compacted row of table meta is missing"});
  }
  revision_ = sqlite3_column_int64(s, 0);
  compacted_ = sqlite3_column_int64(s, 1);
  event_count_ = sqlite3_column_int64(s, 2);
  return outcome::success();
}

Result<std::optional<StoredValue>, StoreError> SqliteStore::get(std::string_view key) {
  sqlite3_stmt* s = get_.get();
  Reset reset(s);
  if (!bind_bytes(s, 1, key)) return failure(io_error("cannot bind the key"));
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<StoredValue>{};
  if (rc != SQLITE_ROW) return failure(io_error("cannot read a key"));
  return std::optional<StoredValue>{StoredValue{std::string(key), column_bytes(s, 0),
                                                sqlite3_column_int64(s, 1),
                                                sqlite3_column_int64(s, 2)}};
}

Result<std::vector<StoredValue>, StoreError> SqliteStore::list(std::string_view prefix) {
  sqlite3_stmt* s = list_from_.get();
  Reset reset(s);
  if (!bind_bytes(s, 1, prefix)) return failure(io_error("cannot bind the prefix"));
  std::vector<StoredValue> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    std::string key = column_bytes(s, 0);
    if (!std::string_view(key).starts_with(prefix)) break;
    out.push_back(StoredValue{std::move(key), column_bytes(s, 1), sqlite3_column_int64(s, 2),
                              sqlite3_column_int64(s, 3)});
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(io_error("cannot list keys"));
  return out;
}

Result<std::int64_t, StoreError> SqliteStore::commit(const std::vector<Mutation>& batch) {
  if (batch.empty()) return revision_;
  const std::int64_t next = revision_ + 1;
  {
    Reset reset(begin_.get());
    if (sqlite3_step(begin_.get()) != SQLITE_DONE) {
      return failure(io_error("cannot begin a transaction"));
    }
  }

  std::int64_t compacted = compacted_;
  std::int64_t event_count = event_count_ + static_cast<std::int64_t>(batch.size());
  auto applied = apply(batch, next);
  if (applied) {
    if (auto trimmed = trim_history(compacted, event_count); !trimmed) {
      applied = failure(std::move(trimmed.error()));
    }
  }
  if (applied) {
    Reset reset(commit_.get());
    if (sqlite3_step(commit_.get()) != SQLITE_DONE) applied = failure(io_error("cannot commit"));
  }
  if (!applied) {
    // Some errors (a full disk, an I/O error) roll SQLite back by themselves; otherwise do it.
    if (sqlite3_get_autocommit(db_.get()) == 0) {
      Reset reset(rollback_.get());
      sqlite3_step(rollback_.get());
    }
    // After an Io failure of COMMIT itself the file is the only truth; re-read the revision so
    // that the next commit can never reuse one that did reach the disk.
    if (applied.error().code == StoreError::Code::Io) (void)load_state();
    return failure(std::move(applied.error()));
  }
  revision_ = next;
  compacted_ = compacted;
  event_count_ = event_count;
  return revision_;
}

Result<std::int64_t, StoreError> SqliteStore::apply(const std::vector<Mutation>& batch,
                                                    std::int64_t next) {
  std::int64_t seq = 0;
  for (const Mutation& m : batch) {
    // Only a guarded mutation or a delete needs the key's current state; a plain put of 20,000
    // resources is then two inserts each.
    std::optional<std::int64_t> current;
    if (m.expected_mod_revision || m.kind == Mutation::Kind::Delete) {
      sqlite3_stmt* s = mod_revision_.get();
      Reset reset(s);
      if (!bind_bytes(s, 1, m.key)) return failure(io_error("cannot bind the key"));
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_ROW) {
        current = sqlite3_column_int64(s, 0);
      } else if (rc != SQLITE_DONE) {
        return failure(io_error("cannot read a key"));
      }
    }
    if (auto refused = detail::check_mutation(m, current)) return failure(std::move(*refused));

    const bool put = m.kind == Mutation::Kind::Put;
    {
      sqlite3_stmt* s = put ? upsert_.get() : delete_.get();
      Reset reset(s);
      bool bound = bind_bytes(s, 1, m.key);
      if (put) bound = bound && bind_bytes(s, 2, m.value) && bind_int(s, 3, next);
      if (!bound) return failure(io_error("cannot bind a mutation (value too big?)"));
      if (sqlite3_step(s) != SQLITE_DONE) return failure(io_error("cannot write a key"));
    }
    {
      sqlite3_stmt* s = insert_event_.get();
      Reset reset(s);
      const bool bound = bind_int(s, 1, next) && bind_int(s, 2, seq++) &&
                         bind_int(s, 3, put ? 0 : 1) && bind_bytes(s, 4, m.key) &&
                         bind_bytes(s, 5, put ? std::string_view(m.value) : std::string_view(""));
      if (!bound) return failure(io_error("cannot bind an event"));
      if (sqlite3_step(s) != SQLITE_DONE) return failure(io_error("cannot record an event"));
    }
  }
  if (auto r = set_meta("revision", next); !r) return failure(std::move(r.error()));
  return next;
}

Result<void, StoreError> SqliteStore::trim_history(std::int64_t& compacted,
                                                   std::int64_t& event_count) {
  const auto max = static_cast<std::int64_t>(options_.max_events);
  if (event_count <= max) return outcome::success();
  // Whole revisions go, so a watcher never sees half a batch: the cut-off is the revision of the
  // newest event that must go (the (count - max)-th oldest), and everything up to it is deleted.
  std::int64_t cut = 0;
  {
    sqlite3_stmt* s = nth_event_revision_.get();
    Reset reset(s);
    bind_int(s, 1, event_count - max - 1);
    if (sqlite3_step(s) != SQLITE_ROW) return failure(io_error("cannot find the oldest events"));
    cut = sqlite3_column_int64(s, 0);
  }
  {
    sqlite3_stmt* s = trim_events_.get();
    Reset reset(s);
    bind_int(s, 1, cut);
    if (sqlite3_step(s) != SQLITE_DONE) return failure(io_error("cannot trim the history"));
    event_count -= sqlite3_changes64(db_.get());
  }
  compacted = cut;
  return set_meta("compacted", cut);
}

Result<void, StoreError> SqliteStore::set_meta(const char* name, std::int64_t value) {
  sqlite3_stmt* s = set_meta_.get();
  Reset reset(s);
  if (!bind_text(s, 1, name) || !bind_int(s, 2, value) || sqlite3_step(s) != SQLITE_DONE) {
    return failure(io_error(std::string("cannot record the ") + name));
  }
  return outcome::success();
}

Result<std::vector<StoreEvent>, StoreError> SqliteStore::events_since(std::int64_t after,
                                                                      std::size_t limit) {
  if (after < compacted_) return failure(detail::compacted_error(after, compacted_));
  sqlite3_stmt* s = events_after_.get();
  Reset reset(s);
  bind_int(s, 1, after);
  detail::EventPage page(limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const std::int64_t revision = sqlite3_column_int64(s, 0);
    if (!page.accepts(revision)) break;
    page.add(StoreEvent{
        sqlite3_column_int64(s, 1) == 0 ? StoreEvent::Kind::Put : StoreEvent::Kind::Delete,
        revision, column_bytes(s, 2), column_bytes(s, 3)});
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure(io_error("cannot read the history"));
  return std::move(page).take();
}

}  // namespace pinto::config
