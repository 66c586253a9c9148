// NetlinkFibWriter: the kernel's routing table through libnl3 (rtnetlink). The only file pair
// that knows libnl; the rest of Pinto sees KernelRoute.
//
// NOTE Performance: a batch is sent as many requests packed into each sendmsg() (64 KiB at a
// time) with up to `window` requests in flight, and the ACKs are collected in one sweep per send;
// NETLINK_CAP_ACK keeps each ACK at 36 bytes. Errors come back by sequence number and are mapped
// to the change that caused them.
#pragma once

#include <memory>

#include "fib/fib_writer.h"

struct nl_sock;

namespace pinto::fib {

class NetlinkFibWriter : public FibWriter {
 public:
  /// Opens a NETLINK_ROUTE socket in the caller's network namespace.
  static Result<std::unique_ptr<NetlinkFibWriter>> open(std::size_t window = 2048);
  ~NetlinkFibWriter() override;
  NetlinkFibWriter(const NetlinkFibWriter&) = delete;
  NetlinkFibWriter& operator=(const NetlinkFibWriter&) = delete;

  std::vector<FibError> apply(std::span<const FibChange> batch) override;
  Result<std::vector<KernelRoute>> dump(std::uint32_t table, std::uint8_t protocol) override;
  Result<void> ensure_tunnel(const TunnelDevice& device) override;
  Result<void> set_flood_list(const std::string& device, const FloodList& remotes) override;
  /// The route and link notifications of the namespace open() ran in (once; then null).
  std::unique_ptr<KernelEventSource> open_events() override;

 private:
  NetlinkFibWriter(nl_sock* sock, std::size_t window, std::unique_ptr<KernelEventSource> events)
      : sock_(sock), window_(window), events_(std::move(events)) {}
  nl_sock* sock_;
  std::size_t window_;
  std::unique_ptr<KernelEventSource> events_;
};

}  // namespace pinto::fib
