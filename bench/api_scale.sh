#!/usr/bin/env bash
# The API at scale: applying 5,000 Nodes and 20,000 BlockAffinities to one pintod through
# `pintoctl apply`, the time that takes, and the time until a BGP peer holds the blocks that
# pintod advertises (only the node's own blocks are advertised by it).
#
#   bench/api_scale.sh            (as root; builds pintod and pintoctl first)
#
# Two network namespaces joined by a veth pair: "node" runs pintod A (the node under test: its
# own API socket, a SQLite store in a temporary directory, its kernel routes in that fresh
# namespace), "peer" runs BIRD 2 as the receiver (passive iBGP, import all, no kernel protocol),
# whose `show route count` says how many of A's prefixes arrived. A base manifest (IPPool,
# BGPConfiguration with the mesh off, Node A, a BGPPeer to BIRD) is applied first and the session
# is Established before any clock starts. Then, for each mode, on a fresh pintod and store:
#
#   one      one manifest of NODES Nodes + BLOCKS BlockAffinities (pintoctl apply -f)
#   chunks   the same documents in files of CHUNK documents, applied one after the other
#
# and after the "one" run, the same manifest applied again (everything unchanged), and
# `pintoctl get blockaffinities -o yaml | wc -l`.
#
# Environment (defaults in brackets):
#   NODES [5000]  BLOCKS [20000]  A_BLOCKS [4]: how many of the blocks are A's (the rest are
#   spread over the other nodes)  CHUNK [500]  MESH [off]: on gives every Node an address on A's
#   link and turns the node-to-node mesh on, so A also configures NODES-1 mesh sessions (nothing
#   answers them)  FIB [on]: off sets fib: {enabled: false}  PERF [off]: on records
#   `perf record --call-graph dwarf` of pintod during each mode's apply into $PERF_OUT.<mode>
#   [/tmp/api_scale.perf.one, ...]; read with `perf report -i FILE --children --stdio`.
#   MODES ["one chunks"]  KEEP_LOGS [off]: on leaves the work directory in place.
#   PINTOD, PINTOCTL: other binaries (to compare builds); NO_BUILD=1 skips the build.
#
# Every wait is bounded (apply: pintoctl's own 300 s deadline; routes: ROUTE_WAIT [300] s).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nodes="${NODES:-5000}"
blocks="${BLOCKS:-20000}"
a_blocks="${A_BLOCKS:-4}"
chunk="${CHUNK:-500}"
mesh="${MESH:-off}"
fib="${FIB:-on}"
perf_on="${PERF:-off}"
perf_out="${PERF_OUT:-/tmp/api_scale.perf}"
route_wait="${ROUTE_WAIT:-300}"
read -r -a modes <<<"${MODES:-one chunks}"

[ "$(id -u)" -eq 0 ] || { echo "api_scale.sh: run as root (network namespaces)" >&2; exit 2; }
[ "$a_blocks" -le "$blocks" ] || { echo "A_BLOCKS must be <= BLOCKS" >&2; exit 2; }
[ "$nodes" -ge 2 ] || { echo "NODES must be >= 2" >&2; exit 2; }

if [ -z "${NO_BUILD:-}" ]; then
  cmake --preset default >/dev/null
  flock /tmp/pinto-build.lock cmake --build --preset default --target pintod pintoctl >/dev/null
fi
pintod="${PINTOD:-$repo/build/default/daemon/pintod}"
pintoctl="${PINTOCTL:-$repo/build/default/pintoctl/pintoctl}"

work="$(mktemp -d /tmp/pinto_api_scale.XXXXXX)"
ns_a="pbench-api-a-$$"
ns_b="pbench-api-b-$$"
pintod_pid=""
bird_pid=""
poll_pid=""
stop_pid() { # PID: TERM, then KILL after 5 s
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  set +e
  stop_pid "$poll_pid"
  stop_pid "$pintod_pid"
  stop_pid "$bird_pid"
  ip netns del "$ns_a" 2>/dev/null
  ip netns del "$ns_b" 2>/dev/null
  if [ "${KEEP_LOGS:-off}" = on ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }
ctl() { "$pintoctl" --socket "$work/pintod.sock" "$@"; }

# --- the manifests -------------------------------------------------------------------------
# Node i (0 is A) has 10.86.x.y; with MESH=on the Nodes' addresses are on A's /16 link, so A
# configures (and tries) one session per Node. Block j is the j-th /26 of the pool 10.64.0.0/10;
# blocks 0 .. A_BLOCKS-1 are A's, the others go round the other nodes.
node_net() { if [ "$mesh" = on ]; then echo 10.85; else echo 10.86; fi; }

cat >"$work/base.yaml" <<YAML
apiVersion: projectcalico.org/v3
kind: BGPConfiguration
metadata:
  name: default
spec:
  nodeToNodeMeshEnabled: $([ "$mesh" = on ] && echo true || echo false)
  asNumber: 64512
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: pods
spec:
  cidr: 10.64.0.0/10
  blockSize: 26
  ipipMode: Never
  vxlanMode: Never
---
apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: node-00000
spec:
  bgp:
    ipv4Address: 10.85.0.1/16
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: receiver
spec:
  node: node-00000
  peerIP: 10.85.0.2
  asNumber: 64512
YAML

# One document per line group, kubectl-style block YAML, as an orchestrator would send.
awk -v nodes="$nodes" -v blocks="$blocks" -v a_blocks="$a_blocks" -v net="$(node_net)" '
function sep() { if (n++ > 0) print "---" }
BEGIN {
  for (i = 1; i < nodes; i++) {
    sep()
    # with the mesh on, skip 10.85.0.1 (A) and 10.85.0.2 (the receiver)
    k = (net == "10.85") ? i + 2 : i
    printf "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: node-%05d\n", i
    printf "  labels:\n    rack: r%d\nspec:\n  bgp:\n    ipv4Address: %s.%d.%d/16\n", i % 40, net, int(k / 256), k % 256
  }
  base = 10 * 16777216 + 64 * 65536
  for (j = 0; j < blocks; j++) {
    sep()
    owner = (j < a_blocks) ? 0 : 1 + (j - a_blocks) % (nodes - 1)
    a = base + j * 64
    cidr = sprintf("%d.%d.%d.%d/26", int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256)
    name = sprintf("node-%05d-%d-%d-%d-%d-26", owner, int(a / 16777216), int(a / 65536) % 256, int(a / 256) % 256, a % 256)
    printf "apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata:\n  name: %s\n", name
    printf "spec:\n  node: node-%05d\n  cidr: %s\n  state: confirmed\n", owner, cidr
  }
}' >"$work/bulk.yaml"
documents=$((nodes - 1 + blocks))
# Files of CHUNK documents each, in the same order (Nodes before the blocks that name them).
mkdir -p "$work/chunks"
awk -v chunk="$chunk" -v dir="$work/chunks" '
/^---$/ { if (++docs % chunk == 0) { close(out); file++ } else print > out; next }
{ out = sprintf("%s/%05d.yaml", dir, file); print > out }' "$work/bulk.yaml"

# --- the network -----------------------------------------------------------------------------
ip netns add "$ns_a"
ip netns add "$ns_b"
ip -n "$ns_a" link set lo up
ip -n "$ns_b" link set lo up
ip link add "pba$$" netns "$ns_a" type veth peer name "pbb$$" netns "$ns_b"
ip -n "$ns_a" addr add 10.85.0.1/16 dev "pba$$"
ip -n "$ns_b" addr add 10.85.0.2/16 dev "pbb$$"
ip -n "$ns_a" link set "pba$$" up
ip -n "$ns_b" link set "pbb$$" up

cat >"$work/bird.conf" <<BIRD
router id 10.85.0.2;
log "$work/bird.log" all;
protocol device {}
protocol bgp a {
  local 10.85.0.2 as 64512;
  neighbor 10.85.0.1 as 64512;
  passive on;
  ipv4 { import all; export none; };
}
BIRD
ip netns exec "$ns_b" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$work/bird.out" 2>&1 &
bird_pid=$!

received() { # prefixes BIRD holds from A
  ip netns exec "$ns_b" birdc -s "$work/bird.ctl" show route count 2>/dev/null |
    awk '/routes for .* table master4/ {print $1; found = 1} END {if (!found) print 0}'
}

# CPU seconds (user + system) and resident memory (MiB) of a PID.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }
rss_of() { awk '/VmRSS/ {printf "%d", $2 / 1024}' "/proc/$1/status"; }

start_pintod() {
  stop_pid "$pintod_pid"
  pintod_pid=""
  rm -f "$work"/state.db* "$work/pintod.sock"
  ip -n "$ns_a" route flush proto 196 2>/dev/null || true
  cat >"$work/settings.yaml" <<YAML
nodeName: node-00000
api: {socket: $work/pintod.sock}
store: $work/state.db
logLevel: warning
fib: {enabled: $([ "$fib" = on ] && echo true || echo false)}
bgp: {connectRetryTime: 2s}
YAML
  ip netns exec "$ns_a" "$pintod" --config "$work/settings.yaml" >>"$work/pintod.log" 2>&1 &
  pintod_pid=$!
  for _ in $(seq 300); do # the API answers, at most 30 s
    ctl get nodes >/dev/null 2>&1 && break  # (`version` exits 0 even when pintod is not up)
    kill -0 "$pintod_pid" 2>/dev/null || { cat "$work/pintod.log" >&2; exit 1; }
    sleep 0.1
  done
  ctl apply -f "$work/base.yaml" >/dev/null
  for _ in $(seq 300); do # BIRD's session Established, at most 30 s
    ip netns exec "$ns_b" birdc -s "$work/bird.ctl" show protocols a 2>/dev/null |
      grep -q Established && return 0
    sleep 0.1
  done
  echo "api_scale.sh: the BGP session to BIRD did not come up" >&2
  tail -20 "$work/pintod.log" >&2
  exit 1
}

# Waits in the background until BIRD holds $1 prefixes, then writes the time to $2.
start_route_poll() {
  local want=$1 out=$2
  rm -f "$out"
  (
    deadline=$(($(date +%s) + route_wait))
    while [ "$(date +%s)" -lt "$deadline" ]; do
      if [ "$(received)" -ge "$want" ]; then now >"$out"; exit 0; fi
      sleep 0.05
    done
  ) &
  poll_pid=$!
}
wait_route_poll() { wait "$poll_pid" 2>/dev/null || true; poll_pid=""; }

# --- the runs --------------------------------------------------------------------------------
declare -A result
want=$a_blocks

for mode in "${modes[@]}"; do
  start_pintod
  cpu0=$(cpu_of "$pintod_pid")
  start_route_poll "$want" "$work/routes.$mode"
  perf_pid=""
  if [ "$perf_on" = on ]; then
    perf record -F 499 --call-graph dwarf -o "$perf_out.$mode" -p "$pintod_pid" >"$work/perf.out" 2>&1 &
    perf_pid=$!
  fi
  t0=$(now)
  if [ "$mode" = one ]; then
    ctl apply -f "$work/bulk.yaml" >"$work/apply.$mode.out" 2>&1 ||
      { tail -5 "$work/apply.$mode.out" >&2; exit 1; }
  else
    for f in "$work"/chunks/*.yaml; do
      ctl apply -f "$f" >>"$work/apply.$mode.out" 2>&1 ||
        { echo "$f:" >&2; tail -5 "$work/apply.$mode.out" >&2; exit 1; }
    done
  fi
  t1=$(now)
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
  wait_route_poll
  result[$mode.apply]=$(since "$t0" "$t1")
  if [ -f "$work/routes.$mode" ]; then
    result[$mode.routes]=$(since "$t0" "$(cat "$work/routes.$mode")")
  else
    result[$mode.routes]="> ${route_wait} (got $(received) of $want)"
  fi
  result[$mode.cpu]=$(awk -v a="$cpu0" -v b="$(cpu_of "$pintod_pid")" 'BEGIN {printf "%.1f", b - a}')
  result[$mode.rss]=$(rss_of "$pintod_pid")
  result[$mode.stored]=$(ctl get blockaffinities | tail -n +2 | wc -l)

  if [ "$mode" = one ]; then
    cpu0=$(cpu_of "$pintod_pid")
    t0=$(now)
    ctl apply -f "$work/bulk.yaml" >"$work/apply.again.out" 2>&1 ||
      { tail -5 "$work/apply.again.out" >&2; exit 1; }
    result[again]=$(since "$t0" "$(now)")
    result[again.cpu]=$(awk -v a="$cpu0" -v b="$(cpu_of "$pintod_pid")" 'BEGIN {printf "%.1f", b - a}')
    grep -q "(0 changed)" "$work/apply.again.out" || { tail -3 "$work/apply.again.out" >&2; exit 1; }
    cpu0=$(cpu_of "$pintod_pid")
    t0=$(now)
    lines=$(ctl get blockaffinities -o yaml | wc -l)
    result[get]=$(since "$t0" "$(now)")
    result[get.cpu]=$(awk -v a="$cpu0" -v b="$(cpu_of "$pintod_pid")" 'BEGIN {printf "%.1f", b - a}')
    result[get.lines]=$lines
    result[db]=$(du -k "$work/state.db" | awk '{printf "%.1f", $1 / 1024}')
  fi
done

echo
echo "API at scale: $((nodes - 1)) + 1 Nodes, $blocks BlockAffinities ($a_blocks of them A's)," \
  "mesh $mesh, fib $fib; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-44s %s\n' "manifest" "$documents documents, $(du -k "$work/bulk.yaml" | awk '{printf "%.1f", $1 / 1024}') MiB"
for mode in "${modes[@]}"; do
  if [ "$mode" = one ]; then label="one apply"; else label="$(( (documents + chunk - 1) / chunk )) applies of $chunk"; fi
  printf '%-44s %s s (pintod cpu %s s)\n' "$label: pintoctl apply wall time" "${result[$mode.apply]}" "${result[$mode.cpu]}"
  printf '%-44s %s s\n' "$label: until BIRD holds A's $want blocks" "${result[$mode.routes]}"
  printf '%-44s %s MiB (%s BlockAffinities stored)\n' "$label: pintod RSS after" "${result[$mode.rss]}" "${result[$mode.stored]}"
done
if [ -n "${result[again]:-}" ]; then
  printf '%-44s %s s (pintod cpu %s s)\n' "same manifest again (all unchanged)" "${result[again]}" "${result[again.cpu]}"
  printf '%-44s %s s (%s lines; pintod cpu %s s)\n' "get blockaffinities -o yaml | wc -l" "${result[get]}" "${result[get.lines]}" "${result[get.cpu]}"
  printf '%-44s %s MiB\n' "store file" "${result[db]}"
fi
