// What a change of the cluster model does to this node's routing, step by step: the plan that
// `pintoctl apply --dry-run` shows before anything changes, and that pintod logs after a change.
// Pure: two models in, steps out.
#pragma once

#include <string>
#include <vector>

#include "config/cluster_model.h"

namespace pinto::config {

struct PlanStep {
  std::string action;   // start-bgp | restart-bgp | stop-bgp | open-session | close-session |
                        // restart-session | advertise | withdraw
  std::string subject;  // the peer or prefix
  std::string reason;
};

/// The steps from `before` to `after`, in the order they are carried out: identity first, then
/// sessions (by peer address), then prefixes.
std::vector<PlanStep> diff_models(const ClusterModel& before, const ClusterModel& after);

/// True when the node's BGP identity differs: the speaker restarts (every session with it).
bool identity_changed(const ClusterModel& before, const ClusterModel& after);

}  // namespace pinto::config
