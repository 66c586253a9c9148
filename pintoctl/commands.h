// pintoctl's commands, one function each; main.cpp parses the command line and calls them.
// Each returns the process exit code (client.h).
#pragma once

#include <string>

#include "pintoctl/client.h"

namespace pinto::ctl {

struct GetOptions {
  std::string kind;
  std::string name;
  std::string namespace_name;
  bool all_namespaces = false;
  std::string output;  // "" (table) | yaml | json
};

int apply_command(const Connection& c, const std::string& file, bool dry_run);
int get_command(const Connection& c, const GetOptions& options);
int delete_command(const Connection& c, const std::string& kind, const std::string& name,
                   const std::string& namespace_name, const std::string& file, bool dry_run);
int node_status_command(const Connection& c);
int routes_command(const Connection& c, bool fib, bool all_paths, const std::string& prefix);
int explain_command(const Connection& c, const std::string& prefix);
int policy_command(const Connection& c, bool counters);
int version_command(const Connection& c);

}  // namespace pinto::ctl
