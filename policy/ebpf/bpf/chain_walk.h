/* The walk of one chain for the first packet of a flow: the same code runs in the kernel
 * (policy.bpf.c, one bpf_loop step per call) and in the unit tests (ebpf_rule_match_test.cpp),
 * which replay the shared table of cases and large generated chains through it.
 *
 * The walk visits the merge of two ascending lists of chain-relative rule indices, the chain's
 * wildcard list and the list of the packet's (protocol, destination port) (policy_abi.h), so it
 * meets every rule that can match the packet in rule order, and no other. Verdicts are those of
 * a linear walk: Allow and Deny decide, Log counts and goes on, Goto (Calico's Pass) skips every
 * rule before its target, falling off the end denies.
 *
 * The includer defines, before including this file and rule_match.h:
 *   PINTO_LIST_AT(ctx, pos)            -> __u32: the entry pinto_lists[pos]
 *   PINTO_RULE_AT(ctx, index)          -> const struct pinto_rule*: pinto_rules[index], or 0
 *   PINTO_COUNT(ctx, index, bytes)     counts a packet that rule pinto_rules[index] acted on */
#ifndef PINTO_POLICY_EBPF_CHAIN_WALK_H
#define PINTO_POLICY_EBPF_CHAIN_WALK_H

#include "policy_abi.h"
#include "rule_match.h"

#if !defined(PINTO_LIST_AT) || !defined(PINTO_RULE_AT) || !defined(PINTO_COUNT)
#error "define PINTO_LIST_AT, PINTO_RULE_AT and PINTO_COUNT before including chain_walk.h"
#endif

#define PINTO_VERDICT_NONE 0
#define PINTO_VERDICT_ALLOW 1
#define PINTO_VERDICT_DENY 2

struct pinto_walk {
  struct pinto_packet pkt;
  __u32 rule_base; /* the chain's rules in pinto_rules */
  __u32 rule_count;
  __u32 wild_at; /* next position in the wildcard list, and its end */
  __u32 wild_end;
  __u32 port_at; /* next position in the (protocol, port) list, and its end */
  __u32 port_end;
  __u32 wild_next; /* the rule index at wild_at, PINTO_LIST_END past the end */
  __u32 port_next; /* the rule index at port_at, PINTO_LIST_END past the end */
  __u32 from;      /* rules below this index are skipped: a Goto jumped past them */
  __u32 bytes;     /* packet length, for the counters */
  __u32 verdict;   /* PINTO_VERDICT_* */
  __u32 steps;     /* rules looked at, for tests and benchmarks */
};

static inline __u32 pinto_walk_peek(__u32 at, __u32 end, void* ctx) {
  return at < end ? PINTO_LIST_AT(ctx, at) : PINTO_LIST_END;
}

/* Call once the positions are set; then pinto_walk_step until it returns nonzero. */
static inline void pinto_walk_start(struct pinto_walk* w, void* ctx) {
  w->wild_next = pinto_walk_peek(w->wild_at, w->wild_end, ctx);
  w->port_next = pinto_walk_peek(w->port_at, w->port_end, ctx);
  w->from = 0;
  w->verdict = PINTO_VERDICT_NONE;
  w->steps = 0;
}

/* One rule: returns 1 when the walk is over (a verdict, or the lists are exhausted: deny). */
static inline long pinto_walk_step(struct pinto_walk* w, void* ctx) {
  __u32 i;
  if (w->wild_next <= w->port_next) {
    i = w->wild_next;
    if (i == PINTO_LIST_END) return 1; /* both lists exhausted: fell off the chain */
    w->wild_at++;
    w->wild_next = pinto_walk_peek(w->wild_at, w->wild_end, ctx);
  } else {
    i = w->port_next;
    w->port_at++;
    w->port_next = pinto_walk_peek(w->port_at, w->port_end, ctx);
  }
  if (i < w->from) return 0;
  if (i >= w->rule_count) return 1; /* cannot happen with lists the encoder wrote: deny */
  w->steps++;
  const __u32 index = w->rule_base + i;
  const struct pinto_rule* r = PINTO_RULE_AT(ctx, index);
  if (!r) return 1;
  if (!pinto_rule_matches(r, &w->pkt, ctx)) return 0;
  switch (r->action) {
    case PINTO_ACTION_ALLOW:
      PINTO_COUNT(ctx, index, w->bytes);
      w->verdict = PINTO_VERDICT_ALLOW;
      return 1;
    case PINTO_ACTION_LOG: PINTO_COUNT(ctx, index, w->bytes); return 0;
    case PINTO_ACTION_GOTO:
      if (r->goto_index > i) w->from = r->goto_index;
      return 0;
    default:
      PINTO_COUNT(ctx, index, w->bytes);
      w->verdict = PINTO_VERDICT_DENY;
      return 1;
  }
}

#endif
