#include "fib/netlink_events.h"

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace pinto::fib {

namespace {

// Keeps RTM_DELROUTE, RTM_NEWLINK and RTM_DELLINK; drops everything else (above all the
// RTM_NEWROUTE echo of our own writes). Classic BPF loads are big-endian, nlmsg_type is not.
constexpr std::uint32_t be16(std::uint16_t v) {
  return static_cast<std::uint32_t>(((v & 0xff) << 8) | (v >> 8));
}

Result<void> attach_filter(int fd) {
  std::array<sock_filter, 6> code{{
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, offsetof(nlmsghdr, nlmsg_type)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, be16(RTM_DELROUTE), 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, be16(RTM_NEWLINK), 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, be16(RTM_DELLINK), 1, 0),
      BPF_STMT(BPF_RET | BPF_K, 0),
      BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
  }};
  sock_fprog program{static_cast<unsigned short>(code.size()), code.data()};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0)
    return failure(Error{std::string("netlink events filter: ") + std::strerror(errno)});
  return outcome::success();
}

IpAddress address_of(int family, const void* bytes) {
  return IpAddress::from_bytes(family == AF_INET ? AddressFamily::V4 : AddressFamily::V6,
                               static_cast<const std::uint8_t*>(bytes));
}

}  // namespace

Result<std::unique_ptr<NetlinkEvents>> NetlinkEvents::open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return failure(Error{std::string("netlink events: ") + std::strerror(errno)});
  std::unique_ptr<NetlinkEvents> events(new NetlinkEvents(fd));
  const int buffer = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  if (auto f = attach_filter(fd); !f) return failure(f.error());
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0)
    return failure(Error{std::string("netlink events bind: ") + std::strerror(errno)});
  return events;
}

NetlinkEvents::~NetlinkEvents() {
  close(fd_);
}

std::vector<KernelEvent> NetlinkEvents::read() {
  std::vector<KernelEvent> out;
  std::array<std::uint8_t, 64 * 1024> buffer;
  for (int rounds = 0; rounds < 1024; ++rounds) {  // bounded: the rest waits for the next wake-up
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == ENOBUFS) {
        // The kernel dropped notifications: what we missed is unknown.
        out.push_back(KernelEvent{KernelEvent::Kind::Overrun, {}, 0, 0, {}, false});
        continue;
      }
      break;  // EAGAIN: drained
    }
    parse(buffer.data(), static_cast<std::size_t>(n), out);
  }
  return out;
}

void NetlinkEvents::parse(const void* data, std::size_t size, std::vector<KernelEvent>& out) {
  auto length = static_cast<int>(size);
  for (auto* h = static_cast<const nlmsghdr*>(data); NLMSG_OK(h, length);
       h = NLMSG_NEXT(h, length)) {
    if (h->nlmsg_type == RTM_DELROUTE) {
      const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(h));
      if (rt->rtm_family != AF_INET && rt->rtm_family != AF_INET6) continue;
      KernelEvent e{
          KernelEvent::Kind::RouteDeleted, {}, rt->rtm_table, rt->rtm_protocol, {}, false};
      IpAddress dst = rt->rtm_family == AF_INET ? IpAddress::v4(0) : *IpAddress::parse("::");
      int attr_length = static_cast<int>(RTM_PAYLOAD(h));
      for (auto* a = RTM_RTA(rt); RTA_OK(a, attr_length); a = RTA_NEXT(a, attr_length)) {
        if (a->rta_type == RTA_DST) dst = address_of(rt->rtm_family, RTA_DATA(a));
        if (a->rta_type == RTA_TABLE) e.table = *static_cast<const std::uint32_t*>(RTA_DATA(a));
      }
      e.prefix = IpPrefix(dst, rt->rtm_dst_len);
      out.push_back(std::move(e));
    } else if (h->nlmsg_type == RTM_NEWLINK || h->nlmsg_type == RTM_DELLINK) {
      const auto* link = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
      const bool up = h->nlmsg_type == RTM_NEWLINK && (link->ifi_flags & IFF_UP) != 0 &&
                      (link->ifi_flags & IFF_RUNNING) != 0;
      auto [seen, inserted] = link_up_.try_emplace(link->ifi_index, up);
      if (!inserted && seen->second == up) continue;  // an attribute change, not up/down
      seen->second = up;
      if (h->nlmsg_type == RTM_DELLINK) link_up_.erase(seen);
      KernelEvent e{KernelEvent::Kind::LinkChanged, {}, 0, 0, {}, up};
      int attr_length = static_cast<int>(IFLA_PAYLOAD(h));
      for (auto* a = IFLA_RTA(link); RTA_OK(a, attr_length); a = RTA_NEXT(a, attr_length)) {
        if (a->rta_type == IFLA_IFNAME) e.link = static_cast<const char*>(RTA_DATA(a));
      }
      out.push_back(std::move(e));
    }
  }
}

}  // namespace pinto::fib
