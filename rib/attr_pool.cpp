#include "rib/attr_pool.h"

#include <cstdint>
#include <unordered_map>
#include <utility>

namespace pinto::rib {

using bgp::wire::PathAttributes;

// ---- hashing ---------------------------------------------------------------------------------

namespace {

// Accumulates 64-bit words with a multiply-xorshift mix per word: cheap, and every bit of every
// word reaches the result (boost::hash_combine's additive form loses too much for long vectors
// of small integers such as AS paths and communities).
class Hasher {
 public:
  void add(std::uint64_t word) {
    h_ ^= word + 0x9e3779b97f4a7c15ull;
    h_ *= 0xbf58476d1ce4e5b9ull;
    h_ ^= h_ >> 31;
  }
  void add(const IpAddress& a) {
    add(static_cast<std::uint64_t>(a.family()));
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    const std::uint8_t* b = a.data();
    for (int i = 0; i < 8; ++i) hi = (hi << 8) | b[i];
    for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[i];
    add(hi);
    add(lo);
  }
  void add(const IpPrefix& p) {
    add(p.address());
    add(p.length());
  }
  void add(bgp::wire::AfiSafi f) { add((std::uint64_t{f.afi} << 8) | f.safi); }
  void add(const bgp::wire::Nlri& n) {
    add(n.prefix);
    add(n.path_id);
  }
  void add(const bgp::wire::AsSegment& s) {
    add(static_cast<std::uint64_t>(s.type));
    add_range(s.asns);
  }
  void add(const bgp::wire::AsPath& p) { add_range(p.segments); }
  void add(const bgp::wire::Aggregator& a) {
    add(a.asn);
    add(a.address);
  }
  void add(const bgp::wire::LargeCommunity& c) {
    add((std::uint64_t{c.global_admin} << 32) | c.local_data1);
    add(c.local_data2);
  }
  void add(const bgp::wire::MpReach& r) {
    add(r.family);
    add(r.next_hop);
    add_optional(r.link_local_next_hop);
    add_range(r.nlri);
  }
  void add(const bgp::wire::MpUnreach& u) {
    add(u.family);
    add_range(u.withdrawn);
  }
  void add(const bgp::wire::RawAttribute& r) {
    add((std::uint64_t{r.flags} << 8) | r.type);
    add_range(r.value);
  }
  void add(bgp::wire::Origin o) { add(static_cast<std::uint64_t>(o)); }

  // Absent and present-with-a-zero-value must differ; so must [] and [0].
  template <class T>
  void add_optional(const std::optional<T>& o) {
    add(o.has_value());
    if (o) add(*o);
  }
  template <class R>
  void add_range(const R& range) {
    add(static_cast<std::uint64_t>(range.size()));
    for (const auto& item : range) add(item);
  }

  std::size_t result() const { return static_cast<std::size_t>(h_ ^ (h_ >> 29)); }

 private:
  std::uint64_t h_ = 0;
};

// A field added to PathAttributes must be hashed below (and compared, which `= default` does).
static_assert(sizeof(PathAttributes) == 416,
              "PathAttributes changed: hash the new field in hash_value() (rib/attr_pool.cpp)");

}  // namespace

std::size_t hash_value(const PathAttributes& a) {
  Hasher h;
  h.add_optional(a.origin);
  h.add_optional(a.as_path);
  h.add_optional(a.next_hop);
  h.add_optional(a.med);
  h.add_optional(a.local_pref);
  h.add(a.atomic_aggregate);
  h.add_optional(a.aggregator);
  h.add_range(a.communities);
  h.add_optional(a.originator_id);
  h.add_range(a.cluster_list);
  h.add_optional(a.mp_reach);
  h.add_optional(a.mp_unreach);
  h.add_range(a.extended_communities);
  h.add_optional(a.as4_path);
  h.add_optional(a.as4_aggregator);
  h.add_range(a.large_communities);
  h.add_range(a.unknown);
  return h.result();
}

// ---- the pool --------------------------------------------------------------------------------

namespace {

// A table key: the pooled set and its hash, computed once (lookups of a candidate set use a key
// pointing at the candidate).
struct Key {
  const PathAttributes* attributes;
  std::size_t hash;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const noexcept { return k.hash; }
};
struct KeyEqual {
  bool operator()(const Key& a, const Key& b) const {
    return a.hash == b.hash && (a.attributes == b.attributes || *a.attributes == *b.attributes);
  }
};

}  // namespace

namespace detail {

struct AttrPoolState {
  /// Cleared and closed when the pool goes; AttrRefs still alive then free just themselves.
  bool open = true;
  std::unordered_map<Key, AttrNode*, KeyHash, KeyEqual> table;
};

void release(AttrNode* node) noexcept {
  // The node's count is zero: no ref is left that a lookup could hand out again (the pool and
  // its refs belong to one thread, see attr_pool.h).
  if (node->pool && node->pool->open) node->pool->table.erase(Key{&node->value, node->hash});
  delete node;
}

}  // namespace detail

AttrPool::AttrPool() : state_(std::make_shared<detail::AttrPoolState>()) {}

AttrPool::~AttrPool() {
  if (!state_) return;
  state_->open = false;
  state_->table.clear();
}

AttrPool::AttrPool(AttrPool&& other) noexcept
    : state_(std::exchange(other.state_, std::make_shared<detail::AttrPoolState>())) {}

AttrPool& AttrPool::operator=(AttrPool&& other) noexcept {
  if (this != &other) {
    state_->open = false;
    state_->table.clear();
    state_ = std::exchange(other.state_, std::make_shared<detail::AttrPoolState>());
  }
  return *this;
}

AttrRef AttrPool::intern(PathAttributes attributes) {
  const std::size_t hash = hash_value(attributes);
  auto it = state_->table.find(Key{&attributes, hash});
  if (it != state_->table.end()) return AttrRef(it->second);
  return add(std::move(attributes), hash);
}

AttrRef AttrPool::add(PathAttributes&& attributes, std::size_t hash) {
  auto node = std::make_unique<detail::AttrNode>(std::move(attributes));
  node->pool = state_;
  node->hash = hash;
  state_->table.emplace(Key{&node->value, hash}, node.get());
  return AttrRef(node.release());
}

AttrRef AttrPool::intern(const AttrRef& attributes) {
  if (!attributes) return attributes;
  // One of ours already: nothing to look up.
  if (attributes.node()->pool == state_) return attributes;
  const std::size_t hash = hash_value(*attributes);
  auto it = state_->table.find(Key{attributes.get(), hash});
  if (it != state_->table.end()) return AttrRef(it->second);
  return add(PathAttributes(*attributes), hash);
}

std::size_t AttrPool::size() const {
  return state_->table.size();
}

}  // namespace pinto::rib
