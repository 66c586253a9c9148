#include "config/resources/bgp_filter.h"

#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

// Calico's limits on BGPFilter fields (its CRD schema and validator).
constexpr std::uint64_t kMaxPriority = 2147483646;
constexpr std::size_t kMaxOperations = 10;
constexpr std::size_t kMaxPrepend = 10;

bool valid_interface_pattern(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;  // IFNAMSIZ - 1
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == '*';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::uint32_t> read_priority(MapReader& r, const std::string& key) {
  auto v = r.unsigned_integer(key, kMaxPriority);
  if (v && *v == 0) {
    r.fail(key, "must be from 1 to " + std::to_string(kMaxPriority));
    return std::nullopt;
  }
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

void read_operation(MapReader& item, FilterOperation& op) {
  int set = 0;
  item.nested("addCommunity", [&](MapReader& r) {
    ++set;
    op.add_community = read_community(r, "value");
    if (r.ok() && !op.add_community) r.fail("value", "required");
  });
  item.nested("prependASPath", [&](MapReader& r) {
    ++set;
    op.prepend_as_path = read_as_list(r, "prefix");
    if (r.ok() && op.prepend_as_path.empty()) r.fail("prefix", "required (1 to 10 AS numbers)");
    if (r.ok() && op.prepend_as_path.size() > kMaxPrepend)
      r.fail("prefix", "at most 10 AS numbers");
  });
  item.nested("setPriority", [&](MapReader& r) {
    ++set;
    op.set_priority = read_priority(r, "value");
    if (r.ok() && !op.set_priority) r.fail("value", "required");
  });
  if (item.ok() && set != 1) {
    item.fail("", "exactly one of addCommunity, prependASPath or setPriority must be set");
  }
}

void read_rule(MapReader& r, AddressFamily family, FilterRule& rule) {
  const bool v4 = family == AddressFamily::V4;
  const std::uint8_t max_length = v4 ? 32 : 128;
  if (auto p = read_network(r, "cidr")) {
    if (p->family() != family) {
      return r.fail("cidr", std::string("must be an IPv") + (v4 ? "4" : "6") + " prefix in a " +
                                (v4 ? "V4" : "V6") + " rule list");
    }
    rule.cidr = *p;
  }
  rule.match_operator = read_enum<MatchOperator>(r, "matchOperator",
                                                 {{"Equal", MatchOperator::Equal},
                                                  {"NotEqual", MatchOperator::NotEqual},
                                                  {"In", MatchOperator::In},
                                                  {"NotIn", MatchOperator::NotIn}});
  const bool have_length = r.raw("prefixLength").has_value();
  r.nested("prefixLength", [&](MapReader& len) {
    if (auto v = len.unsigned_integer("min", max_length)) rule.prefix_length_min = *v;
    if (auto v = len.unsigned_integer("max", max_length)) rule.prefix_length_max = *v;
  });
  if (auto s = read_enum<bool>(r, "source", {{"RemotePeers", true}})) rule.source_remote_peers = *s;
  if (auto s = r.string("interface")) {
    if (!valid_interface_pattern(*s)) {
      r.fail("interface", "not an interface name or pattern (1-15 of a-z A-Z 0-9 _ . - *)");
    }
    rule.interface = *s;
  }
  rule.peer_type = read_enum<FilterPeerType>(
      r, "peerType", {{"eBGP", FilterPeerType::EBgp}, {"iBGP", FilterPeerType::IBgp}});
  r.nested("communities", [&](MapReader& c) {
    auto values = c.string_list("values");
    if (!c.ok()) return;
    if (!values || values->size() != 1) return c.fail("values", "exactly one community");
    rule.community = parse_community(values->front());
    if (!rule.community) c.fail("values[0]", "not a community (aa:nn or aa:nn:mm)");
  });
  rule.as_path_prefix = read_as_list(r, "asPathPrefix");
  rule.priority = read_priority(r, "priority");
  auto action = read_enum<FilterAction>(
      r, "action", {{"Accept", FilterAction::Accept}, {"Reject", FilterAction::Reject}});
  r.each("operations", [&](MapReader& item, std::size_t) {
    rule.operations.emplace_back();
    read_operation(item, rule.operations.back());
  });
  if (!r.ok()) return;

  // Calico's cross-field rules for one filter rule.
  if (!action) return r.fail("action", "required (Accept or Reject)");
  rule.action = *action;
  if (rule.cidr && !rule.match_operator) return r.fail("matchOperator", "required with cidr");
  if (!rule.cidr && rule.match_operator) return r.fail("cidr", "required with matchOperator");
  if (have_length && !rule.cidr) return r.fail("cidr", "required with prefixLength");
  if (rule.prefix_length_min && rule.prefix_length_max &&
      *rule.prefix_length_min > *rule.prefix_length_max) {
    return r.fail("prefixLength.min", "greater than prefixLength.max");
  }
  if (!rule.operations.empty() && rule.action != FilterAction::Accept) {
    return r.fail("operations", "only allowed with action Accept");
  }
  if (rule.operations.size() > kMaxOperations) return r.fail("operations", "at most 10");
}

std::vector<FilterRule> read_rules(MapReader& spec, const char* key, AddressFamily family) {
  std::vector<FilterRule> rules;
  spec.each(key, [&](MapReader& item, std::size_t) {
    rules.emplace_back();
    read_rule(item, family, rules.back());
  });
  return rules;
}

}  // namespace

void read_bgp_filter_spec(MapReader& spec, BgpFilter& out) {
  out.export_v4 = read_rules(spec, "exportV4", AddressFamily::V4);
  out.import_v4 = read_rules(spec, "importV4", AddressFamily::V4);
  out.export_v6 = read_rules(spec, "exportV6", AddressFamily::V6);
  out.import_v6 = read_rules(spec, "importV6", AddressFamily::V6);
}

}  // namespace pinto::config
