// The BGP decision process (RFC 4271 §9.1.2.2), as a pure comparison of two candidate paths that
// also says why the winner won (GoBGP's BestPathReason), so status output can explain a choice.
#pragma once

#include <cstdint>
#include <string>

#include "rib/route.h"

namespace pinto::rib {

enum class Reason : std::uint8_t {
  LocallyOriginated,
  LocalPref,
  AsPathLength,
  Origin,
  Med,
  EbgpOverIbgp,
  NotStale,
  RouterId,
  ClusterListLength,
  PeerAddress,
  Equal,
};

struct Candidate {
  const Path* path;
  const PeerInfo* source;
};

struct Comparison {
  bool first_wins;
  Reason reason;
};

/// Compares two paths for the same prefix. Deterministic and total: ties end on the peer address.
Comparison compare(const Candidate& a, const Candidate& b);

std::string to_string(Reason reason);

}  // namespace pinto::rib
