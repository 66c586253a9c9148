// PolicyEnforcer: the whole resource state → policy model → rule program → the configured
// data plane (policy.dataplane). Runs on the routing thread after every accepted change; a
// program equal to the last one applied is not handed to the back-end again.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/resources/resource.h"
#include "policy/compiler/compiler.h"
#include "policy/dataplane.h"

namespace pinto::daemon {

class PolicyEnforcer {
 public:
  PolicyEnforcer(std::unique_ptr<policy::Dataplane> dataplane, std::string node_name);

  void update(const std::vector<config::Resource>& resources);
  /// Applies the last program again (an endpoint's interface has appeared since).
  void reapply();
  /// Endpoint interfaces not there yet, so not enforced: reapply() until none is left.
  std::vector<std::string> pending_interfaces() const { return dataplane_->pending_interfaces(); }

  /// The program last applied, as text (policy/compiler/program_text.h); empty before the first.
  const std::string& program_text() const { return applied_text_; }
  /// Why the last update did not reach the kernel; empty when it did.
  const std::string& last_error() const { return last_error_; }
  std::vector<policy::RuleCounter> counters() { return dataplane_->counters(); }

 private:
  std::unique_ptr<policy::Dataplane> dataplane_;
  std::string node_name_;
  policy::Compiler compiler_;
  std::optional<policy::Program> applied_;
  std::string applied_text_;
  std::string last_error_;
};

}  // namespace pinto::daemon
