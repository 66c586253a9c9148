// Bounds-checked big-endian reading and appending, the only way the codec touches raw bytes.
//
// ByteReader never reads past its view: every getter reports failure instead, so a decoder built on
// it cannot overrun a buffer whatever the input (this is what the fuzz targets exercise).
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>

#include "bgp/wire/types.h"

namespace pinto::bgp::wire {

class ByteReader {
 public:
  explicit ByteReader(ByteView bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool empty() const { return remaining() == 0; }
  /// The unread bytes, without consuming them.
  ByteView rest() const { return bytes_.subspan(pos_); }

  bool u8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = bytes_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((bytes_[pos_] << 8) | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = (std::uint32_t{bytes_[pos_]} << 24) | (std::uint32_t{bytes_[pos_ + 1]} << 16) |
          (std::uint32_t{bytes_[pos_ + 2]} << 8) | std::uint32_t{bytes_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool u64(std::uint64_t& out) {
    std::uint32_t hi = 0, lo = 0;
    if (remaining() < 8) return false;
    u32(hi);
    u32(lo);
    out = (std::uint64_t{hi} << 32) | lo;
    return true;
  }
  /// Takes the next `n` bytes as a view into the original buffer.
  bool take(std::size_t n, ByteView& out) {
    if (remaining() < n) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool copy(std::size_t n, std::uint8_t* out) {
    if (remaining() < n) return false;
    std::memcpy(out, bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }

 private:
  ByteView bytes_;
  std::size_t pos_ = 0;
};

/// Appends big-endian values to a byte vector; length fields are written as placeholders and
/// patched once the enclosed content is known.
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  std::size_t size() const { return out_.size(); }
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void bytes(const std::uint8_t* p, std::size_t n) { out_.insert(out_.end(), p, p + n); }
  void patch_u8(std::size_t at, std::uint8_t v) { out_[at] = v; }
  void patch_u16(std::size_t at, std::uint16_t v) {
    out_[at] = static_cast<std::uint8_t>(v >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(v);
  }

 private:
  Bytes& out_;
};

}  // namespace pinto::bgp::wire
