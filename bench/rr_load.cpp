// rr_load: the load generator and the counting receivers of bench/rr_compare.sh (issue 4's
// route-reflector benchmark). Neither side may be the bottleneck, so both are plain non-blocking
// sockets driven by poll/epoll, one thread each, and do as little as the measurement needs.
//
//   rr_load send LOCAL TARGET N [PORT]
//     Connects LOCAL → TARGET:PORT (default 179) as AS 64512 (4-octet AS, IPv4 unicast, no
//     ADD-PATH), pre-encodes N /32 announcements from 100.64.0.0 packed into full UPDATEs (ORIGIN
//     IGP, empty AS_PATH, NEXT_HOP LOCAL, LOCAL_PREF 100) and their withdrawal, prints
//     "established", then waits for signals:
//       SIGUSR1  write every announcement and End-of-RIB as fast as the socket takes them
//                ("announce_start NS", then "announce_written NS")
//       SIGUSR2  write the withdrawal of all N ("withdraw_start NS", "withdraw_written NS")
//       SIGTERM  print "rusage USER_S SYS_S" and exit 0
//
//   rr_load recv TARGET N FIRST_SOURCE K [--listen] [PORT]
//     K sessions from FIRST_SOURCE, FIRST_SOURCE+1, ... to TARGET:PORT (with --listen: accepts K
//     sessions on FIRST_SOURCE:PORT instead, for the floor measurement without a reflector).
//     Counts, per session, the prefixes of the sender's range announced and withdrawn (walks the
//     UPDATE's Withdrawn Routes and NLRI fields only). Prints "established K NS", "all_full NS"
//     when every session holds all N, "all_empty NS" when every session has had all N withdrawn
//     again, "updates COUNT" (UPDATE messages received, all sessions), then "rusage USER_S SYS_S"
//     and exits 0. On SIGTERM before that: "held LEAST MOST"
//     (prefixes held by the emptiest and the fullest session), "rusage ...", exit 1.
//
// NS is CLOCK_MONOTONIC (steady_clock) in nanoseconds: the same clock in every network namespace,
// so the script subtracts the sender's start from the receivers' finish. Every wait is bounded
// (RR_LOAD_TIMEOUT seconds, default 900); a NOTIFICATION or a dropped session is an error, exit 1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "bgp/wire/message.h"

namespace {

using namespace pinto;
using namespace pinto::bgp::wire;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kAs = 64512;
constexpr std::uint16_t kHoldTime = 240;
constexpr auto kKeepaliveEvery = std::chrono::seconds(10);
constexpr std::uint32_t kFirstPrefix = (100u << 24) | (64u << 16);  // 100.64.0.0

long long now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

Clock::time_point deadline() {
  const char* env = std::getenv("RR_LOAD_TIMEOUT");
  return Clock::now() + std::chrono::seconds(env ? std::atoi(env) : 900);
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "rr_load: %s%s%s\n", what.c_str(), errno ? ": " : "",
               errno ? std::strerror(errno) : "");
  std::exit(1);
}

[[gnu::format(printf, 1, 2)]] void say(const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vprintf(fmt, args);
  va_end(args);
  std::fflush(stdout);
}

void print_rusage() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  say("rusage %.3f %.3f\n", static_cast<double>(u.ru_utime.tv_sec) + u.ru_utime.tv_usec / 1e6,
      static_cast<double>(u.ru_stime.tv_sec) + u.ru_stime.tv_usec / 1e6);
}

in_addr_t parse_v4(const char* text) {
  in_addr a{};
  if (inet_pton(AF_INET, text, &a) != 1) {
    errno = 0;
    die(std::string("not an IPv4 address: ") + text);
  }
  return a.s_addr;
}

sockaddr_in endpoint(in_addr_t address, std::uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = address;
  sa.sin_port = htons(port);
  return sa;
}

void set_nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) die("fcntl");
}

// Connects source → target, retrying while the daemon is not listening yet.
int connect_from(in_addr_t source, in_addr_t target, std::uint16_t port, Clock::time_point until) {
  while (true) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    const auto src = endpoint(source, 0);
    const auto dst = endpoint(target, port);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) die("bind");
    if (connect(fd, reinterpret_cast<const sockaddr*>(&dst), sizeof dst) == 0) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    close(fd);
    if (Clock::now() > until) die("connect timed out");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Bytes open_message(in_addr_t identifier) {
  Open open;
  open.my_as = static_cast<std::uint16_t>(kAs);
  open.hold_time = kHoldTime;
  open.bgp_identifier = ntohl(identifier);
  open.capabilities = {MultiprotocolCapability{AfiSafi::ipv4_unicast()},
                       FourOctetAsCapability{kAs}};
  Bytes out;
  (void)encode(open, {}, out);
  (void)encode(Keepalive{}, {}, out);
  return out;
}

Bytes keepalive() {
  Bytes out;
  (void)encode(Keepalive{}, {}, out);
  return out;
}

// Cuts whole messages off the front of `buffer` and hands each to `on_message`; keeps the rest.
template <class F>
void drain(Bytes& buffer, std::size_t& used, F&& on_message) {
  std::size_t at = 0;
  while (true) {
    const auto length = frame(ByteView(buffer.data() + at, used - at));
    if (!length) {
      errno = 0;
      die("bad message from the peer: " + length.error().reason);
    }
    if (length.value() == 0) break;
    on_message(buffer.data() + at, length.value());
    at += length.value();
  }
  std::memmove(buffer.data(), buffer.data() + at, used - at);
  used -= at;
}

void check_notification(const std::uint8_t* msg, std::size_t length) {
  if (msg[18] != 3) return;
  errno = 0;
  die("NOTIFICATION " + std::to_string(length > 19 ? msg[19] : 0) + "/" +
      std::to_string(length > 20 ? msg[20] : 0) + " from the peer");
}

// ---------------------------------------------------------------------------------------------
// Sender

int run_sender(in_addr_t local, in_addr_t target, std::size_t n, std::uint16_t port) {
  const auto until = deadline();
  // Everything is encoded before the clock starts.
  std::vector<Nlri> nlri(n);
  for (std::size_t i = 0; i < n; ++i) {
    nlri[i].prefix = IpPrefix(IpAddress::v4(kFirstPrefix + static_cast<std::uint32_t>(i)), 32);
  }
  PathAttributes attributes;
  attributes.origin = Origin::Igp;
  attributes.as_path = AsPath{};
  attributes.next_hop = IpAddress::v4(ntohl(local));
  attributes.local_pref = 100;
  Bytes announce;
  encode_announcements(attributes, nlri, {}, announce);
  encode_end_of_rib(AfiSafi::ipv4_unicast(), announce);
  Bytes withdraw;
  encode_withdrawals(AfiSafi::ipv4_unicast(), nlri, {}, withdraw);
  nlri = {};

  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGUSR1, SIGUSR2, SIGTERM, SIGINT}) sigaddset(&signals, s);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int sfd = signalfd(-1, &signals, SFD_CLOEXEC);
  if (sfd < 0) die("signalfd");

  const int fd = connect_from(local, target, port, until);
  set_nonblocking(fd);

  struct Pending {
    const Bytes* bytes;
    Bytes own;  // for small messages
    std::size_t offset = 0;
    int marks = 0;  // 1: announcement done, 2: withdrawal done
  };
  std::deque<Pending> out;
  out.push_back({nullptr, open_message(local)});
  Bytes in(1 << 16);
  std::size_t in_used = 0;
  bool established = false;
  bool open_seen = false;
  bool withdrawn = false;
  auto next_keepalive = Clock::now() + kKeepaliveEvery;

  while (true) {
    if (Clock::now() > until) {
      errno = 0;
      die("sender timed out");
    }
    pollfd p[2] = {{fd, static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0},
                   {sfd, POLLIN, 0}};
    const int r = poll(p, 2, 1000);
    if (r < 0 && errno != EINTR) die("poll");
    if (p[1].revents & POLLIN) {
      signalfd_siginfo info{};
      if (read(sfd, &info, sizeof info) != sizeof info) die("signalfd read");
      if (info.ssi_signo == SIGUSR1 || info.ssi_signo == SIGUSR2) {
        if (!established) {
          errno = 0;
          die("signal before the session was up");
        }
        const bool a = info.ssi_signo == SIGUSR1;
        say("%s_start %lld\n", a ? "announce" : "withdraw", now_ns());
        out.push_back({a ? &announce : &withdraw, {}, 0, a ? 1 : 2});
      } else {
        print_rusage();
        close(fd);
        return 0;
      }
    }
    // Write until the socket is full.
    while (!out.empty()) {
      auto& front = out.front();
      const Bytes& bytes = front.bytes ? *front.bytes : front.own;
      const ssize_t w =
          send(fd, bytes.data() + front.offset, bytes.size() - front.offset, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        die("send");
      }
      front.offset += static_cast<std::size_t>(w);
      if (front.offset < bytes.size()) continue;
      if (front.marks) {
        say("%s_written %lld\n", front.marks == 1 ? "announce" : "withdraw", now_ns());
        withdrawn = front.marks == 2;
      }
      out.pop_front();
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      while (true) {
        if (in_used == in.size()) in.resize(in.size() * 2);
        const ssize_t got = recv(fd, in.data() + in_used, in.size() - in_used, 0);
        if (got == 0) {
          if (withdrawn) {  // the floor's receiver is done and gone
            print_rusage();
            return 0;
          }
          errno = 0;
          die("the peer closed the session");
        }
        if (got < 0) {
          if (errno == EAGAIN || errno == EINTR) break;
          die("recv");
        }
        in_used += static_cast<std::size_t>(got);
        drain(in, in_used, [&](const std::uint8_t* msg, std::size_t length) {
          check_notification(msg, length);
          if (msg[18] == 1) open_seen = true;
          if (msg[18] == 4 && open_seen && !established) {
            established = true;
            say("established\n");
          }
        });
      }
    }
    if (Clock::now() > next_keepalive) {
      out.push_back({nullptr, keepalive()});
      next_keepalive = Clock::now() + kKeepaliveEvery;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Receivers

struct Receiver {
  int fd = -1;
  Bytes in = Bytes(1 << 18);
  std::size_t in_used = 0;
  std::vector<std::uint64_t> held;  // one bit per prefix of the sender's range
  std::size_t count = 0;
  bool open_seen = false;
  bool established = false;
  bool full = false;
  bool empty = false;
};

class Receivers {
 public:
  Receivers(std::size_t n, std::size_t k) : n_(n), sessions_(k) {
    for (auto& s : sessions_) s.held.assign((n + 63) / 64, 0);
  }

  int run(in_addr_t target, in_addr_t first, bool listen_mode, std::uint16_t port) {
    const auto until = deadline();
    if (listen_mode) {
      accept_all(first, port, until);
    } else {
      for (std::size_t i = 0; i < sessions_.size(); ++i) {
        const in_addr_t source = htonl(ntohl(first) + static_cast<std::uint32_t>(i));
        sessions_[i].fd = connect_from(source, target, port, until);
      }
    }
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    // SIGTERM (the script giving up on a phase): say how far every session got, then exit.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    const int sfd = signalfd(-1, &signals, SFD_CLOEXEC);
    if (sfd < 0) die("signalfd");
    epoll_event sev{};
    sev.events = EPOLLIN;
    sev.data.u64 = kSignalSlot;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &sev) != 0) die("epoll_ctl");
    for (std::size_t i = 0; i < sessions_.size(); ++i) {
      auto& s = sessions_[i];
      sockaddr_in me{};
      socklen_t len = sizeof me;
      getsockname(s.fd, reinterpret_cast<sockaddr*>(&me), &len);
      write_small(s, open_message(me.sin_addr.s_addr));
      set_nonblocking(s.fd);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      if (epoll_ctl(ep, EPOLL_CTL_ADD, s.fd, &ev) != 0) die("epoll_ctl");
    }
    auto next_keepalive = Clock::now() + kKeepaliveEvery;
    std::vector<epoll_event> events(sessions_.size() + 1);
    while (empty_ < sessions_.size()) {
      if (Clock::now() > until) {
        errno = 0;
        die("receivers timed out (established " + std::to_string(established_) + ", full " +
            std::to_string(full_) + ", empty " + std::to_string(empty_) + ")");
      }
      const int r = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
      if (r < 0 && errno != EINTR) die("epoll_wait");
      for (int e = 0; e < r; ++e) {
        if (events[e].data.u64 != kSignalSlot) {
          read_from(sessions_[events[e].data.u64]);
          continue;
        }
        std::size_t least = n_, most = 0;
        for (const auto& s : sessions_) {
          least = std::min(least, s.count);
          most = std::max(most, s.count);
        }
        say("held %zu %zu\n", least, most);
        print_rusage();
        return 1;
      }
      if (Clock::now() > next_keepalive) {
        for (auto& s : sessions_) write_small(s, keepalive());
        next_keepalive = Clock::now() + kKeepaliveEvery;
      }
    }
    say("all_empty %lld\n", last_);
    say("updates %zu\n", updates_);
    print_rusage();
    return 0;
  }

 private:
  void accept_all(in_addr_t address, std::uint16_t port, Clock::time_point until) {
    const int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const auto sa = endpoint(address, port);
    if (bind(lfd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) die("bind");
    if (listen(lfd, 64) != 0) die("listen");
    say("listening\n");
    for (auto& s : sessions_) {
      pollfd p{lfd, POLLIN, 0};
      while (poll(&p, 1, 1000) <= 0) {
        if (Clock::now() > until) {
          errno = 0;
          die("nobody connected");
        }
      }
      s.fd = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      if (s.fd < 0) die("accept");
    }
    close(lfd);
  }

  // Small control messages: the socket buffer always has room for them, so a short write means
  // the peer stopped reading altogether.
  static void write_small(Receiver& s, const Bytes& bytes) {
    const ssize_t w = send(s.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(bytes.size()) && !(w < 0 && errno == EAGAIN)) die("send");
  }

  void read_from(Receiver& s) {
    while (true) {
      if (s.in_used == s.in.size()) s.in.resize(s.in.size() * 2);
      const ssize_t got = recv(s.fd, s.in.data() + s.in_used, s.in.size() - s.in_used, 0);
      if (got == 0) {
        errno = 0;
        die("the reflector closed a session");
      }
      if (got < 0) {
        if (errno == EAGAIN || errno == EINTR) return;
        die("recv");
      }
      s.in_used += static_cast<std::size_t>(got);
      drain(s.in, s.in_used,
            [&](const std::uint8_t* msg, std::size_t length) { on_message(s, msg, length); });
    }
  }

  void on_message(Receiver& s, const std::uint8_t* msg, std::size_t length) {
    check_notification(msg, length);
    const std::uint8_t type = msg[18];
    if (type == 1) s.open_seen = true;
    if (type == 4 && s.open_seen && !s.established) {
      s.established = true;
      Bytes eor;
      encode_end_of_rib(AfiSafi::ipv4_unicast(), eor);
      write_small(s, eor);
      if (++established_ == sessions_.size()) say("established %zu %lld\n", established_, now_ns());
    }
    if (type != 2 || length < 23) return;
    ++updates_;
    const std::uint8_t* p = msg + 19;
    const std::uint8_t* end = msg + length;
    const std::size_t withdrawn_length = (std::size_t{p[0]} << 8) | p[1];
    const std::uint8_t* withdrawn = p + 2;
    const std::uint8_t* attributes = withdrawn + withdrawn_length;
    if (attributes + 2 > end) return;
    const std::size_t attributes_length = (std::size_t{attributes[0]} << 8) | attributes[1];
    const std::uint8_t* nlri = attributes + 2 + attributes_length;
    if (nlri > end) return;
    walk(s, withdrawn, attributes, false);
    walk(s, nlri, end, true);
    const long long t = now_ns();
    if (!s.full && s.count == n_) {
      s.full = true;
      last_ = t;
      if (++full_ == sessions_.size()) say("all_full %lld\n", last_);
    }
    if (s.full && !s.empty && s.count == 0) {
      s.empty = true;
      last_ = t;
      ++empty_;
    }
  }

  void walk(Receiver& s, const std::uint8_t* p, const std::uint8_t* end, bool announce) {
    while (p < end) {
      const unsigned bits = *p++;
      const std::size_t octets = (bits + 7) / 8;
      if (p + octets > end) return;
      if (bits == 32) {
        const std::uint32_t address = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
                                      (std::uint32_t{p[2]} << 8) | p[3];
        const std::uint32_t index = address - kFirstPrefix;
        if (index < n_) {
          std::uint64_t& word = s.held[index / 64];
          const std::uint64_t bit = std::uint64_t{1} << (index % 64);
          if (announce && !(word & bit)) {
            word |= bit;
            ++s.count;
          } else if (!announce && (word & bit)) {
            word &= ~bit;
            --s.count;
          }
        }
      }
      p += octets;
    }
  }

  static constexpr std::uint64_t kSignalSlot = ~std::uint64_t{0};
  std::size_t n_;
  std::vector<Receiver> sessions_;
  std::size_t established_ = 0;
  std::size_t full_ = 0;
  std::size_t empty_ = 0;
  long long last_ = 0;
  std::size_t updates_ = 0;  // UPDATE messages received over all sessions
};

int usage() {
  std::fprintf(stderr,
               "usage: rr_load send LOCAL TARGET N [PORT]\n"
               "       rr_load recv TARGET N FIRST_SOURCE K [--listen] [PORT]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 4 && args[0] == "send") {
    const std::size_t n = std::stoul(args[3]);
    const auto port = static_cast<std::uint16_t>(args.size() > 4 ? std::stoi(args[4]) : 179);
    if (n == 0 || n > (1u << 22)) return usage();
    return run_sender(parse_v4(args[1].c_str()), parse_v4(args[2].c_str()), n, port);
  }
  if (args.size() >= 5 && args[0] == "recv") {
    const std::size_t n = std::stoul(args[2]);
    const std::size_t k = std::stoul(args[4]);
    bool listen_mode = false;
    std::uint16_t port = 179;
    for (std::size_t i = 5; i < args.size(); ++i) {
      if (args[i] == "--listen") {
        listen_mode = true;
      } else {
        port = static_cast<std::uint16_t>(std::stoi(args[i]));
      }
    }
    if (n == 0 || n > (1u << 22) || k == 0 || k > 250) return usage();
    Receivers receivers(n, k);
    return receivers.run(parse_v4(args[1].c_str()), parse_v4(args[3].c_str()), listen_mode, port);
  }
  return usage();
}
