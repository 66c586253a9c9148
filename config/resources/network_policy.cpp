// Readers for Calico's policy kinds. Validation follows Calico's own validator where a rule
// would otherwise be ambiguous or silently never match (ports without TCP/UDP/SCTP, an ICMP
// match on another protocol, nets of the other IP version than ipVersion).
#include "config/resources/network_policy.h"

#include <charconv>

#include "config/resources/policy_fields.h"
#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"
#include "config/resources/selector_field.h"

namespace pinto::config {

namespace {

void read_entity(MapReader& r, EntityRule& out) {
  out.nets = read_net_list(r, "nets");
  out.not_nets = read_net_list(r, "notNets");
  if (auto v = read_selector(r, "selector")) out.selector = *v;
  if (auto v = read_selector(r, "notSelector")) out.not_selector = *v;
  if (auto v = read_selector(r, "namespaceSelector")) out.namespace_selector = *v;
  out.ports = read_port_list(r, "ports");
  out.not_ports = read_port_list(r, "notPorts");
  r.nested("serviceAccounts", [&](MapReader& sa) {
    if (auto names = sa.string_list("names")) out.service_account_names = *names;
    sa.refuse_unsupported({"selector"});
  });
  r.refuse_unsupported({"services"});
}

std::optional<IcmpMatch> read_icmp(MapReader& r, const std::string& key) {
  std::optional<IcmpMatch> out;
  r.nested(key, [&](MapReader& m) {
    auto type = m.unsigned_integer("type", 254);  // 255 is reserved by Calico
    auto code = m.unsigned_integer("code", 255);
    if (!m.ok()) return;
    if (code && !type) return m.fail("code", "needs a type");
    if (!type) return;
    out = IcmpMatch{static_cast<std::uint8_t>(*type), std::nullopt};
    if (code) out->code = static_cast<std::uint8_t>(*code);
  });
  return out;
}

bool is_port_protocol(std::optional<std::uint8_t> p) {
  return p && (*p == protocol::kTcp || *p == protocol::kUdp || *p == protocol::kSctp ||
               *p == protocol::kUdpLite);
}

bool nets_of_version(const std::vector<IpPrefix>& nets, std::uint8_t version) {
  for (const auto& n : nets) {
    if ((n.family() == AddressFamily::V4) != (version == 4)) return false;
  }
  return true;
}

// Calico's rule validator, in the order a user would fix things.
void validate_rule(MapReader& r, const Rule& rule) {
  const bool ports = !rule.source.ports.empty() || !rule.destination.ports.empty() ||
                     !rule.source.not_ports.empty() || !rule.destination.not_ports.empty();
  if (ports && !is_port_protocol(rule.protocol)) {
    return r.fail("protocol", "ports need protocol TCP, UDP, SCTP or UDPLite");
  }
  if (rule.icmp || rule.not_icmp) {
    const bool icmp = rule.protocol == protocol::kIcmp || rule.protocol == protocol::kIcmpV6;
    if (!icmp) return r.fail(rule.icmp ? "icmp" : "notICMP", "needs protocol ICMP or ICMPv6");
  }
  if (rule.ip_version) {
    const std::uint8_t v = *rule.ip_version;
    if ((rule.protocol == protocol::kIcmp && v != 4) ||
        (rule.protocol == protocol::kIcmpV6 && v != 6)) {
      return r.fail("ipVersion", "does not match the ICMP protocol version");
    }
    if (!nets_of_version(rule.source.nets, v) || !nets_of_version(rule.source.not_nets, v)) {
      return r.fail("source", "nets of another IP version than ipVersion");
    }
    if (!nets_of_version(rule.destination.nets, v) ||
        !nets_of_version(rule.destination.not_nets, v)) {
      return r.fail("destination", "nets of another IP version than ipVersion");
    }
  }
}

void read_rule(MapReader& r, Rule& rule) {
  if (auto a = read_enum<RuleAction>(r, "action",
                                     {{"Allow", RuleAction::Allow},
                                      {"Deny", RuleAction::Deny},
                                      {"Log", RuleAction::Log},
                                      {"Pass", RuleAction::Pass}})) {
    rule.action = *a;
  } else if (r.ok()) {
    return r.fail("action", "required (Allow, Deny, Log or Pass)");
  }
  if (auto v = r.unsigned_integer("ipVersion", 6)) {
    if (*v != 4 && *v != 6) return r.fail("ipVersion", "must be 4 or 6");
    rule.ip_version = static_cast<std::uint8_t>(*v);
  }
  rule.protocol = read_protocol(r, "protocol");
  rule.not_protocol = read_protocol(r, "notProtocol");
  rule.icmp = read_icmp(r, "icmp");
  rule.not_icmp = read_icmp(r, "notICMP");
  r.nested("source", [&](MapReader& e) { read_entity(e, rule.source); });
  r.nested("destination", [&](MapReader& e) { read_entity(e, rule.destination); });
  r.accept({"metadata"});  // annotations for people; no effect on traffic
  r.refuse_unsupported({"http"});
  if (r.ok()) validate_rule(r, rule);
}

std::optional<double> read_order(MapReader& r) {
  auto text = r.string("order");
  if (!text) return std::nullopt;
  double v = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end) {
    r.fail("order", "not a number: '" + *text + "'");
    return std::nullopt;
  }
  return v;
}

void read_policy_spec(MapReader& spec, PolicySpec& out) {
  if (auto v = spec.string("tier")) out.tier = v->empty() ? "default" : *v;
  out.order = read_order(spec);
  if (auto v = read_selector(spec, "selector")) out.selector = *v;
  bool types_given = false;
  if (auto types = spec.string_list("types")) {
    types_given = !types->empty();  // Calico treats `types: []` as absent
    for (std::size_t i = 0; i < types->size(); ++i) {
      const std::string& t = (*types)[i];
      if (t == "Ingress") {
        out.types.push_back(PolicyDirection::Ingress);
      } else if (t == "Egress") {
        out.types.push_back(PolicyDirection::Egress);
      } else {
        return spec.fail("types[" + std::to_string(i) + "]",
                         "expected Ingress or Egress, got '" + t + "'");
      }
    }
  }
  spec.each("ingress", [&](MapReader& r, std::size_t) {
    out.ingress.emplace_back();
    read_rule(r, out.ingress.back());
  });
  spec.each("egress", [&](MapReader& r, std::size_t) {
    out.egress.emplace_back();
    read_rule(r, out.egress.back());
  });
  spec.accept({"performanceHints"});  // hints for Felix's data plane; no effect on verdicts
  spec.refuse_unsupported({"doNotTrack", "preDNAT", "applyOnForward", "serviceAccountSelector"});
  if (!spec.ok()) return;
  if (!types_given) {
    // Calico's default: Egress only when there are egress rules; Ingress when there are ingress
    // rules or no rules at all.
    if (!out.ingress.empty() || out.egress.empty()) out.types.push_back(PolicyDirection::Ingress);
    if (!out.egress.empty()) out.types.push_back(PolicyDirection::Egress);
    return;
  }
  auto has = [&](PolicyDirection d) {
    for (auto t : out.types) {
      if (t == d) return true;
    }
    return false;
  };
  if (!out.ingress.empty() && !has(PolicyDirection::Ingress)) {
    return spec.fail("ingress", "rules given but types does not include Ingress");
  }
  if (!out.egress.empty() && !has(PolicyDirection::Egress)) {
    return spec.fail("egress", "rules given but types does not include Egress");
  }
}

}  // namespace

void read_policy_rule(MapReader& r, Rule& rule) {
  read_rule(r, rule);
}

void read_network_policy_spec(MapReader& spec, NetworkPolicy& out) {
  read_policy_spec(spec, out.spec);
}

void read_global_network_policy_spec(MapReader& spec, GlobalNetworkPolicy& out) {
  if (auto v = read_selector(spec, "namespaceSelector")) out.namespace_selector = *v;
  read_policy_spec(spec, out.spec);
}

void read_tier_spec(MapReader& spec, Tier& out) {
  out.order = read_order(spec);
  if (auto a = spec.string("defaultAction"); a && *a != "Deny") {
    spec.fail("defaultAction", *a == "Pass" ? "Pass is not supported by Pinto yet"
                                            : "expected Deny or Pass, got '" + *a + "'");
  }
}

}  // namespace pinto::config
