#include "bgp/connection.h"

#include <algorithm>
#include <boost/asio/write.hpp>
#include <vector>

#include "bgp/socket_options.h"

namespace pinto::bgp {

namespace asio = boost::asio;
using boost::system::error_code;

IpAddress to_ip_address(const asio::ip::address& address) {
  if (address.is_v4()) return IpAddress::v4(address.to_v4().to_uint());
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped())
    return IpAddress::v4(asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_uint());
  const auto bytes = v6.to_bytes();
  return IpAddress::from_bytes(AddressFamily::V6, bytes.data());
}

asio::ip::address to_asio_address(const IpAddress& address) {
  if (address.is_v4()) return asio::ip::address_v4(address.v4_value());
  asio::ip::address_v6::bytes_type bytes;
  std::copy(address.data(), address.data() + 16, bytes.begin());
  return asio::ip::address_v6(bytes);
}

Connection::Connection(asio::ip::tcp::socket socket, bool outgoing)
    : socket_(std::move(socket)), linger_(socket_.get_executor()), outgoing_(outgoing) {
  error_code ec;
  const auto local = socket_.local_endpoint(ec);
  if (!ec) local_address_ = to_ip_address(local.address());
  const auto remote = socket_.remote_endpoint(ec);
  if (!ec) remote_address_ = to_ip_address(remote.address());
  set_no_delay(socket_.native_handle());
  // Room for one whole standard message and the start of the next; grown on demand (extended
  // messages) so that a thousand idle sessions do not hold a thousand 64 KiB buffers.
  in_.resize(2 * wire::kMaxMessageSize);
}

Connection::~Connection() {
  error_code ignored;
  socket_.close(ignored);
}

void Connection::start(MessageHandler on_message, FramingErrorHandler on_framing_error,
                       ClosedHandler on_closed) {
  on_message_ = std::move(on_message);
  on_framing_error_ = std::move(on_framing_error);
  on_closed_ = std::move(on_closed);
  read_more();
}

void Connection::read_more() {
  if (closed_ || closing_) return;
  if (in_len_ == in_.size()) in_.resize(std::max(in_.size() * 2, max_message_size_ + 4096));
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(in_.data() + in_len_, in_.size() - in_len_),
                          [this, self](const error_code& ec, std::size_t n) {
                            if (closed_ || closing_) return;
                            if (ec) {
                              fail(ec == asio::error::eof ? "closed by the peer" : ec.message());
                              return;
                            }
                            in_len_ += n;
                            deliver_messages();
                            read_more();
                          });
}

void Connection::deliver_messages() {
  std::size_t offset = 0;
  while (!closed_ && !closing_) {
    const wire::ByteView pending(in_.data() + offset, in_len_ - offset);
    auto framed = wire::frame(pending, max_message_size_);
    if (!framed) {
      const wire::DecodeError error = framed.error();
      closing_ = true;  // nothing after a framing error can be trusted
      if (on_framing_error_) on_framing_error_(error);
      return;
    }
    const std::size_t length = framed.value();
    if (length == 0) break;
    ++messages_received_;
    on_message_(pending.first(length));
    offset += length;
  }
  if (offset > 0 && offset <= in_len_) {
    std::memmove(in_.data(), in_.data() + offset, in_len_ - offset);
    in_len_ -= offset;
  }
}

void Connection::send(wire::Bytes bytes) {
  if (closed_ || bytes.empty()) return;
  send(std::make_shared<const wire::Bytes>(std::move(bytes)));
}

void Connection::send(std::shared_ptr<const wire::Bytes> bytes) {
  if (closed_ || !bytes || bytes->empty()) return;
  queued_bytes_ += bytes->size();
  out_.push_back(std::move(bytes));
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (closed_) return;
  if (out_.empty()) {
    writing_ = false;
    if (closing_) shut();
    return;
  }
  writing_ = true;
  // One gathered write for what is queued (bounded): an update group hands every member many
  // small shared buffers, and a write per buffer would cost a system call each.
  constexpr std::size_t kMaxGather = 64;
  std::vector<asio::const_buffer> buffers;
  in_flight_ = std::min(out_.size(), kMaxGather);
  buffers.reserve(in_flight_);
  for (std::size_t i = 0; i < in_flight_; ++i) buffers.push_back(asio::buffer(*out_[i]));
  auto self = shared_from_this();
  asio::async_write(socket_, buffers, [this, self](const error_code& ec, std::size_t) {
    if (closed_) return;
    for (std::size_t i = 0; i < in_flight_; ++i) {
      queued_bytes_ -= out_.front()->size();
      out_.pop_front();
    }
    in_flight_ = 0;
    if (ec) {
      fail(ec.message());
      return;
    }
    write_next();
  });
}

void Connection::close_after_flush() {
  if (closed_) return;
  closing_ = true;
  on_message_ = nullptr;
  on_framing_error_ = nullptr;
  on_closed_ = nullptr;
  if (!writing_) {
    shut();
    return;
  }
  auto self = shared_from_this();
  linger_.expires_after(std::chrono::seconds(2));
  linger_.async_wait([this, self](const error_code& ec) {
    if (!ec) shut();
  });
}

void Connection::shut() {
  if (closed_) return;
  closed_ = true;
  linger_.cancel();
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Connection::fail(const std::string& why) {
  if (closed_) return;
  auto on_closed = std::move(on_closed_);
  on_message_ = nullptr;
  on_framing_error_ = nullptr;
  shut();
  if (on_closed) on_closed(why);
}

}  // namespace pinto::bgp
