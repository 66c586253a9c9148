// Helpers for the policy model and compiler tests: resources from YAML, packets from text.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "config/resources/policy_fields.h"
#include "config/resources/resource.h"
#include "policy/compiler/compiler.h"
#include "policy/compiler/verdict.h"
#include "policy/model/policy_model.h"

namespace pinto::policy::testing_util {

inline std::vector<config::Resource> resources_of(const std::string& yaml) {
  auto parsed = config::parse_resources(yaml, "test");
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().to_string());
  return parsed ? parsed.value() : std::vector<config::Resource>{};
}

inline PolicyModel model_of(const std::string& yaml, const std::string& node = "") {
  auto model = PolicyModel::build(resources_of(yaml), node);
  EXPECT_TRUE(model) << (model ? "" : model.error().message);
  return model ? std::move(model.value()) : PolicyModel{};
}

/// "ns/name" → a workload endpoint id; "host/name" → a host endpoint id.
inline EndpointId endpoint_id(const std::string& text) {
  const auto slash = text.find('/');
  if (text.substr(0, slash) == "host") return {true, "", text.substr(slash + 1)};
  return {false, text.substr(0, slash), text.substr(slash + 1)};
}

inline IpAddress parse_address(const std::string& text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress{});
}

// "10.0.0.1:80" or "fd00::1:80": the port is after the last ':'.
inline void parse_address_port(const std::string& text, IpAddress& address, std::uint16_t& port) {
  const auto colon = text.rfind(':');
  address = parse_address(text.substr(0, colon));
  port = static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1)));
}

/// "tcp 10.0.1.1:40000 > 10.0.1.2:5432", "icmp 10.0.1.1 > 10.0.1.2 8/0", "proto 47 a > b".
inline Packet parse_packet(const std::string& text) {
  std::istringstream in(text);
  std::string proto, src, arrow, dst;
  in >> proto;
  Packet p;
  if (proto == "proto") {
    int number = 0;
    in >> number;
    p.protocol = static_cast<std::uint8_t>(number);
  } else {
    p.protocol = config::parse_protocol(proto).value_or(0);
  }
  in >> src >> arrow >> dst;
  if (proto == "tcp" || proto == "udp" || proto == "sctp") {
    parse_address_port(src, p.source, p.source_port);
    parse_address_port(dst, p.destination, p.destination_port);
  } else {
    p.source = parse_address(src);
    p.destination = parse_address(dst);
  }
  if (proto == "icmp" || proto == "icmpv6") {
    std::string type_code;
    in >> type_code;
    const auto slash = type_code.find('/');
    p.icmp_type = static_cast<std::uint8_t>(std::stoi(type_code.substr(0, slash)));
    p.icmp_code = static_cast<std::uint8_t>(std::stoi(type_code.substr(slash + 1)));
  }
  return p;
}

}  // namespace pinto::policy::testing_util
