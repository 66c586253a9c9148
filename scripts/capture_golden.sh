#!/usr/bin/env bash
# Captures golden BGP wire messages from real peers (BIRD 2 and GoBGP) and writes each
# message as a hex file into tests/testdata/bgp/golden/ (see the README.md there).
#
# Usage (as root, from anywhere):   scripts/capture_golden.sh [OUTDIR]
#   OUTDIR defaults to <repo>/tests/testdata/bgp/golden. Existing NN_*.hex files there are
#   replaced. Set KEEP_PCAP=/path/file.pcap to keep the raw capture, DEBUG_DIR=/some/dir to
#   keep the daemon logs and their `show route` / `global rib` output.
#
# Needs: iproute2, bird2 (bird, birdc), gobgpd (gobgpd, gobgp), tcpdump, python3 (stdlib only).
# Only traffic inside two private network namespaces is generated.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "capture_golden.sh: must run as root (network namespaces)" >&2
  exit 1
fi
for tool in ip bird birdc gobgpd gobgp tcpdump python3 unshare; do
  command -v "$tool" >/dev/null || { echo "capture_golden.sh: missing $tool" >&2; exit 1; }
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
outdir="${1:-$repo/tests/testdata/bgp/golden}"

id=$$
ns_b="pgold_bird_$id"      # BIRD side,  10.99.0.1 / fd00:99::1, AS 65001
ns_g="pgold_gobgp_$id"     # GoBGP side, 10.99.0.2 / fd00:99::2, AS 65002
if_b="pgb$id"              # veth end in ns_b (<= 15 chars)
if_g="pgg$id"              # veth end in ns_g
api_port=50051             # GoBGP gRPC port, on 127.0.0.1 inside ns_g only
work="$(mktemp -d /tmp/capture_golden.XXXXXX)"
pcap="$work/capture.pcap"
pids=()

log() { echo "capture_golden: $*" >&2; }

cleanup() {
  local rc=$?
  set +e
  # Stop in reverse start order (SIGTERM: background jobs of a script ignore SIGINT).
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "${pids[i]}" 2>/dev/null
    wait "${pids[i]}" 2>/dev/null
  done
  ip netns del "$ns_b" 2>/dev/null
  ip netns del "$ns_g" 2>/dev/null
  if [ "$rc" -ne 0 ]; then
    log "FAILED (rc=$rc); logs follow"
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "==== $f" >&2; tail -n 40 "$f" >&2; }; done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

B() { ip netns exec "$ns_b" "$@"; }
G() { ip netns exec "$ns_g" "$@"; }
birdc_() { B birdc -s "$work/bird.ctl" "$@"; }
gobgp_() { G gobgp -u 127.0.0.1 -p "$api_port" "$@"; }

# ---------------------------------------------------------------- namespaces + veth
ip netns add "$ns_b"
ip netns add "$ns_g"
# Fixed MACs, so the EUI-64 link-local addresses (BIRD sends its own as the second IPv6 next
# hop) are the same on every run: fe80::99:ff:fe00:1 (BIRD side), fe80::99:ff:fe00:2 (GoBGP).
ip link add "$if_b" address 02:99:00:00:00:01 type veth peer name "$if_g" address 02:99:00:00:00:02
ip link set "$if_b" netns "$ns_b"
ip link set "$if_g" netns "$ns_g"
setup_end() { # setup_end NS IFNAME IPV4/LEN IPV6/LEN
  ip -n "$1" link set lo up
  # No DAD: the global and link-local IPv6 addresses are usable at once.
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.accept_dad=0"
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" addr add "$4" dev "$2" nodad
  ip -n "$1" link set "$2" up
}
setup_end "$ns_b" "$if_b" 10.99.0.1/30 fd00:99::1/64
setup_end "$ns_g" "$if_g" 10.99.0.2/30 fd00:99::2/64

# ---------------------------------------------------------------- configs
cat >"$work/bird.conf" <<EOF
log "$work/bird.log" all;
router id 10.99.0.1;

protocol device {}

# IPv4 originations; st4_b is disabled later to produce a withdrawal.
protocol static st4_a {
  ipv4;
  route 10.99.1.0/26 blackhole;
  route 10.99.1.64/26 blackhole;
}
protocol static st4_b {
  ipv4;
  route 10.99.1.128/26 blackhole;
}
# IPv6 originations; st6_b is disabled later to produce a withdrawal.
protocol static st6_a {
  ipv6;
  route fd00:99:1::/64 blackhole;
  route fd00:99:2::/122 blackhole;
}
protocol static st6_b {
  ipv6;
  route fd00:99:3::/64 blackhole;
}

filter golden_out {
  if source != RTS_STATIC then reject;
  bgp_med = 50;
  bgp_community.add((65001,100));
  bgp_large_community.add((65001,1,2));
  bgp_ext_community.add((rt, 65001, 7));
  accept;
}

protocol bgp p_gobgp {
  local 10.99.0.1 as 65001;
  neighbor 10.99.0.2 as 65002;
  direct;
  enable as4 on;
  enable route refresh on;
  graceful restart on;
  graceful restart time 120;
  connect delay time 1;
  ipv4 {
    import all;
    export filter golden_out;
    add paths on;
    next hop self;
  };
  ipv6 {
    import all;
    export filter golden_out;
    add paths on;
    next hop self;
  };
}
EOF

cat >"$work/gobgpd.toml" <<EOF
[global.config]
  as = 65002
  router-id = "10.99.0.2"
  local-address-list = ["10.99.0.2"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.0.1"
    peer-as = 65001
  [neighbors.transport.config]
    # BIRD opens the TCP connection: no connection collision in the capture.
    passive-mode = true
    local-address = "10.99.0.2"
  [neighbors.timers.config]
    idle-hold-time-after-reset = 1
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 8
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 8
EOF

# ---------------------------------------------------------------- start capture + daemons
# Background daemons are started with `ip netns exec` itself, not through the B/G functions: a
# backgrounded function runs in a subshell, so $! would be the subshell and not the daemon.
ip netns exec "$ns_g" tcpdump -i "$if_g" -U -s 0 -w "$pcap" 'tcp port 179' >"$work/tcpdump.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do  # tcpdump prints "listening on" once the socket is open
  grep -q "listening on" "$work/tcpdump.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$work/tcpdump.log" || { log "tcpdump did not start"; exit 1; }

# GoBGP advertises the host name in an FQDN capability (73): run it in its own UTS namespace
# with a fixed host name so the OPEN does not depend on the machine. unshare and sh exec, so
# $! is gobgpd's PID.
ip netns exec "$ns_g" unshare --uts sh -c 'hostname gobgp-golden && exec "$@"' sh \
  gobgpd -f "$work/gobgpd.toml" -p --pprof-disable --api-hosts "127.0.0.1:$api_port" \
  >"$work/gobgpd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  gobgp_ neighbor >/dev/null 2>&1 && break
  sleep 0.2
done
gobgp_ neighbor >/dev/null

# GoBGP routes exist before the session comes up, so they go out in the initial burst.
gobgp_ global rib add -a ipv4 10.99.20.0/24 origin igp med 20 community 65002:200 >/dev/null
gobgp_ global rib add -a ipv4 10.99.21.0/24 origin igp med 21 community 65002:201 >/dev/null
gobgp_ global rib add -a ipv6 fd00:99:20::/64 nexthop fd00:99::2 origin igp med 30 \
  community 65002:300 >/dev/null
gobgp_ global rib add -a ipv6 fd00:99:21::/64 nexthop fd00:99::2 origin igp med 31 \
  community 65002:301 >/dev/null

ip netns exec "$ns_b" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$work/bird.stdout.log" 2>&1 &
pids+=($!)

# ---------------------------------------------------------------- bounded waits
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2
  shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "timeout after ${secs}s waiting for: $what"
      return 1
    fi
    sleep 0.3
  done
}
established() { birdc_ show protocols p_gobgp | grep -q Established; }
bird_has() { birdc_ show route "$1" | grep -q "$1"; }
gobgp_has() { gobgp_ global rib -a "$1" "$2" | grep -q "$2"; }
gobgp_lacks() { ! gobgp_ global rib -a "$1" "$2" | grep -q "$2"; }
bird_lacks() { ! birdc_ show route "$1" | grep -q "$1"; }

wait_for 30 "BGP session Established" established
log "session established"
wait_for 20 "BIRD routes at GoBGP" gobgp_has ipv4 10.99.1.128/26
wait_for 20 "BIRD routes at GoBGP" gobgp_has ipv6 fd00:99:3::/64
wait_for 20 "GoBGP routes at BIRD" bird_has 10.99.21.0/24
wait_for 20 "GoBGP routes at BIRD" bird_has fd00:99:21::/64
sleep 1  # let End-of-RIB markers and keepalives go out

# Optional: the peers' own view of the session and routes, to cross-check the decoded files.
if [ -n "${DEBUG_DIR:-}" ]; then
  mkdir -p "$DEBUG_DIR"
  birdc_ show protocols all p_gobgp >"$DEBUG_DIR/bird_protocol.txt" 2>&1 || true
  birdc_ show route all >"$DEBUG_DIR/bird_routes.txt" 2>&1 || true
  gobgp_ neighbor 10.99.0.1 >"$DEBUG_DIR/gobgp_neighbor.txt" 2>&1 || true
  for af in ipv4 ipv6; do
    gobgp_ global rib -a "$af" >"$DEBUG_DIR/gobgp_rib_$af.txt" 2>&1 || true
    gobgp_ global rib -a "$af" -j >"$DEBUG_DIR/gobgp_rib_$af.json" 2>&1 || true
    gobgp_ neighbor 10.99.0.1 adj-in -a "$af" >"$DEBUG_DIR/gobgp_adjin_$af.txt" 2>&1 || true
    gobgp_ neighbor 10.99.0.1 adj-out -a "$af" >"$DEBUG_DIR/gobgp_adjout_$af.txt" 2>&1 || true
  done
fi

# Withdrawals: one IPv4 and one IPv6 prefix from each side.
gobgp_ global rib del -a ipv4 10.99.21.0/24 >/dev/null
wait_for 10 "IPv4 withdrawal at BIRD" bird_lacks 10.99.21.0/24
gobgp_ global rib del -a ipv6 fd00:99:21::/64 >/dev/null
wait_for 10 "IPv6 withdrawal at BIRD" bird_lacks fd00:99:21::/64
birdc_ disable st4_b >/dev/null
wait_for 10 "IPv4 withdrawal at GoBGP" gobgp_lacks ipv4 10.99.1.128/26
birdc_ disable st6_b >/dev/null
wait_for 10 "IPv6 withdrawal at GoBGP" gobgp_lacks ipv6 fd00:99:3::/64
sleep 0.5

# ROUTE-REFRESH: BIRD asks GoBGP to resend (one message per channel: ipv4, ipv6).
# (GoBGP's `neighbor ADDR softresetin` only re-runs import policy on its stored Adj-RIB-In and
# sends nothing, so there is no ROUTE-REFRESH from GoBGP.)
birdc_ reload in p_gobgp >/dev/null
sleep 1.5

# Administrative shutdown with an RFC 8203/9003 shutdown communication.
# `disable` sends no communication in GoBGP 3.x; the deprecated `shutdown` does.
gobgp_ neighbor 10.99.0.1 shutdown --reason "golden capture" >/dev/null
wait_for 10 "session down at BIRD" bash -c "! ip netns exec $ns_b birdc -s $work/bird.ctl show protocols p_gobgp | grep -q Established"
sleep 1
birdc_ show protocols all p_gobgp >"$work/bird_final.log" 2>&1 || true

# Stop tcpdump (first pid) so the pcap is complete before parsing.
kill -TERM "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
pids=("${pids[@]:1}")

if [ -n "${KEEP_PCAP:-}" ]; then cp "$pcap" "$KEEP_PCAP"; fi
if [ -n "${DEBUG_DIR:-}" ]; then cp "$work"/*.log "$DEBUG_DIR"/ 2>/dev/null || true; fi

# ---------------------------------------------------------------- split into messages
mkdir -p "$outdir"
rm -f "$outdir"/[0-9][0-9]_*.hex
python3 - "$pcap" "$outdir" <<'PY'
"""Split a pcap of BGP sessions into one hex file per BGP message.

pcap (not pcapng), link type Ethernet (1) or Linux cooked (113/276); IPv4 or IPv6; TCP.
Each direction of each TCP connection is reassembled by sequence number (retransmitted
and overlapping bytes dropped), then cut at 16 x 0xff marker + 2-byte length.
Messages are ordered by the capture time of the packet that completed them.
"""
import os
import struct
import sys

SENDER = {"10.99.0.1": "bird", "10.99.0.2": "gobgp",
          "fd00:99::1": "bird", "fd00:99::2": "gobgp"}
TYPES = {1: "open", 2: "update", 3: "notification", 4: "keepalive", 5: "route_refresh"}
MAX_KEEPALIVES_PER_SENDER = 2

pcap_path, outdir = sys.argv[1], sys.argv[2]
data = open(pcap_path, "rb").read()
magic = data[:4]
if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    end = "<"
elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    end = ">"
else:
    sys.exit("not a pcap file (pcapng is not supported)")
nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
linktype = struct.unpack(end + "I", data[20:24])[0]

def ip_str(b):
    if len(b) == 4:
        return ".".join(str(x) for x in b)
    import ipaddress
    return str(ipaddress.IPv6Address(b))

flows = {}  # (src, sport, dst, dport) -> list of (time, seq, payload, syn)
off = 24
while off + 16 <= len(data):
    ts_s, ts_frac, incl, _orig = struct.unpack(end + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    t = ts_s + ts_frac / (1e9 if nano else 1e6)
    if linktype == 1:
        eth_type = struct.unpack("!H", pkt[12:14])[0]
        p = 14
        while eth_type in (0x8100, 0x88a8):
            eth_type = struct.unpack("!H", pkt[p + 2:p + 4])[0]
            p += 4
    elif linktype == 113:
        eth_type = struct.unpack("!H", pkt[14:16])[0]
        p = 16
    elif linktype == 276:
        eth_type = struct.unpack("!H", pkt[0:2])[0]
        p = 20
    else:
        sys.exit("unsupported link type %d" % linktype)
    if eth_type == 0x0800:
        ihl = (pkt[p] & 0x0F) * 4
        total = struct.unpack("!H", pkt[p + 2:p + 4])[0]
        if pkt[p + 9] != 6:
            continue
        src, dst = ip_str(pkt[p + 12:p + 16]), ip_str(pkt[p + 16:p + 20])
        l4, l4_end = p + ihl, p + total
    elif eth_type == 0x86DD:
        plen = struct.unpack("!H", pkt[p + 4:p + 6])[0]
        if pkt[p + 6] != 6:  # extension headers are not expected here
            continue
        src, dst = ip_str(pkt[p + 8:p + 24]), ip_str(pkt[p + 24:p + 40])
        l4, l4_end = p + 40, p + 40 + plen
    else:
        continue
    sport, dport, seq = struct.unpack("!HHI", pkt[l4:l4 + 8])
    doff = (pkt[l4 + 12] >> 4) * 4
    flags = pkt[l4 + 13]
    payload = pkt[l4 + doff:l4_end]
    flows.setdefault((src, sport, dst, dport), []).append((t, seq, payload, bool(flags & 0x02)))

# Only the first TCP connection that carries BGP data is the session we want; later ones are
# BIRD reconnecting after the shutdown (GoBGP resets them), which would add a stray OPEN.
conns = {}
for key, segs in flows.items():
    if any(s[2] for s in segs):
        conn = frozenset([(key[0], key[1]), (key[2], key[3])])
        first = min(s[0] for s in segs if s[2])
        conns[conn] = min(first, conns.get(conn, first))
session = min(conns, key=conns.get)
if len(conns) > 1:
    print("ignoring %d later TCP connection(s)" % (len(conns) - 1), file=sys.stderr)
flows = {k: v for k, v in flows.items()
         if frozenset([(k[0], k[1]), (k[2], k[3])]) == session}

messages = []  # (time, flow_index, offset, sender, type, bytes)
for fi, (key, segs) in enumerate(flows.items()):
    syn = [s for s in segs if s[3]]
    if syn:
        isn = syn[0][1]
        base = (isn + 1) & 0xFFFFFFFF
    else:
        base = min(s[1] for s in segs if s[2]) if any(s[2] for s in segs) else 0
    # Relative sequence numbers (mod 2^32), then in-order reassembly with per-byte times.
    segs = sorted(((s[1] - base) & 0xFFFFFFFF, s[0], s[2]) for s in segs if s[2])
    stream = bytearray()
    done_time = []  # capture time at which stream[i] became available
    for rel, t, payload in segs:
        if rel > len(stream):
            sys.exit("gap in TCP stream %r at %d (missing segment)" % (key, len(stream)))
        new = payload[len(stream) - rel:]
        if not new:
            continue  # pure retransmission
        stream += new
        done_time += [t] * len(new)
    sender = SENDER.get(key[0], key[0].replace(":", "_"))
    p = 0
    while p < len(stream):
        if len(stream) - p < 19 or stream[p:p + 16] != b"\xff" * 16:
            sys.exit("bad BGP framing in %r at offset %d" % (key, p))
        length = struct.unpack("!H", stream[p + 16:p + 18])[0]
        if length < 19 or p + length > len(stream):
            sys.exit("truncated/bad BGP message in %r at offset %d" % (key, p))
        msg = bytes(stream[p:p + length])
        messages.append((max(done_time[p:p + length]), fi, p, sender,
                         TYPES.get(msg[18], "type%d" % msg[18]), msg))
        p += length

messages.sort(key=lambda m: (m[0], m[1], m[2]))
kept, ka = [], {}
for m in messages:
    if m[4] == "keepalive":
        ka[m[3]] = ka.get(m[3], 0) + 1
        if ka[m[3]] > MAX_KEEPALIVES_PER_SENDER:
            continue
    kept.append(m)
for n, (_t, _fi, _p, sender, mtype, msg) in enumerate(kept, 1):
    name = "%02d_%s_%s.hex" % (n, sender, mtype)
    h = msg.hex()
    # 16 bytes per line, marker on the first line.
    lines = [h[i:i + 32] for i in range(0, len(h), 32)]
    with open(os.path.join(outdir, name), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%s (%d bytes)" % (name, len(msg)))
print("%d messages captured, %d written" % (len(messages), len(kept)), file=sys.stderr)
PY
log "done: $outdir"
