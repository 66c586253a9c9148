#include "integration/cli_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <fstream>
#include <sstream>

#include "integration/harness_error.h"

namespace pinto::itest {
namespace {

struct ParsedAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> bytes{};
};

std::optional<ParsedAddress> parse_address(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  std::string s(text);  // inet_pton needs a terminated string
  ParsedAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
  } else if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
  } else {
    return std::nullopt;
  }
  return a;
}

}  // namespace

std::optional<std::string> canonical_prefix(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = parse_address(text.substr(0, slash));
  if (!addr) return std::nullopt;
  auto len_text = text.substr(slash + 1);
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc{} || end != len_text.data() + len_text.size() || len_text.empty()) {
    return std::nullopt;
  }
  const unsigned max_len = addr->family == AF_INET ? 32 : 128;
  if (len > max_len) return std::nullopt;
  // Host bits set means the text names an address in a network, not a network: the daemons
  // reject or silently mask those, and a test comparing sets would then disagree with itself.
  for (unsigned bit = len; bit < max_len; ++bit) {
    if (addr->bytes[bit / 8] & (0x80u >> (bit % 8))) return std::nullopt;
  }
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(addr->family, addr->bytes.data(), buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf) + "/" + std::to_string(len);
}

std::string require_prefix(std::string_view text, std::string_view what) {
  auto p = canonical_prefix(text);
  if (!p)
    throw HarnessError(std::string(what) + ": not a network prefix: '" + std::string(text) + "'");
  return *p;
}

bool is_ipv6(std::string_view address_or_prefix) {
  return address_or_prefix.find(':') != std::string_view::npos;
}

bool is_address(std::string_view text) {
  return parse_address(text).has_value();
}

std::optional<std::string> canonical_address(std::string_view text) {
  auto addr = parse_address(text);
  if (!addr) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(addr->family, addr->bytes.data(), buf, sizeof buf) == nullptr) return std::nullopt;
  return std::string(buf);
}

std::set<std::string> prefixes_in(std::string_view text) {
  std::set<std::string> out;
  constexpr std::string_view kSeparators = " \t\r\n\"',{}[]()";
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto start = text.find_first_not_of(kSeparators, pos);
    if (start == std::string_view::npos) break;
    auto end = text.find_first_of(kSeparators, start);
    if (end == std::string_view::npos) end = text.size();
    auto token = text.substr(start, end - start);
    if (token.find('/') != std::string_view::npos) {
      if (auto p = canonical_prefix(token)) out.insert(*p);
    }
    pos = end;
  }
  return out;
}

void require_config_token(std::string_view value, std::string_view what) {
  constexpr std::string_view kForbidden = "\"'\\#;!{}";
  bool ok = !value.empty();
  for (char c : value) {
    if (c <= ' ' || c > '~' || kForbidden.find(c) != std::string_view::npos) ok = false;
  }
  if (!ok) {
    throw HarnessError(std::string(what) + ": '" + std::string(value) +
                       "' is not a plain token (no spaces, quotes, backslashes, # ; ! { })");
  }
}

std::optional<std::vector<std::string>> tokens_after(std::string_view text, std::string_view label,
                                                     bool stop_at_comma) {
  const auto at = text.find(label);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + label.size());
  rest = rest.substr(0, std::min(rest.find('\n'), rest.size()));
  if (stop_at_comma) rest = rest.substr(0, std::min(rest.find(','), rest.size()));
  std::vector<std::string> tokens;
  std::istringstream in{std::string(rest)};
  for (std::string token; in >> token;) tokens.push_back(token);
  return tokens;
}

std::string tail_file(const std::filesystem::path& path, std::size_t lines) {
  std::ifstream in(path);
  if (!in) return "";
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(std::move(line));
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

void write_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw HarnessError("cannot write " + path.string());
}

}  // namespace pinto::itest
