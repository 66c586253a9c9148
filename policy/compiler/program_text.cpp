#include "policy/compiler/program_text.h"

#include <cstdio>

namespace pinto::policy {

namespace {

std::string hex(std::uint64_t v, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return std::string(buf).substr(0, static_cast<std::size_t>(digits));
}

std::string short_set(SetId id) {
  return "s:" + hex(id, 8);
}

std::string join_sets(const std::vector<SetId>& ids) {
  std::string out;
  for (auto id : ids) out += (out.empty() ? "" : ",") + short_set(id);
  return out;
}

std::string join_ports(const std::vector<PortRange>& ranges) {
  std::string out;
  for (const auto& r : ranges) {
    out += (out.empty() ? "" : ",") + std::to_string(r.first);
    if (r.last != r.first) out += "-" + std::to_string(r.last);
  }
  return out;
}

void side(std::string& out, const char* name, const AddressMatch& m) {
  if (!m.in_sets.empty()) out += std::string(" ") + name + " in " + join_sets(m.in_sets);
  if (!m.not_in_sets.empty()) {
    out += std::string(" ") + name + " not in " + join_sets(m.not_in_sets);
  }
  if (!m.ports.empty() || !m.port_sets.empty()) {
    out += std::string(" ") + name + " ports " + join_ports(m.ports);
    if (!m.port_sets.empty()) out += (m.ports.empty() ? "" : ",") + join_sets(m.port_sets);
  }
  if (!m.not_ports.empty() || !m.not_port_sets.empty()) {
    out += std::string(" ") + name + " not ports " + join_ports(m.not_ports);
    if (!m.not_port_sets.empty()) {
      out += (m.not_ports.empty() ? "" : ",") + join_sets(m.not_port_sets);
    }
  }
}

std::string icmp(const IcmpTypeCode& c) {
  return std::to_string(c.type) + (c.code ? "/" + std::to_string(*c.code) : "");
}

const char* action_name(Action a) {
  switch (a) {
    case Action::Allow: return "allow";
    case Action::Deny: return "deny";
    case Action::Log: return "log";
    case Action::Goto: return "goto";
  }
  return "?";
}

void chain(std::string& out, const char* name, const Chain& c) {
  out += std::string("  ") + name + (c.policed ? " (policed)\n" : "\n");
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    out += "    " + std::to_string(i) + " " + c.rules[i].id.text + ":" +
           (to_string(c.rules[i]).empty() ? "" : " ") + to_string(c.rules[i]) + "\n";
  }
}

}  // namespace

std::string set_name(SetId id) {
  return "pinto-s-" + hex(id, 16);
}

std::string to_string(const Rule& rule) {
  std::string out;
  const Match& m = rule.match;
  if (m.ip_version) out += m.ip_version == IpVersion::V4 ? " ipv4" : " ipv6";
  if (m.protocol) out += " proto " + std::to_string(*m.protocol);
  if (m.not_protocol) out += " not proto " + std::to_string(*m.not_protocol);
  if (m.icmp) out += " icmp " + icmp(*m.icmp);
  if (m.not_icmp) out += " not icmp " + icmp(*m.not_icmp);
  side(out, "src", m.source);
  side(out, "dst", m.destination);
  out += std::string(" -> ") + action_name(rule.action);
  if (rule.action == Action::Goto) out += " " + std::to_string(rule.goto_index);
  return out.substr(1);
}

std::string to_string(const Program& program) {
  std::string out;
  for (const auto& ep : program.endpoints) {
    out += "endpoint " + ep.endpoint.to_string() + " (" + ep.interface_name + ")";
    for (const auto& a : ep.addresses) out += " " + a.to_string();
    out += "\n";
    chain(out, "ingress", ep.ingress);
    chain(out, "egress", ep.egress);
  }
  for (const auto& [id, set] : program.sets) {
    out += "set " + short_set(id) + (set.kind == SetKind::NamedPort ? " named-port " : " nets ") +
           set.definition + ":";
    for (const auto& m : set.members) {
      out += " " + m.net.to_string();
      if (set.kind == SetKind::NamedPort) {
        out += "," + std::to_string(m.protocol) + ":" + std::to_string(m.port);
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace pinto::policy
