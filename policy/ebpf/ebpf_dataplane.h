// EbpfDataplane: the eBPF policy back-end (`policy.dataplane: ebpf`). It loads the fixed tc
// program (bpf/policy.bpf.c, compiled with clang at build time and embedded as a bpftool
// skeleton), attaches it to tc ingress and egress of each endpoint's host-side interface, and
// keeps the maps equal to the last applied Program's MapImage (map_image.h).
//
// NOTE Threading: not thread-safe; one owner thread calls apply/uninstall/counters. Interface
// names are resolved and tc hooks attached in the network namespace of the calling thread.
//
// NOTE Updates: apply() diffs against the previous image. Set members are added and removed in
// place in the LPM trie (no rule touched). A chain whose rules changed is written to a free slot
// of the rules array, then its chain entry is switched to that slot in one map update, so a
// packet never walks a half-written chain; counters of the replaced slot are carried over by
// rule id. Endpoints that left the Program are detached and their entries removed. Established
// flows stay in the connection table across policy changes (Calico keeps conntrack too).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "policy/dataplane.h"
#include "policy/ebpf/map_image.h"

struct pinto_policy_bpf;  // the bpftool skeleton (generated policy.skel.h)

namespace pinto::policy::ebpf {

class EbpfDataplane : public Dataplane {
 public:
  /// Loads and verifies the BPF program and creates its maps (needs CAP_BPF + CAP_NET_ADMIN,
  /// i.e. root). Nothing is attached until apply().
  static Result<std::unique_ptr<EbpfDataplane>> load();
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

 private:
  struct Installed {
    EndpointId endpoint;
    std::string interface_name;
    int ifindex = 0;
    bool created_qdisc = false;
    EncodedChain chains[2];  // [PINTO_DIR_INGRESS], [PINTO_DIR_EGRESS]
    std::uint32_t slots[2] = {0, 0};
    bool has_slot[2] = {false, false};
  };
  using CounterKey = std::tuple<EndpointId, int, std::string>;

  explicit EbpfDataplane(pinto_policy_bpf* skel);
  Result<void> attach(Installed& ep);
  void detach(const Installed& ep);
  Result<void> write_chain(Installed& ep, int direction, const EncodedChain& chain);
  void release_slot(Installed& ep, int direction);
  void forget(Installed& ep);
  void clear_conntrack();
  Result<void> update_sets(const std::vector<SetEntry>& entries);
  pinto_counter read_counter(std::uint32_t index);
  Result<std::uint32_t> take_slot();

  pinto_policy_bpf* skel_;
  SetIndexer sets_;
  std::vector<SetEntry> set_entries_;
  std::map<std::string, Installed> installed_;  // by interface name
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> released_slots_;    // free from the next apply() on
  std::map<CounterKey, pinto_counter> carried_;  // counts of slots since rewritten
  std::vector<std::string> pending_;
};

}  // namespace pinto::policy::ebpf
