// check_implemented: the last gate between a valid Calico state and pintod acting on it.
//
// Readers type and validate every field Calico defines, so that manifests parse unchanged and
// other components can build on the typed values. Some of those fields ask for behaviour pintod
// does not have yet (BGPFilter interface and priority matches, IPIP/VXLAN, ...). Silently ignoring
// them would route differently from what the manifest says, so the daemon refuses a state that
// sets one, naming the resource and field. Each row in unimplemented.cpp goes away with the
// feature that implements it. Fields that are bookkeeping for IPAM, Felix or the orchestrator
// (natOutgoing, nodeSelector on pools, workload endpoints, node tunnel addresses) are not here:
// they do not change the routes pintod advertises or installs.
#pragma once

#include <vector>

#include "config/resources/resource.h"

namespace pinto::config {

/// Fails on the first field set in `all` that pintod parses but does not act on yet.
Validated<void> check_implemented(const std::vector<Resource>& all);

}  // namespace pinto::config
