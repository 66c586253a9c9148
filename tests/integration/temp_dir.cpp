#include "integration/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

#include "integration/harness_error.h"

namespace pinto::itest {

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = "/tmp/" + std::string(prefix) + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    throw HarnessError("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  const char* keep = std::getenv("PINTO_ITEST_KEEP");
  if (keep != nullptr && std::string_view(keep) == "1") {
    std::fprintf(stderr, "[itest] kept %s (PINTO_ITEST_KEEP=1)\n", path_.c_str());
    return;
  }
  std::error_code ec;  // a destructor must not throw; a leftover temp dir is harmless
  std::filesystem::remove_all(path_, ec);
}

}  // namespace pinto::itest
