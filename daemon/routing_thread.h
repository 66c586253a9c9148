// RoutingThread: how gRPC's threads reach the routing state. Every request is posted to the
// routing thread's io_context and its result awaited, so mutations are serialised with BGP
// events and nothing there needs a lock. Once the daemon stops, requests get "unavailable"
// instead of waiting for a loop that no longer runs.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>

namespace pinto::daemon {

class RoutingThread {
 public:
  explicit RoutingThread(boost::asio::io_context& io) : io_(io) {}

  /// Runs f on the routing thread and returns its result; nullopt when the daemon stopped.
  template <class F>
  auto run(F f) -> std::optional<std::invoke_result_t<F>> {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::move(f));
    auto result = task->get_future();
    if (stopped_) return std::nullopt;
    boost::asio::post(io_, [task] { (*task)(); });
    // Bounded waits: the loop ends when the task ran or the daemon stopped.
    while (result.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
      if (stopped_) return std::nullopt;
    }
    return result.get();
  }

  void stop() {
    stopped_ = true;
    notify(0);
  }
  bool stopped() const { return stopped_; }

  /// Watchers sleep here until a new store revision is committed (or a timeout passes).
  void notify(std::int64_t revision) {
    {
      std::lock_guard lock(mutex_);
      if (revision > revision_) revision_ = revision;
    }
    changed_.notify_all();
  }
  void wait_beyond(std::int64_t revision, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return revision_ > revision || stopped_; });
  }

 private:
  boost::asio::io_context& io_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t revision_ = 0;
};

}  // namespace pinto::daemon
