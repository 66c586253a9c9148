// AttrRef: a shared, immutable set of path attributes, by one pointer.
//
// Every stored route holds one, so its size is paid a million times over in a full table: an
// intrusive reference count (in the set's own node) makes it 8 bytes where std::shared_ptr takes
// 16. The count is atomic, so refs may be copied and dropped on any thread like shared_ptr's;
// dropping the last ref of a pooled set leaves its AttrPool (rib/attr_pool.h), which belongs to
// the routing thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "bgp/wire/attributes.h"

namespace pinto::rib {

namespace detail {

struct AttrPoolState;  // an AttrPool's table (rib/attr_pool.cpp)

struct AttrNode {
  explicit AttrNode(bgp::wire::PathAttributes v) : value(std::move(v)) {}
  const bgp::wire::PathAttributes value;
  std::atomic<std::uint32_t> refs{0};
  /// In a pool: its table and the set's hash there. Null: a set of its own.
  std::shared_ptr<AttrPoolState> pool;
  std::size_t hash = 0;
};

/// The last ref went: leaves the pool's table (if any) and frees the node.
void release(AttrNode* node) noexcept;

}  // namespace detail

class AttrRef {
 public:
  AttrRef() noexcept = default;
  AttrRef(std::nullptr_t) noexcept {}  // NOLINT: as a null shared_ptr converts
  /// A set of its own, outside any pool (routes made by hand; the RIB interns them): a copy of
  /// the value, not a share of `attributes`.
  AttrRef(const std::shared_ptr<const bgp::wire::PathAttributes>& attributes)  // NOLINT
      : AttrRef(attributes ? make(*attributes) : AttrRef{}) {}
  AttrRef(const std::shared_ptr<bgp::wire::PathAttributes>& attributes)  // NOLINT
      : AttrRef(attributes ? make(*attributes) : AttrRef{}) {}
  static AttrRef make(bgp::wire::PathAttributes attributes) {
    return AttrRef(new detail::AttrNode(std::move(attributes)));
  }
  /// Takes a node with no refs yet (AttrPool).
  explicit AttrRef(detail::AttrNode* node) noexcept : node_(node) { retain(); }

  AttrRef(const AttrRef& other) noexcept : node_(other.node_) { retain(); }
  AttrRef(AttrRef&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  AttrRef& operator=(const AttrRef& other) noexcept {
    AttrRef copy(other);
    std::swap(node_, copy.node_);
    return *this;
  }
  AttrRef& operator=(AttrRef&& other) noexcept {
    AttrRef taken(std::move(other));
    std::swap(node_, taken.node_);
    return *this;
  }
  ~AttrRef() {
    if (node_ != nullptr && node_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
      detail::release(node_);
  }

  void reset() noexcept { AttrRef().swap(*this); }
  void swap(AttrRef& other) noexcept { std::swap(node_, other.node_); }

  const bgp::wire::PathAttributes* get() const noexcept {
    return node_ != nullptr ? &node_->value : nullptr;
  }
  const bgp::wire::PathAttributes& operator*() const noexcept { return node_->value; }
  const bgp::wire::PathAttributes* operator->() const noexcept { return &node_->value; }
  explicit operator bool() const noexcept { return node_ != nullptr; }
  /// Refs to this set alive (tests, introspection).
  std::uint32_t use_count() const noexcept {
    return node_ != nullptr ? node_->refs.load(std::memory_order_relaxed) : 0;
  }
  detail::AttrNode* node() const noexcept { return node_; }

  friend bool operator==(const AttrRef& a, const AttrRef& b) noexcept { return a.node_ == b.node_; }
  friend bool operator==(const AttrRef& a, std::nullptr_t) noexcept { return a.node_ == nullptr; }

 private:
  void retain() noexcept {
    if (node_ != nullptr) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }

  detail::AttrNode* node_ = nullptr;
};

}  // namespace pinto::rib
