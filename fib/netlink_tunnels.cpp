#include "fib/netlink_tunnels.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/ipip.h>
#include <netlink/route/link/vxlan.h>

#include <array>
#include <cstring>
#include <memory>

namespace pinto::fib {

namespace {

struct SockFree {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct LinkPut {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
struct AddrPut {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};
using SockPtr = std::unique_ptr<nl_sock, SockFree>;
using LinkPtr = std::unique_ptr<rtnl_link, LinkPut>;
using AddrPtr = std::unique_ptr<nl_addr, AddrPut>;

Result<SockPtr> connect() {
  SockPtr sock(nl_socket_alloc());
  if (!sock) return failure(Error{"netlink: cannot allocate a socket"});
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0)
    return failure(Error{std::string("netlink: ") + nl_geterror(err)});
  return sock;
}

AddrPtr nl_address(const IpAddress& a) {
  return AddrPtr(nl_addr_build(a.is_v4() ? AF_INET : AF_INET6, a.data(), a.size()));
}

Error link_error(const std::string& device, const char* what, int err) {
  return Error{device + ": " + what + ": " + nl_geterror(err)};
}

LinkPtr find_link(nl_sock* sock, const std::string& name) {
  rtnl_link* link = nullptr;
  if (rtnl_link_get_kernel(sock, 0, name.c_str(), &link) < 0) return nullptr;
  return LinkPtr(link);
}

Result<void> bring_up(nl_sock* sock, rtnl_link* link, std::uint32_t mtu) {
  LinkPtr change(rtnl_link_alloc());
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (mtu != 0) rtnl_link_set_mtu(change.get(), mtu);
  if (int err = rtnl_link_change(sock, link, change.get(), 0); err < 0)
    return failure(link_error(rtnl_link_get_name(link), "cannot bring it up", err));
  return outcome::success();
}

// An existing VXLAN device is kept (no flap) when it already has our VNI, port and local address.
bool vxlan_matches(rtnl_link* link, const TunnelDevice& want) {
  if (!rtnl_link_is_vxlan(link)) return false;
  std::uint32_t vni = 0;
  if (rtnl_link_vxlan_get_id(link, &vni) < 0 || vni != want.vni) return false;
  std::uint32_t port = 0;
  if (rtnl_link_vxlan_get_port(link, &port) < 0 || port != want.port) return false;
  nl_addr* local = nullptr;
  if (rtnl_link_vxlan_get_local(link, &local) < 0 || local == nullptr) return false;
  AddrPtr held(local);
  const auto wanted = nl_address(want.local);
  return nl_addr_cmp(local, wanted.get()) == 0;
}

Result<void> ensure_vxlan(nl_sock* sock, const TunnelDevice& device) {
  if (auto existing = find_link(sock, device.name)) {
    if (vxlan_matches(existing.get(), device)) return bring_up(sock, existing.get(), device.mtu);
    if (!rtnl_link_is_vxlan(existing.get()))
      return failure(Error{device.name + ": exists and is not a VXLAN device; not touching it"});
    // Ours from an earlier configuration: rebuilt with the settings it has now.
    if (int err = rtnl_link_delete(sock, existing.get()); err < 0)
      return failure(link_error(device.name, "cannot replace it", err));
  }
  LinkPtr link(rtnl_link_vxlan_alloc());
  if (!link) return failure(Error{"out of memory"});
  rtnl_link_set_name(link.get(), device.name.c_str());
  rtnl_link_vxlan_set_id(link.get(), device.vni);
  rtnl_link_vxlan_set_port(link.get(), device.port);
  auto local = nl_address(device.local);
  rtnl_link_vxlan_set_local(link.get(), local.get());
  rtnl_link_vxlan_set_learning(link.get(), 1);  // learns MAC -> VTEP from the ARP replies
  rtnl_link_set_mtu(link.get(), device.mtu);
  if (int err = rtnl_link_add(sock, link.get(), NLM_F_CREATE | NLM_F_EXCL); err < 0)
    return failure(link_error(device.name, "cannot create the VXLAN device", err));
  auto created = find_link(sock, device.name);
  if (!created) return failure(Error{device.name + ": created but not found"});
  return bring_up(sock, created.get(), 0);
}

Result<void> ensure_ipip(nl_sock* sock, const TunnelDevice& device) {
  // With the ipip module loaded the kernel has made tunl0 itself (the fallback device).
  auto existing = find_link(sock, device.name);
  if (!existing) {
    if (int err = rtnl_link_ipip_add(sock, device.name.c_str()); err < 0) {
      return failure(Error{device.name + ": this kernel cannot make IPIP tunnels (" +
                           nl_geterror(err) +
                           "; is the ipip module available?): routes of IPIP pools are not "
                           "installed; use vxlanMode instead"});
    }
    existing = find_link(sock, device.name);
    if (!existing) return failure(Error{device.name + ": created but not found"});
  } else if (!rtnl_link_is_ipip(existing.get())) {
    return failure(Error{device.name + ": exists and is not an IPIP device; not touching it"});
  }
  return bring_up(sock, existing.get(), 0);
}

// The remote addresses of the all-zeros FDB entries of `ifindex` (its current flood list).
Result<FloodList> read_flood_list(nl_sock* sock, int ifindex) {
  ndmsg request{};
  request.ndm_family = AF_BRIDGE;
  request.ndm_ifindex = ifindex;
  if (int err = nl_send_simple(sock, RTM_GETNEIGH, NLM_F_DUMP, &request, sizeof request); err < 0)
    return failure(Error{std::string("fdb dump: ") + nl_geterror(err)});
  struct Collect {
    int ifindex;
    FloodList remotes;
  } collect{ifindex, {}};
  auto on_message = [](nl_msg* msg, void* arg) -> int {
    auto* c = static_cast<Collect*>(arg);
    const nlmsghdr* h = nlmsg_hdr(msg);
    if (h->nlmsg_type != RTM_NEWNEIGH) return NL_OK;
    const auto* nd = static_cast<const ndmsg*>(NLMSG_DATA(h));
    if (nd->ndm_family != AF_BRIDGE || nd->ndm_ifindex != c->ifindex) return NL_OK;
    bool all_zeros = false;
    std::optional<IpAddress> remote;
    int length = static_cast<int>(RTM_PAYLOAD(h));
    for (auto* a = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(nd) +
                                                   NLMSG_ALIGN(sizeof(ndmsg)));
         RTA_OK(a, length); a = RTA_NEXT(a, length)) {
      if (a->rta_type == NDA_LLADDR && RTA_PAYLOAD(a) == 6) {
        static constexpr std::array<std::uint8_t, 6> kZeros{};
        all_zeros = std::memcmp(RTA_DATA(a), kZeros.data(), 6) == 0;
      } else if (a->rta_type == NDA_DST && (RTA_PAYLOAD(a) == 4 || RTA_PAYLOAD(a) == 16)) {
        remote = IpAddress::from_bytes(RTA_PAYLOAD(a) == 4 ? AddressFamily::V4 : AddressFamily::V6,
                                       static_cast<const std::uint8_t*>(RTA_DATA(a)));
      }
    }
    if (all_zeros && remote) c->remotes.insert(*remote);
    return NL_OK;
  };
  nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_message, &collect);
  if (int err = nl_recvmsgs_default(sock); err < 0)
    return failure(Error{std::string("fdb dump: ") + nl_geterror(err)});
  return std::move(collect.remotes);
}

// Adds (RTM_NEWNEIGH, appended) or deletes one all-zeros FDB entry towards `remote`, built by
// hand: libnl's neighbour object refuses an AF_BRIDGE entry with an IP destination.
int change_flood_entry(nl_sock* sock, int type, int ifindex, const IpAddress& remote) {
  const int flags = type == RTM_NEWNEIGH ? NLM_F_CREATE | NLM_F_APPEND : 0;
  std::unique_ptr<nl_msg, void (*)(nl_msg*)> msg(nlmsg_alloc_simple(type, flags), nlmsg_free);
  if (!msg) return -NLE_NOMEM;
  ndmsg header{};
  header.ndm_family = AF_BRIDGE;
  header.ndm_ifindex = ifindex;
  header.ndm_state = NUD_NOARP | NUD_PERMANENT;
  header.ndm_flags = NTF_SELF;
  static constexpr std::array<std::uint8_t, 6> kZeros{};
  if (int err = nlmsg_append(msg.get(), &header, sizeof header, NLMSG_ALIGNTO); err < 0) return err;
  if (int err = nla_put(msg.get(), NDA_LLADDR, kZeros.size(), kZeros.data()); err < 0) return err;
  if (int err = nla_put(msg.get(), NDA_DST, static_cast<int>(remote.size()), remote.data());
      err < 0)
    return err;
  if (int err = nl_send_auto(sock, msg.get()); err < 0) return err;
  return nl_wait_for_ack(sock);
}

}  // namespace

Result<void> netlink_ensure_tunnel(const TunnelDevice& device) {
  auto sock = connect();
  if (!sock) return failure(sock.error());
  return device.kind == TunnelDevice::Kind::Vxlan ? ensure_vxlan(sock.value().get(), device)
                                                  : ensure_ipip(sock.value().get(), device);
}

Result<void> netlink_set_flood_list(const std::string& device, const FloodList& remotes) {
  const int ifindex = static_cast<int>(if_nametoindex(device.c_str()));
  if (ifindex == 0) return failure(Error{device + ": no such device"});
  auto sock = connect();
  if (!sock) return failure(sock.error());
  nl_sock* s = sock.value().get();
  auto current = read_flood_list(s, ifindex);
  if (!current) return failure(current.error());
  for (const IpAddress& remote : remotes) {
    if (current.value().contains(remote)) continue;
    if (int err = change_flood_entry(s, RTM_NEWNEIGH, ifindex, remote); err < 0) {
      return failure(
          Error{device + ": cannot flood to " + remote.to_string() + ": " + nl_geterror(err)});
    }
  }
  for (const IpAddress& remote : current.value()) {
    if (remotes.contains(remote)) continue;
    if (int err = change_flood_entry(s, RTM_DELNEIGH, ifindex, remote); err < 0) {
      return failure(Error{device + ": cannot stop flooding to " + remote.to_string() + ": " +
                           nl_geterror(err)});
    }
  }
  return outcome::success();
}

}  // namespace pinto::fib
