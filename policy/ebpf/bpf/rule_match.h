/* Whether one encoded rule (policy_abi.h) matches one packet: the same code runs in the kernel
 * (policy.bpf.c) and in the unit tests (tests/unit/policy/ebpf_rule_match_test.cpp), which replay
 * the shared table of policy cases through it and compare with the reference evaluator.
 *
 * The includer defines PINTO_SET_CONTAINS(ctx, set_index, family, addr) -> nonzero when the
 * address `addr` (__u32[4], network byte order, IPv4 in [0]) of `family` (a __u32: for named-port
 * sets pinto_port_family() adds protocol and port) is a member of set `set_index`: an LPM-trie
 * lookup in the kernel, a std::map in the tests. Loops are bounded by the ABI's constants, as the
 * verifier wants. */
#ifndef PINTO_POLICY_EBPF_RULE_MATCH_H
#define PINTO_POLICY_EBPF_RULE_MATCH_H

#include "policy_abi.h"

#ifndef PINTO_SET_CONTAINS
#error "define PINTO_SET_CONTAINS(ctx, set_index, family, addr) before including rule_match.h"
#endif

PINTO_INLINE int pinto_port_in(const struct pinto_port_range* ranges, __u32 n, __u16 port) {
  for (__u32 i = 0; i < PINTO_MAX_PORT_RANGES; i++) {
    if (i >= n) break;
    if (port >= ranges[i].first && port <= ranges[i].last) return 1;
  }
  return 0;
}

/* Whether (addr, protocol, port) is a member of one of the named-port sets `sets`. */
PINTO_INLINE int pinto_in_port_sets(const __u32* sets, __u32 n, __u8 family, const __u32* addr,
                                    __u8 protocol, __u16 port, void* ctx) {
  const __u32 key_family = pinto_port_family(family, protocol, port);
  for (__u32 i = 0; i < PINTO_MAX_PORT_SETS; i++) {
    if (i >= n) break;
    if (PINTO_SET_CONTAINS(ctx, sets[i], key_family, addr)) return 1;
  }
  return 0;
}

PINTO_INLINE int pinto_side_matches(const struct pinto_side* s, __u8 family, const __u32* addr,
                                    __u8 protocol, __u16 port, int has_ports, void* ctx) {
  for (__u32 i = 0; i < PINTO_MAX_SETS_PER_SIDE; i++) {
    if (i >= s->n_in) break;
    if (!PINTO_SET_CONTAINS(ctx, s->in[i], family, addr)) return 0;
  }
  for (__u32 i = 0; i < PINTO_MAX_SETS_PER_SIDE; i++) {
    if (i >= s->n_not_in) break;
    if (PINTO_SET_CONTAINS(ctx, s->not_in[i], family, addr)) return 0;
  }
  /* ports: only for protocols that have them; a rule with ports never matches the others. */
  if (s->n_ports || s->n_port_sets) {
    if (!has_ports) return 0;
    if (!pinto_port_in(s->ports, s->n_ports, port) &&
        !pinto_in_port_sets(s->port_sets, s->n_port_sets, family, addr, protocol, port, ctx)) {
      return 0;
    }
  }
  if (has_ports) {
    if (pinto_port_in(s->not_ports, s->n_not_ports, port)) return 0;
    if (pinto_in_port_sets(s->not_port_sets, s->n_not_port_sets, family, addr, protocol, port,
                           ctx)) {
      return 0;
    }
  }
  return 1;
}

PINTO_INLINE int pinto_is_icmp(__u8 protocol) {
  return protocol == 1 || protocol == 58;
}

PINTO_INLINE int pinto_rule_matches(const struct pinto_rule* r, const struct pinto_packet* p,
                                    void* ctx) {
  const __u32 f = r->flags;
  if ((f & PINTO_F_IPV4) && p->family != PINTO_FAMILY_IPV4) return 0;
  if ((f & PINTO_F_IPV6) && p->family != PINTO_FAMILY_IPV6) return 0;
  if ((f & PINTO_F_PROTOCOL) && p->protocol != r->protocol) return 0;
  if ((f & PINTO_F_NOT_PROTOCOL) && p->protocol == r->not_protocol) return 0;
  if (f & PINTO_F_ICMP) {
    if (!pinto_is_icmp(p->protocol) || p->icmp_type != r->icmp_type) return 0;
    if ((f & PINTO_F_ICMP_CODE) && p->icmp_code != r->icmp_code) return 0;
  }
  if ((f & PINTO_F_NOT_ICMP) && pinto_is_icmp(p->protocol) && p->icmp_type == r->not_icmp_type &&
      (!(f & PINTO_F_NOT_ICMP_CODE) || p->icmp_code == r->not_icmp_code)) {
    return 0;
  }
  return pinto_side_matches(&r->src, p->family, p->src, p->protocol, p->sport, p->has_ports, ctx) &&
         pinto_side_matches(&r->dst, p->family, p->dst, p->protocol, p->dport, p->has_ports, ctx);
}

#endif
