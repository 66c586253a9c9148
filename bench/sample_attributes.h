// The path attributes the benchmarks use for a typical route: a short eBGP-like AS_PATH (an empty
// one inside the AS would be too easy on the codec), NEXT_HOP, MED, LOCAL_PREF and a community.
#pragma once

#include "bgp/wire/attributes.h"

namespace pinto::bench {

inline bgp::wire::PathAttributes sample_attributes() {
  using namespace bgp::wire;
  PathAttributes a;
  a.origin = Origin::Igp;
  a.as_path = AsPath{{AsSegment{AsSegmentType::Sequence, {64512, 65001, 4200000001}}}};
  a.next_hop = *IpAddress::parse("10.0.0.1");
  a.med = 0;
  a.local_pref = 100;
  a.communities = {(65001u << 16) | 100u};
  return a;
}

}  // namespace pinto::bench
