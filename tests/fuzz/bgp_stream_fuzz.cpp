// libFuzzer target: a TCP byte stream split into messages by frame() and decoded one by one.
#include <cstddef>
#include <cstdint>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  pinto::fuzz::check_stream({data, size});
  return 0;
}
