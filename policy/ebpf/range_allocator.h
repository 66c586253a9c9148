// RangeAllocator: first-fit allocation of contiguous index ranges in a BPF array (the rules and
// the index lists of a chain each occupy one range). Freed ranges merge with their neighbours.
//
// NOTE Fragmentation: the arrays hold twice the live limit, so a Program within the limits fits
// beside the one in force unless free space is split into pieces each smaller than a chain; take()
// then fails and apply() reports it. Ranges released by an apply come back at the next one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace pinto::policy::ebpf {

class RangeAllocator {
 public:
  /// Manages [0, size).
  explicit RangeAllocator(std::uint32_t size);
  /// The first index of a free range of `count` (count 0 takes nothing and returns 0).
  std::optional<std::uint32_t> take(std::uint32_t count);
  /// Gives [first, first + count) back; it must have come from take().
  void give_back(std::uint32_t first, std::uint32_t count);
  std::uint32_t free_total() const { return free_total_; }

 private:
  std::map<std::uint32_t, std::uint32_t> free_;  // first -> count, disjoint, never adjacent
  std::uint32_t free_total_ = 0;
};

}  // namespace pinto::policy::ebpf
