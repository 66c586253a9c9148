#include "policy/iptables/ipset_text.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "policy/iptables/iptables_rules.h"

namespace pinto::policy::iptables {

namespace {

// Room for large GlobalNetworkSets (ipset's default is 65,536).
constexpr const char* kCreateOptions = " maxelem 1048576";

const char* type_of(SetKind kind) {
  return kind == SetKind::Nets ? "hash:net" : "hash:net,port";
}

std::string temp_name(SetId id, Family family) {
  // "pinto-t-…" / "pinto-t6-…": the same length as the real names.
  std::string name = ipset_name(id, family);
  return name.replace(6, 1, "t");
}

// A member in ipset's syntax. hash:net refuses a /0, so it becomes two halves (as Calico does).
std::vector<std::string> member_text(const IpSet& set, const SetMember& m) {
  std::vector<std::string> nets;
  if (m.net.length() == 0) {
    nets = m.net.family() == AddressFamily::V4
               ? std::vector<std::string>{"0.0.0.0/1", "128.0.0.0/1"}
               : std::vector<std::string>{"::/1", "8000::/1"};
  } else {
    nets.push_back(m.net.to_string());
  }
  if (set.kind == SetKind::NamedPort) {
    for (auto& n : nets) n += "," + std::to_string(m.protocol) + ":" + std::to_string(m.port);
  }
  return nets;
}

std::set<std::string> members_of(const IpSet& set, Family family) {
  std::set<std::string> out;
  for (const auto& m : set.members) {
    if ((m.net.family() == AddressFamily::V4) != (family == Family::V4)) continue;
    for (auto& t : member_text(set, m)) out.insert(std::move(t));
  }
  return out;
}

std::string create_line(const std::string& name, SetKind kind, Family family) {
  return "create " + name + " " + type_of(kind) + " family " +
         (family == Family::V4 ? "inet" : "inet6") + kCreateOptions + " -exist\n";
}

std::set<SetId> ids_of(const FamilySets& sets) {
  std::set<SetId> out;
  for (const auto& [family, by_id] : sets) {
    for (const auto& [id, set] : by_id) out.insert(id);
  }
  return out;
}

const IpSet* find_set(const FamilySets* sets, Family family, SetId id) {
  if (!sets) return nullptr;
  auto f = sets->find(family);
  if (f == sets->end()) return nullptr;
  auto it = f->second.find(id);
  return it == f->second.end() ? nullptr : &it->second;
}

FamilySets both_families(const std::map<SetId, IpSet>& sets) {
  return FamilySets{{Family::V4, sets}, {Family::V6, sets}};
}

}  // namespace

std::map<SetId, IpSet> sets_used(const Program& program, const std::set<SetId>& used) {
  std::map<SetId, IpSet> out;
  for (SetId id : used) {
    if (auto it = program.sets.find(id); it != program.sets.end()) out.emplace(id, it->second);
  }
  return out;
}

std::string ipset_update_text(const FamilySets* previous, const FamilySets& desired) {
  std::string out;
  // Set by set, IPv4 then IPv6 (the order of the text is the order of SetIds).
  for (SetId id : ids_of(desired)) {
    for (Family family : {Family::V4, Family::V6}) {
      const IpSet* set = find_set(&desired, family, id);
      if (!set) continue;
      const IpSet* before = find_set(previous, family, id);
      if (before && before->kind != set->kind) before = nullptr;
      if (before && before->members == set->members) continue;
      const std::string name = ipset_name(id, family);
      const auto wanted = members_of(*set, family);
      if (!before) {
        const std::string temp = temp_name(id, family);
        out += create_line(name, set->kind, family);
        out += create_line(temp, set->kind, family);
        out += "flush " + temp + "\n";
        for (const auto& m : wanted) out += "add " + temp + " " + m + "\n";
        out += "swap " + temp + " " + name + "\n";
        out += "destroy " + temp + "\n";
        continue;
      }
      const auto had = members_of(*before, family);
      for (const auto& m : had) {
        if (!wanted.contains(m)) out += "del " + name + " " + m + " -exist\n";
      }
      for (const auto& m : wanted) {
        if (!had.contains(m)) out += "add " + name + " " + m + " -exist\n";
      }
    }
  }
  return out;
}

std::string ipset_destroy_text(const FamilySets& previous, const FamilySets& desired) {
  std::string out;
  for (SetId id : ids_of(previous)) {
    for (Family family : {Family::V4, Family::V6}) {
      if (find_set(&previous, family, id) && !find_set(&desired, family, id)) {
        out += "destroy " + ipset_name(id, family) + "\n";
      }
    }
  }
  return out;
}

std::string ipset_update_text(const std::map<SetId, IpSet>* previous,
                              const std::map<SetId, IpSet>& desired) {
  if (!previous) return ipset_update_text(nullptr, both_families(desired));
  const FamilySets before = both_families(*previous);
  return ipset_update_text(&before, both_families(desired));
}

std::string ipset_destroy_text(const std::map<SetId, IpSet>& previous,
                               const std::map<SetId, IpSet>& desired) {
  return ipset_destroy_text(both_families(previous), both_families(desired));
}

std::vector<std::string> parse_set_names(const std::string& ipset_list_n) {
  std::vector<std::string> out;
  std::istringstream in(ipset_list_n);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(kChainPrefix, 0) == 0) out.push_back(line);
  }
  return out;
}

}  // namespace pinto::policy::iptables
