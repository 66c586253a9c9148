#include "config/store/memory_store.h"

#include <algorithm>
#include <utility>

#include "config/store/store_rules.h"

namespace pinto::config {

Result<std::optional<StoredValue>, StoreError> MemoryStore::get(std::string_view key) {
  auto it = keys_.find(key);
  if (it == keys_.end()) return std::optional<StoredValue>{};
  return std::optional<StoredValue>{it->second};
}

Result<std::vector<StoredValue>, StoreError> MemoryStore::list(std::string_view prefix) {
  std::vector<StoredValue> out;
  for (auto it = keys_.lower_bound(prefix);
       it != keys_.end() && std::string_view(it->first).starts_with(prefix); ++it) {
    out.push_back(it->second);
  }
  return out;
}

Result<std::int64_t, StoreError> MemoryStore::commit(const std::vector<Mutation>& batch) {
  if (batch.empty()) return revision_;
  const std::int64_t next = revision_ + 1;

  // Mutations apply in place, each one's previous state kept, and are undone in reverse order
  // when a later one is refused: the batch is all or nothing.
  std::vector<std::pair<std::string, std::optional<StoredValue>>> undo;
  undo.reserve(batch.size());
  for (const Mutation& m : batch) {
    auto it = keys_.find(m.key);
    std::optional<std::int64_t> current;
    if (it != keys_.end()) current = it->second.mod_revision;
    if (auto refused = detail::check_mutation(m, current)) {
      for (auto u = undo.rbegin(); u != undo.rend(); ++u) {
        if (u->second) {
          keys_.insert_or_assign(u->first, std::move(*u->second));
        } else {
          keys_.erase(u->first);
        }
      }
      return failure(std::move(*refused));
    }
    if (it == keys_.end()) {
      undo.emplace_back(m.key, std::nullopt);
    } else {
      undo.emplace_back(m.key, it->second);
    }
    if (m.kind == Mutation::Kind::Put) {
      StoredValue& v = keys_[m.key];
      if (it == keys_.end()) {
        v.key = m.key;
        v.create_revision = next;
      }
      v.value = m.value;
      v.mod_revision = next;
    } else {
      keys_.erase(it);
    }
  }

  for (const Mutation& m : batch) {
    const bool put = m.kind == Mutation::Kind::Put;
    history_.push_back(StoreEvent{put ? StoreEvent::Kind::Put : StoreEvent::Kind::Delete, next,
                                  m.key, put ? m.value : std::string()});
  }
  revision_ = next;
  trim_history();
  return revision_;
}

void MemoryStore::trim_history() {
  if (history_.size() <= options_.max_events) return;
  // Whole revisions go, so a watcher never sees half a batch: the cut-off is the revision of the
  // newest event that must go.
  const std::int64_t cut = history_[history_.size() - options_.max_events - 1].revision;
  while (!history_.empty() && history_.front().revision <= cut) history_.pop_front();
  compacted_ = cut;
}

Result<std::vector<StoreEvent>, StoreError> MemoryStore::events_since(std::int64_t after,
                                                                      std::size_t limit) {
  if (after < compacted_) return failure(detail::compacted_error(after, compacted_));
  auto it = std::partition_point(history_.begin(), history_.end(),
                                 [after](const StoreEvent& e) { return e.revision <= after; });
  detail::EventPage page(limit);
  for (; it != history_.end() && page.accepts(it->revision); ++it) page.add(*it);
  return std::move(page).take();
}

std::unique_ptr<Store> make_memory_store(StoreOptions options) {
  return std::make_unique<MemoryStore>(options);
}

}  // namespace pinto::config
