#include "config/store/store.h"

#include <string>

#include "config/store/store_rules.h"

namespace pinto::config {

std::string StoreError::to_string() const {
  std::string out;
  switch (code) {
    case Code::Conflict: out = "conflict"; break;
    case Code::NotFound: out = "not found"; break;
    case Code::Compacted: out = "compacted"; break;
    case Code::Io: out = "store i/o"; break;
  }
  if (!key.empty()) out += " on " + key;
  if (!message.empty()) out += ": " + message;
  return out;
}

namespace detail {

std::optional<StoreError> check_mutation(const Mutation& m, std::optional<std::int64_t> current) {
  if (m.expected_mod_revision) {
    const std::int64_t expected = *m.expected_mod_revision;
    if (expected == 0 && current) {
      return StoreError{StoreError::Code::Conflict, m.key,
                        "expected no key, key is at mod_revision " + std::to_string(*current)};
    }
    if (expected != 0 && !current) {
      return StoreError{
          StoreError::Code::Conflict, m.key,
          "expected mod_revision " + std::to_string(expected) + ", key does not exist"};
    }
    if (expected != 0 && *current != expected) {
      return StoreError{StoreError::Code::Conflict, m.key,
                        "expected mod_revision " + std::to_string(expected) + ", key is at " +
                            std::to_string(*current)};
    }
  }
  if (m.kind == Mutation::Kind::Delete && !current) {
    return StoreError{StoreError::Code::NotFound, m.key, "delete of a key that does not exist"};
  }
  return std::nullopt;
}

StoreError compacted_error(std::int64_t after, std::int64_t compacted) {
  return StoreError{StoreError::Code::Compacted, "",
                    "events up to revision " + std::to_string(compacted) +
                        " have been trimmed; asked for those after " + std::to_string(after) +
                        " (list again and watch from the list's revision)"};
}

}  // namespace detail
}  // namespace pinto::config
