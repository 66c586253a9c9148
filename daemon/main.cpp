// pintod: the Pinto routing daemon.
//
// This is the entry point only; the wiring of sessions, RIB, FIB and API arrives with the
// sessions issue. Until then pintod answers --version and --help, so a build can be checked end
// to end (the README's first command runs it).
#include <fmt/core.h>

#include <cstring>
#include <string_view>

#include "common/version.h"

namespace {

void print_usage() {
  fmt::print(
      "usage: pintod [--config FILE] [--version] [--help]\n"
      "  --config FILE  daemon settings (YAML); see docs/architecture.md\n"
      "  --version      print the version and exit\n");
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--version" || arg == "-V") {
      fmt::print("pintod {} ({})\n", pinto::kVersion, pinto::kGitRevision);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      print_usage();
      return 0;
    }
    if (arg == "--config") {
      fmt::print(stderr,
                 "pintod: --config: BGP sessions are not part of this build yet (the codec is); "
                 "see the issue tracker\n");
      return 2;
    }
    fmt::print(stderr, "pintod: unknown argument '{}'\n", arg);
    print_usage();
    return 2;
  }
  print_usage();
  return 2;
}
