#include "support/hex.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace pinto::test {

bgp::wire::Bytes from_hex(std::string_view text) {
  bgp::wire::Bytes out;
  int high = -1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':') continue;
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) {
      std::fprintf(stderr, "from_hex: bad character '%c' in test vector\n", c);
      std::abort();
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) {
    std::fprintf(stderr, "from_hex: odd number of hex digits in test vector\n");
    std::abort();
  }
  return out;
}

std::string to_hex(bgp::wire::ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (auto b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read test data %s\n", path.c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bgp::wire::Bytes message(std::uint8_t type, std::string_view body_hex) {
  const auto body = from_hex(body_hex);
  bgp::wire::Bytes m(16, 0xff);
  const std::size_t length = 19 + body.size();
  m.push_back(static_cast<std::uint8_t>(length >> 8));
  m.push_back(static_cast<std::uint8_t>(length));
  m.push_back(type);
  m.insert(m.end(), body.begin(), body.end());
  return m;
}

bgp::wire::Bytes update(std::string_view withdrawn_hex, std::string_view attributes_hex,
                        std::string_view nlri_hex) {
  const auto withdrawn = from_hex(withdrawn_hex);
  const auto attributes = from_hex(attributes_hex);
  const auto nlri = from_hex(nlri_hex);
  char lengths[16];
  std::snprintf(lengths, sizeof lengths, "%04zx", withdrawn.size());
  std::string body = lengths + to_hex(withdrawn);
  std::snprintf(lengths, sizeof lengths, "%04zx", attributes.size());
  body += lengths + to_hex(attributes) + to_hex(nlri);
  return message(2, body);
}

}  // namespace pinto::test
