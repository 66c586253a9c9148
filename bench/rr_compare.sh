#!/usr/bin/env bash
# Route reflector benchmark (issue 4): one sender announces N IPv4 prefixes to an iBGP route
# reflector, K clients count what the reflector passes on. pintod, BIRD 2, FRR bgpd and GoBGP
# take the reflector's place in turn, same machine, same run; the floor row is the sender
# straight to one receiver with no reflector in between.
#
#   bench/rr_compare.sh [-n "N..."] [-k "K..."] [-i "IMPL..."]      (as root)
#     defaults: -n "100000 1000000" -k "1 10" -i "pintod bird frr gobgp"
#   env: PHASE_TIMEOUT (s, default 300) bounds each of convergence and withdrawal;
#        SKIP_BUILD=1 uses the binaries already in build/default; KEEP_WORK=1 keeps the temporary
#        directory (configs, daemon log, rr_load output); PERF_RECORD=DIR writes a perf profile
#        of the reflector per row there (PERF_ARGS adds perf record options, e.g. "-g");
#        SMAPS_DIR=DIR keeps the converged reflector's /proc/PID/smaps per row there;
#        PINTOD_WRAPPER runs pintod under a command (scripts/order-functions.sh: callgrind).
#
# Sender and receivers are bench/rr_load (rr_load.cpp): UPDATEs pre-encoded with Pinto's codec
# (N /32s from 100.64.0.0, ~800 per 4096-octet UPDATE, ORIGIN IGP, empty AS_PATH, NEXT_HOP the
# sender, LOCAL_PREF 100) written as fast as the socket takes them; the receivers (one process,
# K sessions, epoll) walk only the Withdrawn Routes and NLRI fields and keep one bit per prefix.
#
# Topology: four namespaces joined by a bridge in a "switch" namespace, one per role: the
# reflector (10.99.0.1), the sender (10.99.0.2) and the receivers (10.99.0.11 ... 10.99.0.10+K on
# one veth). Why not one namespace on loopback addresses: every reflector then runs as it would
# on a top-of-rack node, listening on its own address on port 179, and the sender's NEXT_HOP is
# on a directly connected subnet, so BIRD (`direct`) and FRR resolve it without an IGP and
# without special configuration; the cost of the veth/bridge path is the same for every
# implementation.
#
# Columns:
#   converge s   first UPDATE written by the sender → the last receiver holds all N
#                (CLOCK_MONOTONIC stamps from rr_load, the same clock in every namespace)
#   withdraw s   first withdrawal written → the last receiver holds none
#   CPU s        reflector utime+stime (/proc/PID/stat, all threads) over the convergence phase
#   wd CPU s     the same over the withdrawal phase
#   RSS MiB      reflector peak RSS (VmHWM) at the end
#   tool CPU s   rr_load's own CPU over the whole run, sender+receivers (proof that neither is
#                the bottleneck)
#   load         the machine's 1-minute load average when the row started (it is shared)
# A phase that runs out of time shows "t/o(P%)": the share of the N prefixes the slowest receiver
# had received (or had seen withdrawn) when it was stopped.
# Reflector settings: each implementation's defaults plus what reflection needs; no FIB writes
# (pintod fib disabled, bgpd -Z without zebra, BIRD and GoBGP without a kernel protocol).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ns_list="100000 1000000"
ks_list="1 10"
impls="pintod bird frr gobgp"
while getopts "n:k:i:" opt; do
  case $opt in
    n) ns_list=$OPTARG ;;
    k) ks_list=$OPTARG ;;
    i) impls=$OPTARG ;;
    *) echo "usage: $0 [-n \"N...\"] [-k \"K...\"] [-i \"pintod bird frr gobgp\"]" >&2; exit 2 ;;
  esac
done
phase_timeout="${PHASE_TIMEOUT:-300}"
export RR_LOAD_TIMEOUT=$((2 * phase_timeout + 120))

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target pintod rr_load >/dev/null
fi
pintod="$repo/build/default/daemon/pintod"
rr_load="$repo/build/default/bench/rr_load"
bgpd=/usr/lib/frr/bgpd

work="$(mktemp -d /tmp/pinto_rr_compare.XXXXXX)"
sw="prr-sw-$$"
dut="prr-dut-$$"
snd="prr-snd-$$"
rcv="prr-rcv-$$"
dut_pid="" snd_pid="" rcv_pid=""

stop_pid() { # PID: TERM, up to 5 s, then KILL; never by name
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() {
  stop_pid "$snd_pid"; snd_pid=""
  stop_pid "$rcv_pid"; rcv_pid=""
  stop_pid "$dut_pid"; dut_pid=""
}
cleanup() {
  set +e
  stop_all
  for ns in "$dut" "$snd" "$rcv" "$sw"; do ip netns del "$ns" 2>/dev/null; done
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- topology
ip netns add "$sw"
ip -n "$sw" link add br0 type bridge
ip -n "$sw" link set br0 up
ip -n "$sw" link set lo up
attach() { # NS PORT: a veth "eth0" in NS, its other end a bridge port in the switch
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip link add eth0 netns "$1" type veth peer name "$2" netns "$sw"
  ip -n "$sw" link set "$2" master br0 up
  ip -n "$1" link set eth0 up
}
attach "$dut" p-dut
attach "$snd" p-snd
attach "$rcv" p-rcv
ip -n "$dut" addr add 10.99.0.1/24 dev eth0
ip -n "$snd" addr add 10.99.0.2/24 dev eth0
max_k=1
for k in $ks_list; do [ "$k" -gt "$max_k" ] && max_k=$k; done
[ "$max_k" -le 240 ] || { echo "K at most 240" >&2; exit 2; }
for ((i = 1; i <= max_k; i++)); do ip -n "$rcv" addr add "10.99.0.$((10 + i))/24" dev eth0; done
rr=10.99.0.1
sender=10.99.0.2
first_rcv=10.99.0.11
cluster=244.0.0.1

# ---- reflector configurations (K clients at 10.99.0.11 onwards, the sender at 10.99.0.2)
clients() { # K: the sender's address, then every receiver's
  echo "$sender"
  for ((i = 1; i <= $1; i++)); do echo "10.99.0.$((10 + i))"; done
}

config_pintod() { # K
  cat >"$work/settings.yaml" <<YAML
nodeName: rr
routerId: $rr
listen: {address: $rr, port: 179}
api: {socket: $work/pintod.sock}
store: ""
fib: {enabled: false}
logLevel: warning
resources: [resources.yaml]
YAML
  {
    echo "apiVersion: projectcalico.org/v3"
    echo "kind: Node"
    echo "metadata: {name: rr}"
    echo "spec: {bgp: {asNumber: 64512, ipv4Address: $rr/24, routeReflectorClusterID: $cluster}}"
    echo "---"
    echo "apiVersion: projectcalico.org/v3"
    echo "kind: BGPConfiguration"
    echo "metadata: {name: default}"
    echo "spec: {nodeToNodeMeshEnabled: false}"
    local i=0
    for peer in $(clients "$1"); do
      echo "---"
      echo "apiVersion: projectcalico.org/v3"
      echo "kind: BGPPeer"
      echo "metadata: {name: c$i}"
      echo "spec: {peerIP: $peer, asNumber: 64512, passive: true}"
      i=$((i + 1))
    done
  } >"$work/resources.yaml"
}

config_bird() { # K
  {
    echo "router id $rr;"
    echo "protocol device {}"
    echo "template bgp rrc { local $rr as 64512; rr client; rr cluster id $cluster; direct; passive on; ipv4 { import all; export all; }; }"
    local i=0
    for peer in $(clients "$1"); do
      echo "protocol bgp c$i from rrc { neighbor $peer as 64512; }"
      i=$((i + 1))
    done
  } >"$work/bird.conf"
}

config_frr() { # K
  {
    echo "frr defaults traditional"
    echo "router bgp 64512"
    echo " bgp router-id $rr"
    echo " bgp cluster-id $cluster"
    echo " no bgp ebgp-requires-policy"
    echo " neighbor C peer-group"
    echo " neighbor C remote-as 64512"
    echo " neighbor C passive"
    for peer in $(clients "$1"); do echo " neighbor $peer peer-group C"; done
    echo " address-family ipv4 unicast"
    echo "  neighbor C activate"
    echo "  neighbor C route-reflector-client"
    echo " exit-address-family"
  } >"$work/bgpd.conf"
}

config_gobgp() { # K
  {
    echo "[global.config]"
    echo "  as = 64512"
    echo "  router-id = \"$rr\""
    echo "  local-address-list = [\"$rr\"]"
    for peer in $(clients "$1"); do
      cat <<TOML
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$peer"
    peer-as = 64512
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "$cluster"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
TOML
    done
  } >"$work/gobgpd.toml"
}

start_dut() { # IMPL K
  "config_$1" "$2"
  local log="$work/dut.log" wrapper=()
  read -ra wrapper <<<"${PINTOD_WRAPPER:-}"  # a command line, split into words
  case $1 in
    pintod) ip netns exec "$dut" "${wrapper[@]}" "$pintod" --config "$work/settings.yaml" >"$log" 2>&1 & ;;
    bird) ip netns exec "$dut" bird -f -c "$work/bird.conf" -s "$work/bird.ctl" >"$log" 2>&1 & ;;
    frr)
      mkdir -p "$work/frr"
      ip netns exec "$dut" "$bgpd" -f "$work/bgpd.conf" -i "$work/frr/bgpd.pid" -Z -S -P 0 \
        --vty_socket "$work/frr" -l "$rr" >"$log" 2>&1 &
      ;;
    gobgp)
      ip netns exec "$dut" gobgpd -f "$work/gobgpd.toml" -p --pprof-disable \
        --api-hosts 127.0.0.1:50051 >"$log" 2>&1 &
      ;;
  esac
  dut_pid=$!
  # PERF_RECORD=DIR: a perf profile of the reflector per row, for finding where its time goes.
  if [ -n "${PERF_RECORD:-}" ]; then
    local perf_args=()
    read -ra perf_args <<<"${PERF_ARGS:-}"
    perf record -q -F 999 "${perf_args[@]}" -p "$dut_pid" -o "$PERF_RECORD/$1-$2.data" >/dev/null 2>&1 &
  fi
  for _ in $(seq 100); do  # until it listens on port 179, at most 10 s
    ip netns exec "$dut" ss -ltn 2>/dev/null | grep -q ':179 ' && return 0
    kill -0 "$dut_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$1 did not start listening:" >&2
  tail -5 "$log" >&2
  return 1
}

# Waits (bash builtins only, so the polling costs next to nothing) for a line starting with
# PATTERN in FILE and leaves it in $found. Fails after TIMEOUT seconds or as soon as a PID has
# died. It runs in the script's own shell, never in $(...), so a signal to the script is handled
# within one 50-ms sleep rather than after the wait.
found=""
wait_line() { # FILE PATTERN TIMEOUT PID...
  local file=$1 pattern=$2 limit=$3 line
  found=""
  shift 3
  local end=$((SECONDS + limit))
  while true; do
    if [ -f "$file" ]; then
      while IFS= read -r line; do
        if [[ $line == "$pattern"* ]]; then
          found=$line
          return 0
        fi
      done <"$file"
    fi
    for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.05
  done
}

peak_rss_mib() { awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
hz=$(getconf CLK_TCK)
secs() { awk -v t="$1" -v hz="$hz" 'BEGIN { printf "%.2f", t / hz }'; }
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

rows=()
add_row() { # IMPL N K CONVERGE WITHDRAW CPU WDCPU RSS TOOLCPU (+ the load when the row started)
  local row
  row=$(printf '%-8s %8s %3s %10s %10s %8s %8s %8s %11s %5s' "$@" "$row_load")
  rows+=("$row")
  echo "$row" >&2
}

fail_row() { # IMPL N K WHAT
  echo "!! $1 N=$2 K=$3: $4" >&2
  for f in dut.log recv.err send.err; do
    if [ -s "$work/$f" ]; then
      echo "-- $f" >&2
      tail -5 "$work/$f" >&2
    fi
  done
  return 0
}

# After a phase timed out: stop the receivers and leave in $progress how far the slowest session
# got, e.g. "t/o(42%)". WITHDRAWING is 1 for the withdrawal phase.
progress=""
timed_out() { # N WITHDRAWING
  stop_pid "$rcv_pid"
  rcv_pid=""
  progress=timeout
  if wait_line "$work/recv.out" held 1; then
    progress=$(echo "$found" | awk -v n="$1" -v w="$2" \
      '{ printf "t/o(%.0f%%)", 100 * (w ? n - $3 : $2) / n }')
  fi
  return 0
}

run_one() { # IMPL N K   (IMPL "floor": no reflector)
  local impl=$1 n=$2 k=$3 target=$rr listen=()
  row_load=$(cut -d' ' -f1 /proc/loadavg)
  rm -f "$work"/*.out "$work"/*.err "$work/dut.log"
  if [ "$impl" = floor ]; then
    target=$first_rcv
    listen=(--listen)
  else
    if ! start_dut "$impl" "$k"; then
      fail_row "$impl" "$n" "$k" "no start"
      add_row "$impl" "$n" "$k" failed - - - - -
      stop_all
      return
    fi
  fi
  ip netns exec "$rcv" "$rr_load" recv "$rr" "$n" "$first_rcv" "$k" "${listen[@]}" \
    >"$work/recv.out" 2>"$work/recv.err" &
  rcv_pid=$!
  if [ "$impl" = floor ]; then wait_line "$work/recv.out" listening 10 "$rcv_pid" || true; fi
  ip netns exec "$snd" "$rr_load" send "$sender" "$target" "$n" \
    >"$work/send.out" 2>"$work/send.err" &
  snd_pid=$!
  local pids=("$rcv_pid" "$snd_pid") line
  [ -n "$dut_pid" ] && pids+=("$dut_pid")
  if ! wait_line "$work/recv.out" established 60 "${pids[@]}" ||
    ! wait_line "$work/send.out" established 60 "${pids[@]}"; then
    fail_row "$impl" "$n" "$k" "sessions did not come up"
    add_row "$impl" "$n" "$k" failed - - - - -
    stop_all
    return
  fi
  sleep 1  # let the reflector settle after the last session came up
  local c0=0 c1=0 c2=0 rss=- t0 t1 t2 t3 converge=timeout withdraw=- cpu=- wdcpu=- toolcpu=-
  [ -n "$dut_pid" ] && c0=$(cpu_ticks "$dut_pid")
  kill -USR1 "$snd_pid"
  if wait_line "$work/recv.out" all_full "$phase_timeout" "${pids[@]}"; then
    t1=${found#all_full }
    wait_line "$work/send.out" announce_start 5 "$snd_pid" || true
    t0=${found#announce_start }
    converge=$(diff_s "$t0" "$t1")
    [ -n "$dut_pid" ] && c1=$(cpu_ticks "$dut_pid") && cpu=$(secs $((c1 - c0)))
    # SMAPS_DIR=DIR: the converged reflector's memory map per row, for finding where RSS goes.
    if [ -n "${SMAPS_DIR:-}" ] && [ -n "$dut_pid" ]; then
      cat "/proc/$dut_pid/smaps" >"$SMAPS_DIR/$impl-$n-$k.smaps" 2>/dev/null || true
    fi
    kill -USR2 "$snd_pid"
    withdraw=timeout
    if wait_line "$work/recv.out" all_empty "$phase_timeout" "${pids[@]}"; then
      t3=${found#all_empty }
      wait_line "$work/send.out" withdraw_start 5 "$snd_pid" || true
      t2=${found#withdraw_start }
      withdraw=$(diff_s "$t2" "$t3")
      if [ -n "$dut_pid" ]; then
        c2=$(cpu_ticks "$dut_pid")
        wdcpu=$(secs $((c2 - c1)))
        rss=$(peak_rss_mib "$dut_pid")
      fi
      # The tools' own CPU: receivers print theirs when done, the sender when told to stop.
      stop_pid "$snd_pid"
      snd_pid=""
      local r s
      wait_line "$work/recv.out" rusage 10 "$rcv_pid" || true
      r=$found
      wait_line "$work/send.out" rusage 1 || true
      s=$found
      if [ -n "$r" ] && [ -n "$s" ]; then
        toolcpu=$(echo "$r $s" | awk '{ printf "%.2f+%.2f", $5 + $6, $2 + $3 }')
      fi
    else
      fail_row "$impl" "$n" "$k" "withdrawal did not complete in ${phase_timeout}s"
      [ -n "$dut_pid" ] && wdcpu=$(secs $(($(cpu_ticks "$dut_pid") - c1)))
      timed_out "$n" 1
      withdraw=$progress
    fi
  else
    fail_row "$impl" "$n" "$k" "convergence did not complete in ${phase_timeout}s"
    [ -n "$dut_pid" ] && cpu=$(secs $(($(cpu_ticks "$dut_pid") - c0)))
    timed_out "$n" 0
    converge=$progress
  fi
  if [ -n "$dut_pid" ] && [ "$rss" = - ] && [ -r "/proc/$dut_pid/status" ]; then
    rss=$(peak_rss_mib "$dut_pid")
  fi
  add_row "$impl" "$n" "$k" "$converge" "$withdraw" "$cpu" "$wdcpu" "$rss" "$toolcpu"
  stop_all
}

echo "route reflector: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2
for n in $ns_list; do
  run_one floor "$n" 1
  for k in $ks_list; do
    for impl in $impls; do run_one "$impl" "$n" "$k"; done
  done
done

echo
echo "Route reflector: one sender, N /32s, K clients ($(nproc) cores, $(date -u '+%F %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg) at end)"
printf '%-8s %8s %3s %10s %10s %8s %8s %8s %11s %5s\n' impl N K "converge s" "withdraw s" "CPU s" \
  "wd CPU s" "RSS MiB" "tool CPU s" load
printf '%s\n' "${rows[@]}"
