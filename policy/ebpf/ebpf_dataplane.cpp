#include "policy/ebpf/ebpf_dataplane.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "policy.skel.h"

namespace pinto::policy::ebpf {

namespace {

// Our filter's identity on the clsact hooks, so replace/detach touch only it.
constexpr std::uint32_t kTcHandle = 0x9170;
constexpr std::uint32_t kTcPriority = 1;

Error errno_error(const std::string& what, int err) {
  return Error{"eBPF dataplane: " + what + ": " + std::strerror(err < 0 ? -err : err)};
}

bpf_tc_hook make_hook(int ifindex, bpf_tc_attach_point point) {
  bpf_tc_hook hook;
  std::memset(&hook, 0, sizeof(hook));
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = point;
  return hook;
}

bpf_tc_opts make_opts(int prog_fd, std::uint32_t flags) {
  bpf_tc_opts opts;
  std::memset(&opts, 0, sizeof(opts));
  opts.sz = sizeof(opts);
  opts.prog_fd = prog_fd;
  opts.flags = flags;
  opts.handle = kTcHandle;
  opts.priority = kTcPriority;
  return opts;
}

Direction direction_of(int d) {
  return d == PINTO_DIR_INGRESS ? Direction::Ingress : Direction::Egress;
}

}  // namespace

Result<std::unique_ptr<EbpfDataplane>> EbpfDataplane::load() {
  pinto_policy_bpf* skel = pinto_policy_bpf__open_and_load();
  if (!skel) return failure(errno_error("loading the BPF program", errno));
  return std::unique_ptr<EbpfDataplane>(new EbpfDataplane(skel));
}

EbpfDataplane::EbpfDataplane(pinto_policy_bpf* skel) : skel_(skel) {
  for (std::uint32_t s = PINTO_MAX_SLOTS; s > 0; --s) free_slots_.push_back(s - 1);
}

EbpfDataplane::~EbpfDataplane() {
  // Detach first: a tc filter holds the program (and its maps) alive after our fds close.
  (void)uninstall();
  pinto_policy_bpf__destroy(skel_);
}

Result<std::uint32_t> EbpfDataplane::take_slot() {
  if (free_slots_.empty()) {
    return failure(Error{"eBPF dataplane: more than " + std::to_string(PINTO_MAX_SLOTS / 2) +
                         " endpoints (no free rule slot)"});
  }
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

pinto_counter EbpfDataplane::read_counter(std::uint32_t index) {
  const int cpus = libbpf_num_possible_cpus();
  std::vector<pinto_counter> per_cpu(static_cast<std::size_t>(cpus > 0 ? cpus : 1));
  pinto_counter sum{0, 0};
  if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.pinto_counters), &index, per_cpu.data()) == 0) {
    for (const auto& c : per_cpu) {
      sum.packets += c.packets;
      sum.bytes += c.bytes;
    }
  }
  return sum;
}

Result<void> EbpfDataplane::write_chain(Installed& ep, int direction, const EncodedChain& chain) {
  auto slot = take_slot();
  if (!slot) return failure(slot.error());
  const int rules_fd = bpf_map__fd(skel_->maps.pinto_rules);
  const int counters_fd = bpf_map__fd(skel_->maps.pinto_counters);
  const int cpus = libbpf_num_possible_cpus();
  const std::vector<pinto_counter> zeros(static_cast<std::size_t>(cpus > 0 ? cpus : 1),
                                         pinto_counter{0, 0});
  for (std::size_t i = 0; i < chain.rules.size(); ++i) {
    std::uint32_t index = slot.value() * PINTO_MAX_RULES + static_cast<std::uint32_t>(i);
    if (bpf_map_update_elem(rules_fd, &index, &chain.rules[i], BPF_ANY) != 0 ||
        bpf_map_update_elem(counters_fd, &index, zeros.data(), BPF_ANY) != 0) {
      const int err = errno;
      free_slots_.push_back(slot.value());
      return failure(errno_error("writing rules of " + ep.interface_name, err));
    }
  }
  // The switch: one update of the chain entry makes the new slot live.
  const pinto_chain_key key{static_cast<__u32>(ep.ifindex), static_cast<__u32>(direction)};
  const pinto_chain value{slot.value(), static_cast<__u32>(chain.rules.size()),
                          chain.policed ? 1u : 0u, 0};
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.pinto_chains), &key, &value, BPF_ANY) != 0) {
    const int err = errno;
    free_slots_.push_back(slot.value());
    return failure(errno_error("switching the chain of " + ep.interface_name, err));
  }
  release_slot(ep, direction);
  ep.chains[direction] = chain;
  ep.slots[direction] = slot.value();
  ep.has_slot[direction] = true;
  return outcome::success();
}

void EbpfDataplane::release_slot(Installed& ep, int direction) {
  if (!ep.has_slot[direction]) return;
  ep.has_slot[direction] = false;
  const EncodedChain& old = ep.chains[direction];
  for (std::size_t i = 0; i < old.ids.size(); ++i) {
    const pinto_counter c =
        read_counter(ep.slots[direction] * PINTO_MAX_RULES + static_cast<std::uint32_t>(i));
    auto& carried = carried_[{ep.endpoint, direction, old.ids[i].text}];
    carried.packets += c.packets;
    carried.bytes += c.bytes;
  }
  // Not reusable before the next apply(): a packet may still be walking the old slot.
  released_slots_.push_back(ep.slots[direction]);
}

Result<void> EbpfDataplane::attach(Installed& ep) {
  const int progs[2] = {bpf_program__fd(skel_->progs.pinto_to_pod),
                        bpf_program__fd(skel_->progs.pinto_from_pod)};
  // tc egress of the host-side veth carries packets to the pod (its Ingress), tc ingress the
  // packets from it (its Egress).
  const bpf_tc_attach_point points[2] = {BPF_TC_EGRESS, BPF_TC_INGRESS};
  bpf_tc_hook hook = make_hook(ep.ifindex, BPF_TC_INGRESS);
  const int created = bpf_tc_hook_create(&hook);
  if (created != 0 && created != -EEXIST) {
    return failure(errno_error("creating clsact on " + ep.interface_name, created));
  }
  ep.created_qdisc = created == 0;
  for (int d = 0; d < 2; ++d) {
    bpf_tc_hook h = make_hook(ep.ifindex, points[d]);
    bpf_tc_opts opts = make_opts(progs[d], BPF_TC_F_REPLACE);
    if (const int err = bpf_tc_attach(&h, &opts); err != 0) {
      return failure(errno_error("attaching to " + ep.interface_name, err));
    }
  }
  return outcome::success();
}

void EbpfDataplane::detach(const Installed& ep) {
  // The interface may be gone already (pod deleted): errors here change nothing.
  for (bpf_tc_attach_point point : {BPF_TC_INGRESS, BPF_TC_EGRESS}) {
    bpf_tc_hook h = make_hook(ep.ifindex, point);
    const bpf_tc_opts opts = make_opts(0, 0);
    (void)bpf_tc_detach(&h, &opts);
  }
  if (ep.created_qdisc) {
    bpf_tc_hook h =
        make_hook(ep.ifindex, static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
    (void)bpf_tc_hook_destroy(&h);
  }
  for (int d = 0; d < 2; ++d) {
    const pinto_chain_key key{static_cast<__u32>(ep.ifindex), static_cast<__u32>(d)};
    (void)bpf_map_delete_elem(bpf_map__fd(skel_->maps.pinto_chains), &key);
  }
}

Result<void> EbpfDataplane::update_sets(const std::vector<SetEntry>& entries) {
  std::vector<SetEntry> added, removed;
  std::set_difference(entries.begin(), entries.end(), set_entries_.begin(), set_entries_.end(),
                      std::back_inserter(added));
  std::set_difference(set_entries_.begin(), set_entries_.end(), entries.begin(), entries.end(),
                      std::back_inserter(removed));
  const int fd = bpf_map__fd(skel_->maps.pinto_sets);
  const __u8 one = 1;
  for (const SetEntry& e : added) {
    const pinto_set_key key = e.key();
    if (bpf_map_update_elem(fd, &key, &one, BPF_ANY) != 0) {
      return failure(errno_error("adding a set member", errno));
    }
  }
  for (const SetEntry& e : removed) {
    const pinto_set_key key = e.key();
    (void)bpf_map_delete_elem(fd, &key);
  }
  set_entries_ = entries;
  return outcome::success();
}

Result<void> EbpfDataplane::apply(const Program& program) {
  for (const EndpointProgram& ep : program.endpoints) {
    if (ep.endpoint.host) {
      return failure(Error{"eBPF dataplane: host endpoint " + ep.endpoint.to_string() +
                           ": host endpoints are not supported by the eBPF dataplane yet"});
    }
  }
  // A refused Program must leave no trace: set indices are committed only once it is accepted.
  SetIndexer sets = sets_;
  auto image = build_map_image(program, sets);
  if (!image) return failure(image.error());
  sets_ = std::move(sets);
  free_slots_.insert(free_slots_.end(), released_slots_.begin(), released_slots_.end());
  released_slots_.clear();

  // Members first: a rule that starts using a set finds it filled. A set index is never reused
  // within one apply (SetIndexer), so stale members of a vanished set match no live rule.
  if (auto r = update_sets(image.value().set_entries); !r) return r;

  pending_.clear();
  std::set<std::string> wanted;
  for (const EncodedEndpoint& ep : image.value().endpoints) {
    const int ifindex = static_cast<int>(if_nametoindex(ep.interface_name.c_str()));
    if (ifindex == 0) {
      pending_.push_back(ep.interface_name);
      continue;
    }
    wanted.insert(ep.interface_name);
    auto it = installed_.find(ep.interface_name);
    if (it != installed_.end() && it->second.ifindex != ifindex) {
      // The interface was recreated under the same name: start over on the new one.
      forget(it->second);
      installed_.erase(it);
      it = installed_.end();
    }
    const bool fresh = it == installed_.end();
    if (fresh) {
      Installed in;
      in.endpoint = ep.endpoint;
      in.interface_name = ep.interface_name;
      in.ifindex = ifindex;
      it = installed_.emplace(ep.interface_name, std::move(in)).first;
    }
    Installed& in = it->second;
    in.endpoint = ep.endpoint;
    const EncodedChain* chains[2] = {&ep.ingress, &ep.egress};
    for (int d = 0; d < 2; ++d) {
      if (!fresh && in.chains[d].same_rules(*chains[d])) continue;
      if (auto r = write_chain(in, d, *chains[d]); !r) return r;
    }
    // Chains are in place before the program sees the interface.
    if (fresh) {
      if (auto r = attach(in); !r) return r;
    }
  }
  for (auto it = installed_.begin(); it != installed_.end();) {
    if (wanted.count(it->first) != 0) {
      ++it;
      continue;
    }
    forget(it->second);
    it = installed_.erase(it);
  }
  return outcome::success();
}

Result<void> EbpfDataplane::uninstall() {
  for (auto& [name, ep] : installed_) forget(ep);
  installed_.clear();
  (void)update_sets({});
  clear_conntrack();
  return outcome::success();
}

void EbpfDataplane::forget(Installed& ep) {
  detach(ep);
  for (int d = 0; d < 2; ++d) release_slot(ep, d);
  // Counters are per endpoint: a removed endpoint's history goes with it.
  for (auto it = carried_.begin(); it != carried_.end();) {
    it = std::get<0>(it->first) == ep.endpoint ? carried_.erase(it) : std::next(it);
  }
}

void EbpfDataplane::clear_conntrack() {
  const int fd = bpf_map__fd(skel_->maps.pinto_conntrack);
  pinto_ct_key key;
  std::memset(&key, 0, sizeof(key));
  // Deleting the key just read keeps get_next_key valid: ask again from the start each time.
  while (bpf_map_get_next_key(fd, nullptr, &key) == 0) {
    if (bpf_map_delete_elem(fd, &key) != 0) break;
  }
}

std::vector<RuleCounter> EbpfDataplane::counters() {
  std::map<CounterKey, pinto_counter> totals = carried_;
  for (const auto& [name, ep] : installed_) {
    for (int d = 0; d < 2; ++d) {
      const EncodedChain& chain = ep.chains[d];
      for (std::size_t i = 0; i < chain.ids.size(); ++i) {
        const pinto_counter c =
            read_counter(ep.slots[d] * PINTO_MAX_RULES + static_cast<std::uint32_t>(i));
        auto& t = totals[{ep.endpoint, d, chain.ids[i].text}];
        t.packets += c.packets;
        t.bytes += c.bytes;
      }
    }
  }
  std::vector<RuleCounter> out;
  for (const auto& [key, c] : totals) {
    out.push_back(
        {std::get<0>(key), direction_of(std::get<1>(key)), std::get<2>(key), c.packets, c.bytes});
  }
  return out;
}

}  // namespace pinto::policy::ebpf
