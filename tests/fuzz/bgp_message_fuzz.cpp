// libFuzzer target: one BGP message, decoded in every negotiated context and round-tripped.
// Run: cmake --preset fuzz && cmake --build --preset fuzz &&
//      build/fuzz/tests/fuzz/bgp_message_fuzz tests/fuzz/corpus/bgp_message -max_total_time=60
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pinto::fuzz::check_message({data, size});
  return 0;
}
