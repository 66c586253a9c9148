// Calico's failsafe ports (Felix's FailsafeInboundHostPorts / FailsafeOutboundHostPorts): the
// host ports that host endpoint policy can never close, so that a HostEndpoint with a deny-all
// policy does not cut the node off from SSH, DHCP, BGP (pintod's own peering on 179), etcd and
// the Kubernetes API. Read from the settings (`policy.failsafeInboundHostPorts`,
// `policy.failsafeOutboundHostPorts`, config/settings.h) and compiled into every host endpoint
// chain before any policy rule (policy/compiler).
#pragma once

#include <cstdint>
#include <vector>

namespace pinto::config {

/// Traffic of `protocol` (IANA number: 6 TCP, 17 UDP) to destination port `port`.
struct FailsafePort {
  std::uint8_t protocol = 6;
  std::uint16_t port = 0;
  friend bool operator==(const FailsafePort&, const FailsafePort&) = default;
};

/// Felix's defaults: into the host tcp 22 (SSH), udp 68 (DHCP client), tcp 179 (BGP), tcp
/// 2379/2380 (etcd), 5473 (Typha), 6443 (Kubernetes API), 6666/6667 (etcd self-hosted).
inline std::vector<FailsafePort> default_failsafe_inbound() {
  return {{6, 22},   {17, 68},  {6, 179},  {6, 2379}, {6, 2380},
          {6, 5473}, {6, 6443}, {6, 6666}, {6, 6667}};
}

/// Felix's defaults: out of the host udp 53 (DNS), udp 67 (DHCP server), and the TCP ports above
/// but SSH.
inline std::vector<FailsafePort> default_failsafe_outbound() {
  return {{17, 53},  {17, 67},  {6, 179},  {6, 2379}, {6, 2380},
          {6, 5473}, {6, 6443}, {6, 6666}, {6, 6667}};
}

}  // namespace pinto::config
