// Prefix tries: the tables the RIB keys by prefix (Loc-RIB, Adj-RIB-In/Out indexes, the FIB's
// desired set). A path-compressed binary trie (PATRICIA, as in BIRD's and Linux's FIB tries) per
// address family, with exact lookups, longest-prefix match and an address-ordered walk.
//
// NOTE Performance
//   - Work per operation is O(key bits) node visits, in practice the depth of the trie
//     (≈ log2 N for dense tables): there is no rebalancing and no rehash, so an insert or an erase
//     touches only the nodes of its own path (O(changed), never O(table)).
//   - Leaves (a prefix and its value) and inner nodes (branch points, and covering nodes: prefixes
//     that have more-specifics) live in chunked pools (chunks double in size, never move) with
//     free lists: once the pools have grown, insert() and erase() allocate nothing. Links are
//     32-bit indices. An IPv4 branch point is 16 bytes (IPv6 32), a covering node 4 more (8),
//     and a leaf is the value, with the key and length in its container bytes when it has them
//     (the RIB's 24-byte entry does, for IPv4) or beside it. A table of disjoint prefixes (pod
//     blocks, host routes) costs one leaf and at most one branch point per prefix: 40 bytes per
//     IPv4 route with the RIB's entry.
//   - Keys are the prefix bits only: IPv4 in one uint32, IPv6 in two uint64 (IpPrefix already
//     clears host bits, see common/ip_address.h).
// NOTE Threading
//   None: one thread (the routing thread) owns a trie.
// NOTE Stability
//   A pointer to a value stays valid until that prefix is erased (or the trie cleared/destroyed),
//   whatever else is inserted or erased meanwhile: values never move between slots.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/ip_address.h"

namespace pinto::rib {

namespace detail {

/// A pool of trivially constructible T addressed by 32-bit index. Chunk k holds kBase << k
/// elements, so a million elements take 15 chunks and the chunk table stays in L1; chunks never
/// move, which is what keeps value pointers stable. Freed indices are reused first (LIFO).
template <class T>
class ChunkPool {
 public:
  static constexpr std::uint32_t kNil = 0xffffffffu;

  T& operator[](std::uint32_t i) {
    const auto [chunk, offset] = locate(i);
    return chunks_[chunk][offset];
  }
  const T& operator[](std::uint32_t i) const {
    const auto [chunk, offset] = locate(i);
    return chunks_[chunk][offset];
  }

  /// Makes sure the next `n` allocate() calls allocate no memory (so a caller can grow first and
  /// then change its structure without a failure in between).
  void reserve_free(std::size_t n) {
    while (free_.size() + (capacity_ - used_) < n) grow();
  }
  /// An index whose element is left as it was (uninitialised when fresh). Call reserve_free()
  /// first to be sure it does not allocate.
  std::uint32_t allocate() {
    if (!free_.empty()) {
      const std::uint32_t i = free_.back();
      free_.pop_back();
      return i;
    }
    if (used_ == capacity_) grow();
    return used_++;
  }
  /// Peeks at the index allocate() will return next (after reserve_free(1)).
  std::uint32_t next() const { return free_.empty() ? used_ : free_.back(); }
  void release(std::uint32_t i) { free_.push_back(i); }
  /// Indices handed out and not released.
  std::size_t live() const { return used_ - free_.size(); }
  /// Frees every chunk.
  void reset() {
    chunks_.clear();
    free_.clear();
    free_.shrink_to_fit();
    used_ = capacity_ = 0;
  }

 private:
  static constexpr unsigned kBaseLog = 6;  // first chunk: 64 elements
  static constexpr std::uint32_t kBase = 1u << kBaseLog;

  // Index i lives in chunk k where i + kBase lies in [kBase << k, kBase << (k + 1)).
  static std::pair<std::uint32_t, std::uint32_t> locate(std::uint32_t i) {
    const std::uint64_t j = std::uint64_t{i} + kBase;
    const unsigned high = static_cast<unsigned>(std::bit_width(j)) - 1;
    return {high - kBaseLog, static_cast<std::uint32_t>(j - (std::uint64_t{1} << high))};
  }
  void grow() {
    const std::size_t size = std::size_t{kBase} << chunks_.size();
    chunks_.push_back(std::make_unique_for_overwrite<T[]>(size));
    capacity_ += static_cast<std::uint32_t>(size);
  }

  std::vector<std::unique_ptr<T[]>> chunks_;
  std::vector<std::uint32_t> free_;
  std::uint32_t used_ = 0;  // indices [0, used_) have been handed out at least once
  std::uint32_t capacity_ = 0;
};

/// IPv4 key: the prefix bits, most significant first, host bits zero.
struct V4Key {
  static constexpr unsigned kBits = 32;
  std::uint32_t bits;  // no initialiser: pool chunks stay untouched until used

  static V4Key of(const IpAddress& a) { return V4Key{a.v4_value()}; }
  IpAddress address() const { return IpAddress::v4(bits); }
  /// Bit `pos` (0 = most significant); pos < kBits.
  unsigned bit(unsigned pos) const { return (bits >> (31 - pos)) & 1u; }
  /// How many leading bits the two keys share.
  static unsigned common(V4Key a, V4Key b) {
    return static_cast<unsigned>(std::countl_zero(a.bits ^ b.bits));
  }
  V4Key masked(unsigned length) const {
    return V4Key{length == 0 ? 0u : bits & (~0u << (32 - length))};
  }
  friend bool operator==(V4Key, V4Key) = default;
};

/// IPv6 key: the 128 prefix bits as two host-order halves.
struct V6Key {
  static constexpr unsigned kBits = 128;
  std::uint64_t hi;
  std::uint64_t lo;

  static V6Key of(const IpAddress& a) {
    const std::uint8_t* b = a.data();
    V6Key k{0, 0};
    for (int i = 0; i < 8; ++i) k.hi = (k.hi << 8) | b[i];
    for (int i = 8; i < 16; ++i) k.lo = (k.lo << 8) | b[i];
    return k;
  }
  IpAddress address() const {
    std::array<std::uint8_t, 16> b;
    for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(hi >> (56 - 8 * i));
    for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<std::uint8_t>(lo >> (56 - 8 * i));
    return IpAddress::from_bytes(AddressFamily::V6, b.data());
  }
  unsigned bit(unsigned pos) const {
    return pos < 64 ? (hi >> (63 - pos)) & 1u : (lo >> (127 - pos)) & 1u;
  }
  static unsigned common(const V6Key& a, const V6Key& b) {
    if (a.hi != b.hi) return static_cast<unsigned>(std::countl_zero(a.hi ^ b.hi));
    return 64 + static_cast<unsigned>(std::countl_zero(a.lo ^ b.lo));
  }
  V6Key masked(unsigned length) const {
    if (length == 0) return V6Key{0, 0};
    if (length <= 64) return V6Key{hi & (~std::uint64_t{0} << (64 - length)), 0};
    if (length == 128) return *this;
    return V6Key{hi, lo & (~std::uint64_t{0} << (128 - length))};
  }
  friend bool operator==(const V6Key&, const V6Key&) = default;
};

/// A value type with `std::byte container_bytes[N]`, N ≥ `size`, that it never reads or writes:
/// a trie leaf keeps its key and length there instead of beside the value.
template <class V, std::size_t size>
concept HasContainerBytes = requires(V& v) {
  requires sizeof(v.container_bytes) >= size;
};

/// The trie of one family. A prefix's value lives in a leaf; inner nodes are branch points
/// (where paths fork) and covering nodes (a prefix that has more-specifics below it, which
/// refers to its own leaf). Links are 32-bit indices whose top two bits say which pool.
///
/// Invariants: a node's key has no bits set past its length; every descendant of a node extends
/// its key and is longer; child[b] holds the descendants whose bit at position `length` is b; a
/// branch point has two children; a covering node has a leaf and at least one child, or no leaf
/// (its prefix was erased) and two. So a table of disjoint prefixes costs a leaf and at most one
/// branch point per prefix: for IPv4, 16 bytes of branch point and a leaf of the value's size
/// when the value has five container bytes (the RIB's entry does), eight more otherwise.
template <class Key, class V>
class BasicTrie {
 public:
  static constexpr std::uint32_t kNil = ChunkPool<int>::kNil;

  BasicTrie() = default;
  BasicTrie(const BasicTrie&) = delete;
  BasicTrie& operator=(const BasicTrie&) = delete;
  BasicTrie(BasicTrie&& other) noexcept
      : branches_(std::move(other.branches_)),
        coverings_(std::move(other.coverings_)),
        leaves_(std::move(other.leaves_)),
        root_(std::exchange(other.root_, kNil)),
        size_(std::exchange(other.size_, 0)) {
    other.reset_pools();
  }
  BasicTrie& operator=(BasicTrie&& other) noexcept {
    if (this != &other) {
      clear();
      branches_ = std::move(other.branches_);
      coverings_ = std::move(other.coverings_);
      leaves_ = std::move(other.leaves_);
      root_ = std::exchange(other.root_, kNil);
      size_ = std::exchange(other.size_, 0);
      other.reset_pools();
    }
    return *this;
  }
  ~BasicTrie() { clear(); }

  V* find(Key key, unsigned length) {
    return const_cast<V*>(std::as_const(*this).find(key, length));
  }
  const V* find(Key key, unsigned length) const {
    // PATRICIA descent: follow the bits, compare the key once at the end.
    std::uint32_t link = root_;
    while (link != kNil) {
      if (is_leaf(link)) {
        const std::uint32_t leaf = index(link);
        return leaf_length(leaf) == length && leaf_key(leaf) == key ? value(leaf) : nullptr;
      }
      const Branch& node = inner(link);
      if (node.length >= length) {
        const std::uint32_t leaf = leaf_of(link);
        if (node.length == length && node.key == key && leaf != kNil) return value(leaf);
        return nullptr;
      }
      link = node.child[key.bit(node.length)];
    }
    return nullptr;
  }

  std::pair<V*, bool> insert(Key key, unsigned length) {
    // Grow first (at most one inner node and one leaf), so nothing below can fail half-way
    // except the value's constructor, which runs before the structure changes.
    branches_.reserve_free(1);
    coverings_.reserve_free(1);
    leaves_.reserve_free(1);
    std::uint32_t* link = &root_;  // nodes never move, so pointers to their links stay valid
    while (true) {
      const std::uint32_t at = *link;
      if (at == kNil) {
        const std::uint32_t leaf = make_leaf(key, length);
        *link = leaf | kLeafTag;
        return {value(leaf), true};
      }
      const Key at_key = is_leaf(at) ? leaf_key(index(at)) : inner(at).key;
      const unsigned at_length = is_leaf(at) ? leaf_length(index(at)) : inner(at).length;
      const unsigned shared = std::min({Key::common(at_key, key), at_length, length});
      if (shared == at_length && at_length == length) {  // the prefix itself
        if (is_leaf(at)) return {value(index(at)), false};
        if (is_covering(at)) {
          Covering& covering = coverings_[index(at)];
          if (covering.leaf != kNil) return {value(covering.leaf), false};
          covering.leaf = make_leaf(key, length);  // its prefix had been erased
          return {value(covering.leaf), true};
        }
        // A branch point gets its prefix: it becomes a covering node.
        const std::uint32_t leaf = make_leaf(key, length);
        *link = make_covering(branches_[at], leaf);
        branches_.release(at);
        return {value(leaf), true};
      }
      if (shared == at_length) {  // below `at`
        if (!is_leaf(at)) {
          link = &inner(at).child[key.bit(at_length)];
          continue;
        }
        // The leaf gets a more-specific: a covering node takes its place and refers to it.
        const std::uint32_t leaf = make_leaf(key, length);
        const std::uint32_t covering =
            make_covering(Branch{at_key, narrow(at_length), {kNil, kNil}}, index(at));
        inner(covering).child[key.bit(at_length)] = leaf | kLeafTag;
        *link = covering;
        return {value(leaf), true};
      }
      // The new prefix leaves `at`'s path at bit `shared`: it goes above `at`, either as its
      // covering node (it contains `at`) or beside it under a new branch point.
      const std::uint32_t leaf = make_leaf(key, length);
      if (shared == length) {
        const std::uint32_t covering =
            make_covering(Branch{key, narrow(length), {kNil, kNil}}, leaf);
        inner(covering).child[at_key.bit(length)] = at;
        *link = covering;
        return {value(leaf), true};
      }
      const std::uint32_t branch = branches_.allocate();
      Branch& b = branches_[branch];
      b = Branch{key.masked(shared), narrow(shared), {kNil, kNil}};
      b.child[key.bit(shared)] = leaf | kLeafTag;
      b.child[at_key.bit(shared)] = at;
      *link = branch;
      return {value(leaf), true};
    }
  }

  bool erase(Key key, unsigned length) {
    return erase_if(key, length, [](V&) { return true; });
  }

  /// Calls gone(V&) on the prefix's value, which may change it, and erases the prefix when it
  /// returns true: one descent where find() and then erase() take two. False when absent.
  template <class Gone>
  bool erase_if(Key key, unsigned length, Gone&& gone) {
    std::uint32_t* parent_link = nullptr;  // the link to the inner node above `link`
    std::uint32_t* link = &root_;
    while (*link != kNil) {
      const std::uint32_t at = *link;
      if (is_leaf(at)) {
        const std::uint32_t leaf = index(at);
        if (leaf_length(leaf) != length || !(leaf_key(leaf) == key)) return false;
        if (!gone(*value(leaf))) return true;
        free_leaf(leaf);
        *link = kNil;
        if (parent_link != nullptr) collapse(*parent_link);
        return true;
      }
      Branch& node = inner(at);
      if (node.length < length) {
        parent_link = link;
        link = &node.child[key.bit(node.length)];
        continue;
      }
      if (node.length != length || !(node.key == key) || leaf_of(at) == kNil) return false;
      Covering& covering = coverings_[index(at)];
      if (!gone(*value(covering.leaf))) return true;
      free_leaf(covering.leaf);
      covering.leaf = kNil;
      collapse(*link);
      return true;
    }
    return false;
  }

  /// The longest stored prefix containing `key` (a full-length key): its key, length and value.
  const V* longest_match(Key key, Key& match_key, unsigned& match_length) const {
    const V* best = nullptr;
    std::uint32_t link = root_;
    while (link != kNil) {
      if (is_leaf(link)) {
        const std::uint32_t leaf = index(link);
        if (Key::common(leaf_key(leaf), key) >= leaf_length(leaf)) {
          best = value(leaf);
          match_key = leaf_key(leaf);
          match_length = leaf_length(leaf);
        }
        break;
      }
      const Branch& node = inner(link);
      if (Key::common(node.key, key) < node.length) break;  // left the path of `key`
      if (const std::uint32_t leaf = leaf_of(link); leaf != kNil) {
        best = value(leaf);
        match_key = node.key;
        match_length = node.length;
      }
      if (node.length == Key::kBits) break;
      link = node.child[key.bit(node.length)];
    }
    return best;
  }

  /// f(Key, length, V&) in address order, shorter first at the same address (pre-order).
  template <class F>
  void walk(F&& f) const {
    std::array<std::uint32_t, Key::kBits + 2> stack;  // one pending right child per level
    std::size_t depth = 0;
    std::uint32_t link = root_;
    while (true) {
      while (link != kNil) {
        if (is_leaf(link)) {
          const std::uint32_t leaf = index(link);
          f(leaf_key(leaf), leaf_length(leaf), *value(leaf));
          break;
        }
        const Branch& node = inner(link);
        if (const std::uint32_t leaf = leaf_of(link); leaf != kNil)
          f(node.key, unsigned{node.length}, *value(leaf));
        if (node.child[1] != kNil) stack[depth++] = node.child[1];
        link = node.child[0];
      }
      if (depth == 0) return;
      link = stack[--depth];
    }
  }

  std::size_t size() const { return size_; }
  /// Inner nodes in use (for tests of the structure: fewer than size() whenever size() > 0).
  std::size_t inner_nodes() const { return branches_.live() + coverings_.live(); }
  /// What one leaf and one branch point take (the static_asserts on the RIB's layout use them).
  static constexpr std::size_t leaf_bytes() { return sizeof(Leaf); }
  static constexpr std::size_t branch_bytes() { return sizeof(Branch); }

  void clear() {
    if constexpr (!std::is_trivially_destructible_v<V>) {
      walk([](Key, unsigned, V& v) { v.~V(); });
    }
    reset_pools();
    root_ = kNil;
    size_ = 0;
  }

 private:
  // A link's top two bits: 00 a branch point, 01 a covering node, 10 a leaf (11 only in kNil).
  static constexpr std::uint32_t kCoveringTag = 0x40000000u;
  static constexpr std::uint32_t kLeafTag = 0x80000000u;
  static constexpr std::uint32_t kTagMask = 0xc0000000u;
  // A value with room for the key and length in its container bytes keeps them there.
  static constexpr bool kKeyInValue = HasContainerBytes<V, sizeof(Key) + 1>;

  struct Branch {
    Key key;
    std::uint8_t length;
    std::uint32_t child[2];  // links, or kNil
  };
  struct Covering {
    Branch node;
    std::uint32_t leaf;  // this prefix's leaf; kNil once erased (the node then has two children)
  };
  struct LeafWithKey {
    Key key;
    std::uint8_t length;
    alignas(V) std::byte bytes[sizeof(V)];  // the trie constructs V here
  };
  struct LeafKeyInValue {
    alignas(V) std::byte bytes[sizeof(V)];  // V, whose container bytes hold key and length
  };
  using Leaf = std::conditional_t<kKeyInValue, LeafKeyInValue, LeafWithKey>;

  static std::uint8_t narrow(unsigned length) { return static_cast<std::uint8_t>(length); }
  static bool is_leaf(std::uint32_t link) { return (link & kTagMask) == kLeafTag; }
  static bool is_covering(std::uint32_t link) { return (link & kTagMask) == kCoveringTag; }
  static std::uint32_t index(std::uint32_t link) { return link & ~kTagMask; }

  /// The branch-point part of an inner node (branch or covering).
  Branch& inner(std::uint32_t link) {
    return is_covering(link) ? coverings_[index(link)].node : branches_[link];
  }
  const Branch& inner(std::uint32_t link) const {
    return is_covering(link) ? coverings_[index(link)].node : branches_[link];
  }
  /// The leaf of the prefix an inner node stands for, or kNil.
  std::uint32_t leaf_of(std::uint32_t link) const {
    return is_covering(link) ? coverings_[index(link)].leaf : kNil;
  }

  V* value(std::uint32_t leaf) const {
    // The const walk hands out V& (f decides); leaves are storage the trie constructs V in.
    return std::launder(reinterpret_cast<V*>(const_cast<Leaf&>(leaves_[leaf]).bytes));
  }
  Key leaf_key(std::uint32_t leaf) const {
    if constexpr (kKeyInValue) {
      Key key;
      std::memcpy(&key, value(leaf)->container_bytes, sizeof(Key));
      return key;
    } else {
      return leaves_[leaf].key;
    }
  }
  unsigned leaf_length(std::uint32_t leaf) const {
    if constexpr (kKeyInValue) {
      return std::to_integer<unsigned>(value(leaf)->container_bytes[sizeof(Key)]);
    } else {
      return leaves_[leaf].length;
    }
  }

  std::uint32_t make_leaf(Key key, unsigned length) {
    const std::uint32_t leaf = leaves_.next();
    V* v = new (leaves_[leaf].bytes) V();  // may throw: then the leaf stays free
    if constexpr (kKeyInValue) {
      std::memcpy(v->container_bytes, &key, sizeof(Key));
      v->container_bytes[sizeof(Key)] = std::byte{narrow(length)};
    } else {
      leaves_[leaf].key = key;
      leaves_[leaf].length = narrow(length);
    }
    leaves_.allocate();
    ++size_;
    return leaf;
  }
  void free_leaf(std::uint32_t leaf) {
    value(leaf)->~V();
    leaves_.release(leaf);
    --size_;
  }
  /// A covering node for `node`'s key, length and children, with `leaf`; returns its link.
  std::uint32_t make_covering(const Branch& node, std::uint32_t leaf) {
    const std::uint32_t covering = coverings_.allocate();
    coverings_[covering] = Covering{node, leaf};
    return covering | kCoveringTag;
  }
  void release_inner(std::uint32_t link) {
    if (is_covering(link))
      coverings_.release(index(link));
    else
      branches_.release(link);
  }
  /// Restores the invariants at the inner node `link` refers to after it lost its leaf or a
  /// child: a branch point down to one child, or a prefix without more-specifics left, goes;
  /// its child, or its own leaf, takes its place.
  void collapse(std::uint32_t& link) {
    const std::uint32_t at = link;
    const Branch& node = inner(at);
    if (node.child[0] != kNil && node.child[1] != kNil) return;  // it still forks
    const std::uint32_t only = node.child[0] != kNil ? node.child[0] : node.child[1];
    const std::uint32_t leaf = leaf_of(at);
    if (leaf == kNil) {
      link = only;
    } else if (only == kNil) {
      link = leaf | kLeafTag;
    } else {
      return;  // a prefix with one more-specific below it
    }
    release_inner(at);
  }
  void reset_pools() {
    branches_.reset();
    coverings_.reset();
    leaves_.reset();
  }

  ChunkPool<Branch> branches_;
  ChunkPool<Covering> coverings_;
  ChunkPool<Leaf> leaves_;
  std::uint32_t root_ = kNil;
  std::size_t size_ = 0;
};

}  // namespace detail

/// The prefixes of one address family, each with a V. Pointers to values stay valid until that
/// prefix is erased. Nodes come from chunked pools with free lists: no heap allocation per insert
/// once the pool has grown.
///
/// Prefixes of the other family are never found; inserting one is a bug (asserted in debug
/// builds, {nullptr, false} otherwise).
template <class V>
class PrefixTrie {
 public:
  explicit PrefixTrie(AddressFamily family) : family_(family) {}
  PrefixTrie(PrefixTrie&&) noexcept = default;
  PrefixTrie& operator=(PrefixTrie&&) noexcept = default;
  /// Copies every prefix and value (V must be copy-assignable).
  PrefixTrie(const PrefixTrie& other) : family_(other.family_) {
    other.for_each([this](const IpPrefix& p, const V& v) { *insert(p).first = v; });
  }
  PrefixTrie& operator=(const PrefixTrie& other) {
    if (this != &other) {
      PrefixTrie copy(other);
      *this = std::move(copy);
    }
    return *this;
  }

  AddressFamily family() const { return family_; }

  V* find(const IpPrefix& prefix) { return const_cast<V*>(std::as_const(*this).find(prefix)); }
  const V* find(const IpPrefix& prefix) const {
    if (prefix.family() != family_) return nullptr;
    return family_ == AddressFamily::V4
               ? v4_.find(detail::V4Key::of(prefix.address()), prefix.length())
               : v6_.find(detail::V6Key::of(prefix.address()), prefix.length());
  }

  /// The value for `prefix`; default-constructed and added when absent (second = true then).
  std::pair<V*, bool> insert(const IpPrefix& prefix) {
    assert(prefix.family() == family_ && "prefix of the other family");
    if (prefix.family() != family_) return {nullptr, false};
    return family_ == AddressFamily::V4
               ? v4_.insert(detail::V4Key::of(prefix.address()), prefix.length())
               : v6_.insert(detail::V6Key::of(prefix.address()), prefix.length());
  }

  /// False when absent. Frees the value and the node(s) no longer needed.
  bool erase(const IpPrefix& prefix) {
    return erase_if(prefix, [](V&) { return true; });
  }

  /// Calls gone(V&) on the prefix's value and erases the prefix when it returns true, in one
  /// descent. False when absent.
  template <class Gone>
  bool erase_if(const IpPrefix& prefix, Gone&& gone) {
    if (prefix.family() != family_) return false;
    return family_ == AddressFamily::V4
               ? v4_.erase_if(detail::V4Key::of(prefix.address()), prefix.length(), gone)
               : v6_.erase_if(detail::V6Key::of(prefix.address()), prefix.length(), gone);
  }

  /// The longest stored prefix that contains `address` (same family), or nullopt.
  std::optional<std::pair<IpPrefix, const V*>> longest_match(const IpAddress& address) const {
    if (address.family() != family_) return std::nullopt;
    unsigned length = 0;
    if (family_ == AddressFamily::V4) {
      detail::V4Key key{0};
      if (const V* v = v4_.longest_match(detail::V4Key::of(address), key, length))
        return std::pair{IpPrefix(key.address(), static_cast<std::uint8_t>(length)), v};
    } else {
      detail::V6Key key{0, 0};
      if (const V* v = v6_.longest_match(detail::V6Key::of(address), key, length))
        return std::pair{IpPrefix(key.address(), static_cast<std::uint8_t>(length)), v};
    }
    return std::nullopt;
  }

  /// f(const IpPrefix&, const V&) / f(const IpPrefix&, V&) for every stored prefix, in address
  /// order (shorter first at the same address). f must not insert or erase.
  template <class F>
  void for_each(F&& f) const {
    walk([&f](const IpPrefix& p, V& v) { f(p, static_cast<const V&>(v)); });
  }
  template <class F>
  void for_each(F&& f) {
    walk([&f](const IpPrefix& p, V& v) { f(p, v); });
  }

  std::size_t size() const { return family_ == AddressFamily::V4 ? v4_.size() : v6_.size(); }
  bool empty() const { return size() == 0; }
  /// Inner nodes in use: branch points and prefixes with more-specifics (for structure tests).
  std::size_t inner_nodes() const {
    return family_ == AddressFamily::V4 ? v4_.inner_nodes() : v6_.inner_nodes();
  }
  /// Erases everything and releases the pools' memory.
  void clear() {
    v4_.clear();
    v6_.clear();
  }

 private:
  template <class F>
  void walk(F&& f) const {
    auto visit = [&f](auto key, unsigned length, V& v) {
      f(IpPrefix(key.address(), static_cast<std::uint8_t>(length)), v);
    };
    if (family_ == AddressFamily::V4)
      v4_.walk(visit);
    else
      v6_.walk(visit);
  }

  AddressFamily family_;
  // Only the one of `family_` is ever filled; an empty trie is a few empty vectors.
  detail::BasicTrie<detail::V4Key, V> v4_;
  detail::BasicTrie<detail::V6Key, V> v6_;
};

/// IPv4 and IPv6 together, keyed by IpPrefix (dispatches on the family); same members, plus
/// for_each visiting IPv4 then IPv6, and size() summing both.
template <class V>
class PrefixMap {
 public:
  PrefixMap() = default;

  V* find(const IpPrefix& prefix) { return trie(prefix.family()).find(prefix); }
  const V* find(const IpPrefix& prefix) const { return trie(prefix.family()).find(prefix); }
  std::pair<V*, bool> insert(const IpPrefix& prefix) {
    return trie(prefix.family()).insert(prefix);
  }
  bool erase(const IpPrefix& prefix) { return trie(prefix.family()).erase(prefix); }
  template <class Gone>
  bool erase_if(const IpPrefix& prefix, Gone&& gone) {
    return trie(prefix.family()).erase_if(prefix, gone);
  }
  std::optional<std::pair<IpPrefix, const V*>> longest_match(const IpAddress& address) const {
    return trie(address.family()).longest_match(address);
  }
  /// IPv4 first, then IPv6, each in address order.
  template <class F>
  void for_each(F&& f) const {
    v4_.for_each(f);
    v6_.for_each(f);
  }
  template <class F>
  void for_each(F&& f) {
    v4_.for_each(f);
    v6_.for_each(f);
  }
  std::size_t size() const { return v4_.size() + v6_.size(); }
  bool empty() const { return size() == 0; }
  void clear() {
    v4_.clear();
    v6_.clear();
  }

  /// The trie of one family (for walks of one family, e.g. End-of-RIB per AFI).
  PrefixTrie<V>& trie(AddressFamily family) { return family == AddressFamily::V4 ? v4_ : v6_; }
  const PrefixTrie<V>& trie(AddressFamily family) const {
    return family == AddressFamily::V4 ? v4_ : v6_;
  }

 private:
  PrefixTrie<V> v4_{AddressFamily::V4};
  PrefixTrie<V> v6_{AddressFamily::V6};
};

}  // namespace pinto::rib
