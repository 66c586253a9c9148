// TempDir: a private directory for one daemon's config, control socket and log.
//
// Removed with its contents on destruction, unless PINTO_ITEST_KEEP=1 is set in the environment:
// then it stays and its path is printed, so a failed run's configs and logs can be inspected.
#pragma once

#include <filesystem>
#include <string_view>

namespace pinto::itest {

class TempDir {
 public:
  /// Creates /tmp/<prefix>.XXXXXX (mkdtemp). Paths stay short on purpose: the daemons' control
  /// sockets live here and a UNIX socket path is limited to 107 bytes.
  explicit TempDir(std::string_view prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// path() / name.
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace pinto::itest
