// Runs one command-line tool (iptables-restore, ipset, iptables-save) with text on its stdin:
// fork/exec (no shell), stdin written and stdout/stderr read together through poll() so neither
// side blocks on a full pipe, a bounded wait after which the tool is killed. The only I/O of the
// iptables back-end besides what the tools themselves do.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace pinto::policy::iptables {

/// Runs `argv` (argv[0] looked up in PATH) with `input` on stdin. Returns its stdout when it
/// exits 0; otherwise an error naming the command, its exit status and its stderr.
Result<std::string> run_tool(const std::vector<std::string>& argv, const std::string& input,
                             std::chrono::milliseconds timeout);

}  // namespace pinto::policy::iptables
