// node status, routes, explain and version.
#include <fmt/core.h>

#include "common/version.h"
#include "pinto/v1/pinto.grpc.pb.h"
#include "pintoctl/commands.h"
#include "pintoctl/format.h"

namespace pinto::ctl {

namespace {

constexpr auto kTimeout = std::chrono::seconds(30);

std::string duration_text(std::int64_t seconds, bool up) {
  if (!up) return "-";
  const auto h = seconds / 3600, m = (seconds % 3600) / 60, s = seconds % 60;
  if (h > 0) return fmt::format("{}h{:02}m{:02}s", h, m, s);
  if (m > 0) return fmt::format("{}m{:02}s", m, s);
  return fmt::format("{}s", s);
}

std::string join(const google::protobuf::RepeatedPtrField<std::string>& items,
                 const char* separator) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : separator) + i;
  return out;
}

}  // namespace

int node_status_command(const Connection& c) {
  auto stub = v1::Routing::NewStub(c.channel);
  v1::ListPeersResponse response;
  auto context = make_context(kTimeout);
  const auto status = stub->ListPeers(context.get(), v1::ListPeersRequest{}, &response);
  if (!status.ok()) return report_failure(status, "node status", c);
  if (response.router_id().empty()) {
    fmt::print("pintod is running on node {}, which has no Node resource yet: BGP is not running\n",
               response.node());
    return kOk;
  }
  fmt::print("pintod is running on node {} (AS {}, router id {})\n", response.node(),
             response.local_as(), response.router_id());
  // One table per address family, as calicoctl node status prints them.
  for (const bool v4 : {true, false}) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : response.peers()) {
      if ((p.address().find(':') == std::string::npos) != v4) continue;
      std::string info = p.state();
      if (p.state() != "Established" && !p.last_error().empty()) info += " " + p.last_error();
      rows.push_back({p.address(), p.type(), std::to_string(p.remote_as()),
                      p.state() == "Established" ? "up" : "start",
                      duration_text(p.uptime_seconds(), p.state() == "Established"),
                      std::to_string(p.prefixes_received()), std::to_string(p.prefixes_accepted()),
                      std::to_string(p.prefixes_advertised()), info});
    }
    fmt::print("\nIPv{} BGP status\n", v4 ? 4 : 6);
    if (rows.empty()) {
      fmt::print("No IPv{} peers found.\n", v4 ? 4 : 6);
      continue;
    }
    fmt::print("{}", format_table({"PEER ADDRESS", "PEER TYPE", "AS", "STATE", "SINCE", "RECEIVED",
                                   "ACCEPTED", "ADVERTISED", "INFO"},
                                  rows));
  }
  return kOk;
}

int routes_command(const Connection& c, bool fib, bool all_paths, const std::string& prefix) {
  auto stub = v1::Routing::NewStub(c.channel);
  auto context = make_context(kTimeout);
  std::vector<std::vector<std::string>> rows;
  if (fib) {
    v1::ListFibRequest request;
    request.set_prefix(prefix);
    v1::ListFibResponse response;
    const auto status = stub->ListFib(context.get(), request, &response);
    if (!status.ok()) return report_failure(status, "routes --fib", c);
    if (!response.enabled()) {
      fmt::print("the FIB is disabled on this node (fib.enabled: false)\n");
      return kOk;
    }
    for (const auto& r : response.routes()) {
      rows.push_back({r.prefix(), r.type(), r.next_hops().empty() ? "-" : join(r.next_hops(), ","),
                      r.device().empty() ? "-" : r.device(), std::to_string(r.table()),
                      std::to_string(r.protocol())});
    }
    fmt::print("{}", format_table({"PREFIX", "TYPE", "VIA", "DEVICE", "TABLE", "PROTO"}, rows));
    for (const auto& p : response.refused_routes())
      fmt::print("not installed: {}\n", p.message());  // the message names the prefix
    for (const auto& p : response.tunnel_errors())
      fmt::print("tunnel {}: {}\n", p.subject(), p.message());
    fmt::print("{} routes; {} netlink changes since start; {} repaired\n", response.routes_size(),
               response.changes_written(), response.repairs());
    return kOk;
  }
  v1::ListRoutesRequest request;
  request.set_prefix(prefix);
  request.set_all_paths(all_paths);
  v1::ListRoutesResponse response;
  const auto status = stub->ListRoutes(context.get(), request, &response);
  if (!status.ok()) return report_failure(status, "routes", c);
  for (const auto& r : response.routes()) {
    std::string as_path;
    for (auto asn : r.as_path()) as_path += (as_path.empty() ? "" : " ") + std::to_string(asn);
    rows.push_back({r.prefix(), r.next_hop().empty() ? "self" : r.next_hop(), r.peer(),
                    as_path.empty() ? "-" : as_path, r.origin(),
                    r.communities().empty() ? "-" : join(r.communities(), ","),
                    std::string(r.best() ? "*" : "") + (r.stale() ? "stale" : "")});
  }
  fmt::print(
      "{}", format_table({"PREFIX", "NEXT HOP", "FROM", "AS PATH", "ORIGIN", "COMMUNITIES", "BEST"},
                         rows));
  return kOk;
}

int explain_command(const Connection& c, const std::string& prefix) {
  auto stub = v1::Routing::NewStub(c.channel);
  v1::ExplainRequest request;
  request.set_prefix(prefix);
  v1::ExplainResponse response;
  auto context = make_context(kTimeout);
  const auto status = stub->Explain(context.get(), request, &response);
  if (!status.ok()) return report_failure(status, "explain", c);
  int n = 1;
  for (const auto& step : response.steps()) fmt::print("{}. {}\n", n++, step);
  fmt::print("=> {} {} in this node's kernel routes\n", prefix,
             response.in_fib() ? "is" : "is not");
  return kOk;
}

int version_command(const Connection& c) {
  fmt::print("pintoctl {} ({})\n", kVersion, kGitRevision);
  auto stub = v1::Info::NewStub(c.channel);
  v1::VersionResponse response;
  auto context = make_context(std::chrono::seconds(5));
  const auto status = stub->Version(context.get(), v1::VersionRequest{}, &response);
  if (!status.ok()) {
    fmt::print("pintod: not reachable at {} ({})\n", c.target, status.error_message());
    return kOk;  // the client's own version is still an answer
  }
  fmt::print("pintod {} ({})\n", response.version(), response.revision());
  return kOk;
}

}  // namespace pinto::ctl
