#!/usr/bin/env bash
# How many BGP sessions one daemon holds at once on loopback, pintod beside BIRD, same machine,
# same run. For each session count, a fresh network namespace runs the daemon with that many
# passive iBGP peers and bench/bgp_swarm opens them all (127.0.1.x → 127.0.0.1), then holds them
# with keepalives for HOLD_WINDOW seconds. A count "holds" when every session came up within 60 s
# and none dropped.
#
#   bench/session_scale.sh [COUNTS...]      (as root; default: 100 250 500 1000)
#
# Prints one line per daemon and count: sessions, time until all were Established, lost during
# the window, and the daemon's CPU time and resident memory at the end.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(100 250 500 1000)
hold=9
window="${HOLD_WINDOW:-20}"

cmake --preset default >/dev/null
cmake --build --preset default --target pintod bgp_swarm >/dev/null
pintod="$repo/build/default/daemon/pintod"
swarm="$repo/build/default/bench/bgp_swarm"

work="$(mktemp -d /tmp/pinto_session_scale.XXXXXX)"
ns="pbench-scale-$$"
daemon_pid=""
cleanup() {
  set +e
  if [ -n "$daemon_pid" ]; then kill -TERM "$daemon_pid" 2>/dev/null; sleep 0.5; kill -KILL "$daemon_pid" 2>/dev/null; wait "$daemon_pid" 2>/dev/null; fi
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

peer_address() { # index -> 127.0.1.1 ... (as bgp_swarm numbers them)
  echo "127.0.$((1 + $1 / 250)).$((1 + $1 % 250))"
}

write_pintod_config() { # COUNT
  cat >"$work/settings.yaml" <<YAML
nodeName: bench
resources: [resources.yaml]
logLevel: warning
bgp: {holdTime: ${hold}s}
YAML
  {
    echo "apiVersion: projectcalico.org/v3"
    echo "kind: Node"
    echo "metadata: {name: bench}"
    echo "spec: {bgp: {asNumber: 64512, ipv4Address: 127.0.0.1/8}}"
    echo "---"
    echo "apiVersion: projectcalico.org/v3"
    echo "kind: BGPConfiguration"
    echo "metadata: {name: default}"
    echo "spec: {nodeToNodeMeshEnabled: false}"
    for ((i = 0; i < $1; i++)); do
      echo "---"
      echo "apiVersion: projectcalico.org/v3"
      echo "kind: BGPPeer"
      echo "metadata: {name: p$i}"
      echo "spec: {peerIP: $(peer_address "$i"), asNumber: 64512, passive: true}"
    done
  } >"$work/resources.yaml"
}

write_bird_config() { # COUNT
  {
    echo "router id 127.0.0.1;"
    echo "protocol device {}"
    for ((i = 0; i < $1; i++)); do
      echo "protocol bgp p$i { local 127.0.0.1 as 64512; neighbor $(peer_address "$i") as 64512; passive on; hold time $hold; ipv4 { import none; export none; }; }"
    done
  } >"$work/bird.conf"
}

# CPU seconds (user + system) and resident memory (MiB) of a PID.
usage_of() {
  local ticks rss
  ticks=$(awk '{print $14 + $15}' "/proc/$1/stat")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$1/status")
  echo "cpu $(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}') s, rss $((rss / 1024)) MiB"
}

run_one() { # DAEMON COUNT
  local daemon=$1 count=$2
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  if [ "$daemon" = pintod ]; then
    write_pintod_config "$count"
    ip netns exec "$ns" "$pintod" --config "$work/settings.yaml" >"$work/daemon.log" 2>&1 &
  else
    write_bird_config "$count"
    ip netns exec "$ns" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$work/daemon.log" 2>&1 &
  fi
  daemon_pid=$!
  for _ in $(seq 50); do  # until it listens on port 179, at most 5 s
    ip netns exec "$ns" ss -ltn 2>/dev/null | grep -q ':179 ' && break
    sleep 0.1
  done
  local result
  result=$(ip netns exec "$ns" "$swarm" 127.0.0.1 179 "$count" 64512 "$hold" "$window")
  printf '%-7s %s; %s\n' "$daemon" "$result" "$(usage_of "$daemon_pid")"
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
  ip netns del "$ns"
}

echo "BGP sessions held on loopback (hold time ${hold} s, window ${window} s), $(nproc) cores"
for count in "${counts[@]}"; do
  run_one pintod "$count"
  run_one bird "$count"
done
