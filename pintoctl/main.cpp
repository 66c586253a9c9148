// pintoctl: the command-line client of pintod's pinto.v1 API.
//
//   pintoctl [--socket PATH] apply -f FILE|- [--dry-run]
//   pintoctl get KIND [NAME] [-n NAMESPACE | -A] [-o yaml|json]
//   pintoctl delete KIND NAME [-n NAMESPACE] | delete -f FILE
//   pintoctl node status
//   pintoctl routes [--fib] [--all] [PREFIX]
//   pintoctl explain PREFIX|ADDRESS
//   pintoctl policy [--counters]
//   pintoctl version
//
// Exit codes: 0 done, 1 refused or failed by pintod, 2 bad command line, 3 pintod unreachable.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "pintoctl/commands.h"

int main(int argc, char** argv) {
  using namespace pinto::ctl;
  CLI::App app{"pintoctl: drive pintod, the Pinto BGP daemon, through its API"};
  app.require_subcommand(1);
  ConnectOptions connect_options;
  if (const char* env = std::getenv("PINTO_SOCKET")) connect_options.socket = env;
  app.add_option("-s,--socket", connect_options.socket,
                 "pintod's unix socket (default /run/pinto/pintod.sock, or $PINTO_SOCKET)");
  app.add_option("--server", connect_options.server, "pintod's TCP API, host:port (TLS)");
  app.add_option("--tls-ca", connect_options.tls_ca, "CA certificate that signed pintod's");
  app.add_option("--tls-cert", connect_options.tls_cert, "client certificate");
  app.add_option("--tls-key", connect_options.tls_key, "client key");

  std::string file;
  bool dry_run = false;
  auto* apply = app.add_subcommand("apply", "create or update resources from YAML");
  apply->add_option("-f,--filename", file, "file with one or more documents, - for stdin")
      ->required();
  apply->add_flag("--dry-run", dry_run, "validate and show what would change; change nothing");

  GetOptions get_options;
  auto* get = app.add_subcommand("get", "show resources");
  get->add_option("kind", get_options.kind, "kind, e.g. bgppeer, node, ippool")->required();
  get->add_option("name", get_options.name, "name (all when omitted)");
  get->add_option("-n,--namespace", get_options.namespace_name, "namespace");
  get->add_flag("-A,--all-namespaces", get_options.all_namespaces, "every namespace");
  get->add_option("-o,--output", get_options.output, "yaml or json (default: a table)")
      ->check(CLI::IsMember({"yaml", "json", "ps", "wide"}));

  std::string kind, name, namespace_name;
  auto* del = app.add_subcommand("delete", "delete a resource");
  del->add_option("kind", kind, "kind");
  del->add_option("name", name, "name");
  del->add_option("-n,--namespace", namespace_name, "namespace");
  del->add_option("-f,--filename", file, "delete the resources a manifest names");
  del->add_flag("--dry-run", dry_run, "show what would change; change nothing");

  auto* node = app.add_subcommand("node", "this node");
  auto* node_status = node->add_subcommand("status", "BGP peers, states and prefix counts");
  node->require_subcommand(1);

  bool fib = false, all_paths = false;
  std::string prefix;
  auto* routes = app.add_subcommand("routes", "the Loc-RIB (best paths), or the kernel's routes");
  routes->add_flag("--fib", fib, "the routes pintod wrote into the kernel");
  routes->add_flag("--all", all_paths, "every path, not only the best");
  routes->add_option("prefix", prefix, "only this prefix and those inside it (or an address)");

  auto* explain = app.add_subcommand("explain", "why a prefix is or is not in the kernel");
  explain->add_option("prefix", prefix, "prefix or address")->required();

  bool counters = false;
  auto* policy = app.add_subcommand("policy", "the network policy this node enforces");
  policy->add_flag("--counters", counters, "per-rule packet and byte counters");

  auto* version = app.add_subcommand("version", "pintoctl's and pintod's versions");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kOk : kUsage;
  }

  if (del->parsed() && file.empty() && (kind.empty() || name.empty())) {
    fmt::print(stderr, "pintoctl: delete needs KIND NAME, or -f FILE\n");
    return kUsage;
  }
  std::string error;
  const Connection c = connect(connect_options, error);
  if (!error.empty()) {
    fmt::print(stderr, "pintoctl: {}\n", error);
    return kUsage;
  }
  if (apply->parsed()) return apply_command(c, file, dry_run);
  if (get->parsed()) {
    if (get_options.output == "ps" || get_options.output == "wide") get_options.output.clear();
    return get_command(c, get_options);
  }
  if (del->parsed()) return delete_command(c, kind, name, namespace_name, file, dry_run);
  if (node_status->parsed()) return node_status_command(c);
  if (routes->parsed()) return routes_command(c, fib, all_paths, prefix);
  if (explain->parsed()) return explain_command(c, prefix);
  if (policy->parsed()) return policy_command(c, counters);
  if (version->parsed()) return version_command(c);
  return kUsage;
}
