// MemoryFibWriter: a FibWriter over a std::map, with injectable failures, for unit tests of
// everything above the kernel.
#pragma once

#include <functional>
#include <map>
#include <tuple>

#include "fib/fib_writer.h"

namespace pinto::fib {

class MemoryFibWriter : public FibWriter {
 public:
  std::vector<FibError> apply(std::span<const FibChange> batch) override;
  Result<std::vector<KernelRoute>> dump(std::uint32_t table, std::uint8_t protocol) override;

  /// Makes apply() fail every change for which `predicate` is true, with `message`.
  void fail_when(std::function<bool(const FibChange&)> predicate, std::string message);
  std::size_t changes_applied() const { return changes_applied_; }
  std::size_t size() const { return routes_.size(); }

 private:
  using Key = std::tuple<std::uint32_t, IpPrefix>;  // the kernel's identity: table + prefix
  std::map<Key, KernelRoute> routes_;
  std::function<bool(const FibChange&)> fail_;
  std::string fail_message_;
  std::size_t changes_applied_ = 0;
};

}  // namespace pinto::fib
