// Helpers shared by the selector tests.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "policy/selector/selector.h"

namespace pinto::policy {

// gtest prints a Selector by its canonical text instead of its bytes.
inline void PrintTo(const Selector& s, std::ostream* os) {
  *os << s.canonical();
}

namespace test {

// Parses text that a test expects to be valid, failing the test with the error otherwise.
inline Selector must_parse(std::string_view text) {
  auto s = Selector::parse(text);
  if (!s) {
    ADD_FAILURE() << "'" << text << "' did not parse: " << s.error().to_string();
    return Selector();
  }
  return s.value();
}

}  // namespace test
}  // namespace pinto::policy
