// MemoryFibWriter: a FibWriter over a std::map, with injectable failures, for unit tests of
// everything above the kernel. Thread-safe, so tests can look while a FibManager writes.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "fib/fib_writer.h"

namespace pinto::fib {

class MemoryFibWriter : public FibWriter {
 public:
  std::vector<FibError> apply(std::span<const FibChange> batch) override;
  Result<std::vector<KernelRoute>> dump(std::uint32_t table, std::uint8_t protocol) override;
  Result<void> ensure_tunnel(const TunnelDevice& device) override;
  Result<void> set_flood_list(const std::string& device, const FloodList& remotes) override;
  std::unique_ptr<KernelEventSource> open_events() override { return nullptr; }

  /// Deletes a route as someone else would (no change counted), for repair tests.
  void delete_behind_our_back(const IpPrefix& prefix, std::uint32_t table = 254);
  /// Makes ensure_tunnel() refuse devices of `kind`, as a kernel without that module does.
  void refuse_tunnels(TunnelDevice::Kind kind) { refused_tunnel_ = kind; }
  std::map<std::string, TunnelDevice> tunnels() const;
  std::map<std::string, FloodList> flood_lists() const;

  /// Makes apply() fail every change for which `predicate` is true, with `message`.
  void fail_when(std::function<bool(const FibChange&)> predicate, std::string message);
  std::size_t changes_applied() const;
  std::size_t size() const;

 private:
  using Key = std::tuple<std::uint32_t, IpPrefix>;
  // Tests read from their own thread while a FibManager writes from its FIB thread.
  mutable std::mutex mutex_;  // the kernel's identity: table + prefix
  std::map<Key, KernelRoute> routes_;
  std::function<bool(const FibChange&)> fail_;
  std::string fail_message_;
  std::size_t changes_applied_ = 0;
  std::optional<TunnelDevice::Kind> refused_tunnel_;
  std::map<std::string, TunnelDevice> tunnels_;
  std::map<std::string, FloodList> flood_lists_;
};

}  // namespace pinto::fib
