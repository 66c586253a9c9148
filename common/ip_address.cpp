#include "common/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace pinto {

IpAddress IpAddress::from_bytes(AddressFamily family, const std::uint8_t* bytes) {
  IpAddress a;
  a.family_ = family;
  std::memcpy(a.bytes_.data(), bytes, family == AddressFamily::V4 ? 4 : 16);
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  // inet_pton wants a NUL-terminated string; the longest IPv6 text form is 45 characters.
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes_.data()) == 1) {
    a.family_ = AddressFamily::V4;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes_.data()) == 1) {
    a.family_ = AddressFamily::V6;
    return a;
  }
  return std::nullopt;
}

std::uint32_t IpAddress::v4_value() const {
  if (!is_v4()) return 0;
  return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
         (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool IpAddress::is_unspecified() const {
  return std::all_of(bytes_.begin(), bytes_.begin() + static_cast<long>(size()),
                     [](std::uint8_t b) { return b == 0; });
}

bool IpAddress::is_v6_link_local() const {
  return is_v6() && bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

IpPrefix::IpPrefix(const IpAddress& address, std::uint8_t length)
    : address_(address), length_(length) {
  const std::size_t n = address_.size();
  std::uint8_t* b = address_.data();
  for (std::size_t i = 0; i < n; ++i) {
    const int bits_left = static_cast<int>(length_) - static_cast<int>(i * 8);
    if (bits_left >= 8) continue;
    b[i] = bits_left <= 0 ? 0 : static_cast<std::uint8_t>(b[i] & (0xff << (8 - bits_left)));
  }
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text, bool strict) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  unsigned length = address->max_prefix_length();
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
      return std::nullopt;
    }
    if (length > address->max_prefix_length()) return std::nullopt;
  }
  IpPrefix p(*address, static_cast<std::uint8_t>(length));
  if (strict && p.address() != *address) return std::nullopt;
  return p;
}

bool IpPrefix::contains(const IpAddress& a) const {
  return a.family() == family() && IpPrefix(a, length_).address_ == address_;
}

bool IpPrefix::contains(const IpPrefix& p) const {
  return p.family() == family() && p.length_ >= length_ && contains(p.address_);
}

std::string IpPrefix::to_string() const {
  return address_.to_string() + "/" + std::to_string(length_);
}

}  // namespace pinto

std::size_t std::hash<pinto::IpAddress>::operator()(const pinto::IpAddress& a) const noexcept {
  // FNV-1a over the significant bytes; cheap and good enough for hash maps of addresses.
  std::size_t h = 1469598103934665603ull ^ static_cast<std::size_t>(a.family());
  for (std::size_t i = 0; i < a.size(); ++i) h = (h ^ a.data()[i]) * 1099511628211ull;
  return h;
}

std::size_t std::hash<pinto::IpPrefix>::operator()(const pinto::IpPrefix& p) const noexcept {
  return std::hash<pinto::IpAddress>{}(p.address()) * 31 + p.length();
}
