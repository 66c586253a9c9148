/* The layout of the eBPF policy maps, shared by the BPF program (policy.bpf.c) and user space
 * (policy/ebpf/map_image.h, ebpf_dataplane.cpp). Plain C with fixed-width kernel types so that
 * clang -target bpf and the host C++ compiler see the same bytes; every struct is padded by hand
 * (no implicit holes: the kernel compares hash and LPM keys byte for byte).
 *
 * Maps (see docs/policy.md, "eBPF back-end"):
 *   pinto_chains   hash      pinto_chain_key -> pinto_chain      which rule slot an interface uses
 *   pinto_rules    array     slot * PINTO_MAX_RULES + i -> pinto_rule
 *   pinto_sets     lpm_trie  pinto_set_key -> __u8               (set index, IPv4 prefix) members
 *   pinto_conntrack lru_hash pinto_ct_key -> __u64               flows already allowed
 *   pinto_counters percpu array, same index as pinto_rules -> pinto_counter
 */
#ifndef PINTO_POLICY_EBPF_POLICY_ABI_H
#define PINTO_POLICY_EBPF_POLICY_ABI_H

#include <linux/types.h>

/* Limits: each one is checked by the user-space encoder, which refuses a Program beyond them. */
#define PINTO_MAX_RULES 64          /* rules per chain (the bpf_loop bound) */
#define PINTO_MAX_SLOTS 512         /* chains in the rules array: 2 per endpoint + spares */
#define PINTO_MAX_SETS_PER_SIDE 4   /* in_sets and not_in_sets entries per rule side */
#define PINTO_MAX_PORT_RANGES 8     /* ports and not_ports ranges per rule side */
#define PINTO_MAX_SET_ENTRIES 65536 /* IPv4 members over all sets */
#define PINTO_MAX_CONNECTIONS 65536 /* conntrack entries (two per allowed flow) */

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
#define PINTO_F_NEVER (1u << 6) /* an IPv6-only rule: never matches the IPv4 program's packets */

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
  __u32 goto_index;
  __u32 pad2;
  struct pinto_side src;
  struct pinto_side dst;
};

struct pinto_chain_key {
  __u32 ifindex;
  __u32 direction;
};

struct pinto_chain {
  __u32 slot;       /* rules live at slot * PINTO_MAX_RULES */
  __u32 rule_count; /* <= PINTO_MAX_RULES */
  __u32 policed;    /* 0: no policy selects the endpoint in this direction */
  __u32 pad;
};

/* LPM key: prefixlen counts bits of (set, addr); set is always matched in full (32 + length). */
struct pinto_set_key {
  __u32 prefixlen;
  __u32 set;
  __u32 addr; /* network byte order */
};

/* The facts of one IPv4 packet the rules look at. */
struct pinto_packet {
  __u32 src; /* network byte order */
  __u32 dst;
  __u16 sport; /* host byte order */
  __u16 dport;
  __u8 protocol;
  __u8 has_ports; /* TCP, UDP, SCTP, UDPLite */
  __u8 icmp_type;
  __u8 icmp_code;
};

struct pinto_ct_key {
  __u32 ifindex;
  __u32 src;
  __u32 dst;
  __u16 sport;
  __u16 dport;
  __u8 protocol;
  __u8 pad[3];
};

struct pinto_counter {
  __u64 packets;
  __u64 bytes;
};

#endif
