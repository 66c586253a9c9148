// store_bench: what the SQLite store costs for the API's big operations: one `apply` of 20,000
// resources (one commit), listing 25,000 keys, a single-resource commit (one fsync), a watcher
// catching up, and opening a full store (its corruption check reads every page).
//
// The database lives in a fresh directory under $PINTO_BENCH_DIR (default /var/tmp), which must
// be on a real disk for the fsync figures to mean anything: tmpfs makes fsync free.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "config/store/store.h"

namespace {

using pinto::config::Mutation;
using pinto::config::open_sqlite_store;
using pinto::config::Store;

// About the size of a BGPPeer or IPPool resource as the API stores it (JSON).
const std::string kValue(600, 'x');

class BenchDir {
 public:
  BenchDir() {
    const char* base = std::getenv("PINTO_BENCH_DIR");
    std::string pattern =
        std::string(base != nullptr ? base : "/var/tmp") + "/pinto-store-bench.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::exit(1);
    }
    path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::unique_ptr<Store> open_or_die(const std::filesystem::path& path) {
  auto store = open_sqlite_store(path);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().to_string().c_str());
    std::exit(1);
  }
  return std::move(store.value());
}

std::vector<Mutation> puts(int count, const std::string& prefix) {
  std::vector<Mutation> batch;
  batch.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    batch.push_back(Mutation{Mutation::Kind::Put, prefix + std::to_string(i), kValue, {}});
  }
  return batch;
}

// One commit of N new keys into an empty store.
void BM_CommitNewKeys(benchmark::State& state) {
  const auto batch = puts(static_cast<int>(state.range(0)), "/pinto/v1/blocks/");
  BenchDir dir;
  int n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = open_or_die(dir.file("fresh" + std::to_string(n++) + ".db"));
    state.ResumeTiming();
    auto r = store->commit(batch);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CommitNewKeys)->Arg(20'000)->Unit(benchmark::kMillisecond);

// One commit that overwrites N existing keys, with the history at its 100,000-event cap, so each
// commit also trims N old events: the steady state of repeated big applies.
void BM_CommitOverwrite(benchmark::State& state) {
  const auto batch = puts(static_cast<int>(state.range(0)), "/pinto/v1/blocks/");
  BenchDir dir;
  auto store = open_or_die(dir.file("steady.db"));
  for (int i = 0; i < 6; ++i) (void)store->commit(batch);
  for (auto _ : state) {
    auto r = store->commit(batch);
    if (!r) state.SkipWithError(r.error().to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CommitOverwrite)->Arg(20'000)->Unit(benchmark::kMillisecond);

// One resource per commit: the cost of an fsync'd transaction.
void BM_CommitOne(benchmark::State& state) {
  BenchDir dir;
  auto store = open_or_die(dir.file("one.db"));
  int i = 0;
  for (auto _ : state) {
    auto r = store->commit(
        {Mutation{Mutation::Kind::Put, "/pinto/v1/peers/" + std::to_string(i++), kValue, {}}});
    if (!r) state.SkipWithError(r.error().to_string().c_str());
  }
}
BENCHMARK(BM_CommitOne)->Unit(benchmark::kMillisecond);

// list() of N keys under one prefix, among as many keys under another.
void BM_List(benchmark::State& state) {
  BenchDir dir;
  auto store = open_or_die(dir.file("list.db"));
  (void)store->commit(puts(static_cast<int>(state.range(0)), "/pinto/v1/blocks/"));
  (void)store->commit(puts(static_cast<int>(state.range(0)), "/pinto/v1/workloads/"));
  for (auto _ : state) {
    auto r = store->list("/pinto/v1/blocks/");
    if (!r || r.value().size() != static_cast<std::size_t>(state.range(0))) {
      state.SkipWithError("list returned the wrong keys");
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_List)->Arg(25'000)->Unit(benchmark::kMillisecond);

// A watcher catching up on N events of a full history (100,000 events in commits of 100).
void BM_EventsSince(benchmark::State& state) {
  BenchDir dir;
  auto store = open_or_die(dir.file("events.db"));
  const auto batch = puts(100, "/pinto/v1/workloads/");
  for (int i = 0; i < 1'000; ++i) (void)store->commit(batch);
  for (auto _ : state) {
    auto r = store->events_since(1, static_cast<std::size_t>(state.range(0)));
    if (!r || r.value().size() != static_cast<std::size_t>(state.range(0))) {
      state.SkipWithError("events_since returned the wrong events");
    }
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EventsSince)->Arg(1'000)->Arg(20'000)->Unit(benchmark::kMillisecond);

// Opening a store of 25,000 keys and a full history of 100,000 events (pintod's start-up).
void BM_Open(benchmark::State& state) {
  BenchDir dir;
  {
    auto store = open_or_die(dir.file("full.db"));
    (void)store->commit(puts(25'000, "/pinto/v1/blocks/"));
    for (int i = 0; i < 4; ++i) (void)store->commit(puts(20'000, "/pinto/v1/blocks/"));
  }
  for (auto _ : state) {
    auto store = open_or_die(dir.file("full.db"));
    benchmark::DoNotOptimize(store);
  }
}
BENCHMARK(BM_Open)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
