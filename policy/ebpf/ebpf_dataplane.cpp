#include "policy/ebpf/ebpf_dataplane.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iterator>

#include "policy.skel.h"
#include "policy/ebpf/bpf/conntrack.h"

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

std::size_t possible_cpus() {
  const int cpus = libbpf_num_possible_cpus();
  return static_cast<std::size_t>(cpus > 0 ? cpus : 1);
}

// Writes `count` (key, value) pairs in one batch; kernels without batch updates for the map type
// get one update per element. 10,000 rules are one system call instead of 10,000.
int update_many(int fd, const void* keys, const void* values, std::uint32_t count,
                std::size_t key_size, std::size_t value_size) {
  if (count == 0) return 0;
  std::uint32_t n = count;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  if (bpf_map_update_batch(fd, keys, values, &n, &opts) == 0 && n == count) return 0;
  const auto* k = static_cast<const std::uint8_t*>(keys);
  const auto* v = static_cast<const std::uint8_t*>(values);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (bpf_map_update_elem(fd, k + i * key_size, v + i * value_size, BPF_ANY) != 0) return -errno;
  }
  return 0;
}

// update_many for an array map: values[i] goes to index first + i.
int update_array(int fd, std::uint32_t first, const void* values, std::uint32_t count,
                 std::size_t value_size) {
  std::vector<std::uint32_t> keys(count);
  for (std::uint32_t i = 0; i < count; ++i) keys[i] = first + i;
  return update_many(fd, keys.data(), values, count, sizeof(std::uint32_t), value_size);
}

}  // namespace

pinto_ct_timeouts ConntrackTimeouts::to_abi() const {
  auto ns = [](std::chrono::nanoseconds d) { return static_cast<__u64>(d.count()); };
  return {ns(tcp_syn), ns(tcp_established), ns(tcp_closing), ns(udp), ns(icmp), ns(other)};
}

Result<std::unique_ptr<EbpfDataplane>> EbpfDataplane::load(const ConntrackTimeouts& timeouts) {
  pinto_policy_bpf* skel = pinto_policy_bpf__open_and_load();
  if (!skel) return failure(errno_error("loading the BPF program", errno));
  // The program drops every packet until its timeouts are set: nothing is attached yet.
  const pinto_ct_timeouts abi = timeouts.to_abi();
  const std::uint32_t zero = 0;
  if (bpf_map_update_elem(bpf_map__fd(skel->maps.pinto_ct_config), &zero, &abi, BPF_ANY) != 0) {
    const int err = errno;
    pinto_policy_bpf__destroy(skel);
    return failure(errno_error("writing the connection-table timeouts", err));
  }
  return std::unique_ptr<EbpfDataplane>(new EbpfDataplane(skel, timeouts));
}

EbpfDataplane::EbpfDataplane(pinto_policy_bpf* skel, const ConntrackTimeouts& timeouts)
    : skel_(skel), timeouts_(timeouts.to_abi()) {}

ConntrackCensus EbpfDataplane::conntrack_census(std::uint8_t protocol) const {
  ConntrackCensus census;
  const int fd = bpf_map__fd(skel_->maps.pinto_conntrack);
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns()'s clock
  const __u64 now = static_cast<__u64>(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
  pinto_ct_key key, next;
  std::memset(&key, 0, sizeof(key));
  const void* after = nullptr;
  while (bpf_map_get_next_key(fd, after, &next) == 0) {
    key = next;
    after = &key;
    pinto_ct_value v;
    if (protocol != 0 && key.protocol != protocol) continue;
    if (bpf_map_lookup_elem(fd, &key, &v) != 0) continue;  // evicted meanwhile
    if (pinto_ct_expired(&v, &timeouts_, key.protocol, now)) {
      ++census.expired;
    } else if ((v.flags & PINTO_CT_FIN_LOW) && (v.flags & PINTO_CT_FIN_HIGH)) {
      ++census.closing;
    } else if ((v.flags & PINTO_CT_SEEN_LOW) && (v.flags & PINTO_CT_SEEN_HIGH)) {
      ++census.established;
    } else {
      ++census.opening;
    }
  }
  return census;
}

EbpfDataplane::~EbpfDataplane() {
  // Detach first: a tc filter holds the program (and its maps) alive after our fds close.
  (void)uninstall();
  pinto_policy_bpf__destroy(skel_);
}

std::vector<pinto_counter> EbpfDataplane::read_counters(std::uint32_t first, std::uint32_t count) {
  const std::size_t cpus = possible_cpus();
  std::vector<pinto_counter> per_cpu(cpus * count);
  std::vector<std::uint32_t> keys(count);
  const int fd = bpf_map__fd(skel_->maps.pinto_counters);
  // One batch from `first` on: the batch position is the key *before* the first one read.
  std::uint32_t n = count;
  std::uint32_t after = first - 1, out_batch = 0;
  LIBBPF_OPTS(bpf_map_batch_opts, opts);
  const bool batched = count > 0 &&
                       bpf_map_lookup_batch(fd, first == 0 ? nullptr : &after, &out_batch,
                                            keys.data(), per_cpu.data(), &n, &opts) == 0 &&
                       n == count && keys.front() == first;
  if (!batched) {
    for (std::uint32_t i = 0; i < count; ++i) {
      std::uint32_t index = first + i;
      if (bpf_map_lookup_elem(fd, &index, &per_cpu[i * cpus]) != 0) {
        std::fill_n(per_cpu.begin() + i * cpus, cpus, pinto_counter{0, 0});
      }
    }
  }
  std::vector<pinto_counter> sums(count, pinto_counter{0, 0});
  for (std::uint32_t i = 0; i < count; ++i) {
    for (std::size_t c = 0; c < cpus; ++c) {
      sums[i].packets += per_cpu[i * cpus + c].packets;
      sums[i].bytes += per_cpu[i * cpus + c].bytes;
    }
  }
  return sums;
}

Result<void> EbpfDataplane::write_placement(const Placement& at, const EncodedChain& chain) {
  const std::vector<pinto_counter> zeros(possible_cpus() * chain.rules.size(), pinto_counter{0, 0});
  if (int err = update_array(bpf_map__fd(skel_->maps.pinto_rules), at.rule_first,
                             chain.rules.data(), at.rule_count, sizeof(pinto_rule));
      err != 0) {
    return failure(errno_error("writing rules", err));
  }
  if (int err = update_array(bpf_map__fd(skel_->maps.pinto_counters), at.rule_first, zeros.data(),
                             at.rule_count, possible_cpus() * sizeof(pinto_counter));
      err != 0) {
    return failure(errno_error("clearing counters", err));
  }
  if (int err = update_array(bpf_map__fd(skel_->maps.pinto_lists), at.list_first,
                             chain.index.lists.data(), at.list_count, sizeof(std::uint32_t));
      err != 0) {
    return failure(errno_error("writing the port index", err));
  }
  std::vector<pinto_list_ref> refs;
  refs.reserve(chain.index.ports.size());
  for (const PortList& p : chain.index.ports) refs.push_back({at.list_first + p.first, p.count});
  if (int err = update_many(bpf_map__fd(skel_->maps.pinto_ports), at.keys.data(), refs.data(),
                            static_cast<std::uint32_t>(at.keys.size()), sizeof(pinto_port_key),
                            sizeof(pinto_list_ref));
      err != 0) {
    return failure(errno_error("writing the port index keys", err));
  }
  return outcome::success();
}

Result<void> EbpfDataplane::write_chain(Installed& ep, int direction, const EncodedChain& chain) {
  Placement at;
  at.rule_count = static_cast<std::uint32_t>(chain.rules.size());
  at.list_count = static_cast<std::uint32_t>(chain.index.lists.size());
  const auto rules = rule_space_.take(at.rule_count);
  const auto lists = rules ? list_space_.take(at.list_count) : std::nullopt;
  if (!rules || !lists) {
    if (rules) rule_space_.give_back(*rules, at.rule_count);
    return failure(Error{"eBPF dataplane: " + ep.interface_name + ": no contiguous room for " +
                         std::to_string(at.rule_count) + " rules and " +
                         std::to_string(at.list_count) +
                         " index entries beside the rules in force (apply again to reclaim "
                         "the space of replaced chains)"});
  }
  at.rule_first = *rules;
  at.list_first = *lists;
  at.tag = next_tag_++;
  if (next_tag_ == 0) next_tag_ = 1;  // 0 is never a tag, so a zeroed key matches nothing
  for (const PortList& p : chain.index.ports) at.keys.push_back({at.tag, p.protocol, 0, p.port});
  if (auto r = write_placement(at, chain); !r) {
    released_.push_back(std::move(at));  // reclaimed (keys deleted) at the next apply
    return failure(Error{r.error().message + " of " + ep.interface_name});
  }
  // The switch: one update of the chain entry makes the new rules and index live.
  const pinto_chain_key key{static_cast<__u32>(ep.ifindex), static_cast<__u32>(direction)};
  const pinto_chain value{at.tag,        at.rule_first,          at.rule_count,
                          at.list_first, chain.index.wild_count, chain.policed ? 1u : 0u};
  if (bpf_map_update_elem(bpf_map__fd(skel_->maps.pinto_chains), &key, &value, BPF_ANY) != 0) {
    const int err = errno;
    released_.push_back(std::move(at));
    return failure(errno_error("switching the chain of " + ep.interface_name, err));
  }
  release_chain(ep, direction);
  ep.chains[direction] = chain;
  ep.placed[direction] = std::move(at);
  return outcome::success();
}

void EbpfDataplane::release_chain(Installed& ep, int direction) {
  if (!ep.placed[direction]) return;
  const Placement& old = *ep.placed[direction];
  const EncodedChain& chain = ep.chains[direction];
  const std::vector<pinto_counter> counts = read_counters(old.rule_first, old.rule_count);
  for (std::size_t i = 0; i < chain.ids.size() && i < counts.size(); ++i) {
    const pinto_counter& c = counts[i];
    auto& carried = carried_[{ep.endpoint, direction, chain.ids[i].text}];
    carried.packets += c.packets;
    carried.bytes += c.bytes;
  }
  // Not reusable before the next apply(): a packet may still be walking the old chain.
  released_.push_back(std::move(*ep.placed[direction]));
  ep.placed[direction].reset();
}

void EbpfDataplane::reclaim_released() {
  const int ports_fd = bpf_map__fd(skel_->maps.pinto_ports);
  for (const Placement& p : released_) {
    for (const pinto_port_key& key : p.keys) (void)bpf_map_delete_elem(ports_fd, &key);
    rule_space_.give_back(p.rule_first, p.rule_count);
    list_space_.give_back(p.list_first, p.list_count);
  }
  released_.clear();
}

Result<void> EbpfDataplane::attach(Installed& ep) {
  // Workloads: tc egress of the host-side veth carries packets to the pod (its Ingress), tc
  // ingress the packets from it (its Egress). Host endpoints the other way round: tc ingress
  // carries what the host receives (its Ingress), tc egress what it sends (its Egress); their
  // programs let forwarded traffic by (policy.bpf.c). Chains are keyed by the chain's own
  // direction either way.
  const bool host = ep.endpoint.host;
  const int progs[2] = {
      bpf_program__fd(host ? skel_->progs.pinto_host_in : skel_->progs.pinto_to_pod),
      bpf_program__fd(host ? skel_->progs.pinto_host_out : skel_->progs.pinto_from_pod)};
  const bpf_tc_attach_point points[2] = {host ? BPF_TC_INGRESS : BPF_TC_EGRESS,
                                         host ? BPF_TC_EGRESS : BPF_TC_INGRESS};
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
  // LPM tries take one element per call (no batch updates for them).
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
  // A refused Program must leave no trace: set indices are committed only once it is accepted.
  SetIndexer sets = sets_;
  auto image = build_map_image(program, sets);
  if (!image) return failure(image.error());
  sets_ = std::move(sets);
  reclaim_released();

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
    if (it != installed_.end() &&
        (it->second.ifindex != ifindex || it->second.endpoint.host != ep.endpoint.host)) {
      // The interface was recreated under the same name, or changed from a workload's to a host
      // endpoint's (other programs): start over.
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
  for (int d = 0; d < 2; ++d) release_chain(ep, d);
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
      if (!ep.placed[d]) continue;
      const EncodedChain& chain = ep.chains[d];
      const std::vector<pinto_counter> counts =
          read_counters(ep.placed[d]->rule_first, ep.placed[d]->rule_count);
      for (std::size_t i = 0; i < chain.ids.size() && i < counts.size(); ++i) {
        const pinto_counter& c = counts[i];
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
