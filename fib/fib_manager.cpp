#include "fib/fib_manager.h"

#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "common/log.h"
#include "fib/reconcile.h"

namespace pinto::fib {

namespace asio = boost::asio;

FibManager::FibManager(asio::io_context& routing, std::unique_ptr<FibWriter> writer,
                       std::uint32_t table, std::uint8_t protocol)
    : routing_(routing),
      work_(asio::make_work_guard(fib_io_)),
      writer_(std::move(writer)),
      table_(table),
      protocol_(protocol),
      thread_([this] { fib_io_.run(); }) {}

FibManager::~FibManager() {
  work_.reset();
  fib_io_.stop();
  if (thread_.joinable()) thread_.join();
}

void FibManager::load_existing() {
  // (A std::packaged_task posted to Asio 1.74 aborts; use_future is the supported way.)
  auto existing =
      asio::post(fib_io_, asio::use_future([this] { return writer_->dump(table_, protocol_); }))
          .get();
  if (!existing) {
    log_error("fib: cannot read the kernel's routes: {}", existing.error().message);
    return;
  }
  for (auto& r : existing.value()) kernel_[r.prefix] = std::move(r);
  log_info("fib: {} routes of protocol {} already in table {}", kernel_.size(), protocol_, table_);
}

void FibManager::set(const KernelRoute& route) {
  KernelRoute r = route;
  r.table = table_;
  r.protocol = protocol_;
  wanted_.insert(r.prefix);
  dirty_[r.prefix] = std::move(r);
  schedule_flush();
}

void FibManager::remove(const IpPrefix& prefix) {
  wanted_.erase(prefix);
  dirty_[prefix] = std::nullopt;
  schedule_flush();
}

void FibManager::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // After everything already queued on the routing thread: an UPDATE's many prefixes and any
  // flap within this turn collapse into one batch.
  asio::post(routing_, [this] { flush(); });
}

void FibManager::flush() {
  flush_scheduled_ = false;
  std::vector<FibChange> batch;
  for (auto& [prefix, want] : dirty_) {
    auto have = kernel_.find(prefix);
    if (want) {
      if (have != kernel_.end() && matches(*want, have->second)) continue;
      batch.push_back({FibChange::Op::Replace, *want});
      kernel_[prefix] = *want;
      errors_.erase(prefix);
    } else if (have != kernel_.end()) {
      errors_.erase(prefix);
      batch.push_back({FibChange::Op::Delete, have->second});
      kernel_.erase(have);
    }
  }
  dirty_.clear();
  if (batch.empty()) return;
  changes_written_ += batch.size();
  asio::post(fib_io_, [this, batch = std::move(batch)] {
    const auto errors = writer_->apply(batch);
    for (const auto& e : errors)
      log_warning("fib: {} failed: {}", to_string(batch[e.index].route), e.message);
    if (!errors.empty()) {
      // Forget what did not make it, so the next set() for the prefix tries again.
      std::vector<std::pair<IpPrefix, std::string>> failed;
      for (const auto& e : errors) failed.emplace_back(batch[e.index].route.prefix, e.message);
      asio::post(routing_, [this, failed = std::move(failed)] {
        for (const auto& [prefix, message] : failed) {
          kernel_.erase(prefix);
          errors_[prefix] = message;
        }
      });
    }
  });
}

void FibManager::sweep_stale() {
  std::vector<IpPrefix> stale;
  for (const auto& [prefix, route] : kernel_) {
    if (!wanted_.contains(prefix)) stale.push_back(prefix);
  }
  for (const auto& p : stale) remove(p);
  log_info("fib: {} stale routes of ours to delete", stale.size());
}

void FibManager::withdraw_all() {
  std::vector<FibChange> batch;
  for (const auto& [prefix, route] : kernel_) batch.push_back({FibChange::Op::Delete, route});
  kernel_.clear();
  if (batch.empty()) return;
  asio::post(fib_io_, asio::use_future([this, &batch] { return writer_->apply(batch).size(); }))
      .get();
  log_info("fib: withdrew {} routes", batch.size());
}

}  // namespace pinto::fib
