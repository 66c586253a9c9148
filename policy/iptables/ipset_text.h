// The pure half of the back-end's address sets: Program sets (program.h) as the text that
// `ipset restore` applies. One kernel set per SetId and family (iptables_rules.h ipset_name):
// hash:net for Nets sets, hash:net,port for named-port sets (address, protocol and port match
// together, `--match-set NAME dst,dst`).
//
// A set the kernel may hold stale members of (first apply, or a new set) is filled through a
// temporary set and swapped in, so rules referencing it never see it half-filled; a set whose
// members changed since the last apply gets only the difference (`add`/`del -exist`). Either way
// no iptables rule changes: rules name sets, never members.
#pragma once

#include <map>
#include <set>
#include <string>

#include "policy/compiler/program.h"
#include "policy/iptables/iptables_rules.h"

namespace pinto::policy::iptables {

/// The kernel sets of each family: the program sets that family's rules match with --match-set
/// (Ruleset::sets). A set written into rules as a literal CIDR has no kernel set in that family.
using FamilySets = std::map<Family, std::map<SetId, IpSet>>;

/// The sets of `program` named in `used`, for one family's entry of FamilySets.
std::map<SetId, IpSet> sets_used(const Program& program, const std::set<SetId>& used);

/// The `ipset restore` text that makes the kernel's sets hold `desired`. `previous` is what the
/// last successful apply installed (nullptr: unknown, every set is refilled). Creates missing
/// sets; never destroys (rules may still reference a set until iptables-restore has run).
std::string ipset_update_text(const FamilySets* previous, const FamilySets& desired);

/// The `ipset restore` text that destroys the kernel sets of `previous` absent from `desired`:
/// run after the rules that referenced them are gone.
std::string ipset_destroy_text(const FamilySets& previous, const FamilySets& desired);

/// The same with every set in both families.
std::string ipset_update_text(const std::map<SetId, IpSet>* previous,
                              const std::map<SetId, IpSet>& desired);
std::string ipset_destroy_text(const std::map<SetId, IpSet>& previous,
                               const std::map<SetId, IpSet>& desired);

/// Every "pinto-…" set named in `ipset list -n` output.
std::vector<std::string> parse_set_names(const std::string& ipset_list_n);

}  // namespace pinto::policy::iptables
