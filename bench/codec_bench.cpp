// UPDATE decode and encode rates, in prefixes per second, for packed IPv4 unicast UPDATEs of 1
// and of 500 prefixes (the shapes a route reflector sees most: a single block announcement, and a
// full table packed as tightly as RFC 4271 allows).
//
//   build/default/bench/codec_bench [--benchmark_filter=...]
//   build/default/bench/codec_bench --write-updates=DIR   (writes update_1.bin, update_500.bin)
//
// Google Benchmark prints prefixes/s as the items_per_second counter of each run.
// bench/codec_compare.sh runs this beside GoBGP's codec on the very same UPDATE bytes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <variant>
#include <vector>

#include "bench/sample_attributes.h"
#include "bgp/wire/message.h"

namespace {

using namespace pinto::bgp::wire;
using pinto::IpAddress;
using pinto::IpPrefix;
using pinto::bench::sample_attributes;

// `count` distinct /26 pod blocks from 10.64.0.0 on (what Calico's IPAM hands to nodes).
std::vector<Nlri> pod_blocks(std::size_t count) {
  std::vector<Nlri> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t base = (10u << 24) | (64u << 16);
    const std::uint32_t addr = base + static_cast<std::uint32_t>(i) * 64u;
    out.push_back(Nlri{IpPrefix(IpAddress::v4(addr), 26), 0});
  }
  return out;
}

void BM_EncodeUpdate(benchmark::State& state) {
  const auto prefixes = pod_blocks(static_cast<std::size_t>(state.range(0)));
  const PathAttributes attrs = sample_attributes();
  const EncodeContext ctx;
  Bytes out;
  std::size_t messages = 0;
  for (auto _ : state) {
    out.clear();
    messages = encode_announcements(attrs, prefixes, ctx, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (messages != 1) state.SkipWithError("prefixes did not fit one UPDATE");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
  state.counters["bytes/msg"] = static_cast<double>(out.size());
}

void BM_DecodeUpdate(benchmark::State& state) {
  const auto prefixes = pod_blocks(static_cast<std::size_t>(state.range(0)));
  Bytes wire;
  if (encode_announcements(sample_attributes(), prefixes, EncodeContext{}, wire) != 1) {
    state.SkipWithError("prefixes did not fit one UPDATE");
    return;
  }
  const DecodeContext ctx;
  for (auto _ : state) {
    auto message = decode(wire, ctx);
    if (!message || std::get<Update>(message.value()).nlri.size() != prefixes.size()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(message);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

constexpr std::size_t kPrefixCounts[] = {1, 500};

BENCHMARK(BM_EncodeUpdate)->Arg(kPrefixCounts[0])->Arg(kPrefixCounts[1]);
BENCHMARK(BM_DecodeUpdate)->Arg(kPrefixCounts[0])->Arg(kPrefixCounts[1]);

// Writes the benchmarked UPDATEs, so that other implementations can be timed on the same bytes.
int write_updates(const std::string& dir) {
  for (const std::size_t count : kPrefixCounts) {
    Bytes wire;
    encode_announcements(sample_attributes(), pod_blocks(count), EncodeContext{}, wire);
    const std::string path = dir + "/update_" + std::to_string(count) + ".bin";
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(wire.data()),
               static_cast<std::streamsize>(wire.size()));
    if (!file) {
      std::fprintf(stderr, "codec_bench: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::string_view kWriteFlag = "--write-updates=";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with(kWriteFlag))
      return write_updates(std::string(arg.substr(kWriteFlag.size())));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
