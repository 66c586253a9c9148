#include "policy/ebpf/range_allocator.h"

#include <iterator>

namespace pinto::policy::ebpf {

RangeAllocator::RangeAllocator(std::uint32_t size) {
  if (size > 0) free_.emplace(0, size);
  free_total_ = size;
}

std::optional<std::uint32_t> RangeAllocator::take(std::uint32_t count) {
  if (count == 0) return 0u;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < count) continue;
    const std::uint32_t first = it->first;
    const std::uint32_t rest = it->second - count;
    free_.erase(it);
    if (rest > 0) free_.emplace(first + count, rest);
    free_total_ -= count;
    return first;
  }
  return std::nullopt;
}

void RangeAllocator::give_back(std::uint32_t first, std::uint32_t count) {
  if (count == 0) return;
  free_total_ += count;
  auto next = free_.lower_bound(first);
  if (next != free_.end() && first + count == next->first) {
    count += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == first) {
      prev->second += count;
      return;
    }
  }
  free_.emplace(first, count);
}

}  // namespace pinto::policy::ebpf
