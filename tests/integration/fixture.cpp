#include "integration/fixture.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "integration/netns.h"

namespace pinto::itest {
namespace {

bool is_executable(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

bool on_path(std::string_view tool) {
  if (tool.find('/') != std::string_view::npos) return is_executable(tool);
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    auto colon = dirs.find(':');
    auto dir = dirs.substr(0, colon);
    if (!dir.empty() && is_executable(std::filesystem::path(dir) / tool)) return true;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return false;
}

}  // namespace

std::optional<std::string> missing_prerequisites(std::span<const std::string_view> tools) {
  if (geteuid() != 0) return "needs root (network namespaces, veth links, TCP MD5)";
  std::string missing;
  for (auto tool : tools) {
    if (on_path(tool)) continue;
    if (!missing.empty()) missing += ", ";
    missing += tool;
  }
  if (missing.empty()) return std::nullopt;
  return "missing tools: " + missing + " (scripts/deps.sh installs them)";
}

void require_root_and_tools(std::span<const std::string_view> tools) {
  if (auto why = missing_prerequisites(tools)) GTEST_SKIP() << *why;
}

void IntegrationTest::SetUpTestSuite() {
  remove_stale_namespaces();
}

}  // namespace pinto::itest
