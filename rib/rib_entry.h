// One prefix of the Loc-RIB: its paths and which is best, in 24 bytes.
//
// NOTE Memory
//   A full table is a million of these, and nearly all hold one path: that path lives inside the
//   entry. Two or more (several peers, ADD-PATH) move to a vector on the heap, and back inside
//   when one is left. A boost small_vector<Path, 1> would take 40 bytes for the same (three
//   words of header beside the inline path).
// NOTE Threading
//   None: the routing thread owns the RIB.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <utility>
#include <vector>

#include "rib/route.h"

namespace pinto::rib {

class RibEntry {
 public:
  RibEntry() noexcept {}
  ~RibEntry() { clear(); }
  RibEntry(const RibEntry&) = delete;
  RibEntry& operator=(const RibEntry&) = delete;

  std::size_t size() const { return mode_ == Mode::Many ? many_->size() : std::size_t(mode_); }
  bool empty() const { return mode_ == Mode::Empty; }
  std::span<Path> paths() { return {data(), size()}; }
  std::span<const Path> paths() const { return {data(), size()}; }
  Path& operator[](std::size_t i) { return data()[i]; }
  const Path& operator[](std::size_t i) const { return data()[i]; }
  Path* begin() { return data(); }
  Path* end() { return data() + size(); }
  const Path* begin() const { return data(); }
  const Path* end() const { return data() + size(); }

  void push_back(Path path) {
    switch (mode_) {
      case Mode::Empty:
        new (&one_) Path(std::move(path));
        mode_ = Mode::One;
        return;
      case Mode::One: {
        auto many = std::make_unique<std::vector<Path>>();  // may throw: nothing changed yet
        many->reserve(2);
        many->push_back(std::move(one_));
        many->push_back(std::move(path));
        one_.~Path();
        many_ = many.release();
        mode_ = Mode::Many;
        return;
      }
      case Mode::Many: many_->push_back(std::move(path)); return;
    }
  }

  /// Removes the paths `selected` says; returns how many. Does not touch `best`.
  template <class Pred>
  std::size_t remove_if(Pred selected) {
    if (mode_ == Mode::One) {
      if (!selected(std::as_const(one_))) return 0;
      one_.~Path();
      mode_ = Mode::Empty;
      return 1;
    }
    if (mode_ == Mode::Empty) return 0;
    const std::size_t before = many_->size();
    std::erase_if(*many_, [&](const Path& p) { return selected(p); });
    const std::size_t removed = before - many_->size();
    if (many_->size() <= 1) {
      std::unique_ptr<std::vector<Path>> many(many_);
      if (many->empty()) {
        mode_ = Mode::Empty;
      } else {
        new (&one_) Path(std::move(many->front()));
        mode_ = Mode::One;
      }
    }
    return removed;
  }

 private:
  enum class Mode : std::uint8_t { Empty = 0, One = 1, Many = 2 };

  Path* data() { return mode_ == Mode::Many ? many_->data() : &one_; }
  const Path* data() const { return mode_ == Mode::Many ? many_->data() : &one_; }
  void clear() {
    if (mode_ == Mode::One) one_.~Path();
    if (mode_ == Mode::Many) delete many_;
    mode_ = Mode::Empty;
  }

  union {
    Path one_;                 // Mode::One
    std::vector<Path>* many_;  // Mode::Many (owned)
  };

 public:
  /// Index of the best path, -1 when none is usable (set by the decision process). It shares
  /// the word after the union with mode_ and the container bytes.
  std::int16_t best = -1;

 private:
  Mode mode_ = Mode::Empty;

 public:
  /// Bytes RibEntry never reads or writes, for the container that holds it: the IPv4 prefix
  /// trie keeps a leaf's key and length here, so that the leaf is the entry's 24 bytes, not 32.
  std::byte container_bytes[5];
};

static_assert(sizeof(void*) != 8 || sizeof(RibEntry) == 24, "a RibEntry grew: see NOTE Memory");
static_assert(sizeof(RibEntry::container_bytes) >= 5, "the IPv4 trie keeps key and length there");

}  // namespace pinto::rib
