// policy_traffic: TCP throughput and new connections per second between two pods through 10,
// 1,000 and 10,000 policy rules, for no policy, the iptables back-end and the eBPF back-end in one
// run (issue 7's traffic table; docs/benchmarks.md "Policy traffic").
//
//   policy_traffic [--quick] [--rules 10,1000,10000] [--dataplanes none,iptables,ebpf]
//                  [--throughput-seconds S] [--connect-seconds S] [--clients K]
//                  [--server-threads T] [--repeat R]
//
// DOC. Each row gets a fresh topology (the pintod_policy_test one, made here with `ip`): a node
// namespace and two pod namespaces, each pod's eth0 paired with a `cali…` veth in the node, a /26
// on-link route in the pods, proxy_arp on the cali side, ip_forward and a /32 route per pod in
// the node. So every row starts with empty conntrack tables and no leftovers of the row before.
// The policy is a GlobalNetworkPolicy selecting pod B for ingress; its first N-1 rules allow TCP
// from a distinct /32 outside the pods' range to a distinct port (nothing mergeable, none matches
// the benchmark traffic), its last allows pod A to the server port. It goes through the real
// path: YAML → config::parse_resources → PolicyModel → Compiler → Program → Dataplane::apply().
// "none" programs nothing at all. Traffic comes from this process: server threads that setns()
// into pod B, client threads that setns() into pod A.
//
// Clean-up: namespaces are RAII objects (deleted in their destructors, which also takes the veths,
// routes and the node's iptables state with them); the eBPF back-end is uninstalled by its
// destructor; SIGINT/SIGTERM/SIGHUP set a flag every loop polls, so main() returns through the
// destructors. Every loop is bounded by a deadline and every socket call by a timeout. A run
// killed with SIGKILL leaves "ptraf-<pid>-…" namespaces; the next run deletes those of dead PIDs.
//
// NOTE Threading: the main thread builds topologies, applies programs (in the node namespace for
// eBPF, whose tc hooks attach in the calling thread's namespace) and prints; server and client
// threads live for one phase and are joined before the next.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "config/resources/resource.h"
#include "policy/compiler/compiler.h"
#include "policy/ebpf/ebpf_dataplane.h"
#include "policy/iptables/iptables_dataplane.h"
#include "policy/iptables/tool_runner.h"
#include "policy/model/policy_model.h"

namespace {

using namespace pinto;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Set by the signal handler, polled by every loop. A signal handler can reach nothing else, which
// is why this one flag is global.
std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int) {
  g_interrupted.store(true);
}

bool interrupted() {
  return g_interrupted.load(std::memory_order_relaxed);
}

constexpr std::uint16_t kServerPort = 5201;     // allowed by the last rule
constexpr std::uint16_t kUnmatchedPort = 5202;  // no rule allows it
constexpr const char* kPodA = "10.244.1.5";
constexpr const char* kPodB = "10.244.1.6";
constexpr const char* kCaliA = "cali0000000000a";
constexpr const char* kCaliB = "cali0000000000b";
constexpr const char* kNsPrefix = "ptraf-";
constexpr std::size_t kWriteSize = 256 * 1024;

struct Options {
  std::vector<int> rules = {10, 1000, 10000};
  std::vector<std::string> dataplanes = {"none", "iptables", "ebpf"};
  double throughput_seconds = 5;
  double connect_seconds = 5;
  int clients = 4;
  int server_threads = 2;
  int repeat = 1;  // whole sweeps; the table shows medians
};

// ---------------------------------------------------------------------------------------------
// Small helpers: tools, file descriptors, namespaces.

Result<std::string> run(const std::vector<std::string>& argv) {
  return policy::iptables::run_tool(argv, "", 20s);
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// Moves the calling thread into `netns_fd` for good (worker threads, which then exit).
bool enter_netns(int netns_fd) {
  return ::setns(netns_fd, CLONE_NEWNET) == 0;
}

// Moves the calling thread into a namespace for a scope and back (the main thread, for eBPF).
class ScopedNetns {
 public:
  explicit ScopedNetns(int netns_fd)
      : original_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    ok_ = original_ && enter_netns(netns_fd);
  }
  ~ScopedNetns() {
    if (original_) (void)::setns(original_.get(), CLONE_NEWNET);
  }
  ScopedNetns(const ScopedNetns&) = delete;
  ScopedNetns& operator=(const ScopedNetns&) = delete;
  bool ok() const { return ok_; }

 private:
  Fd original_;
  bool ok_ = false;
};

// One named network namespace (`ip netns add`), deleted on destruction with everything in it.
class Netns {
 public:
  explicit Netns(std::string name) : name_(std::move(name)) {
    if (auto r = run({"ip", "netns", "add", name_}); !r) {
      error_ = r.error().message;
      return;
    }
    created_ = true;
    fd_ = Fd(::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_) error_ = errno_text("open /var/run/netns/" + name_);
  }
  ~Netns() {
    fd_.reset();
    if (created_) (void)run({"ip", "netns", "del", name_});
  }
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  const std::string& name() const { return name_; }
  int fd() const { return fd_.get(); }
  const std::string& error() const { return error_; }

 private:
  std::string name_;
  bool created_ = false;
  Fd fd_;
  std::string error_;
};

// Deletes "ptraf-<pid>-…" namespaces whose <pid> is dead: leftovers of a run killed by SIGKILL.
// Namespaces of other programs and of live runs are left alone.
void remove_stale_namespaces() {
  DIR* dir = ::opendir("/var/run/netns");
  if (dir == nullptr) return;
  std::vector<std::string> stale;
  for (int i = 0; i < 10000; ++i) {
    const dirent* e = ::readdir(dir);
    if (e == nullptr) break;
    const std::string name = e->d_name;
    if (name.rfind(kNsPrefix, 0) != 0) continue;
    const int pid = std::atoi(name.c_str() + std::strlen(kNsPrefix));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) {
      stale.push_back(name);
    }
  }
  ::closedir(dir);
  for (const auto& name : stale) {
    std::fprintf(stderr, "policy_traffic: removing stale namespace %s\n", name.c_str());
    (void)run({"ip", "netns", "del", name});
  }
}

// The node and two pods, as in tests/integration/pintod_policy_test.cpp.
class Topology {
 public:
  explicit Topology(int row)
      : node_(name(row, "node")), pod_a_(name(row, "a")), pod_b_(name(row, "b")) {}

  Result<void> build() {
    for (const Netns* ns : {&node_, &pod_a_, &pod_b_}) {
      if (!ns->error().empty()) return failure(Error{ns->error()});
    }
    const std::string node = node_.name();
    std::vector<std::vector<std::string>> steps = {
        {"ip", "-n", node, "link", "set", "lo", "up"},
        {"ip", "-n", pod_a_.name(), "link", "set", "lo", "up"},
        {"ip", "-n", pod_b_.name(), "link", "set", "lo", "up"},
        {"ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
        // The client opens tens of thousands of connections: a wide port range, and TIME-WAIT
        // reuse in case the client ends up closing first.
        {"ip", "netns", "exec", pod_a_.name(), "sysctl", "-qw",
         "net.ipv4.ip_local_port_range=10000 65000"},
        {"ip", "netns", "exec", pod_a_.name(), "sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"},
    };
    for (const auto& [pod, cali, address] :
         {std::tuple{&pod_a_, kCaliA, kPodA}, std::tuple{&pod_b_, kCaliB, kPodB}}) {
      const std::string p = pod->name();
      const std::vector<std::vector<std::string>> more = {
          {"ip", "-n", node, "link", "add", cali, "type", "veth", "peer", "name", "eth0", "netns",
           p},
          {"ip", "-n", node, "link", "set", cali, "up"},
          {"ip", "-n", p, "link", "set", "eth0", "up"},
          {"ip", "-n", p, "addr", "add", std::string(address) + "/32", "dev", "eth0"},
          {"ip", "-n", p, "route", "add", "10.244.1.0/26", "dev", "eth0", "scope", "link"},
          {"ip", "-n", node, "route", "add", std::string(address) + "/32", "dev", cali},
          {"ip", "netns", "exec", node, "sysctl", "-qw",
           "net.ipv4.conf." + std::string(cali) + ".proxy_arp=1"},
      };
      steps.insert(steps.end(), more.begin(), more.end());
    }
    for (const auto& argv : steps) {
      if (interrupted()) return failure(Error{"interrupted"});
      if (auto r = run(argv); !r) return failure(r.error());
    }
    return outcome::success();
  }

  const Netns& node() const { return node_; }
  const Netns& pod_a() const { return pod_a_; }
  const Netns& pod_b() const { return pod_b_; }

 private:
  static std::string name(int row, const char* role) {
    return kNsPrefix + std::to_string(::getpid()) + "-" + std::to_string(row) + "-" + role;
  }
  // Declared in creation order: pods go first on destruction, the node last.
  Netns node_;
  Netns pod_a_;
  Netns pod_b_;
};

// ---------------------------------------------------------------------------------------------
// The policy: YAML for the endpoints and one GlobalNetworkPolicy, compiled as pintod does.

std::string workload(const std::string& pod, const std::string& app, const std::string& cali,
                     const std::string& address) {
  return "apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
         "metadata: {name: node--a-k8s-" +
         pod + "-eth0, namespace: default, labels: {app: " + app +
         "}}\n"
         "spec: {node: node-a, orchestrator: k8s, pod: " +
         pod + ", endpoint: eth0, interfaceName: " + cali + ", ipNetworks: [" + address + "/32]}\n";
}

// Rule i < rules-1: TCP from 10.128.0.0 + i (outside 10.244.1.0/26) to port 10000 + i; the last
// rule: TCP from app == 'a' (pod A) to the server port.
std::string manifest(int rules) {
  std::string y = workload("pod-a", "a", kCaliA, kPodA) + "---\n" +
                  workload("pod-b", "b", kCaliB, kPodB) +
                  "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\n"
                  "metadata: {name: bench}\n"
                  "spec:\n  selector: app == 'b'\n  types: [Ingress]\n  ingress:\n";
  for (int i = 0; i + 1 < rules; ++i) {
    const std::string source = "10." + std::to_string(128 + (i >> 16)) + "." +
                               std::to_string((i >> 8) & 0xff) + "." + std::to_string(i & 0xff);
    y += "  - {action: Allow, protocol: TCP, source: {nets: [" + source +
         "/32]}, destination: {ports: [" + std::to_string(10000 + i) + "]}}\n";
  }
  y += "  - {action: Allow, protocol: TCP, source: {selector: app == 'a'}, destination: {ports: "
       "[" +
       std::to_string(kServerPort) + "]}}\n";
  return y;
}

Result<policy::Program> compile_program(int rules) {
  auto resources = config::parse_resources(manifest(rules), "policy_traffic");
  if (!resources) return failure(Error{resources.error().to_string()});
  auto model = policy::PolicyModel::build(resources.value());
  if (!model) return failure(model.error());
  return policy::compile(model.value());
}

// ---------------------------------------------------------------------------------------------
// Traffic. The server answers on kServerPort by the first byte a client sends: 'C' (connection
// rate): one byte back, then close (the server closes first, so TIME-WAIT stays on its side and
// the client's ports are free at once); 'T' (throughput): read to EOF, then send back the byte
// count as 8 octets. On kUnmatchedPort it accepts and closes: reaching it means no policy held.

void set_timeouts(int fd, std::chrono::milliseconds t) {
  timeval tv{static_cast<time_t>(t.count() / 1000),
             static_cast<suseconds_t>(t.count() % 1000 * 1000)};
  (void)::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

sockaddr_in address_of(const char* ip, std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  ::inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

Result<Fd> listen_on(std::uint16_t port) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return failure(Error{errno_text("socket")});
  const int one = 1;
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  const sockaddr_in a = address_of(kPodB, port);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    return failure(Error{errno_text("bind " + std::to_string(port))});
  }
  if (::listen(fd.get(), 1024) != 0) return failure(Error{errno_text("listen")});
  return fd;
}

// Connects with a bounded wait; the socket is blocking afterwards, with `io_timeout` on reads and
// writes. The error is "timeout" when no answer came (what a policy drop looks like).
Result<Fd> connect_to(std::uint16_t port, std::chrono::milliseconds timeout,
                      std::chrono::milliseconds io_timeout) {
  Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return failure(Error{errno_text("socket")});
  const sockaddr_in a = address_of(kPodB, port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    if (errno != EINPROGRESS) return failure(Error{errno_text("connect")});
    pollfd p{fd.get(), POLLOUT, 0};
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n == 0) return failure(Error{"timeout"});
    if (n < 0) return failure(Error{errno_text("poll")});
    int err = 0;
    socklen_t len = sizeof err;
    (void)::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return failure(Error{std::string("connect: ") + std::strerror(err)});
  }
  const int flags = ::fcntl(fd.get(), F_GETFL);
  (void)::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  set_timeouts(fd.get(), io_timeout);
  return fd;
}

bool send_all(int fd, const void* data, std::size_t size) {
  const auto* p = static_cast<const char*>(data);
  for (int i = 0; size > 0 && i < 1000; ++i) {
    const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR && !interrupted()) continue;
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return size == 0;
}

// The server threads in pod B. Each owns a SO_REUSEPORT listener on kServerPort (the kernel
// spreads connections over them); thread 0 also holds the kUnmatchedPort listener.
class Server {
 public:
  Server(const Netns& pod_b, int threads) {
    for (int i = 0; i < threads; ++i) {
      std::promise<std::string> started;
      auto ready = started.get_future();
      threads_.emplace_back(
          [this, fd = pod_b.fd(), i, p = std::move(started)]() mutable { serve(fd, i == 0, p); });
      if (ready.wait_for(10s) != std::future_status::ready) {
        error_ = "server thread did not start";
      } else if (auto e = ready.get(); !e.empty()) {
        error_ = e;
      }
    }
  }
  ~Server() {
    stop_.store(true);
    for (auto& t : threads_) t.join();
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const std::string& error() const { return error_; }
  std::uint64_t unmatched_accepted() const { return unmatched_accepted_.load(); }

 private:
  void serve(int netns_fd, bool probe_listener, std::promise<std::string>& started) {
    if (!enter_netns(netns_fd)) {
      started.set_value(errno_text("setns pod B"));
      return;
    }
    auto listener = listen_on(kServerPort);
    if (!listener) {
      started.set_value(listener.error().message);
      return;
    }
    Fd unmatched;
    if (probe_listener) {
      auto u = listen_on(kUnmatchedPort);
      if (!u) {
        started.set_value(u.error().message);
        return;
      }
      unmatched = std::move(u.value());
    }
    started.set_value("");
    // Bounded: the phases are at most minutes long; the 100 ms poll is how stop_ is noticed.
    const auto give_up = Clock::now() + 1h;
    while (!stop_.load() && !interrupted() && Clock::now() < give_up) {
      pollfd p[2] = {{listener.value().get(), POLLIN, 0}, {unmatched.get(), POLLIN, 0}};
      if (::poll(p, unmatched ? 2 : 1, 100) <= 0) continue;
      if (p[1].revents & POLLIN) {
        Fd c(::accept4(unmatched.get(), nullptr, nullptr, SOCK_CLOEXEC));
        if (c) unmatched_accepted_.fetch_add(1);
      }
      if (p[0].revents & POLLIN) {
        for (int i = 0; i < 64; ++i) {  // drain the backlog a little before polling again
          Fd c(::accept4(listener.value().get(), nullptr, nullptr, SOCK_CLOEXEC));
          if (!c) break;
          handle(c.get());
        }
      }
    }
  }

  void handle(int fd) {
    set_timeouts(fd, 2s);
    char kind = 0;
    if (::recv(fd, &kind, 1, 0) != 1) return;
    if (kind == 'C') {
      (void)::send(fd, &kind, 1, MSG_NOSIGNAL);
      return;  // the caller's Fd closes: the server closes first
    }
    if (kind != 'T') return;
    std::vector<char> buffer(kWriteSize);
    std::uint64_t total = 0;
    const auto give_up = Clock::now() + 10min;
    while (!stop_.load() && !interrupted() && Clock::now() < give_up) {
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
      if (n == 0) {
        (void)send_all(fd, &total, sizeof total);
        return;
      }
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      total += static_cast<std::uint64_t>(n);
    }
  }

  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> unmatched_accepted_{0};
  std::string error_;
};

// Runs `f` on a thread that has entered `netns_fd` and returns its result.
template <class F>
auto in_netns_thread(int netns_fd, F f) -> decltype(f()) {
  decltype(f()) out = failure(Error{"setns failed"});
  std::thread t([&] {
    if (enter_netns(netns_fd)) out = f();
  });
  t.join();
  return out;
}

// One 'C' exchange: connect, send a byte, receive it, wait for the server's close.
Result<void> one_connection(std::chrono::milliseconds timeout) {
  auto fd = connect_to(kServerPort, timeout, timeout);
  if (!fd) return failure(fd.error());
  const char c = 'C';
  if (!send_all(fd.value().get(), &c, 1)) return failure(Error{errno_text("send")});
  char reply[2];
  if (::recv(fd.value().get(), reply, 1, 0) != 1) return failure(Error{errno_text("recv")});
  if (::recv(fd.value().get(), reply, 1, 0) != 0) return failure(Error{"no close after reply"});
  return outcome::success();
}

// Gbit/s of one stream: 'T', `seconds` of kWriteSize writes, then the server's byte count.
Result<double> throughput(const Netns& pod_a, double seconds) {
  return in_netns_thread(pod_a.fd(), [seconds]() -> Result<double> {
    auto fd = connect_to(kServerPort, 2s, 2s);
    if (!fd) return failure(fd.error());
    const int s = fd.value().get();
    const char t = 'T';
    if (!send_all(s, &t, 1)) return failure(Error{errno_text("send")});
    std::vector<char> buffer(kWriteSize, 'x');
    const auto start = Clock::now();
    const auto end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (std::uint64_t i = 0; Clock::now() < end && !interrupted() && i < (1ull << 40); ++i) {
      if (!send_all(s, buffer.data(), buffer.size())) return failure(Error{errno_text("send")});
    }
    ::shutdown(s, SHUT_WR);
    set_timeouts(s, 10s);
    std::uint64_t received = 0;
    if (::recv(s, &received, sizeof received, MSG_WAITALL) != sizeof received) {
      return failure(Error{errno_text("reading the server's count")});
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return static_cast<double>(received) * 8 / elapsed / 1e9;
  });
}

struct RateResult {
  double per_second = 0;
  std::uint64_t failed = 0;
  std::string first_error;
};

// New connections per second: `clients` threads in pod A, each doing one_connection() in a loop.
RateResult connection_rate(const Netns& pod_a, double seconds, int clients) {
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> failed{0};
  std::mutex error_mutex;
  std::string first_error;
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> threads;
  for (int k = 0; k < clients; ++k) {
    threads.emplace_back([&, fd = pod_a.fd()] {
      if (!enter_netns(fd)) {
        failed.fetch_add(1);
        return;
      }
      for (std::uint64_t i = 0; Clock::now() < end && !interrupted() && i < 100'000'000; ++i) {
        if (auto r = one_connection(1s); r) {
          done.fetch_add(1, std::memory_order_relaxed);
        } else {
          failed.fetch_add(1, std::memory_order_relaxed);
          std::lock_guard lock(error_mutex);
          if (first_error.empty()) first_error = r.error().message;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(done.load()) / elapsed, failed.load(), first_error};
}

// ---------------------------------------------------------------------------------------------
// One row of the table.

struct Row {
  std::string dataplane;
  int rules = 0;
  double apply_ms = -1;   // Dataplane::apply(), -1 for none
  std::string unmatched;  // "blocked", "open" (expected with no policy), "OPEN" (a leak)
  double gbits = -1;
  double conns = -1;
  std::string note;  // "refused: …", errors
  double load = 0;
};

double load_average() {
  std::ifstream in("/proc/loadavg");
  double l = 0;
  in >> l;
  return l;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// The policy data plane of a row; none for "none".
struct Installed {
  std::unique_ptr<policy::Dataplane> dataplane;
  const Netns* node = nullptr;
  bool ebpf = false;
  ~Installed() {
    if (!dataplane) return;
    // The eBPF back-end detaches in the calling thread's namespace; iptables goes through
    // `ip netns exec`. Either way the node namespace's deletion takes the rest.
    std::optional<ScopedNetns> in_node;
    if (ebpf) in_node.emplace(node->fd());
    if (in_node && !in_node->ok()) {
      // Detaching by ifindex in the wrong namespace could touch another interface: leave it
      // all to the node namespace's deletion and to process exit (which frees the programs).
      static_cast<void>(dataplane.release());
      return;
    }
    (void)dataplane->uninstall();
    dataplane.reset();
  }
};

Row run_row(int index, const std::string& dataplane, int rules, const Options& options) {
  Row row{dataplane, rules, -1, "–", -1, -1, "", load_average()};
  Topology topology(index);
  if (auto r = topology.build(); !r) {
    row.note = "topology: " + r.error().message;
    return row;
  }
  Server server(topology.pod_b(), options.server_threads);
  if (!server.error().empty()) {
    row.note = "server: " + server.error();
    return row;
  }

  Installed installed;
  installed.node = &topology.node();
  if (dataplane != "none") {
    const auto compile_start = Clock::now();
    auto program = compile_program(rules);
    if (!program) {
      row.note = "compile: " + program.error().message;
      return row;
    }
    std::fprintf(stderr, "  compiled %d rules in %.2f s\n", rules,
                 std::chrono::duration<double>(Clock::now() - compile_start).count());
    if (dataplane == "iptables") {
      policy::iptables::IptablesOptions o;
      o.command_prefix = {"ip", "netns", "exec", topology.node().name()};
      // 10,000 rules with a set each take iptables-restore over a minute on a loaded 2-core
      // machine (docs/benchmarks.md): the bound is generous on purpose.
      o.tool_timeout = 600s;
      installed.dataplane = std::make_unique<policy::iptables::IptablesDataplane>(o);
    } else {
      installed.ebpf = true;
      ScopedNetns in_node(topology.node().fd());
      if (!in_node.ok()) {
        row.note = errno_text("setns node");
        return row;
      }
      auto loaded = policy::ebpf::EbpfDataplane::load();
      if (!loaded) {
        row.note = "load: " + loaded.error().message;
        return row;
      }
      installed.dataplane = std::move(loaded.value());
    }
    const auto start = Clock::now();
    Result<void> applied = outcome::success();
    {
      std::optional<ScopedNetns> in_node;
      if (installed.ebpf) in_node.emplace(topology.node().fd());
      if (in_node && !in_node->ok()) {
        row.note = errno_text("setns node");
        return row;
      }
      applied = installed.dataplane->apply(program.value());
    }
    row.apply_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!applied) {
      row.note = "refused: " + applied.error().message;
      return row;
    }
    if (const auto pending = installed.dataplane->pending_interfaces(); !pending.empty()) {
      row.note = "not attached: " + pending.front();
      return row;
    }
  }

  // The allowed path must work before anything is measured (the first try also resolves ARP).
  Result<void> allowed = failure(Error{"not tried"});
  for (int i = 0; i < 5 && !interrupted() && !allowed; ++i) {
    allowed = in_netns_thread(topology.pod_a().fd(), [] { return one_connection(1s); });
  }
  if (!allowed) {
    row.note = "allowed traffic fails: " + allowed.error().message;
    return row;
  }
  // A connection no rule allows must not get through (with no policy it must).
  auto probe = in_netns_thread(topology.pod_a().fd(), []() -> Result<void> {
    auto fd = connect_to(kUnmatchedPort, 1500ms, 1s);
    if (!fd) return failure(fd.error());
    return outcome::success();
  });
  if (dataplane == "none") {
    row.unmatched = probe ? "open" : "FAILS: " + probe.error().message;
  } else {
    row.unmatched = probe ? "OPEN (leak)" : "blocked";
  }

  if (auto g = throughput(topology.pod_a(), options.throughput_seconds); g) {
    row.gbits = g.value();
  } else {
    row.note += "throughput: " + g.error().message + "; ";
  }
  const RateResult rate =
      connection_rate(topology.pod_a(), options.connect_seconds, options.clients);
  row.conns = rate.per_second;
  if (rate.failed > 0) {
    row.note += std::to_string(rate.failed) + " connections failed (" + rate.first_error + ")";
  }
  if (interrupted()) {  // whatever was measured was cut short
    row.gbits = row.conns = -1;
    row.note = "interrupted";
  }
  return row;
}

// ---------------------------------------------------------------------------------------------

std::string percent(double value, double base) {
  if (value < 0 || base <= 0) return "–";
  return fixed(100 * value / base, 0) + " %";
}

// The median of the samples >= 0 and, with more than one, their range: "7.90 (7.10–8.35)".
struct Summary {
  double median = -1;
  std::string text = "–";
};

Summary summarize(std::vector<double> samples, int decimals) {
  std::erase_if(samples, [](double v) { return v < 0; });
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  std::string text = fixed(median, decimals);
  if (n > 1)
    text += " (" + fixed(samples.front(), decimals) + "–" + fixed(samples.back(), decimals) + ")";
  return {median, text};
}

// One line per (rule count, data plane), in the order first measured; with --repeat, the cells
// are medians over the runs and "% of none" compares medians of the same rule count.
void print_table(const std::vector<Row>& rows) {
  struct Cell {
    std::string dataplane;
    int rules;
    std::vector<const Row*> runs;
  };
  std::vector<Cell> cells;
  for (const auto& r : rows) {
    auto it = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) {
      return c.dataplane == r.dataplane && c.rules == r.rules;
    });
    if (it == cells.end()) it = cells.insert(cells.end(), Cell{r.dataplane, r.rules, {}});
    it->runs.push_back(&r);
  }
  const auto column = [](const Cell& c, double Row::*field, int decimals) {
    std::vector<double> v;
    for (const Row* r : c.runs) v.push_back(r->*field);
    return summarize(v, decimals);
  };
  const auto joined = [](const Cell& c, std::string Row::*field) {
    std::vector<std::string> seen;
    for (const Row* r : c.runs) {
      if (!(r->*field).empty() && std::find(seen.begin(), seen.end(), r->*field) == seen.end()) {
        seen.push_back(r->*field);
      }
    }
    std::string out;
    for (const auto& s : seen) out += (out.empty() ? "" : "; ") + s;
    return out;
  };
  // Milliseconds to one decimal below 100 ms, whole ones above.
  const auto apply_decimals = [](const Cell& c) {
    for (const Row* r : c.runs) {
      if (r->apply_ms >= 100) return 0;
    }
    return 1;
  };
  std::printf(
      "\n| dataplane | rules | apply ms | unmatched conn | Gbit/s | %% of none | conn/s | "
      "%% of none | load | note |\n");
  std::printf("|---|---:|---:|---|---:|---:|---:|---:|---:|---|\n");
  for (const auto& c : cells) {
    // "% of none": against the no-policy line of the same rule count (measured just before).
    double base_gbits = -1, base_conns = -1;
    for (const auto& b : cells) {
      if (b.dataplane == "none" && b.rules == c.rules) {
        base_gbits = column(b, &Row::gbits, 2).median;
        base_conns = column(b, &Row::conns, 0).median;
      }
    }
    const bool none = c.dataplane == "none";
    const Summary gbits = column(c, &Row::gbits, 2);
    const Summary conns = column(c, &Row::conns, 0);
    std::printf("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", c.dataplane.c_str(),
                c.rules, column(c, &Row::apply_ms, apply_decimals(c)).text.c_str(),
                joined(c, &Row::unmatched).c_str(), gbits.text.c_str(),
                none ? "–" : percent(gbits.median, base_gbits).c_str(), conns.text.c_str(),
                none ? "–" : percent(conns.median, base_conns).c_str(),
                column(c, &Row::load, 2).text.c_str(), joined(c, &Row::note).c_str());
  }
  std::fflush(stdout);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

int usage() {
  std::fprintf(stderr,
               "usage: policy_traffic [--quick] [--rules 10,1000,10000] "
               "[--dataplanes none,iptables,ebpf]\n"
               "                      [--throughput-seconds S] [--connect-seconds S] "
               "[--clients K] [--server-threads T] [--repeat R]\n"
               "  --quick: --rules 10,1000 --throughput-seconds 1 --connect-seconds 1\n"
               "  --repeat R: R whole sweeps, the table shows medians (and min–max)\n"
               "  needs root; every row builds and removes its own namespaces\n");
  return 2;
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--quick") {
      o.rules = {10, 1000};
      o.throughput_seconds = 1;
      o.connect_seconds = 1;
    } else if (arg == "--rules" && has_value) {
      o.rules.clear();
      for (const auto& r : split(argv[++i])) o.rules.push_back(std::atoi(r.c_str()));
    } else if (arg == "--dataplanes" && has_value) {
      o.dataplanes = split(argv[++i]);
    } else if (arg == "--throughput-seconds" && has_value) {
      o.throughput_seconds = std::atof(argv[++i]);
    } else if (arg == "--connect-seconds" && has_value) {
      o.connect_seconds = std::atof(argv[++i]);
    } else if (arg == "--clients" && has_value) {
      o.clients = std::atoi(argv[++i]);
    } else if (arg == "--repeat" && has_value) {
      o.repeat = std::atoi(argv[++i]);
    } else if (arg == "--server-threads" && has_value) {
      o.server_threads = std::atoi(argv[++i]);
    } else {
      return std::nullopt;
    }
  }
  const auto valid_seconds = [](double s) { return s > 0 && s <= 600; };
  if (o.rules.empty() || o.dataplanes.empty() || !valid_seconds(o.throughput_seconds) ||
      !valid_seconds(o.connect_seconds) || o.clients < 1 || o.clients > 64 ||
      o.server_threads < 1 || o.server_threads > 16 || o.repeat < 1 || o.repeat > 20) {
    return std::nullopt;
  }
  for (int r : o.rules) {
    if (r < 1 || r > 50000) return std::nullopt;  // ports 10000 + i stay below 65536
  }
  for (const auto& d : o.dataplanes) {
    if (d != "none" && d != "iptables" && d != "ebpf") return std::nullopt;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return usage();
  if (::geteuid() != 0) {
    std::fprintf(stderr, "policy_traffic: needs root (network namespaces, iptables, BPF)\n");
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  remove_stale_namespaces();

  std::vector<Row> rows;
  int index = 0;
  for (int run = 0; run < options->repeat; ++run) {
    for (int rules : options->rules) {
      for (const auto& dataplane : options->dataplanes) {
        if (interrupted()) break;
        std::fprintf(stderr, "policy_traffic: run %d, %s, %d rules\n", run + 1, dataplane.c_str(),
                     rules);
        rows.push_back(run_row(index++, dataplane, rules, *options));
        const Row& r = rows.back();
        std::fprintf(stderr, "  apply %.1f ms, unmatched %s, %.2f Gbit/s, %.0f conn/s %s\n",
                     r.apply_ms, r.unmatched.c_str(), r.gbits, r.conns, r.note.c_str());
      }
    }
  }
  std::printf(
      "policy_traffic: %g s stream, %g s of connections with %d clients, %d server threads, "
      "%d run(s)\n",
      options->throughput_seconds, options->connect_seconds, options->clients,
      options->server_threads, options->repeat);
  print_table(rows);
  if (interrupted()) {
    std::fprintf(stderr, "policy_traffic: interrupted; everything it made is removed\n");
    return 130;
  }
  return 0;
}
