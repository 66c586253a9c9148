#include "config/resources/ip_pool.h"

#include <algorithm>

#include "config/resources/read_helpers.h"
#include "config/resources/resource.h"
#include "config/resources/selector_field.h"

namespace pinto::config {

namespace {

// Calico IPAM's limits on block sizes (its CRD schema): a block is at most a /20 (/116) so one
// node's block stays routable as one prefix, and at least a single address.
constexpr std::uint8_t kMinBlockSizeV4 = 20;
constexpr std::uint8_t kMinBlockSizeV6 = 116;

bool overlaps(const IpPrefix& a, const IpPrefix& b) {
  return a.family() == b.family() && (a.contains(b) || b.contains(a));
}

std::optional<EncapsulationMode> read_mode(MapReader& spec, const char* key) {
  return read_enum<EncapsulationMode>(spec, key,
                                      {{"Never", EncapsulationMode::Never},
                                       {"Always", EncapsulationMode::Always},
                                       {"CrossSubnet", EncapsulationMode::CrossSubnet}});
}

void read_allowed_uses(MapReader& spec, IpPool& out) {
  auto uses = spec.string_list("allowedUses");
  if (!uses) return;
  for (std::size_t i = 0; i < uses->size(); ++i) {
    const std::string& u = (*uses)[i];
    if (u == "Workload") {
      out.allowed_uses.push_back(IpPoolUse::Workload);
    } else if (u == "Tunnel") {
      out.allowed_uses.push_back(IpPoolUse::Tunnel);
    } else if (u == "LoadBalancer") {
      out.allowed_uses.push_back(IpPoolUse::LoadBalancer);
    } else {
      return spec.fail("allowedUses[" + std::to_string(i) + "]",
                       "expected Workload, Tunnel or LoadBalancer, got '" + u + "'");
    }
  }
}

bool uses(const IpPool& p, IpPoolUse u) {
  return std::find(p.allowed_uses.begin(), p.allowed_uses.end(), u) != p.allowed_uses.end();
}

// Calico's rules for one pool, in the order a user would fix them.
void validate(MapReader& spec, const IpPool& p, bool block_size_set) {
  const bool v4 = p.cidr.family() == AddressFamily::V4;
  const std::uint8_t min_block = v4 ? kMinBlockSizeV4 : kMinBlockSizeV6;
  const std::uint8_t max_block = v4 ? 32 : 128;
  static const IpPrefix kLinkLocalV4 = *IpPrefix::parse("169.254.0.0/16");
  static const IpPrefix kLinkLocalV6 = *IpPrefix::parse("fe80::/10");
  if (overlaps(p.cidr, v4 ? kLinkLocalV4 : kLinkLocalV6)) {
    return spec.fail(
        "cidr", "overlaps the link-local range " + (v4 ? kLinkLocalV4 : kLinkLocalV6).to_string());
  }
  if (block_size_set && (p.block_size < min_block || p.block_size > max_block)) {
    return spec.fail("blockSize", "must be from " + std::to_string(min_block) + " to " +
                                      std::to_string(max_block) + " for an IPv" + (v4 ? "4" : "6") +
                                      " pool");
  }
  // Calico allows a disabled pool smaller than its block size (it is never cut into blocks).
  if (!p.disabled && p.cidr.length() > p.block_size) {
    return spec.fail("cidr", "/" + std::to_string(p.cidr.length()) +
                                 " is smaller than one block (blockSize " +
                                 std::to_string(p.block_size) + ")");
  }
  if (p.ipip_mode != EncapsulationMode::Never && p.vxlan_mode != EncapsulationMode::Never) {
    return spec.fail("vxlanMode", "cannot be enabled together with ipipMode");
  }
  if (!v4 && p.ipip_mode != EncapsulationMode::Never) {
    return spec.fail("ipipMode", "IPIP carries IPv4 only; an IPv6 pool must use Never");
  }
  if (uses(p, IpPoolUse::LoadBalancer) &&
      (uses(p, IpPoolUse::Workload) || uses(p, IpPoolUse::Tunnel))) {
    return spec.fail("allowedUses", "LoadBalancer cannot be combined with Workload or Tunnel");
  }
  if (uses(p, IpPoolUse::Tunnel) && !p.namespace_selector.empty()) {
    return spec.fail("namespaceSelector", "cannot be set on a pool allowed for Tunnel use");
  }
}

}  // namespace

void read_ip_pool_spec(MapReader& spec, IpPool& out) {
  const bool have_cidr = spec.raw("cidr").has_value();
  if (auto p = read_network(spec, "cidr")) out.cidr = *p;
  auto block_size = spec.unsigned_integer("blockSize", 128);
  if (auto m = read_mode(spec, "ipipMode")) out.ipip_mode = *m;
  if (auto m = read_mode(spec, "vxlanMode")) out.vxlan_mode = *m;
  if (auto v = spec.boolean("natOutgoing")) out.nat_outgoing = *v;
  if (auto v = spec.boolean("disabled")) out.disabled = *v;
  if (auto v = spec.boolean("disableBGPExport")) out.disable_bgp_export = *v;
  if (auto v = read_selector(spec, "nodeSelector")) out.node_selector = *v;
  if (auto v = spec.string("namespaceSelector")) out.namespace_selector = *v;
  read_allowed_uses(spec, out);
  if (auto m = read_enum<AssignmentMode>(
          spec, "assignmentMode",
          {{"Automatic", AssignmentMode::Automatic}, {"Manual", AssignmentMode::Manual}})) {
    out.assignment_mode = *m;
  }
  // Calico's API v1 leftovers: Calico itself refuses them in v3 manifests.
  if (spec.raw("ipip")) spec.fail("ipip", "API v1 field; use ipipMode");
  if (spec.boolean("nat-outgoing").value_or(false)) {
    spec.fail("nat-outgoing", "API v1 field; use natOutgoing");
  }
  if (!spec.ok()) return;
  if (!have_cidr) return spec.fail("cidr", "required");
  out.block_size = block_size ? static_cast<std::uint8_t>(*block_size)
                              : (out.cidr.family() == AddressFamily::V4 ? 26 : 122);
  validate(spec, out, block_size.has_value());
}

}  // namespace pinto::config
