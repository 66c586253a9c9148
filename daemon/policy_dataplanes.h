// The policy back-end for `policy.dataplane`: the one place that knows the concrete classes.
#pragma once

#include <memory>

#include "common/result.h"
#include "config/settings.h"
#include "policy/dataplane.h"

namespace pinto::daemon {

/// Null for `none`; an error when the back-end cannot start on this machine.
Result<std::unique_ptr<policy::Dataplane>> make_dataplane(const config::PolicySettings& settings);
/// "iptables", "ebpf", "none": as the settings and `pintoctl policy` spell it.
const char* dataplane_name(config::PolicyDataplane kind);

}  // namespace pinto::daemon
