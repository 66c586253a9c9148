// NetlinkEvents: the kernel's route and link notifications (RTNLGRP_IPV4_ROUTE, _IPV6_ROUTE,
// _LINK) reduced to the KernelEvents FibManager repairs from.
//
// NOTE Performance: every route we write comes back as an RTM_NEWROUTE notification. A classic
// BPF filter on the socket keeps only deletions and link messages, so installing a million routes
// does not also wake us a million times.
#pragma once

#include <map>
#include <memory>

#include "common/result.h"
#include "fib/kernel_event.h"

namespace pinto::fib {

class NetlinkEvents : public KernelEventSource {
 public:
  /// Subscribes in the caller's network namespace.
  static Result<std::unique_ptr<NetlinkEvents>> open();
  ~NetlinkEvents() override;
  NetlinkEvents(const NetlinkEvents&) = delete;
  NetlinkEvents& operator=(const NetlinkEvents&) = delete;

  int fd() const override { return fd_; }
  std::vector<KernelEvent> read() override;

 private:
  explicit NetlinkEvents(int fd) : fd_(fd) {}
  void parse(const void* data, std::size_t size, std::vector<KernelEvent>& out);

  int fd_;
  std::map<int, bool> link_up_;  // ifindex -> last state seen: only changes are events
};

}  // namespace pinto::fib
