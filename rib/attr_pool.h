// Interned path attributes (BIRD's hash-consed `rta_lookup`, FRR's attribute interning): equal
// attribute sets are stored once, immutable and reference counted, so a million routes from one
// peer with one attribute set cost one attribute set, and "same attributes" is a pointer compare
// (what update packing buckets and Adj-RIB-Out key on).
//
// Owned by the Rib; intern() is called for every route received or originated, before it is
// stored. A set leaves the pool when its last AttrRef goes.
//
// NOTE Threading
//   Single-threaded: the pool and every AttrRef it made belong to the routing thread (releasing
//   the last AttrRef touches the pool's table). AttrRef (rib/attr_ref.h) counts in the set's own
//   node, one pointer per route.
// NOTE Performance
//   intern() of a set already present hashes it once and compares it once against the pooled
//   copy; no allocation. intern(AttrRef) of a ref this pool made is O(1) (no hashing at all).
//   A new set costs one move into the pool and one allocation (the node).
#pragma once

#include <cstddef>
#include <memory>

#include "bgp/wire/attributes.h"
#include "rib/route.h"

namespace pinto::rib {

/// Interned attribute sets: intern() returns the one shared copy of attributes equal to its
/// argument, so equal sets compare equal by pointer. A set leaves the pool when its last AttrRef
/// goes. The pool may be destroyed before the AttrRefs it made (they then just free themselves).
class AttrPool {
 public:
  AttrPool();
  ~AttrPool();
  AttrPool(const AttrPool&) = delete;
  AttrPool& operator=(const AttrPool&) = delete;
  /// A moved-from pool is empty and still usable.
  AttrPool(AttrPool&&) noexcept;
  AttrPool& operator=(AttrPool&&) noexcept;

  /// The pooled set equal to `attributes`, added when there is none.
  AttrRef intern(bgp::wire::PathAttributes attributes);
  /// Returns the pooled equal one (may be the same). A null ref stays null.
  AttrRef intern(const AttrRef& attributes);
  /// Distinct sets alive.
  std::size_t size() const;

 private:
  /// Adds a set known to be absent, whose hash is `hash`.
  AttrRef add(bgp::wire::PathAttributes&& attributes, std::size_t hash);

  std::shared_ptr<detail::AttrPoolState> state_;  // shared with the sets it made
};

/// Hashes every field of `attributes`; equal sets (operator==) hash equal.
std::size_t hash_value(const bgp::wire::PathAttributes& attributes);

}  // namespace pinto::rib
