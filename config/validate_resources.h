// validate_resources: the rules that span several resources, checked on the whole state an
// apply would produce, before any of it is accepted (all or nothing).
//
// Per-resource rules (field formats, one resource's own consistency) live in each kind's reader;
// what needs the other resources lives here:
//   - two resources of one kind with the same name (and namespace, for namespaced kinds);
//   - IPPools whose CIDRs overlap;
//   - a BlockAffinity whose CIDR is not inside any IPPool, or whose size is not its pool's
//     blockSize. Only checked when at least one IPPool exists: a static route reflector's
//     resources file carries blocks (or none) without pools, and that is a valid deployment.
//     Only the blocks being applied are checked (`changed`), so that deleting a pool is
//     possible: its blocks then stop being advertised (cluster_model.h);
//   - a BGPPeer naming a BGPFilter that does not exist.
// The error names the resource and field: "IPPool/b: spec.cidr: overlaps IPPool a (10.0.0.0/16)".
#pragma once

#include <vector>

#include "config/resources/resource.h"

namespace pinto::config {

/// Checks the cross-resource rules above; the first violation is returned, naming
/// "<Kind>/<name>" (with "<namespace>/" for namespaced kinds) and the field.
/// `changed`: the resources being applied (their blocks are checked against the pools); null:
/// all of them.
Validated<void> validate_resources(const std::vector<Resource>& all,
                                   const std::vector<Resource>* changed = nullptr);

}  // namespace pinto::config
