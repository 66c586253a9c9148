// MemoryStore: the Store semantics in a std::map, for unit tests of the store's users (the gRPC
// API, the cluster model) that should not touch a disk. Nothing survives the object.
//
// NOTE Threading: not thread-safe, like every Store.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>

#include "config/store/store.h"

namespace pinto::config {

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(StoreOptions options = {}) : options_(options) {}

  Result<std::optional<StoredValue>, StoreError> get(std::string_view key) override;
  Result<std::vector<StoredValue>, StoreError> list(std::string_view prefix) override;
  Result<std::int64_t, StoreError> commit(const std::vector<Mutation>& batch) override;
  std::int64_t revision() const override { return revision_; }
  Result<std::vector<StoreEvent>, StoreError> events_since(std::int64_t after,
                                                           std::size_t limit) override;

 private:
  void trim_history();

  StoreOptions options_;
  // std::less<> compares std::string as unsigned bytes, the order SQLite gives BLOB keys.
  std::map<std::string, StoredValue, std::less<>> keys_;
  std::deque<StoreEvent> history_;  // oldest first
  std::int64_t revision_ = 0;
  std::int64_t compacted_ = 0;  // every event with revision <= this has been trimmed
};

}  // namespace pinto::config
