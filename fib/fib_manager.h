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
// Repairs: the writer's kernel events come back here. A route of ours deleted behind our back is
// written again at once. A link going down takes the IPv4 routes through it silently: those that
// name it are rewritten (and refused until it is up again); for another link, and when events
// were lost, one comparison with a fresh dump (debounced) finds what went. A link coming up
// retries the routes the kernel refused. A tunnel device that disappears is made again.
//
// NOTE Threading: set/remove/flush/sweep_stale/handle on the routing thread; the writer only on
// the FIB thread. Results come back to the routing thread with post().
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
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
             std::uint32_t table, std::uint8_t protocol,
             std::chrono::milliseconds resync_delay = std::chrono::milliseconds(200));
  ~FibManager();

  /// Reads our protocol's routes from the kernel (start-up). Blocks; call before routing starts.
  void load_existing();
  void set(const KernelRoute& route);
  void remove(const IpPrefix& prefix);
  /// The tunnel devices routes may name (made and brought up on the FIB thread); a VXLAN device's
  /// flood list follows the gateways of the routes through it.
  void set_tunnels(const std::vector<TunnelDevice>& tunnels);
  /// Deletes every route of ours in the kernel that is not wanted now.
  void sweep_stale();
  /// Deletes every route we installed (clean shutdown without graceful restart). Blocks.
  void withdraw_all();
  /// Kernel events (from the writer's event source, or a test).
  void handle(const std::vector<KernelEvent>& events);

  std::uint32_t table() const { return table_; }
  std::uint8_t protocol() const { return protocol_; }
  std::size_t installed() const { return kernel_.size(); }
  std::uint64_t changes_written() const { return changes_written_; }
  std::uint64_t repairs() const { return repairs_; }
  /// What we believe the kernel holds (routing thread), for listings.
  const std::map<IpPrefix, KernelRoute>& routes() const { return kernel_; }
  /// The kernel's answer when a route of ours was refused, until it is written successfully.
  const std::map<IpPrefix, std::string>& errors() const { return errors_; }
  /// Tunnel devices that could not be made, with the reason.
  const std::map<std::string, std::string>& tunnel_errors() const { return tunnel_errors_; }

 private:
  void schedule_flush();
  void flush();
  void count_flood(const KernelRoute& route, int delta);
  void ensure_tunnel(const TunnelDevice& device);
  void watch_events();
  void link_up();
  void link_down(const std::string& link);
  void schedule_resync();
  void resync(std::vector<KernelRoute> kernel);

  boost::asio::io_context& routing_;
  boost::asio::io_context fib_io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<FibWriter> writer_;
  std::uint32_t table_;
  std::uint8_t protocol_;
  std::chrono::milliseconds resync_delay_;
  std::map<IpPrefix, KernelRoute> desired_;               // set() and not removed since
  std::map<IpPrefix, std::optional<KernelRoute>> dirty_;  // nullopt: delete
  std::map<IpPrefix, KernelRoute> kernel_;                // what we believe the kernel holds
  std::map<IpPrefix, std::string> errors_;                // refused by the kernel
  std::map<std::string, TunnelDevice> tunnels_;
  std::map<std::string, std::string> tunnel_errors_;
  std::map<std::string, std::map<IpAddress, int>> flood_refs_;  // VXLAN device -> gateway uses
  std::set<std::string> flood_dirty_;
  bool flush_scheduled_ = false;
  bool resync_scheduled_ = false;
  std::uint64_t changes_written_ = 0;
  std::uint64_t repairs_ = 0;
  boost::asio::steady_timer resync_timer_;
  std::unique_ptr<KernelEventSource> events_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> events_fd_;  // on fib_io_
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace pinto::fib
