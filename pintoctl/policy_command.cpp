// pintoctl policy: the rule program this node's data plane enforces, and its per-rule counters.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pinto/v1/pinto.grpc.pb.h"
#include "pintoctl/commands.h"
#include "pintoctl/format.h"

namespace pinto::ctl {

int policy_command(const Connection& c, bool counters) {
  auto stub = v1::Policy::NewStub(c.channel);
  v1::PolicyStatusRequest request;
  request.set_counters(counters);
  v1::PolicyStatusResponse response;
  auto context = make_context(std::chrono::seconds(10));
  const auto status = stub->Status(context.get(), request, &response);
  if (!status.ok()) return report_failure(status, "policy", c);
  fmt::print("dataplane: {}\n", response.dataplane());
  // The policy thread applies after the API answered an apply: say which state is in force.
  if (response.dataplane() != "none") {
    fmt::print("revision: {}{}\n", response.revision(),
               response.applying() ? " (a newer state is being applied)" : "");
  }
  if (!response.error().empty()) fmt::print("not applied: {}\n", response.error());
  if (response.pending_interfaces_size() > 0) {
    fmt::print("waiting for interfaces: {}\n", fmt::join(response.pending_interfaces(), ", "));
  }
  if (!counters) {
    fmt::print("{}", response.program());
    return kOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : response.counters()) {
    rows.push_back({r.endpoint(), r.direction(), r.rule(), std::to_string(r.packets()),
                    std::to_string(r.bytes())});
  }
  fmt::print("{}", format_table({"ENDPOINT", "DIRECTION", "RULE", "PACKETS", "BYTES"}, rows));
  return kOk;
}

}  // namespace pinto::ctl
