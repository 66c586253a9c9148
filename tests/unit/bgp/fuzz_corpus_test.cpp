// Replays the committed fuzz corpora (tests/fuzz/corpus/) through the same property checks the
// libFuzzer targets run, so every build, not only the fuzz preset, keeps what fuzzing found fixed.
#include <gtest/gtest.h>

#include <filesystem>

#include "fuzz/fuzz_checks.h"
#include "support/hex.h"

namespace pinto::test {
namespace {

std::size_t replay(const std::string& dir, void (*check)(bgp::wire::ByteView)) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string data = read_file(entry.path());
    check(bgp::wire::ByteView(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
    ++n;
  }
  return n;
}

TEST(FuzzCorpus, EveryBgpMessageInputHoldsTheProperties) {
  EXPECT_GT(replay(PINTO_CORPUS_DIR "/bgp_message", fuzz::check_message), 50u);
}

TEST(FuzzCorpus, EveryBgpStreamInputHoldsTheProperties) {
  EXPECT_GT(replay(PINTO_CORPUS_DIR "/bgp_stream", fuzz::check_stream), 20u);
}

}  // namespace
}  // namespace pinto::test
