// The RIB's data structures at a million prefixes: PrefixTrie (rib/prefix_trie.h) against the
// std::unordered_map and std::map a table could use instead, and AttrPool::intern().
//
//   build/default/bench/rib_bench [--benchmark_filter=...]
//
// Each run of an Insert/Find/Erase benchmark does 1,000,000 operations on IPv4 /32s from
// 100.64.0.0 (the shape of bench/rr_compare.sh's load), in address order (Seq) or shuffled
// (Rand); `ns/op` is the time per operation, `bytes/prefix` the heap the container holds per
// prefix when full (malloc's count, so untouched pool pages count too). Lpm looks up random
// addresses of 100.64.0.0/10 in a table of those /32s plus covering /10, /16 and /24 routes;
// Lpm/HashPerLength is the table-of-hashes way (probe /32, /31 … /0) for comparison.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <unordered_map>
#include <vector>

#include "bench/sample_attributes.h"
#include "rib/attr_pool.h"
#include "rib/prefix_trie.h"

namespace {

using pinto::AddressFamily;
using pinto::IpAddress;
using pinto::IpPrefix;
using pinto::rib::PrefixTrie;

constexpr std::uint32_t kCount = 1'000'000;
constexpr std::uint32_t kBase = 0x64400000u;  // 100.64.0.0
using Value = std::uint64_t;

const std::vector<IpPrefix>& prefixes(bool shuffled) {
  static const std::vector<IpPrefix> seq = [] {
    std::vector<IpPrefix> v;
    v.reserve(kCount);
    for (std::uint32_t i = 0; i < kCount; ++i) v.emplace_back(IpAddress::v4(kBase + i), 32);
    return v;
  }();
  static const std::vector<IpPrefix> rand = [] {
    std::vector<IpPrefix> v = seq;
    std::shuffle(v.begin(), v.end(), std::mt19937_64(4));
    return v;
  }();
  return shuffled ? rand : seq;
}

// The three containers behind one small interface.
struct Trie {
  PrefixTrie<Value> t{AddressFamily::V4};
  Value* insert(const IpPrefix& p) { return t.insert(p).first; }
  Value* find(const IpPrefix& p) { return t.find(p); }
  bool erase(const IpPrefix& p) { return t.erase(p); }
};
template <class M>
struct Std {
  M m;
  Value* insert(const IpPrefix& p) { return &m[p]; }
  Value* find(const IpPrefix& p) {
    auto it = m.find(p);
    return it == m.end() ? nullptr : &it->second;
  }
  bool erase(const IpPrefix& p) { return m.erase(p) == 1; }
};
using Hash = Std<std::unordered_map<IpPrefix, Value>>;
using Tree = Std<std::map<IpPrefix, Value>>;

// Large blocks are mmap()ed, and malloc counts those apart (hblkhd).
std::size_t heap_in_use() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

void per_op(benchmark::State& state) {
  state.counters["ns/op"] = benchmark::Counter(
      kCount, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

template <class C>
void BM_Insert(benchmark::State& state) {
  const auto& keys = prefixes(state.range(0) != 0);
  double bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::size_t before = heap_in_use();
    {
      C c;
      state.ResumeTiming();
      for (const auto& p : keys) *c.insert(p) = 1;
      state.PauseTiming();
      bytes = static_cast<double>(heap_in_use() - before) / kCount;
    }
    state.ResumeTiming();
  }
  per_op(state);
  state.counters["bytes/prefix"] = bytes;
}

template <class C>
void BM_Find(benchmark::State& state) {
  const auto& keys = prefixes(state.range(0) != 0);
  C c;
  for (const auto& p : prefixes(false)) *c.insert(p) = 1;
  for (auto _ : state) {
    Value sum = 0;
    for (const auto& p : keys) sum += *c.find(p);
    if (sum != kCount) state.SkipWithError("missing prefixes");
    benchmark::DoNotOptimize(sum);
  }
  per_op(state);
}

template <class C>
void BM_Erase(benchmark::State& state) {
  const auto& keys = prefixes(state.range(0) != 0);
  for (auto _ : state) {
    state.PauseTiming();
    {
      C c;
      for (const auto& p : prefixes(false)) *c.insert(p) = 1;
      state.ResumeTiming();
      for (const auto& p : keys) benchmark::DoNotOptimize(c.erase(p));
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  per_op(state);
}

// Arg 0: address order, 1: shuffled.
BENCHMARK(BM_Insert<Trie>)->Name("Insert/Trie")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Insert<Hash>)
    ->Name("Insert/UnorderedMap")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Insert<Tree>)->Name("Insert/Map")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Find<Trie>)->Name("Find/Trie")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Find<Hash>)->Name("Find/UnorderedMap")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Find<Tree>)->Name("Find/Map")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Erase<Trie>)->Name("Erase/Trie")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Erase<Hash>)
    ->Name("Erase/UnorderedMap")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Erase<Tree>)->Name("Erase/Map")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// The LPM table: the 1M /32s, 100.64.0.0/10, every 16th /16 and every 64th /24 of the range.
std::vector<IpPrefix> lpm_table() {
  std::vector<IpPrefix> t = prefixes(false);
  t.emplace_back(IpAddress::v4(kBase), 10);
  for (std::uint32_t i = 0; i < 64; i += 16) t.emplace_back(IpAddress::v4(kBase + (i << 16)), 16);
  for (std::uint32_t i = 0; i < (1u << 14); i += 64)
    t.emplace_back(IpAddress::v4(kBase + (i << 8)), 24);
  return t;
}
std::vector<IpAddress> lpm_queries() {
  std::mt19937_64 rng(7);
  std::vector<IpAddress> q;
  q.reserve(kCount);
  for (std::uint32_t i = 0; i < kCount; ++i)
    q.push_back(IpAddress::v4(kBase + static_cast<std::uint32_t>(rng() & 0x3fffff)));
  return q;
}

void BM_LpmTrie(benchmark::State& state) {
  PrefixTrie<Value> trie(AddressFamily::V4);
  for (const auto& p : lpm_table()) *trie.insert(p).first = p.length();
  const auto queries = lpm_queries();
  for (auto _ : state) {
    Value sum = 0;
    for (const auto& a : queries) sum += *trie.longest_match(a)->second;
    benchmark::DoNotOptimize(sum);
  }
  per_op(state);
}
BENCHMARK(BM_LpmTrie)->Name("Lpm/Trie")->Unit(benchmark::kMillisecond);

void BM_LpmHash(benchmark::State& state) {
  std::unordered_map<IpPrefix, Value> table;
  for (const auto& p : lpm_table()) table[p] = p.length();
  const auto queries = lpm_queries();
  for (auto _ : state) {
    Value sum = 0;
    for (const auto& a : queries) {
      for (int length = 32; length >= 0; --length) {
        auto it = table.find(IpPrefix(a, static_cast<std::uint8_t>(length)));
        if (it != table.end()) {
          sum += it->second;
          break;
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  per_op(state);
}
BENCHMARK(BM_LpmHash)->Name("Lpm/HashPerLength")->Unit(benchmark::kMillisecond);

// ---- AttrPool ---------------------------------------------------------------------------------

using namespace pinto::bgp::wire;
using pinto::bench::sample_attributes;

// intern() of a set the pool holds: what every prefix of an UPDATE costs (one hash, one compare).
void BM_InternExisting(benchmark::State& state) {
  pinto::rib::AttrPool pool;
  const PathAttributes attributes = sample_attributes();
  const pinto::rib::AttrRef held = pool.intern(attributes);
  for (auto _ : state) benchmark::DoNotOptimize(pool.intern(attributes));
}
BENCHMARK(BM_InternExisting)->Name("AttrPool/InternExisting");

// intern(AttrRef) of one of the pool's own refs: no hashing.
void BM_InternOwnRef(benchmark::State& state) {
  pinto::rib::AttrPool pool;
  const pinto::rib::AttrRef held = pool.intern(sample_attributes());
  for (auto _ : state) benchmark::DoNotOptimize(pool.intern(held));
}
BENCHMARK(BM_InternOwnRef)->Name("AttrPool/InternOwnRef");

// A new set each time, which leaves again when its ref goes (copy, two allocations, erase).
void BM_InternNew(benchmark::State& state) {
  pinto::rib::AttrPool pool;
  PathAttributes attributes = sample_attributes();
  std::uint32_t med = 0;
  for (auto _ : state) {
    attributes.med = ++med;
    benchmark::DoNotOptimize(pool.intern(attributes));
  }
}
BENCHMARK(BM_InternNew)->Name("AttrPool/InternNewAndRelease");

// The baseline: what the RIB does today per UPDATE (a private copy behind make_shared).
void BM_MakeShared(benchmark::State& state) {
  const PathAttributes attributes = sample_attributes();
  for (auto _ : state) benchmark::DoNotOptimize(std::make_shared<const PathAttributes>(attributes));
}
BENCHMARK(BM_MakeShared)->Name("AttrPool/MakeSharedBaseline");

void BM_Hash(benchmark::State& state) {
  const PathAttributes attributes = sample_attributes();
  for (auto _ : state) benchmark::DoNotOptimize(pinto::rib::hash_value(attributes));
}
BENCHMARK(BM_Hash)->Name("AttrPool/HashValue");

}  // namespace

BENCHMARK_MAIN();
