#include "fib/memory_fib_writer.h"

namespace pinto::fib {

std::vector<FibError> MemoryFibWriter::apply(std::span<const FibChange> batch) {
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
  std::vector<KernelRoute> out;
  for (const auto& [key, route] : routes_) {
    if (route.table == table && route.protocol == protocol) out.push_back(route);
  }
  return out;
}

void MemoryFibWriter::fail_when(std::function<bool(const FibChange&)> predicate,
                                std::string message) {
  fail_ = std::move(predicate);
  fail_message_ = std::move(message);
}

}  // namespace pinto::fib
