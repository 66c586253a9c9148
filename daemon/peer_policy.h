// BGPFilter resources and BGPPeer numAllowedLocalASNumbers (config/, Calico's terms) turned into
// the RIB's route policy (rib/route_filter.h). Pure; kept apart from wiring.cpp so unit tests
// can reach it. config/ and rib/ do not know each other: this is where they meet.
#pragma once

#include "config/cluster_model.h"
#include "rib/route_filter.h"

namespace pinto::daemon {

/// The import and export chains of `peer`'s filters (in BGPPeer.spec.filters order) and its
/// allowas-in count. Fields that config/unimplemented.cpp refuses (interface, priority,
/// setPriority) never reach here.
rib::PeerPolicy peer_policy(const config::PeerIntent& peer);

}  // namespace pinto::daemon
