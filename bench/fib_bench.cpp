// fib_bench: how fast NetlinkFibWriter installs and deletes N IPv4 routes (/32s from 10.128.0.0
// on, via one gateway) in the current network namespace. Run it inside a fresh namespace
// (bench/fib_compare.sh does); it prints "pinto add N R routes/s" and "pinto del N R routes/s".
//
//   fib_bench COUNT GATEWAY [BATCH]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "fib/netlink_fib_writer.h"

using namespace pinto;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fib_bench COUNT GATEWAY [BATCH]\n");
    return 2;
  }
  const std::size_t count = std::stoul(argv[1]);
  const auto gateway = IpAddress::parse(argv[2]);
  const std::size_t batch_size = argc > 3 ? std::stoul(argv[3]) : 65536;
  if (!gateway || count == 0 || count > (1u << 22)) return 2;
  auto writer = fib::NetlinkFibWriter::open();
  if (!writer) {
    std::fprintf(stderr, "fib_bench: %s\n", writer.error().message.c_str());
    return 1;
  }
  std::vector<fib::FibChange> changes;
  changes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    fib::KernelRoute r;
    r.prefix =
        IpPrefix(IpAddress::v4(((10u << 24) | (128u << 16)) + static_cast<std::uint32_t>(i)), 32);
    r.next_hops.push_back(fib::NextHop{*gateway, "", false, 1});
    changes.push_back({fib::FibChange::Op::Replace, std::move(r)});
  }
  // Batches as the FIB thread would hand them over; the time includes building the requests.
  auto run = [&](const char* what) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t errors = 0;
    for (std::size_t at = 0; at < count; at += batch_size) {
      const std::size_t n = std::min(batch_size, count - at);
      errors += writer.value()->apply(std::span(changes).subspan(at, n)).size();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("pinto %s %zu %.0f routes/s%s\n", what, count, static_cast<double>(count) / seconds,
                errors ? (" (" + std::to_string(errors) + " errors)").c_str() : "");
    return errors == 0;
  };
  if (!run("add")) return 1;
  for (auto& c : changes) c.op = fib::FibChange::Op::Delete;
  return run("del") ? 0 : 1;
}
