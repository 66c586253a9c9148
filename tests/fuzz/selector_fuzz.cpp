// libFuzzer target: one selector text, parsed, normalised, printed and parsed again.
// Run: cmake --preset fuzz && cmake --build --preset fuzz --target selector_fuzz &&
//      build/fuzz/tests/fuzz/selector_fuzz tests/fuzz/corpus/selector -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "selector_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pinto::fuzz::check_selector(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
