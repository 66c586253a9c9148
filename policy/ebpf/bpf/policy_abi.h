/* The layout of the eBPF policy maps, shared by the BPF program (policy.bpf.c) and user space
 * (policy/ebpf/map_image.h, ebpf_dataplane.cpp). Plain C with fixed-width kernel types so that
 * clang -target bpf and the host C++ compiler see the same bytes; every struct is padded by hand
 * (no implicit holes: the kernel compares hash and LPM keys byte for byte).
 *
 * Maps (see docs/policy.md, "eBPF back-end"):
 *   pinto_chains    hash      pinto_chain_key -> pinto_chain    where an interface's chain lives
 *   pinto_rules     array     one flat array of pinto_rule; a chain is [rule_base, +rule_count)
 *   pinto_lists     array     __u32 rule indices (chain-relative, ascending per list): each
 *                             chain's wildcard list and its per-(protocol, port) lists
 *   pinto_ports     hash      pinto_port_key -> pinto_list_ref  (chain tag, protocol, port) lists
 *   pinto_sets      lpm_trie  pinto_set_key -> __u8             (set, family, prefix) members
 *   pinto_conntrack lru_hash  pinto_ct_key -> pinto_ct_value    flows already allowed (conntrack.h)
 *   pinto_ct_config array     [0] -> pinto_ct_timeouts           idle timeouts, set by user space
 *   pinto_counters  percpu array, same index as pinto_rules -> pinto_counter
 *
 * The index: a new flow's packet walks only the merge of two ascending lists of its chain, the
 * wildcard list (rules that do not pin a destination port) and the list of its (protocol,
 * destination port), in rule order. A rule that names a protocol and at most
 * PINTO_MAX_INDEXED_PORTS destination ports can match no other packet, so leaving it out of
 * every other list changes no verdict. */
#ifndef PINTO_POLICY_EBPF_POLICY_ABI_H
#define PINTO_POLICY_EBPF_POLICY_ABI_H

#include <linux/types.h>

/* Limits: each one is checked by the user-space encoder, which refuses a Program beyond them.
 * The arrays hold twice the live limit: a changed chain is written beside the old one and
 * switched to in one map update, so a full rewrite must fit next to what is in force. */
#define PINTO_MAX_CHAIN_RULES 16384 /* rules per chain (the bpf_loop bound) */
#define PINTO_MAX_TOTAL_RULES 65536 /* rules over all chains of a Program */
#define PINTO_RULE_SLOTS (2 * PINTO_MAX_TOTAL_RULES)
#define PINTO_MAX_LIST_ENTRIES 524288 /* list entries over all chains */
#define PINTO_LIST_SLOTS (2 * PINTO_MAX_LIST_ENTRIES)
#define PINTO_MAX_PORT_KEYS 262144   /* (chain, protocol, port) lists over all chains */
#define PINTO_MAX_INDEXED_PORTS 64   /* a rule whose destination ports span more: wildcard */
#define PINTO_MAX_ENDPOINTS 1024     /* two chains each */
#define PINTO_MAX_SETS_PER_SIDE 4    /* in_sets and not_in_sets entries per rule side */
#define PINTO_MAX_PORT_RANGES 8      /* ports and not_ports ranges per rule side */
#define PINTO_MAX_PORT_SETS 4        /* port_sets and not_port_sets per rule side */
#define PINTO_MAX_SET_ENTRIES 524288 /* members over all sets, both families */
#define PINTO_MAX_CONNECTIONS 131072 /* conntrack entries (one per flow and interface) */

/* The shared matching and connection-table code (rule_match.h, conntrack.h) takes up to seven
 * arguments; a BPF call takes five, so it is always inlined. */
#define PINTO_INLINE static inline __attribute__((always_inline))

/* Direction as the endpoint sees it (policy::Direction): traffic to the pod is Ingress. */
#define PINTO_DIR_INGRESS 0
#define PINTO_DIR_EGRESS 1

#define PINTO_ACTION_ALLOW 0
#define PINTO_ACTION_DENY 1
#define PINTO_ACTION_LOG 2
#define PINTO_ACTION_GOTO 3

#define PINTO_F_PROTOCOL (1u << 0)
#define PINTO_F_NOT_PROTOCOL (1u << 1)
#define PINTO_F_ICMP (1u << 2)
#define PINTO_F_ICMP_CODE (1u << 3)
#define PINTO_F_NOT_ICMP (1u << 4)
#define PINTO_F_NOT_ICMP_CODE (1u << 5)
#define PINTO_F_IPV4                                                                              \
  (1u << 6)                    /* the rule applies to IPv4 packets only (ipVersion 4, ICMP, nets) \
                                */
#define PINTO_F_IPV6 (1u << 7) /* ... IPv6 packets only */

#define PINTO_FAMILY_IPV4 4
#define PINTO_FAMILY_IPV6 6

struct pinto_port_range {
  __u16 first;
  __u16 last;
};

/* One end of the packet (program.h AddressMatch); sets are dense indices, not SetIds. */
struct pinto_side {
  __u8 n_in;
  __u8 n_not_in;
  __u8 n_ports;
  __u8 n_not_ports;
  __u32 in[PINTO_MAX_SETS_PER_SIDE];
  __u32 not_in[PINTO_MAX_SETS_PER_SIDE];
  struct pinto_port_range ports[PINTO_MAX_PORT_RANGES];
  struct pinto_port_range not_ports[PINTO_MAX_PORT_RANGES];
  /* Named ports of remote endpoints: sets of (address, protocol, port), see pinto_port_family. */
  __u8 n_port_sets;
  __u8 n_not_port_sets;
  __u16 pad;
  __u32 port_sets[PINTO_MAX_PORT_SETS];
  __u32 not_port_sets[PINTO_MAX_PORT_SETS];
};

struct pinto_rule {
  __u8 action;
  __u8 protocol;
  __u8 not_protocol;
  __u8 icmp_type;
  __u8 icmp_code;
  __u8 not_icmp_type;
  __u8 not_icmp_code;
  __u8 pad;
  __u32 flags;
  __u32 goto_index; /* chain-relative */
  __u32 pad2;
  struct pinto_side src;
  struct pinto_side dst;
};

struct pinto_chain_key {
  __u32 ifindex;
  __u32 direction;
};

struct pinto_chain {
  __u32 tag;        /* names this version of the chain in pinto_ports keys */
  __u32 rule_base;  /* its rules: pinto_rules[rule_base .. rule_base + rule_count) */
  __u32 rule_count; /* <= PINTO_MAX_CHAIN_RULES */
  __u32 wild_first; /* its wildcard list: pinto_lists[wild_first .. wild_first + wild_count) */
  __u32 wild_count;
  __u32 policed; /* 0: no policy selects the endpoint in this direction */
};

/* The rules of one chain that pin (protocol, destination port) to `port`. */
struct pinto_port_key {
  __u32 tag;
  __u8 protocol;
  __u8 pad;
  __u16 port; /* host byte order */
};

/* What a list read past its end yields: above every rule index. */
#define PINTO_LIST_END 0xffffffffu

struct pinto_list_ref {
  __u32 first; /* pinto_lists[first .. first + count) */
  __u32 count;
};

/* LPM key: prefixlen counts bits of (set, family, addr); set and family are always matched in
 * full (64 + prefix length), so a member never matches the other family's addresses. One trie
 * for both families keeps the per-lookup code free of a family branch, which the verifier would
 * otherwise explore for every set lookup of every rule (it made loading five times slower). */
struct pinto_set_key {
  __u32 prefixlen;
  __u32 set;
  __u32 family;  /* PINTO_FAMILY_IPV4 or PINTO_FAMILY_IPV6; named-port sets: pinto_port_family */
  __u32 addr[4]; /* network byte order; IPv4 in [0], the rest zero */
};

/* A named-port set (a rule's port name resolved on remote endpoints) holds (address, protocol,
 * port) members: protocol and port ride in the family word, which every lookup matches in full,
 * so these members share the one trie (and its lookup code) with the address sets. */
PINTO_INLINE __u32 pinto_port_family(__u32 family, __u8 protocol, __u16 port) {
  return family | ((__u32)protocol << 8) | ((__u32)port << 16);
}

/* The facts of one packet the rules look at. IPv4 addresses sit in [0], the rest is zero. */
struct pinto_packet {
  __u32 src[4]; /* network byte order */
  __u32 dst[4];
  __u16 sport; /* host byte order */
  __u16 dport;
  __u8 family; /* PINTO_FAMILY_IPV4 or PINTO_FAMILY_IPV6 */
  __u8 protocol;
  __u8 has_ports; /* TCP, UDP, SCTP, UDPLite */
  __u8 icmp_type;
  __u8 icmp_code;
  __u8 pad[3];
};

/* A flow on one interface, its ends in a fixed order (conntrack.h pinto_ct_low_first): `src`
 * and `sport` are the lower (address, port) end, whichever end sent the packet. */
struct pinto_ct_key {
  __u32 ifindex;
  __u8 family;
  __u8 protocol;
  __u16 pad;
  __u16 sport;
  __u16 dport;
  __u32 src[4];
  __u32 dst[4];
};

#define PINTO_CT_SEEN_LOW (1u << 0)  /* a packet came from the key's lower end */
#define PINTO_CT_SEEN_HIGH (1u << 1) /* ... from its higher end: both seen = established */
#define PINTO_CT_FIN_LOW (1u << 2)   /* a TCP FIN from the lower end */
#define PINTO_CT_FIN_HIGH (1u << 3)  /* ... from the higher end: both = closing */

struct pinto_ct_value {
  __u64 last_seen; /* bpf_ktime_get_ns() of the flow's last packet, either direction */
  __u32 flags;     /* PINTO_CT_* */
  __u32 pad;
};

/* Idle timeouts in nanoseconds by state (conntrack.h pinto_ct_timeout). */
struct pinto_ct_timeouts {
  __u64 tcp_syn_ns;         /* only the opening end seen so far */
  __u64 tcp_established_ns; /* both ends seen */
  __u64 tcp_closing_ns;     /* a FIN from each end: the last ACKs */
  __u64 udp_ns;
  __u64 icmp_ns;
  __u64 other_ns;
};

struct pinto_counter {
  __u64 packets;
  __u64 bytes;
};

#endif
