// FibManager: keeps the kernel in step with what the routing thread wants, without ever making
// the routing thread wait on netlink.
//
// The routing thread calls set()/remove() per prefix; changes to one prefix within a loop turn
// coalesce (only the last one counts), and one batch per turn goes to the FIB thread, which owns
// the FibWriter. Routes the kernel already holds correctly (found by the start-up dump) are not
// written again, so a restart makes no netlink changes for routes that are still right. Routes of
// ours that nobody wants any more are deleted by sweep_stale(), which the daemon calls once the
// graceful-restart window has passed.
//
// NOTE Threading: set/remove/flush/sweep_stale on the routing thread; the writer only on the FIB
// thread. Results come back to the routing thread with post().
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "fib/fib_writer.h"

namespace pinto::fib {

class FibManager {
 public:
  FibManager(boost::asio::io_context& routing, std::unique_ptr<FibWriter> writer,
             std::uint32_t table, std::uint8_t protocol);
  ~FibManager();

  /// Reads our protocol's routes from the kernel (start-up). Blocks; call before routing starts.
  void load_existing();
  void set(const KernelRoute& route);
  void remove(const IpPrefix& prefix);
  /// Deletes every route of ours in the kernel that is not wanted now.
  void sweep_stale();
  /// Deletes every route we installed (clean shutdown without graceful restart). Blocks.
  void withdraw_all();

  std::uint32_t table() const { return table_; }
  std::uint8_t protocol() const { return protocol_; }
  std::size_t installed() const { return kernel_.size(); }
  std::uint64_t changes_written() const { return changes_written_; }
  /// What we believe the kernel holds (routing thread), for listings.
  const std::map<IpPrefix, KernelRoute>& routes() const { return kernel_; }
  /// The kernel's answer when a route of ours was refused, until it is written successfully.
  const std::map<IpPrefix, std::string>& errors() const { return errors_; }

 private:
  void schedule_flush();
  void flush();

  boost::asio::io_context& routing_;
  boost::asio::io_context fib_io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<FibWriter> writer_;
  std::uint32_t table_;
  std::uint8_t protocol_;
  std::map<IpPrefix, std::optional<KernelRoute>> dirty_;  // nullopt: delete
  std::map<IpPrefix, KernelRoute> kernel_;                // what we believe the kernel holds
  std::set<IpPrefix> wanted_;                             // set() since start, not removed
  std::map<IpPrefix, std::string> errors_;                // refused by the kernel
  bool flush_scheduled_ = false;
  std::uint64_t changes_written_ = 0;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace pinto::fib
