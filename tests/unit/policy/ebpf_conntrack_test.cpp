// The eBPF connection table's state machine (policy/ebpf/bpf/conntrack.h, the code the kernel
// runs): idle timeouts by state, TCP closing after a FIN from each end, RST closing at once, and
// the key order that lets both directions share one entry.
#include <gtest/gtest.h>

#include "policy/ebpf/bpf/conntrack.h"

namespace pinto::policy::ebpf {
namespace {

constexpr __u64 kSecond = 1'000'000'000ull;

// Short, distinct timeouts, so each state's is recognisable.
constexpr pinto_ct_timeouts kTimeouts = {
    2 * kSecond,    // tcp_syn
    100 * kSecond,  // tcp_established
    3 * kSecond,    // tcp_closing
    60 * kSecond,   // udp
    5 * kSecond,    // icmp
    600 * kSecond,  // other
};

pinto_ct_value opened(int from_low, __u64 now) {
  pinto_ct_value v;
  pinto_ct_start(&v, from_low, now);
  return v;
}

TEST(EbpfConntrack, TcpIsShortLivedUntilTheOtherEndAnswersThenLong) {
  pinto_ct_value v = opened(1, 0);
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 6, v.flags), 2 * kSecond);
  // The SYN-ACK from the other end: established.
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_SYN | PINTO_TCP_ACK, kSecond),
            PINTO_CT_KEEP);
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 6, v.flags), 100 * kSecond);
  EXPECT_EQ(v.last_seen, kSecond);
  // Idle for 99 s: still there, and refreshed by the packet.
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_ACK, 100 * kSecond), PINTO_CT_KEEP);
  // Idle for 101 s: expired, the entry left as it was.
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_ACK, 201 * kSecond), PINTO_CT_EXPIRED);
  EXPECT_EQ(v.last_seen, 100 * kSecond);
}

TEST(EbpfConntrack, UnansweredSynExpiresOnTheSynTimeout) {
  pinto_ct_value v = opened(0, 10 * kSecond);
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_ACK, 12 * kSecond), PINTO_CT_KEEP);
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_ACK, 14 * kSecond + 1),
            PINTO_CT_EXPIRED);
}

TEST(EbpfConntrack, FinFromBothEndsMovesToTheClosingTimeout) {
  pinto_ct_value v = opened(1, 0);
  pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_SYN | PINTO_TCP_ACK, 0);
  // One FIN: half closed, the other end may still send for as long as it is established.
  pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_FIN | PINTO_TCP_ACK, kSecond);
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 6, v.flags), 100 * kSecond);
  // Two FINs from the same end are still one end's.
  pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_FIN | PINTO_TCP_ACK, kSecond);
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 6, v.flags), 100 * kSecond);
  pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_FIN | PINTO_TCP_ACK, 2 * kSecond);
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 6, v.flags), 3 * kSecond);
  // The last ACK within the closing timeout passes; after it the flow is gone.
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_ACK, 3 * kSecond), PINTO_CT_KEEP);
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, 1, PINTO_TCP_ACK, 7 * kSecond), PINTO_CT_EXPIRED);
}

TEST(EbpfConntrack, RstFromEitherEndClosesAtOnce) {
  for (int from_low : {0, 1}) {
    pinto_ct_value v = opened(1, 0);
    pinto_ct_packet(&v, &kTimeouts, 6, 0, PINTO_TCP_SYN | PINTO_TCP_ACK, 0);
    EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 6, from_low, PINTO_TCP_RST | PINTO_TCP_ACK, 1),
              PINTO_CT_CLOSED);
  }
  // TCP flags mean nothing to other protocols (the caller passes none, but be sure).
  pinto_ct_value udp = opened(1, 0);
  EXPECT_EQ(pinto_ct_packet(&udp, &kTimeouts, 17, 0, PINTO_TCP_RST, 1), PINTO_CT_KEEP);
}

TEST(EbpfConntrack, EachProtocolHasItsOwnIdleTimeout) {
  const __u32 both = PINTO_CT_SEEN_LOW | PINTO_CT_SEEN_HIGH;
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 17, both), 60 * kSecond);    // UDP
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 136, both), 60 * kSecond);   // UDPLite
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 1, both), 5 * kSecond);      // ICMP
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 58, both), 5 * kSecond);     // ICMPv6
  EXPECT_EQ(pinto_ct_timeout(&kTimeouts, 132, both), 600 * kSecond);  // SCTP: other
  pinto_ct_value v = opened(1, 0);
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 17, 0, 0, 60 * kSecond), PINTO_CT_KEEP);
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 17, 0, 0, 121 * kSecond), PINTO_CT_EXPIRED);
}

TEST(EbpfConntrack, ALastSeenAfterNowIsNotIdle) {
  pinto_ct_value v = opened(1, 50 * kSecond);  // another CPU refreshed it after `now` was read
  EXPECT_EQ(pinto_ct_packet(&v, &kTimeouts, 1, 0, 0, 49 * kSecond), PINTO_CT_KEEP);
}

TEST(EbpfConntrack, BothDirectionsOrderTheEndsAlike) {
  const __u32 a[4] = {0x0a000101, 0, 0, 0};
  const __u32 b[4] = {0x0a000102, 0, 0, 0};
  EXPECT_TRUE(pinto_ct_low_first(a, 40000, b, 80));
  EXPECT_FALSE(pinto_ct_low_first(b, 80, a, 40000));
  // Same address (a pod talking to itself): the port decides.
  EXPECT_TRUE(pinto_ct_low_first(a, 80, a, 40000));
  EXPECT_FALSE(pinto_ct_low_first(a, 40000, a, 80));
}

}  // namespace
}  // namespace pinto::policy::ebpf
