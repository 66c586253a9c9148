// A Program as text, one line per rule and per set: what `pintoctl` will show and what golden
// tests compare. Sets are written by their short id (the first 8 hex digits of the SetId) and
// listed with their definition and members at the end.
#pragma once

#include <string>

#include "policy/compiler/program.h"

namespace pinto::policy {

/// "pinto-s-0123456789abcdef": a SetId as a kernel object name (an ipset name allows 31 bytes).
std::string set_name(SetId id);

/// One line: "tcp src in s:1a2b3c4d dst ports 80,1000-2000 -> allow".
std::string to_string(const Rule& rule);

/// The whole program: endpoints (with both chains), then sets.
std::string to_string(const Program& program);

}  // namespace pinto::policy
