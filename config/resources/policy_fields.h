// Field readers shared by the policy kinds (Calico's NetworkPolicy and GlobalNetworkPolicy,
// GlobalNetworkSet, HostEndpoint, Kubernetes' NetworkPolicy): CIDR lists, protocols by name or
// number, and ports that may be numbers, "first:last" ranges or named ports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/resources/network_policy.h"
#include "config/yaml_reader.h"

namespace pinto::config {

/// A list of CIDRs (a bare address is a host prefix; host bits are masked off, as Calico does).
std::vector<IpPrefix> read_net_list(MapReader& r, const std::string& key);

/// "TCP", "UDP", "ICMP", "ICMPv6", "SCTP", "UDPLite" (or their lower case) or 1-255.
std::optional<std::uint8_t> parse_protocol(const std::string& text);
std::optional<std::uint8_t> read_protocol(MapReader& r, const std::string& key);

/// 80, "80", "1000:2000" or a port name ("http"); nullopt with `why` set when malformed.
std::optional<PortMatch> parse_port_match(const std::string& text, std::string& why);
std::vector<PortMatch> read_port_list(MapReader& r, const std::string& key);

/// A Kubernetes port name (IANA_SVC_NAME): 1-15 of a-z 0-9 '-', with at least one letter.
bool valid_port_name(const std::string& name);

/// One rule of a policy or profile (`ingress[i]` / `egress[i]`), read and validated.
void read_policy_rule(MapReader& r, Rule& rule);

}  // namespace pinto::config
