#!/usr/bin/env bash
# Kernel route install and delete rates: Pinto's NetlinkFibWriter beside `ip -batch` and BIRD 2's
# kernel protocol, same machine, same run, each into a fresh network namespace's main table.
#
#   bench/fib_compare.sh [COUNTS...]        (as root; default: 10000 100000)
#
# Routes are IPv4 /32s via one gateway on a veth. BIRD's figure is the time from `birdc enable`
# of a static protocol holding the routes until the kernel holds all of them (and from
# `birdc disable` until none is left), polled every 50 ms, so it slightly favours nobody.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(10000 100000)

cmake --preset default >/dev/null
cmake --build --preset default --target fib_bench >/dev/null
fib_bench="$repo/build/default/bench/fib_bench"

work="$(mktemp -d /tmp/pinto_fib_compare.XXXXXX)"
ns="pbench-fib-$$"
peer="pbench-fibp-$$"
bird_pid=""
cleanup() {
  set +e
  if [ -n "$bird_pid" ]; then kill -TERM "$bird_pid" 2>/dev/null; wait "$bird_pid" 2>/dev/null; fi
  ip netns del "$ns" 2>/dev/null
  ip netns del "$peer" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fresh_namespace() {
  ip netns del "$ns" 2>/dev/null || true
  ip netns del "$peer" 2>/dev/null || true
  ip netns add "$ns"
  ip netns add "$peer"
  ip link add fb0 netns "$ns" type veth peer name fb1 netns "$peer"
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add 10.127.0.1/24 dev fb0
  ip -n "$ns" link set fb0 up
  ip -n "$peer" link set fb1 up
}

# BIRD's routes carry its protocol number (12, "bird").
bird_route_count() { ip -n "$ns" -4 route show table main proto 12 | wc -l; }

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }

now() { date +%s.%N; }

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

for n in "${counts[@]}"; do
  echo "== $n routes"
  # Pinto
  fresh_namespace
  ip netns exec "$ns" "$fib_bench" "$n" 10.127.0.2

  # ip -batch: one request and one ACK at a time
  fresh_namespace
  python3 - "$n" "$work/add.batch" "$work/del.batch" <<'PY'
import sys
n = int(sys.argv[1])
with open(sys.argv[2], "w") as add, open(sys.argv[3], "w") as delete:
    for i in range(n):
        a = (10 << 24) | (128 << 16) + i
        ip = "%d.%d.%d.%d" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255)
        add.write("route add %s/32 via 10.127.0.2 proto 196\n" % ip)
        delete.write("route del %s/32 via 10.127.0.2 proto 196\n" % ip)
PY
  t0=$(now); ip -n "$ns" -batch "$work/add.batch"; t1=$(now)
  echo "ip-batch add $n $(rate "$n" "$(elapsed "$t0" "$t1")") routes/s"
  t0=$(now); ip -n "$ns" -batch "$work/del.batch"; t1=$(now)
  echo "ip-batch del $n $(rate "$n" "$(elapsed "$t0" "$t1")") routes/s"

  # BIRD 2: static routes exported to the kernel protocol
  fresh_namespace
  python3 - "$n" "$work/bird.conf" "$work" <<'PY'
import sys
n, path, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(path, "w") as f:
    f.write("router id 10.127.0.1;\nprotocol device {}\n")
    f.write("protocol kernel { ipv4 { export all; }; merge paths off; }\n")
    f.write("protocol static bench { disabled; ipv4;\n")
    for i in range(n):
        a = (10 << 24) | (128 << 16) + i
        f.write("  route %d.%d.%d.%d/32 via 10.127.0.2;\n" % (a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255))
    f.write("}\n")
PY
  ip netns exec "$ns" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$work/bird.log" 2>&1 &
  bird_pid=$!
  for _ in $(seq 600); do ip netns exec "$ns" birdc -s "$work/bird.ctl" show status >/dev/null 2>&1 && break; sleep 0.1; done
  t0=$(now)
  ip netns exec "$ns" birdc -s "$work/bird.ctl" enable bench >/dev/null
  for _ in $(seq 2400); do [ "$(bird_route_count)" -ge "$n" ] && break; sleep 0.05; done  # <= 2 min
  t1=$(now)
  echo "bird2 add $n $(rate "$n" "$(elapsed "$t0" "$t1")") routes/s"
  t0=$(now)
  ip netns exec "$ns" birdc -s "$work/bird.ctl" disable bench >/dev/null
  for _ in $(seq 2400); do [ "$(bird_route_count)" -eq 0 ] && break; sleep 0.05; done
  t1=$(now)
  echo "bird2 del $n $(rate "$n" "$(elapsed "$t0" "$t1")") routes/s"
  kill -TERM "$bird_pid"; wait "$bird_pid" 2>/dev/null || true; bird_pid=""
done
