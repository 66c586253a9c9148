// The rules every Store implementation shares, kept in one place so that the SQLite and memory
// stores cannot drift apart in semantics or in wording.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "config/store/store.h"

namespace pinto::config::detail {

/// The error `m` is refused with, given the key's current mod_revision (nullopt when the key does
/// not exist), or nullopt when it may be applied. The expectation is checked before existence, so
/// a Delete guarded by a revision reports Conflict, not NotFound, for a missing key.
std::optional<StoreError> check_mutation(const Mutation& m, std::optional<std::int64_t> current);

/// What events_since answers when `after` lies before the oldest event kept: every event with
/// revision <= `compacted` has been trimmed.
StoreError compacted_error(std::int64_t after, std::int64_t compacted);

/// Collects events_since's answer in whole revisions (see Store::events_since): offered events
/// come oldest first; `accepts` says whether one of `revision` is still wanted.
class EventPage {
 public:
  explicit EventPage(std::size_t limit) : limit_(limit) {}

  /// False once the page is full. Then the trailing events of `revision`, if any, are dropped
  /// again so that a revision is never split. The first revision is never cut off, so a caller
  /// always makes progress however large a batch was.
  bool accepts(std::int64_t revision) {
    if (limit_ == 0) return false;
    if (events_.size() < limit_ || revision == events_.front().revision) return true;
    while (events_.back().revision == revision) events_.pop_back();
    return false;
  }
  void add(StoreEvent event) { events_.push_back(std::move(event)); }
  std::vector<StoreEvent> take() && { return std::move(events_); }

 private:
  std::size_t limit_;
  std::vector<StoreEvent> events_;
};

}  // namespace pinto::config::detail
