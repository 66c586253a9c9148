#include "fib/memory_fib_writer.h"

namespace pinto::fib {

std::vector<FibError> MemoryFibWriter::apply(std::span<const FibChange> batch) {
  const std::lock_guard lock(mutex_);
  std::vector<FibError> errors;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const FibChange& c = batch[i];
    if (fail_ && fail_(c)) {
      errors.push_back({i, c.route.prefix.to_string() + ": " + fail_message_});
      continue;
    }
    const Key key{c.route.table, c.route.prefix};
    if (c.op == FibChange::Op::Replace) {
      routes_[key] = c.route;
    } else if (routes_.erase(key) == 0) {
      errors.push_back(
          {i, c.route.prefix.to_string() + ": No such process"});  // ESRCH, as the kernel
      continue;
    }
    ++changes_applied_;
  }
  return errors;
}

Result<std::vector<KernelRoute>> MemoryFibWriter::dump(std::uint32_t table, std::uint8_t protocol) {
  const std::lock_guard lock(mutex_);
  std::vector<KernelRoute> out;
  for (const auto& [key, route] : routes_) {
    if (route.table == table && route.protocol == protocol) out.push_back(route);
  }
  return out;
}

Result<void> MemoryFibWriter::ensure_tunnel(const TunnelDevice& device) {
  const std::lock_guard lock(mutex_);
  if (refused_tunnel_ == device.kind)
    return failure(Error{device.name + ": this kernel cannot make such tunnels"});
  tunnels_[device.name] = device;
  return outcome::success();
}

Result<void> MemoryFibWriter::set_flood_list(const std::string& device, const FloodList& remotes) {
  const std::lock_guard lock(mutex_);
  if (!tunnels_.contains(device)) return failure(Error{device + ": no such device"});
  flood_lists_[device] = remotes;
  return outcome::success();
}

void MemoryFibWriter::delete_behind_our_back(const IpPrefix& prefix, std::uint32_t table) {
  const std::lock_guard lock(mutex_);
  routes_.erase(Key{table, prefix});
}

void MemoryFibWriter::fail_when(std::function<bool(const FibChange&)> predicate,
                                std::string message) {
  const std::lock_guard lock(mutex_);
  fail_ = std::move(predicate);
  fail_message_ = std::move(message);
}

std::map<std::string, TunnelDevice> MemoryFibWriter::tunnels() const {
  const std::lock_guard lock(mutex_);
  return tunnels_;
}

std::map<std::string, FloodList> MemoryFibWriter::flood_lists() const {
  const std::lock_guard lock(mutex_);
  return flood_lists_;
}

std::size_t MemoryFibWriter::changes_applied() const {
  const std::lock_guard lock(mutex_);
  return changes_applied_;
}

std::size_t MemoryFibWriter::size() const {
  const std::lock_guard lock(mutex_);
  return routes_.size();
}

}  // namespace pinto::fib
