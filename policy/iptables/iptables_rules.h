// The pure half of the iptables back-end: a Program (policy/compiler/program.h) rendered as the
// chains of one IP family, and the difference between two renderings as the text that
// `iptables-restore --noflush` / `ip6tables-restore --noflush` applies in one transaction.
// No I/O here: iptables_dataplane.cpp runs the tools, this file decides what they are fed.
//
// DOC. Chains (filter table), all ours, all named "pinto-…" (iptables allows 28 characters):
//
//   FORWARD ──(-i cali+)──▶ pinto-fwd   conntrack: RELATED,ESTABLISHED accept, INVALID drop;
//           ──(-o cali+)──▶             then, per endpoint, -i <if> -g pinto-fw-<if>;
//                                       finally -g pinto-to-wl
//   pinto-fw-<if>   the endpoint's Egress chain (traffic *from* it): Allow = -g pinto-to-wl
//                   (the destination, if a local workload, still gets its Ingress say)
//   pinto-to-wl     per endpoint -o <if> -g pinto-tw-<if>; finally ACCEPT (egress allowed and
//                   the destination is not a local workload)
//   pinto-tw-<if>   the endpoint's Ingress chain (traffic *to* it): Allow = ACCEPT
//   pinto-[tf]w-<if>-<n>  the chain from rule n on, for Goto (Calico's Pass) targets: a Goto is
//                   `-g` to it, and a segment that can fall through ends with `-g` to the next.
//
//   INPUT  ──▶ pinto-host-in    per host endpoint -i <if> -g pinto-hi-<if>; falls back to INPUT
//   OUTPUT ──▶ pinto-host-out   per host endpoint -o <if> -g pinto-ho-<if>; falls back to OUTPUT
//   pinto-h[io]-<if>  a host endpoint's Ingress (traffic into the host on <if>) and Egress
//                   (traffic the host sends out of <if>) chains: RELATED,ESTABLISHED accepted
//                   first, then the program (failsafe ports first, compiler.h); Allow = ACCEPT.
//                   INPUT/OUTPUT never see forwarded traffic, so workloads' traffic through the
//                   interface is not host endpoint traffic (Calico without applyOnForward).
//
// Every verdict is terminal (ACCEPT, DROP, or -g into a chain that ends in one), so no marks and
// no RETURN bookkeeping are needed, and only new connections walk the rules: the conntrack rules
// come first. Log is `-j LOG` and the walk goes on. Each rule carries its RuleId in
// `-m comment`, which is how counters (iptables-save -c) are mapped back.
//
// Address sets are ipsets, one per SetId and family (ipset_name): rules reference them by name,
// so a change of members is an `ipset restore` (ipset_text.h) and rewrites no rule. Except, as
// Calico does, a rule's own literal nets: a set from `nets`/`notNets` (IpSet::fixed_members) with
// exactly one member in the family is written into the rule as `-s CIDR` / `! -s CIDR` (`-d` for
// the destination). Its members are fixed by its id, so this never trades a member change for a
// rule change. iptables takes one -s and one -d per rule, so a rule gets at most one literal per
// side (the first such in_set, else the first such not_in_set); any other set stays a
// `--match-set`. Only sets some rule matches with `--match-set` in a family exist in that family
// (Ruleset::sets): 10,000 single-CIDR rules make no ipset at all, where 20,000 ipsets made
// every `ipset restore` and `iptables-restore` crawl (the kernel looks set names up linearly).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "policy/compiler/program.h"

namespace pinto::policy::iptables {

enum class Family : std::uint8_t { V4, V6 };

struct RenderOptions {
  /// Workload interfaces start with this: the FORWARD hooks match "<prefix>+".
  std::string interface_prefix = "cali";
  /// --log-prefix of Log rules (iptables allows 29 characters).
  std::string log_prefix = "pinto-policy: ";
};

/// Which endpoint and direction a chain enforces, for mapping counters back to endpoints.
struct ChainOwner {
  EndpointId endpoint;
  Direction direction = Direction::Ingress;
  friend bool operator==(const ChainOwner&, const ChainOwner&) = default;
};

/// One family's chains: name → rule specifications (what follows "-A <name> ").
struct Ruleset {
  std::map<std::string, std::vector<std::string>> chains;
  std::map<std::string, ChainOwner> owners;  // endpoint chains only
  /// The sets the rules match with `--match-set` (the kernel sets this family needs).
  std::set<SetId> sets;
};

inline constexpr const char* kForwardChain = "pinto-fwd";
inline constexpr const char* kToWorkloadChain = "pinto-to-wl";
inline constexpr const char* kHostInputChain = "pinto-host-in";
inline constexpr const char* kHostOutputChain = "pinto-host-out";
inline constexpr const char* kChainPrefix = "pinto-";

/// The kernel name of a set in one family: "pinto-s-<16 hex>" (set_name) for IPv4,
/// "pinto-s6-<16 hex>" for IPv6.
std::string ipset_name(SetId id, Family family);

/// The chains enforcing `program` in `family`, workload and host endpoints.
Ruleset render_ruleset(const Program& program, Family family, const RenderOptions& options);

/// Our rules in the kernel's chains, "<CHAIN> <spec>": the FORWARD rules that send workload
/// traffic to pinto-fwd ("FORWARD -i cali+ -j pinto-fwd", ...) and the INPUT / OUTPUT jumps to
/// pinto-host-in / pinto-host-out. Always installed: an empty host chain returns at once.
std::vector<std::string> hooks(const RenderOptions& options);

/// What iptables-save showed of ours: chain names starting with "pinto-" and which of hooks()
/// are in place.
struct InstalledState {
  std::vector<std::string> chains;
  std::vector<std::string> hooks;  // the hooks found, as hooks() spells them
};
InstalledState parse_installed(const std::string& iptables_save, const RenderOptions& options);

/// The `iptables-restore --noflush` text that turns `previous` into `desired`: chains whose rules
/// differ are declared (which flushes them) and rewritten, chains of `previous` absent from
/// `desired` are flushed and deleted, every other chain is left alone; hooks in `missing_hooks`
/// are inserted at the top of their chain. Empty when there is nothing to do.
std::string restore_text(const Ruleset& previous, const Ruleset& desired,
                         const std::vector<std::string>& missing_hooks);

/// The text that removes `installed` (hooks first, then our chains).
std::string uninstall_text(const InstalledState& installed);

/// One counted rule line of `iptables-save -c`: its chain, RuleId (the comment) and counters.
struct SavedCounter {
  std::string chain;
  std::string rule;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};
std::vector<SavedCounter> parse_counters(const std::string& iptables_save_c);

}  // namespace pinto::policy::iptables
