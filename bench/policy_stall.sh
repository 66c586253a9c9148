#!/usr/bin/env bash
# policy_stall: how long a large network-policy change holds pintod's routing thread. Starts
# pintod (policy.dataplane as given) in a network namespace of its own with one local pod
# endpoint, applies a GlobalNetworkPolicy of N TCP port rules selecting it, and meanwhile asks
# the routing thread for something small (`pintoctl get node`) every 20 ms; prints the slowest
# answer, the apply's own time and pintod's policy log line. Root; iptables/ipset for iptables.
#
#   bench/policy_stall.sh PINTOD PINTOCTL [RULES] [DATAPLANE]     (defaults: 10000 iptables)
set -euo pipefail
pintod=$(realpath "$1")
pintoctl=$(realpath "$2")
rules=${3:-10000}
dataplane=${4:-iptables}
ns="pinto-stall-$$"
dir=$(mktemp -d /tmp/pinto-stall.XXXXXX)
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  [[ -n "${PINTO_KEEP:-}" ]] || rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add cali0bench type veth peer name cali0peer
ip -n "$ns" link set cali0bench up
cat >"$dir/settings.yaml" <<EOF
nodeName: node-a
resources: [$dir/resources.yaml]
api: {socket: $dir/pintod.sock}
store: $dir/state.db
policy: {dataplane: $dataplane}
listen: {port: 1179}
logLevel: debug
EOF
cat >"$dir/resources.yaml" <<EOF
apiVersion: projectcalico.org/v3
kind: Node
metadata: {name: node-a}
spec: {bgp: {asNumber: 64512, ipv4Address: 10.83.0.1/32}}
---
apiVersion: projectcalico.org/v3
kind: WorkloadEndpoint
metadata: {name: node--a-k8s-bench-eth0, namespace: default, labels: {app: bench}}
spec: {node: node-a, interfaceName: cali0bench, ipNetworks: [10.244.1.5/32]}
EOF
{
  echo "apiVersion: projectcalico.org/v3"
  echo "kind: GlobalNetworkPolicy"
  echo "metadata: {name: bench}"
  echo "spec:"
  echo "  selector: app == 'bench'"
  echo "  ingress:"
  for ((i = 0; i < rules; i++)); do
    echo "  - {action: Allow, protocol: TCP, destination: {ports: [$((10000 + i % 50000))]}}"
  done
} >"$dir/policy.yaml"

ip netns exec "$ns" "$pintod" --config "$dir/settings.yaml" >"$dir/pintod.log" 2>&1 &
pid=$!
for _ in $(seq 100); do [[ -S "$dir/pintod.sock" ]] && break; sleep 0.1; done
ctl() { "$pintoctl" --socket "$dir/pintod.sock" "$@"; }
ctl get node >/dev/null

# Sample the routing thread while the apply runs (bounded: at most 60 s of samples).
: >"$dir/samples"
(
  end=$((SECONDS + 60))
  while [[ ! -e "$dir/done" && $SECONDS -lt $end ]]; do
    start=$(date +%s%N)
    ctl get node >/dev/null
    echo $((($(date +%s%N) - start) / 1000000)) >>"$dir/samples"
    sleep 0.02
  done
) &
sampler=$!
start=$(date +%s%N)
ctl apply -f "$dir/policy.yaml" >/dev/null
apply_ms=$((($(date +%s%N) - start) / 1000000))
# Let the policy thread finish (pintoctl policy shows no newer state), still sampling.
for _ in $(seq 600); do
  ctl policy >"$dir/policy.txt"
  out=$(head -3 "$dir/policy.txt")
  [[ "$out" != *"being applied"* && "$out" == *"revision"* ]] && break
  [[ "$out" != *"revision"* ]] && { sleep 3; break; }  # an older pintod: no revision line
  sleep 0.1
done
touch "$dir/done"
wait "$sampler"
echo "rules: $rules, dataplane: $dataplane"
echo "pintoctl apply: ${apply_ms} ms"
echo "routing thread answers while applying: $(wc -l <"$dir/samples") samples," \
  "slowest $(sort -n "$dir/samples" | tail -1) ms, median $(sort -n "$dir/samples" |
    awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms"
grep -E "policy: revision|: checked |parsed in" "$dir/pintod.log" | tail -3 || true
