// Connection: one TCP connection carrying BGP messages. It frames the byte stream into whole
// messages (wire::frame) and queues writes so that sending never blocks the routing thread. It
// knows nothing of BGP states; Session drives it.
//
// NOTE Threading: every member runs on the routing thread's io_context. Handlers hold
// shared_from_this() while an operation is pending, so closing from a callback is safe; after
// close_*() no callback fires again.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "bgp/wire/message.h"
#include "common/ip_address.h"

namespace pinto::bgp {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  /// A whole message, header included. The view is valid only during the call.
  using MessageHandler = std::function<void(wire::ByteView)>;
  /// The stream could not be framed (bad marker, length or type): RFC 4271 §6.1.
  using FramingErrorHandler = std::function<void(const wire::DecodeError&)>;
  /// The peer closed the connection or it failed; `why` is for the log.
  using ClosedHandler = std::function<void(const std::string& why)>;

  Connection(boost::asio::ip::tcp::socket socket, bool outgoing);
  ~Connection();

  void start(MessageHandler on_message, FramingErrorHandler on_framing_error,
             ClosedHandler on_closed);
  /// 65535 once RFC 8654 extended messages are negotiated.
  void set_max_message_size(std::size_t size) { max_message_size_ = size; }

  void send(wire::Bytes bytes);
  /// Queues bytes that other connections may queue too (an update group's UPDATEs): shared, not
  /// copied.
  void send(std::shared_ptr<const wire::Bytes> bytes);
  /// Stops delivering messages, writes what is queued (a NOTIFICATION, typically), then closes.
  /// A peer that does not read gets two seconds.
  void close_after_flush();

  bool outgoing() const { return outgoing_; }
  bool open_sent() const { return open_sent_; }
  void mark_open_sent() { open_sent_ = true; }
  const IpAddress& local_address() const { return local_address_; }
  const IpAddress& remote_address() const { return remote_address_; }
  std::size_t queued_bytes() const { return queued_bytes_; }
  std::uint64_t messages_received() const { return messages_received_; }

 private:
  void read_more();
  void deliver_messages();
  void write_next();
  void shut();
  void fail(const std::string& why);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer linger_;
  bool outgoing_;
  bool open_sent_ = false;
  IpAddress local_address_;
  IpAddress remote_address_;
  std::size_t max_message_size_ = wire::kMaxMessageSize;

  std::vector<std::uint8_t> in_;  // bytes read and not yet delivered: [0, in_len_)
  std::size_t in_len_ = 0;
  std::deque<std::shared_ptr<const wire::Bytes>> out_;
  std::size_t in_flight_ = 0;  // entries of out_ the current write carries
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // close_after_flush() called: no more delivery
  bool closed_ = false;
  std::uint64_t messages_received_ = 0;

  MessageHandler on_message_;
  FramingErrorHandler on_framing_error_;
  ClosedHandler on_closed_;
};

/// Converts an Asio endpoint address (v4-mapped v6 unwrapped) to ours.
IpAddress to_ip_address(const boost::asio::ip::address& address);
boost::asio::ip::address to_asio_address(const IpAddress& address);

}  // namespace pinto::bgp
