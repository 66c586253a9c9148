/* The connection table's state machine (pinto_conntrack, policy_abi.h): when an entry expires,
 * when a TCP flow is over. Pure C over the ABI's structs, included by the BPF program
 * (policy.bpf.c) and by the unit tests (tests/unit/policy/ebpf_conntrack_test.cpp).
 *
 * One entry per flow and interface, keyed by the flow's two ends in a fixed order (the lower
 * (address, port) end first), so both directions find, refresh and close the same entry. An entry
 * is idle-timed by its state, after Calico's eBPF data plane: TCP before the responder answered
 * (SYN sent) short; established long; after a FIN from each end (closing) short, long enough
 * for the last ACKs; UDP, ICMP and other protocols their own. A TCP RST closes the flow at once.
 * A packet that meets an expired or closed entry is a new flow: it walks the rules again, so a
 * policy change applies to a reused 5-tuple (a TCP SYN always walks them anyway). */
#ifndef PINTO_POLICY_EBPF_CONNTRACK_H
#define PINTO_POLICY_EBPF_CONNTRACK_H

#include "policy_abi.h"

#define PINTO_TCP_FIN 0x01
#define PINTO_TCP_SYN 0x02
#define PINTO_TCP_RST 0x04
#define PINTO_TCP_ACK 0x10

/* What pinto_ct_packet() decided. */
#define PINTO_CT_KEEP 0    /* the flow goes on: the packet passes, the entry was refreshed */
#define PINTO_CT_EXPIRED 1 /* idle for longer than its state allows: the packet is a new flow */
#define PINTO_CT_CLOSED 2  /* a TCP RST: the packet passes, the entry is to be deleted */

/* How long an entry in state `flags` may stay idle, in nanoseconds. */
PINTO_INLINE __u64 pinto_ct_timeout(const struct pinto_ct_timeouts* t, __u8 protocol, __u32 flags) {
  if (protocol == 6) {
    if ((flags & PINTO_CT_FIN_LOW) && (flags & PINTO_CT_FIN_HIGH)) return t->tcp_closing_ns;
    if ((flags & PINTO_CT_SEEN_LOW) && (flags & PINTO_CT_SEEN_HIGH)) return t->tcp_established_ns;
    return t->tcp_syn_ns;
  }
  if (protocol == 17 || protocol == 136) return t->udp_ns; /* UDP, UDPLite */
  if (protocol == 1 || protocol == 58) return t->icmp_ns;  /* ICMP, ICMPv6 */
  return t->other_ns;
}

/* Whether the entry `v` has been idle too long at `now`. Another CPU may have refreshed it just
 * after `now` was read: a last_seen in the future is not idle. */
PINTO_INLINE int pinto_ct_expired(const struct pinto_ct_value* v, const struct pinto_ct_timeouts* t,
                                  __u8 protocol, __u64 now) {
  return now > v->last_seen && now - v->last_seen > pinto_ct_timeout(t, protocol, v->flags);
}

/* A packet of the flow meets its entry: from the lower end (`from_low`) or the higher one, with
 * `tcp_flags` (TCP only). Updates the entry in place unless it expired or closed. */
PINTO_INLINE int pinto_ct_packet(struct pinto_ct_value* v, const struct pinto_ct_timeouts* t,
                                 __u8 protocol, int from_low, __u8 tcp_flags, __u64 now) {
  if (pinto_ct_expired(v, t, protocol, now)) return PINTO_CT_EXPIRED;
  if (protocol == 6 && (tcp_flags & PINTO_TCP_RST)) return PINTO_CT_CLOSED;
  __u32 flags = v->flags | (from_low ? PINTO_CT_SEEN_LOW : PINTO_CT_SEEN_HIGH);
  if (protocol == 6 && (tcp_flags & PINTO_TCP_FIN)) {
    flags |= from_low ? PINTO_CT_FIN_LOW : PINTO_CT_FIN_HIGH;
  }
  v->flags = flags;
  v->last_seen = now;
  return PINTO_CT_KEEP;
}

/* The entry of a flow whose first packet (from the lower end or not) the rules allowed. */
PINTO_INLINE void pinto_ct_start(struct pinto_ct_value* v, int from_low, __u64 now) {
  v->last_seen = now;
  v->flags = from_low ? PINTO_CT_SEEN_LOW : PINTO_CT_SEEN_HIGH;
  v->pad = 0;
}

/* Whether (a, a_port) sorts before or equal to (b, b_port): the lower end comes first in keys. */
PINTO_INLINE int pinto_ct_low_first(const __u32* a, __u16 a_port, const __u32* b, __u16 b_port) {
  for (int i = 0; i < 4; i++) {
    if (a[i] != b[i]) return a[i] < b[i];
  }
  return a_port <= b_port;
}

#endif
