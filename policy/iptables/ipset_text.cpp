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

}  // namespace

std::string ipset_update_text(const std::map<SetId, IpSet>* previous,
                              const std::map<SetId, IpSet>& desired) {
  std::string out;
  for (const auto& [id, set] : desired) {
    const IpSet* before = nullptr;
    if (previous) {
      auto it = previous->find(id);
      if (it != previous->end() && it->second.kind == set.kind) before = &it->second;
    }
    if (before && before->members == set.members) continue;
    for (Family family : {Family::V4, Family::V6}) {
      const std::string name = ipset_name(id, family);
      const auto wanted = members_of(set, family);
      if (!before) {
        const std::string temp = temp_name(id, family);
        out += create_line(name, set.kind, family);
        out += create_line(temp, set.kind, family);
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

std::string ipset_destroy_text(const std::map<SetId, IpSet>& previous,
                               const std::map<SetId, IpSet>& desired) {
  std::string out;
  for (const auto& [id, set] : previous) {
    if (desired.contains(id)) continue;
    for (Family family : {Family::V4, Family::V6}) {
      out += "destroy " + ipset_name(id, family) + "\n";
    }
  }
  return out;
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
