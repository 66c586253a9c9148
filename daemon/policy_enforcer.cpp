#include "daemon/policy_enforcer.h"

#include "common/log.h"
#include "policy/compiler/program_text.h"
#include "policy/model/policy_model.h"

namespace pinto::daemon {

PolicyEnforcer::PolicyEnforcer(std::unique_ptr<policy::Dataplane> dataplane, std::string node_name)
    : dataplane_(std::move(dataplane)), node_name_(std::move(node_name)) {}

void PolicyEnforcer::update(const std::vector<config::Resource>& resources) {
  auto model = policy::PolicyModel::build(resources, node_name_);
  if (!model) {
    last_error_ = model.error().message;
    log_error("policy: {}", last_error_);
    return;
  }
  const policy::Program program = compiler_.compile(model.value());
  std::string text = policy::to_string(program);
  if (text == applied_text_ && last_error_.empty()) return;  // nothing new for the kernel
  if (auto applied = dataplane_->apply(program); !applied) {
    // The previous program stays in force in the kernel: never open up on a failed update.
    last_error_ = applied.error().message;
    log_error("policy: not applied: {}", last_error_);
    return;
  }
  last_error_.clear();
  applied_text_ = std::move(text);
  log_info("policy: {} endpoints, {} sets applied", program.endpoints.size(), program.sets.size());
  applied_ = program;
}

void PolicyEnforcer::reapply() {
  if (!applied_) return;
  if (auto applied = dataplane_->apply(*applied_); !applied) {
    last_error_ = applied.error().message;
    log_error("policy: not applied: {}", last_error_);
  }
}

}  // namespace pinto::daemon
