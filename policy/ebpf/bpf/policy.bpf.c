/* Pinto's eBPF policy program: tc clsact on each workload's host-side interface (cali...).
 *   tc ingress of cali... = packets *from* the pod = the endpoint's Egress chain (pinto_from_pod)
 *   tc egress  of cali... = packets *to* the pod   = the endpoint's Ingress chain (pinto_to_pod)
 * and on each host endpoint's interface (Calico's HostEndpoint, eth0 ...), for traffic of the
 * host itself only (forwarded traffic is not host endpoint traffic without applyOnForward):
 *   tc ingress = packets the host receives = the endpoint's Ingress chain (pinto_host_in),
 *                when the kernel's FIB says the destination is local
 *   tc egress  = packets the host sends    = the endpoint's Egress chain (pinto_host_out),
 *                when a local socket sent them (forwarded packets never carry one)
 * The program is fixed; policy lives in maps (policy_abi.h) that user space rewrites, so a policy
 * change never reloads or reattaches it.
 *
 * Per packet: ARP and IPv6 neighbour discovery pass (the link's own plumbing, like ARP); IPv4 and
 * IPv6 first look up the connection table (a flow allowed before passes without the rule walk,
 * which makes replies and established flows pass); otherwise the chain is walked with bpf_loop
 * (chain_walk.h: only the rules listed for the packet's (protocol, destination port) and the
 * chain's wildcard rules, in rule order). An Allow records the flow in both directions. Other
 * traffic is dropped on a policed endpoint: what the program cannot check does not get through. */
/* bpf_helpers.h needs the kernel's types from linux/bpf.h first: keep this order. */
// clang-format off
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
// clang-format on

#include "conntrack.h"
#include "policy_abi.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4 * PINTO_MAX_ENDPOINTS); /* new endpoints arrive before old ones leave */
  /* Not preallocated: an updated entry is freed after an RCU grace period, so a packet that
   * looked it up never reads a half-rewritten chain. */
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct pinto_chain_key);
  __type(value, struct pinto_chain);
} pinto_chains SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PINTO_RULE_SLOTS);
  __type(key, __u32);
  __type(value, struct pinto_rule);
} pinto_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PINTO_LIST_SLOTS);
  __type(key, __u32);
  __type(value, __u32);
} pinto_lists SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 2 * PINTO_MAX_PORT_KEYS); /* old keys leave one apply later */
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct pinto_port_key);
  __type(value, struct pinto_list_ref);
} pinto_ports SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, PINTO_MAX_SET_ENTRIES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct pinto_set_key);
  __type(value, __u8);
} pinto_sets SEC(".maps");

/* LRU: when the table is full the least recently used entries go first, and those are the idle
 * ones, expired or about to: live flows are not pushed out by dead ones. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, PINTO_MAX_CONNECTIONS);
  __type(key, struct pinto_ct_key);
  __type(value, struct pinto_ct_value);
} pinto_conntrack SEC(".maps");

/* The idle timeouts, written by user space right after loading (EbpfDataplane::load). */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct pinto_ct_timeouts);
} pinto_ct_config SEC(".maps");

/* The walk's state lives here, not on the stack, while bpf_loop runs: the verifier checks a
 * bpf_loop callback against the caller's stack contents, and the constants it knows there (the
 * family, empty port lists, ...) made it verify the rule matching once per combination (eight
 * times the instructions, seconds of load time). Map values are opaque to it: verified once.
 * One entry per CPU is enough: a tc program runs to completion without nesting on its CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct pinto_walk);
} pinto_scratch SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PINTO_RULE_SLOTS);
  __type(key, __u32);
  __type(value, struct pinto_counter);
} pinto_counters SEC(".maps");

static __always_inline int set_contains(__u32 set, __u32 family, const __u32* addr) {
  struct pinto_set_key key = {.prefixlen = 64 + 128, .set = set, .family = family};
  key.addr[0] = addr[0];
  key.addr[1] = addr[1];
  key.addr[2] = addr[2];
  key.addr[3] = addr[3];
  return bpf_map_lookup_elem(&pinto_sets, &key) != 0;
}

static __always_inline __u32 list_at(__u32 pos) {
  const __u32* v = bpf_map_lookup_elem(&pinto_lists, &pos);
  return v ? *v : PINTO_LIST_END;
}

static __always_inline void count(__u32 index, __u32 bytes) {
  struct pinto_counter* c = bpf_map_lookup_elem(&pinto_counters, &index);
  if (c) {
    c->packets += 1;
    c->bytes += bytes;
  }
}

#define PINTO_SET_CONTAINS(ctx, set, family, addr) set_contains((set), (family), (addr))
#define PINTO_LIST_AT(ctx, pos) list_at(pos)
#define PINTO_RULE_AT(ctx, index) \
  ((const struct pinto_rule*)bpf_map_lookup_elem(&pinto_rules, &(index)))
#define PINTO_COUNT(ctx, index, bytes) count((index), (bytes))
#include "chain_walk.h"

struct walk_ctx {
  struct pinto_walk* w; /* the CPU's pinto_scratch entry */
};

static long walk_step(__u32 unused, void* data) {
  struct walk_ctx* ctx = data;
  return pinto_walk_step(ctx->w, 0);
}

static __always_inline int has_ports(__u8 protocol) {
  return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 136;
}

#define IPPROTO_ICMPV6_ 58

/* Reads the IPv6 header and up to four extension headers (hop-by-hop, routing, destination
 * options, fragment). Returns the L4 offset, 0 for a packet to drop on a policed endpoint. */
static __always_inline __u32 parse_ipv6(struct __sk_buff* skb, struct pinto_packet* p) {
  struct ipv6hdr ip6;
  if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)) != 0) return 0;
  p->family = PINTO_FAMILY_IPV6;
  __builtin_memcpy(p->src, &ip6.saddr, 16);
  __builtin_memcpy(p->dst, &ip6.daddr, 16);
  __u8 next = ip6.nexthdr;
  __u32 off = ETH_HLEN + sizeof(ip6);
#pragma unroll
  for (int k = 0; k < 4; k++) {
    __u8 h[4];
    if (next == 0 || next == 43 || next == 60) {
      if (bpf_skb_load_bytes(skb, off, h, 2) != 0) return 0;
      next = h[0];
      off += ((__u32)h[1] + 1) * 8;
    } else if (next == 44) {
      if (bpf_skb_load_bytes(skb, off, h, 4) != 0) return 0;
      /* A non-first fragment has no L4 header to check. */
      if ((((__u16)h[2] << 8) | h[3]) & 0xfff8) return 0;
      next = h[0];
      off += 8;
    } else {
      break;
    }
  }
  if (next == 0 || next == 43 || next == 60 || next == 44) return 0; /* too many headers */
  p->protocol = next;
  return off;
}

static __always_inline __u32 parse_ipv4(struct __sk_buff* skb, struct pinto_packet* p) {
  struct iphdr ip;
  if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) != 0) return 0;
  const __u32 ihl = ip.ihl * 4;
  if (ihl < sizeof(ip)) return 0;
  if (ip.frag_off & bpf_htons(0x1fff)) return 0; /* non-first fragment: no L4 header to check */
  p->family = PINTO_FAMILY_IPV4;
  p->src[0] = ip.saddr;
  p->dst[0] = ip.daddr;
  p->protocol = ip.protocol;
  return ETH_HLEN + ihl;
}

static __always_inline int handle(struct __sk_buff* skb, __u32 direction) {
  struct pinto_chain_key ck = {.ifindex = skb->ifindex, .direction = direction};
  const struct pinto_chain* found = bpf_map_lookup_elem(&pinto_chains, &ck);
  if (!found) return TC_ACT_OK; /* not (yet) an endpoint of ours */
  const struct pinto_chain chain = *found;
  const int refuse = chain.policed ? TC_ACT_SHOT : TC_ACT_OK;

  void* data = (void*)(long)skb->data;
  void* data_end = (void*)(long)skb->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > data_end) return refuse;
  const __u16 proto = eth->h_proto;
  if (proto == bpf_htons(ETH_P_ARP)) return TC_ACT_OK;

  struct pinto_walk w = {};
  __u32 l4 = 0;
  if (proto == bpf_htons(ETH_P_IP)) {
    l4 = parse_ipv4(skb, &w.pkt);
  } else if (proto == bpf_htons(ETH_P_IPV6)) {
    l4 = parse_ipv6(skb, &w.pkt);
  } else {
    return refuse;
  }
  if (!l4) return refuse;

  int syn_only = 0;
  __u8 tcp_flags = 0;
  __u8 hdr[14];
  w.pkt.has_ports = has_ports(w.pkt.protocol);
  __u16 ct_sport = 0, ct_dport = 0;
  if (w.pkt.has_ports) {
    const __u32 need = w.pkt.protocol == 6 ? 14 : 4;
    if (bpf_skb_load_bytes(skb, l4, hdr, need) != 0) return refuse;
    w.pkt.sport = ((__u16)hdr[0] << 8) | hdr[1];
    w.pkt.dport = ((__u16)hdr[2] << 8) | hdr[3];
    if (w.pkt.protocol == 6) {
      tcp_flags = hdr[13];
      /* SYN without ACK: a new connection */
      syn_only = (tcp_flags & PINTO_TCP_SYN) && !(tcp_flags & PINTO_TCP_ACK);
    }
    ct_sport = w.pkt.sport;
    ct_dport = w.pkt.dport;
  } else if ((w.pkt.family == PINTO_FAMILY_IPV4 && w.pkt.protocol == 1) ||
             (w.pkt.family == PINTO_FAMILY_IPV6 && w.pkt.protocol == IPPROTO_ICMPV6_)) {
    if (bpf_skb_load_bytes(skb, l4, hdr, 2) != 0) return refuse;
    w.pkt.icmp_type = hdr[0];
    w.pkt.icmp_code = hdr[1];
    /* Neighbour discovery (router/neighbour solicitation and advertisement) is IPv6's ARP. */
    if (w.pkt.family == PINTO_FAMILY_IPV6 && hdr[0] >= 133 && hdr[0] <= 136) return TC_ACT_OK;
    /* Echo request/reply are tracked by their identifier, so one ping does not open the way for
     * the next one after a policy change. */
    const int echo = w.pkt.family == PINTO_FAMILY_IPV4 ? (hdr[0] == 8 || hdr[0] == 0)
                                                       : (hdr[0] == 128 || hdr[0] == 129);
    if (echo) {
      if (bpf_skb_load_bytes(skb, l4 + 4, hdr, 2) != 0) return refuse;
      ct_sport = ct_dport = ((__u16)hdr[0] << 8) | hdr[1];
    }
  }

  /* The flow's entry: its ends in a fixed order, so both directions share it. */
  const int from_low = pinto_ct_low_first(w.pkt.src, ct_sport, w.pkt.dst, ct_dport);
  struct pinto_ct_key ct = {.ifindex = skb->ifindex,
                            .family = w.pkt.family,
                            .protocol = w.pkt.protocol,
                            .sport = from_low ? ct_sport : ct_dport,
                            .dport = from_low ? ct_dport : ct_sport};
  if (from_low) {
    __builtin_memcpy(ct.src, w.pkt.src, 16);
    __builtin_memcpy(ct.dst, w.pkt.dst, 16);
  } else {
    __builtin_memcpy(ct.src, w.pkt.dst, 16);
    __builtin_memcpy(ct.dst, w.pkt.src, 16);
  }
  const __u32 zero = 0;
  const struct pinto_ct_timeouts* timeouts = bpf_map_lookup_elem(&pinto_ct_config, &zero);
  if (!timeouts) return TC_ACT_SHOT;
  const __u64 now = bpf_ktime_get_ns();
  /* A SYN always walks the rules, so a reused 5-tuple meets the current policy; an expired or
   * closed entry makes the packet a new flow too. */
  struct pinto_ct_value* known = syn_only ? 0 : bpf_map_lookup_elem(&pinto_conntrack, &ct);
  if (known) {
    const int state = pinto_ct_packet(known, timeouts, w.pkt.protocol, from_low, tcp_flags, now);
    if (state == PINTO_CT_CLOSED) bpf_map_delete_elem(&pinto_conntrack, &ct);
    if (state != PINTO_CT_EXPIRED) return TC_ACT_OK;
    bpf_map_delete_elem(&pinto_conntrack, &ct);
  }

  w.rule_base = chain.rule_base;
  w.rule_count = chain.rule_count;
  w.wild_at = chain.wild_first;
  w.wild_end = chain.wild_first + chain.wild_count;
  if (w.pkt.has_ports) {
    struct pinto_port_key pk = {.tag = chain.tag, .protocol = w.pkt.protocol, .port = w.pkt.dport};
    const struct pinto_list_ref* ref = bpf_map_lookup_elem(&pinto_ports, &pk);
    if (ref) {
      w.port_at = ref->first;
      w.port_end = ref->first + ref->count;
    }
  }
  w.bytes = skb->len;
  pinto_walk_start(&w, 0);
  struct walk_ctx ctx = {.w = bpf_map_lookup_elem(&pinto_scratch, &zero)};
  if (!ctx.w) return TC_ACT_SHOT;
  *ctx.w = w;
  /* Each step consumes one list entry and a chain lists each rule at most once per packet. */
  bpf_loop(PINTO_MAX_CHAIN_RULES + 1, walk_step, &ctx, 0);
  if (ctx.w->verdict != PINTO_VERDICT_ALLOW) return TC_ACT_SHOT;

  /* A RST opens nothing; anything else allowed starts (or restarts) the flow's entry. */
  if (w.pkt.protocol == 6 && (tcp_flags & PINTO_TCP_RST)) return TC_ACT_OK;
  struct pinto_ct_value fresh;
  pinto_ct_start(&fresh, from_low, now);
  bpf_map_update_elem(&pinto_conntrack, &ct, &fresh, BPF_ANY);
  return TC_ACT_OK;
}

#define AF_INET_ 2
#define AF_INET6_ 10

/* True when the IP packet on tc ingress is addressed to this host: the FIB lookup the kernel is
 * about to do answers "local" (or broadcast/multicast: not forwarded either), or forwarding is
 * off on the interface, so nothing arriving there can be forwarded. Non-IP traffic is not host
 * endpoint policy's business (ARP and the like pass). */
static __always_inline int to_this_host(struct __sk_buff* skb) {
  void* data = (void*)(long)skb->data;
  void* data_end = (void*)(long)skb->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > data_end) return 0;
  struct bpf_fib_lookup fib = {};
  fib.ifindex = skb->ifindex;
  if (eth->h_proto == bpf_htons(ETH_P_IP)) {
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) != 0) return 1; /* policed: dropped */
    fib.family = AF_INET_;
    fib.l4_protocol = ip.protocol;
    fib.tot_len = bpf_ntohs(ip.tot_len);
    fib.ipv4_src = ip.saddr;
    fib.ipv4_dst = ip.daddr;
  } else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr ip6;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)) != 0) return 1;
    fib.family = AF_INET6_;
    fib.l4_protocol = ip6.nexthdr;
    fib.tot_len = bpf_ntohs(ip6.payload_len) + sizeof(ip6);
    __builtin_memcpy(fib.ipv6_src, &ip6.saddr, 16);
    __builtin_memcpy(fib.ipv6_dst, &ip6.daddr, 16);
  } else {
    return 0;
  }
  const long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
  return rc == BPF_FIB_LKUP_RET_NOT_FWDED || rc == BPF_FIB_LKUP_RET_FWD_DISABLED;
}

SEC("tc")
int pinto_host_in(struct __sk_buff* skb) {
  if (!to_this_host(skb)) return TC_ACT_OK;
  return handle(skb, PINTO_DIR_INGRESS);
}

SEC("tc")
int pinto_host_out(struct __sk_buff* skb) {
  /* Sent by a local socket (the kernel's own replies, RSTs and ICMP errors included: they go
   * through its control sockets); ip_forward() drops any packet that still has one. */
  if (!skb->sk) return TC_ACT_OK;
  const __u16 proto = skb->protocol;
  if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6)) return TC_ACT_OK;
  return handle(skb, PINTO_DIR_EGRESS);
}

SEC("tc")
int pinto_from_pod(struct __sk_buff* skb) {
  return handle(skb, PINTO_DIR_EGRESS);
}

SEC("tc")
int pinto_to_pod(struct __sk_buff* skb) {
  return handle(skb, PINTO_DIR_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
