/* Pinto's eBPF policy program: tc clsact on each workload's host-side interface (cali...).
 *   tc ingress of cali... = packets *from* the pod = the endpoint's Egress chain (pinto_from_pod)
 *   tc egress  of cali... = packets *to* the pod   = the endpoint's Ingress chain (pinto_to_pod)
 * The program is fixed; policy lives in maps (policy_abi.h) that user space rewrites, so a policy
 * change never reloads or reattaches it.
 *
 * Per packet: ARP passes; IPv4 first looks up the connection table (a flow allowed before passes
 * without the rule walk, which makes replies and established flows pass); otherwise the chain's
 * rules are walked with bpf_loop (verified once, whatever the chain length). An Allow records the
 * flow in both directions. IPv6 and other non-IPv4 traffic is dropped on a policed endpoint: this
 * back-end does IPv4 only and refuses to let what it cannot check through. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "policy_abi.h"

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, PINTO_MAX_SLOTS);
  __type(key, struct pinto_chain_key);
  __type(value, struct pinto_chain);
} pinto_chains SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, PINTO_MAX_SLOTS * PINTO_MAX_RULES);
  __type(key, __u32);
  __type(value, struct pinto_rule);
} pinto_rules SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, PINTO_MAX_SET_ENTRIES);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct pinto_set_key);
  __type(value, __u8);
} pinto_sets SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, PINTO_MAX_CONNECTIONS);
  __type(key, struct pinto_ct_key);
  __type(value, __u64);
} pinto_conntrack SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, PINTO_MAX_SLOTS * PINTO_MAX_RULES);
  __type(key, __u32);
  __type(value, struct pinto_counter);
} pinto_counters SEC(".maps");

static __always_inline int set_contains(__u32 set, __u32 addr) {
  struct pinto_set_key key = {.prefixlen = 64, .set = set, .addr = addr};
  return bpf_map_lookup_elem(&pinto_sets, &key) != 0;
}

#define PINTO_SET_CONTAINS(ctx, set, addr) set_contains((set), (addr))
#include "rule_match.h"

#define VERDICT_NONE -1

struct walk {
  struct pinto_packet pkt;
  __u32 base;
  __u32 count;
  __u32 next;
  __u32 bytes;
  int verdict; /* VERDICT_NONE, TC_ACT_OK or TC_ACT_SHOT */
};

static __always_inline void count(__u32 index, __u32 bytes) {
  struct pinto_counter* c = bpf_map_lookup_elem(&pinto_counters, &index);
  if (c) {
    c->packets += 1;
    c->bytes += bytes;
  }
}

/* One bpf_loop step: evaluates rule `w->next` (Goto moves it forward, never back). */
static long walk_step(__u32 unused, void* data) {
  struct walk* w = data;
  const __u32 i = w->next;
  if (i >= w->count || i >= PINTO_MAX_RULES) return 1; /* fell off the chain: deny below */
  __u32 index = w->base + i;
  const struct pinto_rule* r = bpf_map_lookup_elem(&pinto_rules, &index);
  if (!r) return 1;
  if (!pinto_rule_matches(r, &w->pkt, 0)) {
    w->next = i + 1;
    return 0;
  }
  switch (r->action) {
    case PINTO_ACTION_ALLOW:
      count(index, w->bytes);
      w->verdict = TC_ACT_OK;
      return 1;
    case PINTO_ACTION_LOG:
      count(index, w->bytes);
      w->next = i + 1;
      return 0;
    case PINTO_ACTION_GOTO:
      w->next = r->goto_index > i ? r->goto_index : i + 1;
      return 0;
    default:
      count(index, w->bytes);
      w->verdict = TC_ACT_SHOT;
      return 1;
  }
}

static __always_inline int has_ports(__u8 protocol) {
  return protocol == 6 || protocol == 17 || protocol == 132 || protocol == 136;
}

static __always_inline int handle(struct __sk_buff* skb, __u32 direction) {
  struct pinto_chain_key ck = {.ifindex = skb->ifindex, .direction = direction};
  const struct pinto_chain* chain = bpf_map_lookup_elem(&pinto_chains, &ck);
  if (!chain) return TC_ACT_OK; /* not (yet) an endpoint of ours */

  void* data = (void*)(long)skb->data;
  void* data_end = (void*)(long)skb->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > data_end) return chain->policed ? TC_ACT_SHOT : TC_ACT_OK;
  if (eth->h_proto == bpf_htons(ETH_P_ARP)) return TC_ACT_OK;
  if (eth->h_proto != bpf_htons(ETH_P_IP)) return chain->policed ? TC_ACT_SHOT : TC_ACT_OK;

  struct iphdr* ip = (void*)(eth + 1);
  if ((void*)(ip + 1) > data_end) return TC_ACT_SHOT;
  const __u32 ihl = ip->ihl * 4;
  if (ihl < sizeof(*ip)) return TC_ACT_SHOT;

  struct walk w = {};
  w.pkt.src = ip->saddr;
  w.pkt.dst = ip->daddr;
  w.pkt.protocol = ip->protocol;
  w.pkt.has_ports = has_ports(ip->protocol);
  int syn_only = 0;
  const int first_fragment = (ip->frag_off & bpf_htons(0x1fff)) == 0;
  if (!first_fragment && chain->policed) return TC_ACT_SHOT; /* no L4 header to check */
  __u8* l4 = (__u8*)ip + ihl;
  if (w.pkt.has_ports) {
    if ((void*)(l4 + 14) > data_end) {
      if (ip->protocol == 6 || (void*)(l4 + 4) > data_end) return TC_ACT_SHOT;
    }
    w.pkt.sport = ((__u16)l4[0] << 8) | l4[1];
    w.pkt.dport = ((__u16)l4[2] << 8) | l4[3];
    if (ip->protocol == 6) {
      if ((void*)(l4 + 14) > data_end) return TC_ACT_SHOT;
      const __u8 flags = l4[13];
      syn_only = (flags & 0x02) && !(flags & 0x10); /* SYN without ACK: a new connection */
    }
  } else if (ip->protocol == 1) {
    if ((void*)(l4 + 2) > data_end) return TC_ACT_SHOT;
    w.pkt.icmp_type = l4[0];
    w.pkt.icmp_code = l4[1];
  }
  /* Connection-table ports: the L4 ports, or for ICMP echo request/reply the identifier, so one
   * ping does not open the way for the next one after a policy change. */
  __u16 ct_sport = w.pkt.sport, ct_dport = w.pkt.dport;
  if (ip->protocol == 1 && (w.pkt.icmp_type == 8 || w.pkt.icmp_type == 0)) {
    if ((void*)(l4 + 6) > data_end) return TC_ACT_SHOT;
    ct_sport = ct_dport = ((__u16)l4[4] << 8) | l4[5];
  }

  struct pinto_ct_key fwd = {.ifindex = skb->ifindex,
                             .src = w.pkt.src,
                             .dst = w.pkt.dst,
                             .sport = ct_sport,
                             .dport = ct_dport,
                             .protocol = w.pkt.protocol};
  /* A SYN always walks the rules, so a reused 5-tuple meets the current policy. */
  if (!syn_only && bpf_map_lookup_elem(&pinto_conntrack, &fwd)) return TC_ACT_OK;

  w.base = chain->slot * PINTO_MAX_RULES;
  w.count = chain->rule_count;
  w.bytes = skb->len;
  w.verdict = VERDICT_NONE;
  bpf_loop(PINTO_MAX_RULES, walk_step, &w, 0);
  if (w.verdict != TC_ACT_OK) return TC_ACT_SHOT;

  const __u64 now = bpf_ktime_get_ns();
  struct pinto_ct_key rev = {.ifindex = skb->ifindex,
                             .src = w.pkt.dst,
                             .dst = w.pkt.src,
                             .sport = ct_dport,
                             .dport = ct_sport,
                             .protocol = w.pkt.protocol};
  bpf_map_update_elem(&pinto_conntrack, &fwd, &now, BPF_ANY);
  bpf_map_update_elem(&pinto_conntrack, &rev, &now, BPF_ANY);
  return TC_ACT_OK;
}

SEC("tc")
int pinto_from_pod(struct __sk_buff* skb) { return handle(skb, PINTO_DIR_EGRESS); }

SEC("tc")
int pinto_to_pod(struct __sk_buff* skb) { return handle(skb, PINTO_DIR_INGRESS); }

char LICENSE[] SEC("license") = "GPL";
