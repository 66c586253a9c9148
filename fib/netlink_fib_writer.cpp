#include "fib/netlink_fib_writer.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <unordered_map>

#include "fib/netlink_events.h"
#include "fib/netlink_tunnels.h"

#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

namespace pinto::fib {

namespace {

// libnl objects are reference counted in C; these hold one reference each.
struct RoutePut {
  void operator()(rtnl_route* r) const { rtnl_route_put(r); }
};
struct AddrPut {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
struct MsgFree {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
struct CbPut {
  void operator()(nl_cb* c) const { nl_cb_put(c); }
};
using RoutePtr = std::unique_ptr<rtnl_route, RoutePut>;
using AddrPtr = std::unique_ptr<nl_addr, AddrPut>;
using MsgPtr = std::unique_ptr<nl_msg, MsgFree>;
using CbPtr = std::unique_ptr<nl_cb, CbPut>;

constexpr std::size_t kSendChunk = 64 * 1024;

int family_of(const IpAddress& a) {
  return a.is_v4() ? AF_INET : AF_INET6;
}

AddrPtr to_nl_addr(const IpAddress& a, unsigned prefix_length) {
  AddrPtr addr(nl_addr_build(family_of(a), a.data(), a.size()));
  if (addr) nl_addr_set_prefixlen(addr.get(), static_cast<int>(prefix_length));
  return addr;
}

// Builds the rtnl_route for a change; the error text names what could not be expressed.
Result<RoutePtr> build_route(const KernelRoute& k) {
  RoutePtr route(rtnl_route_alloc());
  if (!route) return failure(Error{"out of memory"});
  const IpAddress& dst = k.prefix.address();
  auto dst_addr = to_nl_addr(dst, k.prefix.length());
  rtnl_route_set_family(route.get(), static_cast<std::uint8_t>(family_of(dst)));
  rtnl_route_set_dst(route.get(), dst_addr.get());
  rtnl_route_set_table(route.get(), k.table);
  rtnl_route_set_protocol(route.get(), k.protocol);
  if (k.type == RouteType::Blackhole) {
    rtnl_route_set_type(route.get(), RTN_BLACKHOLE);
    return route;
  }
  rtnl_route_set_type(route.get(), RTN_UNICAST);
  bool any_gateway = false;
  for (const NextHop& nh : k.next_hops) {
    rtnl_nexthop* hop = rtnl_route_nh_alloc();
    if (!nh.gateway.is_unspecified()) {
      auto gw = to_nl_addr(nh.gateway, nh.gateway.max_prefix_length());
      // An IPv4 prefix via an IPv6 next hop (RFC 8950) is RTA_VIA; RTA_GATEWAY is same-family.
      if (nh.gateway.is_v4() == dst.is_v4()) {
        rtnl_route_nh_set_gateway(hop, gw.get());
      } else {
        rtnl_route_nh_set_via(hop, gw.get());
      }
      any_gateway = true;
    }
    if (!nh.device.empty()) {
      const unsigned index = if_nametoindex(nh.device.c_str());
      if (index == 0) {
        rtnl_route_nh_free(hop);
        return failure(Error{"no device " + nh.device});
      }
      rtnl_route_nh_set_ifindex(hop, static_cast<int>(index));
    }
    if (nh.onlink) rtnl_route_nh_set_flags(hop, RTNH_F_ONLINK);
    // The kernel keeps weight - 1 (rtnh_hops); libnl passes the raw value through.
    if (k.next_hops.size() > 1)
      rtnl_route_nh_set_weight(hop, static_cast<std::uint8_t>(nh.weight - 1));
    rtnl_route_add_nexthop(route.get(), hop);  // the route owns it now
  }
  rtnl_route_set_scope(route.get(), any_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  return route;
}

struct AckState {
  std::unordered_map<std::uint32_t, std::size_t>* in_flight;
  std::vector<FibError>* errors;
  std::span<const FibChange> batch;
};

int on_error(sockaddr_nl*, nlmsgerr* e, void* arg) {
  auto* s = static_cast<AckState*>(arg);
  auto it = s->in_flight->find(e->msg.nlmsg_seq);
  if (it == s->in_flight->end()) return NL_SKIP;
  if (e->error != 0) {
    s->errors->push_back({it->second, s->batch[it->second].route.prefix.to_string() + ": " +
                                          std::strerror(-e->error)});
  }
  s->in_flight->erase(it);
  return NL_SKIP;
}

// An error message whose error is 0 is an ACK; libnl hands those to NL_CB_ACK.
int on_ack(nl_msg* msg, void* arg) {
  auto* s = static_cast<AckState*>(arg);
  s->in_flight->erase(nlmsg_hdr(msg)->nlmsg_seq);
  return NL_OK;
}

IpAddress from_nl_addr(nl_addr* a) {
  if (a == nullptr) return IpAddress{};
  const auto family = nl_addr_get_family(a) == AF_INET6 ? AddressFamily::V6 : AddressFamily::V4;
  const auto* bytes = static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(a));
  if (nl_addr_get_len(a) < (family == AddressFamily::V4 ? 4u : 16u)) {
    return family == AddressFamily::V4 ? IpAddress::v4(0) : *IpAddress::parse("::");
  }
  return IpAddress::from_bytes(family, bytes);
}

}  // namespace

Result<std::unique_ptr<NetlinkFibWriter>> NetlinkFibWriter::open(std::size_t window) {
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return failure(Error{"netlink: cannot allocate a socket"});
  if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) {
    nl_socket_free(sock);
    return failure(Error{std::string("netlink: ") + nl_geterror(err)});
  }
  // Replies come back in bulk and out of libnl's expected order: no sequence check, big buffers,
  // ACKs without a copy of the request.
  nl_socket_disable_seq_check(sock);
  nl_socket_set_buffer_size(sock, 8 << 20, 8 << 20);
  nl_socket_set_msg_buf_size(sock, 1 << 20);
  int one = 1;
  setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  // Subscribed now, in this namespace: the FIB thread may run elsewhere.
  auto events = NetlinkEvents::open();
  if (!events) {
    nl_socket_free(sock);
    return failure(events.error());
  }
  return std::unique_ptr<NetlinkFibWriter>(
      new NetlinkFibWriter(sock, window, std::move(events).value()));
}

Result<void> NetlinkFibWriter::ensure_tunnel(const TunnelDevice& device) {
  return netlink_ensure_tunnel(device);
}

Result<void> NetlinkFibWriter::set_flood_list(const std::string& device, const FloodList& remotes) {
  return netlink_set_flood_list(device, remotes);
}

std::unique_ptr<KernelEventSource> NetlinkFibWriter::open_events() {
  return std::move(events_);
}

NetlinkFibWriter::~NetlinkFibWriter() {
  nl_socket_free(sock_);
}

std::vector<FibError> NetlinkFibWriter::apply(std::span<const FibChange> batch) {
  std::vector<FibError> errors;
  std::unordered_map<std::uint32_t, std::size_t> in_flight;
  AckState state{&in_flight, &errors, batch};
  CbPtr cb(nl_cb_alloc(NL_CB_CUSTOM));
  nl_cb_err(cb.get(), NL_CB_CUSTOM, on_error, &state);
  nl_cb_set(cb.get(), NL_CB_ACK, NL_CB_CUSTOM, on_ack, &state);

  std::vector<std::uint8_t> chunk;
  chunk.reserve(kSendChunk + 4096);
  auto flush = [&](bool drain_all) {
    if (!chunk.empty()) {
      if (nl_sendto(sock_, chunk.data(), chunk.size()) < 0) {
        for (const auto& [seq, index] : in_flight) {
          errors.push_back(
              {index, batch[index].route.prefix.to_string() + ": netlink send failed"});
        }
        in_flight.clear();
      }
      chunk.clear();
    }
    // Collect ACKs: all of them at the end, otherwise until the window has room again.
    while (!in_flight.empty() && (drain_all || in_flight.size() >= window_ / 2)) {
      if (int err = nl_recvmsgs(sock_, cb.get()); err < 0 && err != -NLE_AGAIN) {
        for (const auto& [seq, index] : in_flight) {
          errors.push_back(
              {index, batch[index].route.prefix.to_string() + ": " + nl_geterror(err)});
        }
        in_flight.clear();
      }
    }
  };

  for (std::size_t i = 0; i < batch.size(); ++i) {
    const FibChange& change = batch[i];
    auto route = build_route(change.route);
    if (!route) {
      errors.push_back({i, change.route.prefix.to_string() + ": " + route.error().message});
      continue;
    }
    nl_msg* raw = nullptr;
    const int err =
        change.op == FibChange::Op::Replace
            ? rtnl_route_build_add_request(route.value().get(), NLM_F_CREATE | NLM_F_REPLACE, &raw)
            : rtnl_route_build_del_request(route.value().get(), 0, &raw);
    MsgPtr msg(raw);
    if (err < 0) {
      errors.push_back({i, change.route.prefix.to_string() + ": " + nl_geterror(err)});
      continue;
    }
    nl_complete_msg(sock_, msg.get());  // sequence number and NLM_F_ACK
    const nlmsghdr* header = nlmsg_hdr(msg.get());
    in_flight[header->nlmsg_seq] = i;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(header);
    chunk.insert(chunk.end(), bytes, bytes + NLMSG_ALIGN(header->nlmsg_len));
    if (chunk.size() >= kSendChunk || in_flight.size() >= window_) flush(false);
  }
  flush(true);
  std::sort(errors.begin(), errors.end(),
            [](const FibError& a, const FibError& b) { return a.index < b.index; });
  return errors;
}

Result<std::vector<KernelRoute>> NetlinkFibWriter::dump(std::uint32_t table,
                                                        std::uint8_t protocol) {
  // A socket of its own: the dump needs libnl's normal request/reply sequencing.
  nl_sock* sock = nl_socket_alloc();
  if (sock == nullptr) return failure(Error{"netlink: cannot allocate a socket"});
  std::unique_ptr<nl_sock, void (*)(nl_sock*)> guard(sock, nl_socket_free);
  if (int err = nl_connect(sock, NETLINK_ROUTE); err < 0) return failure(Error{nl_geterror(err)});
  nl_socket_set_buffer_size(sock, 8 << 20, 1 << 20);
  nl_socket_set_msg_buf_size(sock, 1 << 20);
  nl_cache* cache = nullptr;
  if (int err = rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &cache); err < 0) {
    return failure(Error{std::string("netlink route dump: ") + nl_geterror(err)});
  }
  std::vector<KernelRoute> out;
  for (nl_object* o = nl_cache_get_first(cache); o != nullptr; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    if (rtnl_route_get_table(r) != table || rtnl_route_get_protocol(r) != protocol) continue;
    nl_addr* dst = rtnl_route_get_dst(r);
    const IpAddress address = from_nl_addr(dst);
    KernelRoute k;
    k.prefix = IpPrefix(address, static_cast<std::uint8_t>(nl_addr_get_prefixlen(dst)));
    k.table = table;
    k.protocol = protocol;
    k.type = rtnl_route_get_type(r) == RTN_BLACKHOLE ? RouteType::Blackhole : RouteType::Unicast;
    const int hops = rtnl_route_get_nnexthops(r);
    for (int i = 0; i < hops; ++i) {
      rtnl_nexthop* hop = rtnl_route_nexthop_n(r, i);
      NextHop nh;
      if (nl_addr* gateway = rtnl_route_nh_get_gateway(hop); gateway != nullptr) {
        nh.gateway = from_nl_addr(gateway);
      } else if (nl_addr* via = rtnl_route_nh_get_via(hop); via != nullptr) {
        nh.gateway = from_nl_addr(via);
      } else {
        nh.gateway = address.is_v4() ? IpAddress::v4(0) : *IpAddress::parse("::");
      }
      char name[IF_NAMESIZE] = {};
      if (const int index = rtnl_route_nh_get_ifindex(hop);
          index > 0 && if_indextoname(static_cast<unsigned>(index), name)) {
        nh.device = name;
      }
      nh.onlink = (rtnl_route_nh_get_flags(hop) & RTNH_F_ONLINK) != 0;
      nh.weight = hops > 1 ? static_cast<std::uint8_t>(rtnl_route_nh_get_weight(hop) + 1) : 1;
      k.next_hops.push_back(std::move(nh));
    }
    std::sort(k.next_hops.begin(), k.next_hops.end());
    out.push_back(std::move(k));
  }
  nl_cache_free(cache);
  return out;
}

}  // namespace pinto::fib
