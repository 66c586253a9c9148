#!/usr/bin/env bash
# Installs every Debian 12 package Pinto needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt-get; safe to run on every CI start.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang clang-format lld libclang-rt-14-dev llvm git
  # libraries
  libboost-dev libboost-system-dev libfmt-dev libnl-3-dev libnl-route-3-dev
  libprotobuf-dev protobuf-compiler libgrpc++-dev protobuf-compiler-grpc
  libyaml-cpp-dev libsqlite3-dev libbpf-dev bpftool nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # network tooling and real peers for integration tests and benchmarks
  iproute2 iputils-ping iptables ipset tcpdump bird2 frr gobgpd
  # GoBGP's codec as a Go package, timed beside ours by bench/codec_compare.sh
  golang-go golang-github-osrg-gobgp-dev
)

if [ "$(id -u)" -ne 0 ]; then
  echo "scripts/deps.sh: run as root (apt-get needs it)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "scripts/deps.sh: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "scripts/deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The bird2 and frr packages start their daemons as system services; Pinto's tests run their own
# instances in network namespaces, so the system-wide ones only hold ports and must not run.
for svc in bird frr; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
