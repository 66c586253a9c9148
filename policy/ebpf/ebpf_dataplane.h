// EbpfDataplane: the eBPF policy back-end (`policy.dataplane: ebpf`). It loads the fixed tc
// program (bpf/policy.bpf.c, compiled with clang at build time and embedded as a bpftool
// skeleton), attaches it to tc ingress and egress of each workload endpoint's host-side interface
// and of each host endpoint's interface (other entry points: policy.bpf.c), and
// keeps the maps equal to the last applied Program's MapImage (map_image.h).
//
// NOTE Threading: not thread-safe; one owner thread calls apply/uninstall/counters. Interface
// names are resolved and tc hooks attached in the network namespace of the calling thread.
//
// NOTE Updates: apply() diffs against the previous image. Set members are added and removed in
// place in the LPM tries (no rule touched). A chain whose rules changed is written beside the old
// one (free ranges of the rules and lists arrays, its port keys under a new tag), then its chain
// entry is switched in one map update, so a packet never walks a half-written chain; counters of
// the replaced rules are carried over by rule id. The old ranges and port keys are reclaimed at
// the next apply (a packet may still be walking them). Endpoints that left the Program are
// detached and their entries removed. Established flows stay in the connection table across
// policy changes (Calico keeps conntrack too) until they close (TCP RST, or FIN from both ends
// and the closing timeout) or go idle for longer than their state's timeout (ConntrackTimeouts).
//
// NOTE Performance: map writes use batch updates; apply() of a 10,000-rule chain takes tens of
// milliseconds (docs/policy.md has the figures of bench/policy_bench).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "policy/dataplane.h"
#include "policy/ebpf/map_image.h"
#include "policy/ebpf/range_allocator.h"

struct pinto_policy_bpf;  // the bpftool skeleton (generated policy.skel.h)

namespace pinto::policy::ebpf {

/// How long a connection-table entry may stay idle, by state (bpf/conntrack.h). The defaults
/// are Calico's eBPF data plane's; tests lower them to see entries expire.
struct ConntrackTimeouts {
  std::chrono::nanoseconds tcp_syn = std::chrono::seconds(20);  // before the responder answers
  std::chrono::nanoseconds tcp_established = std::chrono::hours(1);
  std::chrono::nanoseconds tcp_closing = std::chrono::seconds(30);  // FIN seen from both ends
  std::chrono::nanoseconds udp = std::chrono::seconds(60);
  std::chrono::nanoseconds icmp = std::chrono::seconds(5);
  std::chrono::nanoseconds other = std::chrono::minutes(10);
  pinto_ct_timeouts to_abi() const;
};

/// The connection table at one moment, for tests and diagnostics.
struct ConntrackCensus {
  std::size_t established = 0;  // both ends seen, not closing, not expired
  std::size_t opening = 0;      // only the end that opened the flow seen yet
  std::size_t closing = 0;      // TCP: FIN from both ends, within the closing timeout
  std::size_t expired = 0;      // idle past its timeout, not yet evicted
};

class EbpfDataplane : public Dataplane {
 public:
  /// Loads and verifies the BPF program and creates its maps (needs CAP_BPF + CAP_NET_ADMIN,
  /// i.e. root). Nothing is attached until apply().
  static Result<std::unique_ptr<EbpfDataplane>> load(const ConntrackTimeouts& timeouts = {});
  ~EbpfDataplane() override;
  EbpfDataplane(const EbpfDataplane&) = delete;
  EbpfDataplane& operator=(const EbpfDataplane&) = delete;

  /// Refuses (before touching the kernel) a Program outside the supported subset (map_image.h).
  /// Endpoints whose interface does not exist yet are skipped and listed by
  /// pending_interfaces(); call apply() again when they appear.
  Result<void> apply(const Program& program) override;
  Result<void> uninstall() override;
  std::vector<RuleCounter> counters() override;

  std::vector<std::string> pending_interfaces() const override { return pending_; }

  /// Counts the connection table's entries of `protocol` (0: all) by state (a walk of the whole
  /// map: tests, tools).
  ConntrackCensus conntrack_census(std::uint8_t protocol = 0) const;

 private:
  /// Where one chain version lives in the maps.
  struct Placement {
    std::uint32_t tag = 0;
    std::uint32_t rule_first = 0;
    std::uint32_t rule_count = 0;
    std::uint32_t list_first = 0;
    std::uint32_t list_count = 0;
    std::vector<pinto_port_key> keys;  // its entries in pinto_ports
  };
  struct Installed {
    EndpointId endpoint;
    std::string interface_name;
    int ifindex = 0;
    bool created_qdisc = false;
    EncodedChain chains[2];  // [PINTO_DIR_INGRESS], [PINTO_DIR_EGRESS]
    std::optional<Placement> placed[2];
  };
  using CounterKey = std::tuple<EndpointId, int, std::string>;

  EbpfDataplane(pinto_policy_bpf* skel, const ConntrackTimeouts& timeouts);
  Result<void> attach(Installed& ep);
  void detach(const Installed& ep);
  Result<void> write_chain(Installed& ep, int direction, const EncodedChain& chain);
  Result<void> write_placement(const Placement& at, const EncodedChain& chain);
  void release_chain(Installed& ep, int direction);
  void reclaim_released();
  void forget(Installed& ep);
  void clear_conntrack();
  Result<void> update_sets(const std::vector<SetEntry>& entries);
  /// Per-rule sums over CPUs of pinto_counters[first, first + count).
  std::vector<pinto_counter> read_counters(std::uint32_t first, std::uint32_t count);

  pinto_policy_bpf* skel_;
  pinto_ct_timeouts timeouts_;
  SetIndexer sets_;
  std::vector<SetEntry> set_entries_;
  std::map<std::string, Installed> installed_;  // by interface name
  RangeAllocator rule_space_{PINTO_RULE_SLOTS};
  RangeAllocator list_space_{PINTO_LIST_SLOTS};
  std::uint32_t next_tag_ = 1;
  std::vector<Placement> released_;              // reclaimed at the next apply()
  std::map<CounterKey, pinto_counter> carried_;  // counts of chains since rewritten
  std::vector<std::string> pending_;
};

}  // namespace pinto::policy::ebpf
