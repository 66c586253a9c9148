#!/usr/bin/env bash
# Resident memory of pintod and BIRD 2 with no peers and no routes: what each costs before the
# first route (docs/benchmarks.md, "Where pintod's memory goes"). As root.
#
#   bench/idle_rss.sh [PINTOD]        (default: build/default/daemon/pintod, built beforehand)
#
# Each daemon runs alone in a network namespace of its own for SETTLE seconds (default 2), then
# its VmHWM, RssAnon and RssFile (/proc/PID/status) are printed. pintod: a Node, no peers, no
# FIB, no store; BIRD: `protocol device` only. Both are ended by PID, the namespace removed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pintod="${1:-$repo/build/default/daemon/pintod}"
settle="${SETTLE:-2}"
[ -x "$pintod" ] || { echo "idle_rss.sh: no $pintod (build it first)" >&2; exit 1; }
work="$(mktemp -d /tmp/pinto_idle_rss.XXXXXX)"
ns="pidle-$$"
pid=""

cleanup() {
  set +e
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  fi
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up

cat >"$work/settings.yaml" <<YAML
nodeName: idle
routerId: 10.99.0.1
listen: {address: 127.0.0.1, port: 179}
api: {socket: $work/pintod.sock}
store: ""
fib: {enabled: false}
logLevel: warning
resources: [resources.yaml]
YAML
cat >"$work/resources.yaml" <<'YAML'
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: idle}
spec: {bgp: {asNumber: 64512, ipv4Address: 10.99.0.1/24}}
YAML
printf 'router id 10.99.0.1;\nprotocol device {}\n' >"$work/bird.conf"

measure() { # NAME COMMAND...: starts it, waits, prints its memory, ends it
  local name=$1
  shift
  ip netns exec "$ns" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  sleep "$settle"
  kill -0 "$pid" 2>/dev/null || { echo "$name exited:" >&2; cat "$work/$name.log" >&2; exit 1; }
  awk -v name="$name" '/^(VmHWM|RssAnon|RssFile):/ { v[$1] = $2 / 1024 }
    END { printf "%-7s %8.1f %8.1f %8.1f\n", name, v["VmHWM:"], v["RssAnon:"], v["RssFile:"] }' \
    "/proc/$pid/status"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
}

printf '%-7s %8s %8s %8s   (MiB, %s s after start)\n' daemon peak anon file "$settle"
measure pintod "$pintod" --config "$work/settings.yaml"
if command -v bird >/dev/null; then
  measure bird bird -f -c "$work/bird.conf" -s "$work/bird.ctl"
else
  echo "bird    skipped: BIRD 2 is not installed"
fi
