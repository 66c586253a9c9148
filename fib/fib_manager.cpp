#include "fib/fib_manager.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>

#include "common/log.h"
#include "fib/reconcile.h"

namespace pinto::fib {

namespace asio = boost::asio;

FibManager::FibManager(asio::io_context& routing, std::unique_ptr<FibWriter> writer,
                       std::uint32_t table, std::uint8_t protocol,
                       std::chrono::milliseconds resync_delay)
    : routing_(routing),
      work_(asio::make_work_guard(fib_io_)),
      writer_(std::move(writer)),
      table_(table),
      protocol_(protocol),
      resync_delay_(resync_delay),
      resync_timer_(routing),
      events_(writer_->open_events()) {
  if (events_) {
    events_fd_ = std::make_unique<asio::posix::stream_descriptor>(fib_io_, ::dup(events_->fd()));
    watch_events();
  }
  thread_ = std::thread([this] { fib_io_.run(); });
}

FibManager::~FibManager() {
  work_.reset();
  fib_io_.stop();
  if (thread_.joinable()) thread_.join();
  events_fd_.reset();
}

void FibManager::load_existing() {
  // (A std::packaged_task posted to Asio 1.74 aborts; use_future is the supported way.)
  auto existing =
      asio::post(fib_io_, asio::use_future([this] { return writer_->dump(table_, protocol_); }))
          .get();
  if (!existing) {
    log_error("fib: cannot read the kernel's routes: {}", existing.error().message);
    return;
  }
  for (auto& r : existing.value()) kernel_[r.prefix] = std::move(r);
  log_info("fib: {} routes of protocol {} already in table {}", kernel_.size(), protocol_, table_);
}

void FibManager::set(const KernelRoute& route) {
  KernelRoute r = route;
  r.table = table_;
  r.protocol = protocol_;
  auto [it, inserted] = desired_.try_emplace(r.prefix, r);
  if (!inserted) {
    count_flood(it->second, -1);
    it->second = r;
  }
  count_flood(r, +1);
  dirty_[r.prefix] = std::move(r);
  schedule_flush();
}

void FibManager::remove(const IpPrefix& prefix) {
  if (auto it = desired_.find(prefix); it != desired_.end()) {
    count_flood(it->second, -1);
    desired_.erase(it);
  }
  dirty_[prefix] = std::nullopt;
  schedule_flush();
}

// Keeps, per VXLAN device, how many wanted routes use each gateway: the device floods to exactly
// the gateways in use.
void FibManager::count_flood(const KernelRoute& route, int delta) {
  if (tunnels_.empty()) return;  // the common case: no encapsulated pool, nothing per route
  for (const NextHop& hop : route.next_hops) {
    auto tunnel = tunnels_.find(hop.device);
    if (tunnel == tunnels_.end() || tunnel->second.kind != TunnelDevice::Kind::Vxlan) continue;
    auto& refs = flood_refs_[hop.device];
    const int count = (refs[hop.gateway] += delta);
    if (count <= 0) refs.erase(hop.gateway);
    if (count <= 0 || count == delta) flood_dirty_.insert(hop.device);  // 0 <-> 1
  }
}

void FibManager::set_tunnels(const std::vector<TunnelDevice>& tunnels) {
  std::map<std::string, TunnelDevice> wanted;
  for (const auto& t : tunnels) wanted[t.name] = t;
  if (wanted == tunnels_) return;
  // Flood counts depend on which devices are VXLAN tunnels: recount from the wanted routes.
  tunnels_ = std::move(wanted);
  flood_refs_.clear();
  tunnel_errors_.clear();
  for (const auto& [prefix, route] : desired_) count_flood(route, +1);
  for (const auto& [name, device] : tunnels_) {
    ensure_tunnel(device);
    flood_dirty_.insert(name);
  }
  schedule_flush();
}

void FibManager::ensure_tunnel(const TunnelDevice& device) {
  asio::post(fib_io_, [this, device] {
    auto made = writer_->ensure_tunnel(device);
    asio::post(routing_, [this, name = device.name, made] {
      if (made) {
        tunnel_errors_.erase(name);
        log_info("fib: tunnel device {} ready", name);
      } else {
        tunnel_errors_[name] = made.error().message;
        log_error("fib: {}", made.error().message);
      }
    });
  });
}

void FibManager::schedule_flush() {
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  // After everything already queued on the routing thread: an UPDATE's many prefixes and any
  // flap within this turn collapse into one batch.
  asio::post(routing_, [this] { flush(); });
}

void FibManager::flush() {
  flush_scheduled_ = false;
  // Flood lists first (the FIB thread runs in order): ARP through a new route's tunnel must
  // already reach the remote node.
  for (const auto& device : flood_dirty_) {
    FloodList remotes;
    if (auto refs = flood_refs_.find(device); refs != flood_refs_.end()) {
      for (const auto& [gateway, count] : refs->second) remotes.insert(gateway);
    }
    if (!tunnels_.contains(device)) continue;
    asio::post(fib_io_, [this, device, remotes = std::move(remotes)] {
      if (auto r = writer_->set_flood_list(device, remotes); !r)
        log_warning("fib: {}", r.error().message);
    });
  }
  flood_dirty_.clear();
  std::vector<FibChange> batch;
  for (auto& [prefix, want] : dirty_) {
    auto have = kernel_.find(prefix);
    if (want) {
      if (have != kernel_.end() && matches(*want, have->second)) continue;
      batch.push_back({FibChange::Op::Replace, *want});
      kernel_[prefix] = *want;
      errors_.erase(prefix);
    } else {
      errors_.erase(prefix);  // not wanted any more: neither is its old refusal
      if (have == kernel_.end()) continue;
      batch.push_back({FibChange::Op::Delete, have->second});
      kernel_.erase(have);
    }
  }
  dirty_.clear();
  if (batch.empty()) return;
  changes_written_ += batch.size();
  asio::post(fib_io_, [this, batch = std::move(batch)] {
    const auto errors = writer_->apply(batch);
    for (const auto& e : errors)
      log_warning("fib: {} failed: {}", to_string(batch[e.index].route), e.message);
    if (!errors.empty()) {
      // Forget what did not make it, so the next set() (or a resync) tries again.
      std::vector<std::pair<IpPrefix, std::string>> failed;
      for (const auto& e : errors) failed.emplace_back(batch[e.index].route.prefix, e.message);
      asio::post(routing_, [this, failed = std::move(failed)] {
        for (const auto& [prefix, message] : failed) {
          kernel_.erase(prefix);
          errors_[prefix] = message;
        }
      });
    }
  });
}

void FibManager::watch_events() {
  events_fd_->async_wait(
      asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
        if (ec) return;  // shutting down
        auto events = events_->read();
        if (!events.empty()) {
          asio::post(routing_, [this, events = std::move(events)] { handle(events); });
        }
        watch_events();
      });
}

void FibManager::handle(const std::vector<KernelEvent>& events) {
  for (const KernelEvent& e : events) {
    switch (e.kind) {
      case KernelEvent::Kind::RouteDeleted: {
        if (e.table != table_ || e.protocol != protocol_) break;  // not ours
        // Our own deletions are of routes no longer desired; only a wanted route that we
        // believe is in place, with no write pending, was deleted by someone else.
        auto want = desired_.find(e.prefix);
        if (want == desired_.end() || dirty_.contains(e.prefix) || !kernel_.contains(e.prefix))
          break;
        log_info("fib: {} was deleted behind our back; writing it again", e.prefix.to_string());
        kernel_.erase(e.prefix);
        dirty_[e.prefix] = want->second;
        ++repairs_;
        schedule_flush();
        break;
      }
      case KernelEvent::Kind::LinkChanged:
        log_info("fib: link {} is {}", e.link, e.up ? "up" : "down");
        if (auto tunnel = tunnels_.find(e.link); tunnel != tunnels_.end() && !e.up) {
          ensure_tunnel(tunnel->second);  // deleted or downed by someone: make it again
          flood_dirty_.insert(e.link);
        }
        e.up ? link_up() : link_down(e.link);
        break;
      case KernelEvent::Kind::Overrun:
        log_warning("fib: kernel events were lost; comparing our routes with the kernel's");
        schedule_resync();
        break;
    }
  }
}

// Nothing of ours vanishes when a link comes up, but routes the kernel refused (a pod's interface
// not there yet, a link that was down) may fit now.
void FibManager::link_up() {
  std::size_t retried = 0;
  for (const auto& [prefix, message] : errors_) {
    auto want = desired_.find(prefix);
    if (want == desired_.end() || dirty_.contains(prefix)) continue;
    dirty_[prefix] = want->second;
    ++retried;
  }
  if (retried > 0) schedule_flush();
}

// The kernel drops the IPv4 routes through a link that goes down and says nothing. Routes that
// name the link (a pod's) are known to be gone; for any other link (an uplink that gateway routes
// resolve through) only a comparison with a fresh dump tells which went.
void FibManager::link_down(const std::string& link) {
  std::size_t named = 0;
  for (const auto& [prefix, want] : desired_) {
    const bool through = std::any_of(want.next_hops.begin(), want.next_hops.end(),
                                     [&](const NextHop& hop) { return hop.device == link; });
    if (!through || dirty_.contains(prefix)) continue;
    kernel_.erase(prefix);
    dirty_[prefix] = want;  // refused while the link is down; link_up() retries
    ++named;
  }
  if (named > 0) {
    schedule_flush();
  } else {
    schedule_resync();
  }
}

void FibManager::schedule_resync() {
  if (resync_scheduled_) return;
  resync_scheduled_ = true;
  // Debounced: a burst of link changes (a pod's veth pair, an interface flapping) costs one dump.
  resync_timer_.expires_after(resync_delay_);
  resync_timer_.async_wait([this](const boost::system::error_code& ec) {
    resync_scheduled_ = false;
    if (ec) return;
    asio::post(fib_io_, [this] {
      auto kernel = writer_->dump(table_, protocol_);
      if (!kernel) {
        log_error("fib: cannot read the kernel's routes: {}", kernel.error().message);
        return;
      }
      asio::post(routing_, [this, routes = std::move(kernel).value()]() mutable {
        resync(std::move(routes));
      });
    });
  });
}

// Writes every wanted route the kernel lacks or holds wrongly (routes that vanished with a link,
// routes refused earlier that may fit now). Pending writes are left to their own flush.
void FibManager::resync(std::vector<KernelRoute> kernel) {
  std::map<IpPrefix, KernelRoute> have;
  for (auto& r : kernel) have.emplace(r.prefix, std::move(r));
  std::size_t repaired = 0;
  for (const auto& [prefix, want] : desired_) {
    if (dirty_.contains(prefix)) continue;
    auto it = have.find(prefix);
    if (it != have.end() && matches(want, it->second)) continue;
    kernel_.erase(prefix);
    dirty_[prefix] = want;
    ++repaired;
  }
  if (repaired == 0) return;
  repairs_ += repaired;
  log_info("fib: {} routes of ours missing or wrong in the kernel; writing them again", repaired);
  schedule_flush();
}

void FibManager::sweep_stale() {
  std::vector<IpPrefix> stale;
  for (const auto& [prefix, route] : kernel_) {
    if (!desired_.contains(prefix)) stale.push_back(prefix);
  }
  for (const auto& p : stale) remove(p);
  log_info("fib: {} stale routes of ours to delete", stale.size());
}

void FibManager::withdraw_all() {
  std::vector<FibChange> batch;
  for (const auto& [prefix, route] : kernel_) batch.push_back({FibChange::Op::Delete, route});
  kernel_.clear();
  desired_.clear();  // so that the echo of these deletions is not taken for damage
  if (batch.empty()) return;
  asio::post(fib_io_, asio::use_future([this, &batch] { return writer_->apply(batch).size(); }))
      .get();
  log_info("fib: withdrew {} routes", batch.size());
}

}  // namespace pinto::fib
