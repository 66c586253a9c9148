// Replays the committed selector fuzz corpus (tests/fuzz/corpus/selector/) through the checks the
// libFuzzer target runs, so every build, not only the fuzz preset, keeps what fuzzing found fixed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "fuzz/selector_checks.h"

namespace pinto::test {
namespace {

TEST(SelectorFuzzCorpus, EveryInputHoldsTheProperties) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PINTO_CORPUS_DIR "/selector")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SCOPED_TRACE(entry.path().filename().string());
    fuzz::check_selector(text);
    ++n;
  }
  EXPECT_GT(n, 20u);
}

}  // namespace
}  // namespace pinto::test
