// The reference evaluator: what a Program (program.h) decides for one packet, written as plainly
// as possible. It is the specification the back-ends are tested against: the table of cases in
// tests/unit/policy/policy_cases.h is checked here first, then through iptables and eBPF, and the
// verdicts must agree. Slow by design (linear scans); never on a data path.
#pragma once

#include <cstdint>
#include <vector>

#include "common/ip_address.h"
#include "policy/compiler/program.h"

namespace pinto::policy {

/// The first packet of a connection, as a back-end sees it at the endpoint's interface.
struct Packet {
  IpAddress source;
  IpAddress destination;
  std::uint8_t protocol = 6;
  std::uint16_t source_port = 0;       // TCP, UDP, SCTP, UDPLite
  std::uint16_t destination_port = 0;  // TCP, UDP, SCTP, UDPLite
  std::uint8_t icmp_type = 0;          // ICMP, ICMPv6
  std::uint8_t icmp_code = 0;
};

struct Verdict {
  bool allowed = false;
  RuleId decided_by;           // the Allow or Deny rule that ended the walk
  std::vector<RuleId> logged;  // Log rules passed on the way, in order
};

/// True when `packet` satisfies `match`; sets are looked up in `program.sets` (an absent set is
/// empty).
bool matches(const Program& program, const Match& match, const Packet& packet);

/// Walks `endpoint`'s chain for `direction`.
Verdict evaluate(const Program& program, const EndpointProgram& endpoint, Direction direction,
                 const Packet& packet);

}  // namespace pinto::policy
