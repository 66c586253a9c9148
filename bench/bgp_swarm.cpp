// bgp_swarm: N minimal BGP speakers on loopback, for measuring how many sessions a daemon holds.
// Each speaker binds its own source address (127.0.1.1, 127.0.1.2, ...: all of 127/8 is local),
// connects to the daemon, completes OPEN/KEEPALIVE, then keeps the session alive with keepalives
// every hold/3 seconds. It reports how long it took until every session was Established and how
// many were lost afterwards.
//
//   bgp_swarm TARGET PORT COUNT AS HOLD_SECONDS DURATION_SECONDS
//
// Output, one line: "sessions N established E in MS ms, lost L during D s".
// Every wait is bounded: establishment gets 60 s, the holding phase DURATION_SECONDS.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bgp/wire/message.h"

namespace {

namespace asio = boost::asio;
using namespace pinto::bgp::wire;
using Clock = std::chrono::steady_clock;

struct Stats {
  std::size_t established = 0;
  std::size_t lost = 0;
  Clock::time_point last_established;
};

class FakePeer : public std::enable_shared_from_this<FakePeer> {
 public:
  FakePeer(asio::io_context& io, asio::ip::address_v4 source, asio::ip::tcp::endpoint target,
           std::uint32_t as, std::uint16_t hold, Stats& stats)
      : socket_(io),
        keepalive_(io),
        source_(source),
        target_(target),
        as_(as),
        hold_(hold),
        stats_(stats) {}

  void start() {
    boost::system::error_code ec;
    socket_ = asio::ip::tcp::socket(socket_.get_executor());
    buffer_.clear();
    socket_.open(asio::ip::tcp::v4(), ec);
    socket_.bind(asio::ip::tcp::endpoint(source_, 0), ec);
    if (ec) return lose();
    auto self = shared_from_this();
    socket_.async_connect(target_, [this, self](const boost::system::error_code& e) {
      if (e == asio::error::operation_aborted) return;
      if (e) return lose();
      Open open;
      open.my_as = static_cast<std::uint16_t>(as_);
      open.hold_time = hold_;
      open.bgp_identifier = source_.to_uint();
      open.capabilities = {MultiprotocolCapability{AfiSafi::ipv4_unicast()},
                           FourOctetAsCapability{as_}};
      Bytes bytes;
      (void)encode(open, {}, bytes);
      (void)encode(Keepalive{}, {}, bytes);
      send(std::move(bytes));
      read();
    });
  }

 private:
  void send(Bytes bytes) {
    auto data = std::make_shared<Bytes>(std::move(bytes));
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(*data),
                      [self, data](const boost::system::error_code&, std::size_t) {});
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(
        asio::buffer(chunk_), [this, self](const boost::system::error_code& e, std::size_t n) {
          if (e) return lose();
          buffer_.insert(buffer_.end(), chunk_.begin(), chunk_.begin() + static_cast<long>(n));
          while (true) {
            auto length = frame(buffer_, kMaxMessageSize);
            if (!length) return lose();
            if (length.value() == 0) break;
            const std::uint8_t type = buffer_[18];
            if (type == 3) return lose();  // NOTIFICATION
            if (type == 4 && !established_) {
              established_ = true;
              ++stats_.established;
              stats_.last_established = Clock::now();
              tick();
            }
            buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(length.value()));
          }
          read();
        });
  }

  void tick() {
    auto self = shared_from_this();
    keepalive_.expires_after(std::chrono::seconds(std::max(1, hold_ / 3)));
    keepalive_.async_wait([this, self](const boost::system::error_code& e) {
      if (e || lost_) return;
      Bytes bytes;
      (void)encode(Keepalive{}, {}, bytes);
      send(std::move(bytes));
      tick();
    });
  }

  // A session that never came up is retried every second (a daemon may refuse connections
  // while it starts); one that was Established and drops counts as lost.
  void lose() {
    if (lost_) return;
    boost::system::error_code ignored;
    socket_.close(ignored);
    keepalive_.cancel();
    if (established_) {
      lost_ = true;
      ++stats_.lost;
      return;
    }
    auto self = shared_from_this();
    keepalive_.expires_after(std::chrono::seconds(1));
    keepalive_.async_wait([this, self](const boost::system::error_code& e) {
      if (!e) start();
    });
  }

  asio::ip::tcp::socket socket_;
  asio::steady_timer keepalive_;
  asio::ip::address_v4 source_;
  asio::ip::tcp::endpoint target_;
  std::uint32_t as_;
  std::uint16_t hold_;
  Stats& stats_;
  std::array<std::uint8_t, 4096> chunk_{};
  Bytes buffer_;
  bool established_ = false;
  bool lost_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: bgp_swarm TARGET PORT COUNT AS HOLD_SECONDS DURATION_SECONDS\n");
    return 2;
  }
  const auto target = asio::ip::tcp::endpoint(asio::ip::make_address(argv[1]),
                                              static_cast<std::uint16_t>(std::stoi(argv[2])));
  const std::size_t count = std::stoul(argv[3]);
  const auto as = static_cast<std::uint32_t>(std::stoul(argv[4]));
  const auto hold = static_cast<std::uint16_t>(std::stoi(argv[5]));
  const int duration = std::stoi(argv[6]);
  if (count == 0 || count > 60000) return 2;

  asio::io_context io;
  Stats stats;
  std::vector<std::shared_ptr<FakePeer>> peers;
  const auto start = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    // 127.0.1.1 onwards, skipping .0 and .255 in the last octet.
    const std::uint32_t host = (127u << 24) | ((1u + static_cast<std::uint32_t>(i / 250)) << 8) |
                               (1u + static_cast<std::uint32_t>(i % 250));
    peers.push_back(
        std::make_shared<FakePeer>(io, asio::ip::address_v4(host), target, as, hold, stats));
    peers.back()->start();
  }
  // Phase 1: until everyone is up, at most 60 s.
  const auto deadline = start + std::chrono::seconds(60);
  while (stats.established < count && Clock::now() < deadline) {
    io.run_for(std::chrono::milliseconds(50));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      (stats.established ? stats.last_established : Clock::now()) - start)
                      .count();
  const std::size_t established = stats.established;
  // Phase 2: hold them for `duration` seconds and count the ones that drop.
  io.run_for(std::chrono::seconds(duration));
  std::printf("sessions %zu established %zu in %lld ms, lost %zu during %d s\n", count, established,
              static_cast<long long>(ms), stats.lost, duration);
  return 0;
}
