// Helpers shared by the store tests: a temporary directory and mutation builders.
#pragma once

#include <stdlib.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "config/store/store.h"

namespace pinto::config::testing {

/// A fresh /tmp/pinto-store.XXXXXX (mkdtemp), removed with everything in it when the object goes,
/// which also happens when an ASSERT ends the test early.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/pinto-store.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;  // a destructor must not throw; a leftover directory is harmless
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline Mutation put(std::string key, std::string value,
                    std::optional<std::int64_t> expected = std::nullopt) {
  return Mutation{Mutation::Kind::Put, std::move(key), std::move(value), expected};
}

inline Mutation del(std::string key, std::optional<std::int64_t> expected = std::nullopt) {
  return Mutation{Mutation::Kind::Delete, std::move(key), "", expected};
}

}  // namespace pinto::config::testing
