#include "rib/decision.h"

namespace pinto::rib {

namespace {

using bgp::wire::PathAttributes;

constexpr std::uint32_t kDefaultLocalPref = 100;

std::uint32_t local_pref(const PathAttributes& a) {
  return a.local_pref.value_or(kDefaultLocalPref);
}
std::size_t as_path_length(const PathAttributes& a) {
  return a.as_path ? a.as_path->length() : 0;
}
std::uint32_t neighbour_as(const PathAttributes& a) {
  return a.as_path ? a.as_path->first_as() : 0;
}
int origin_rank(const PathAttributes& a) {
  return static_cast<int>(a.origin.value_or(bgp::wire::Origin::Incomplete));
}
// RFC 4456 §9: the ORIGINATOR_ID stands in for the router id of a reflected route.
std::uint32_t router_id(const Candidate& c) {
  return c.path->attributes->originator_id.value_or(c.source->router_id);
}

template <class T>
std::optional<Comparison> prefer_lower(T a, T b, Reason reason) {
  if (a == b) return std::nullopt;
  return Comparison{a < b, reason};
}

}  // namespace

Comparison compare(const Candidate& a, const Candidate& b) {
  const PathAttributes& x = *a.path->attributes;
  const PathAttributes& y = *b.path->attributes;
  const bool a_local = a.path->peer == kLocalPeer;
  const bool b_local = b.path->peer == kLocalPeer;
  if (a_local != b_local) return {a_local, Reason::LocallyOriginated};
  if (auto c = prefer_lower(local_pref(y), local_pref(x), Reason::LocalPref)) return *c;
  if (auto c = prefer_lower(as_path_length(x), as_path_length(y), Reason::AsPathLength)) return *c;
  if (auto c = prefer_lower(origin_rank(x), origin_rank(y), Reason::Origin)) return *c;
  // MED only between paths from the same neighbouring AS (RFC 4271 §9.1.2.2 c); missing is 0.
  if (neighbour_as(x) == neighbour_as(y)) {
    if (auto c = prefer_lower(x.med.value_or(0), y.med.value_or(0), Reason::Med)) return *c;
  }
  if (a.source->ebgp != b.source->ebgp) return {a.source->ebgp, Reason::EbgpOverIbgp};
  if (a.path->stale != b.path->stale) return {!a.path->stale, Reason::NotStale};
  if (auto c = prefer_lower(router_id(a), router_id(b), Reason::RouterId)) return *c;
  if (auto c =
          prefer_lower(x.cluster_list.size(), y.cluster_list.size(), Reason::ClusterListLength)) {
    return *c;
  }
  if (auto c = prefer_lower(a.source->address, b.source->address, Reason::PeerAddress)) return *c;
  return {true, Reason::Equal};
}

std::string to_string(Reason reason) {
  switch (reason) {
    case Reason::LocallyOriginated: return "locally originated";
    case Reason::LocalPref: return "higher LOCAL_PREF";
    case Reason::AsPathLength: return "shorter AS_PATH";
    case Reason::Origin: return "lower ORIGIN";
    case Reason::Med: return "lower MED";
    case Reason::EbgpOverIbgp: return "eBGP over iBGP";
    case Reason::NotStale: return "not stale";
    case Reason::RouterId: return "lower router id";
    case Reason::ClusterListLength: return "shorter CLUSTER_LIST";
    case Reason::PeerAddress: return "lower peer address";
    case Reason::Equal: return "equal";
  }
  return "?";
}

}  // namespace pinto::rib
