#!/usr/bin/env bash
# Pinto's UPDATE codec beside GoBGP's, on the same machine, in the same run, on the same bytes:
# codec_bench writes its packed IPv4 UPDATEs (1 and 500 prefixes), times Pinto's decode/encode
# with Google Benchmark, and bench/gobgp_codec times GoBGP's pkg/packet/bgp on those files.
#
#   bench/codec_compare.sh        (after scripts/deps.sh; builds what it needs)
#
# BIRD and FRR do not expose their codecs outside the daemon; their end-to-end receive rates are
# measured by the RIB benchmarks instead.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
work="$(mktemp -d /tmp/pinto_codec_compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT

cmake --preset default >/dev/null
cmake --build --preset default --target codec_bench >/dev/null
GOPATH=/usr/share/gocode GO111MODULE=off GOCACHE="$work/gocache" \
  go build -o "$work/gobgp_codec" bench/gobgp_codec/main.go

build/default/bench/codec_bench --write-updates="$work"
build/default/bench/codec_bench --benchmark_format=json --benchmark_out="$work/pinto.json" \
  --benchmark_out_format=json >/dev/null
"$work/gobgp_codec" "$work/update_1.bin" "$work/update_500.bin" >"$work/gobgp.txt"

python3 - "$work/pinto.json" "$work/gobgp.txt" <<'PY'
import json, sys
pinto = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    op, n = b["name"].split("/")
    pinto[("decode" if "Decode" in op else "encode", int(n))] = b["items_per_second"]
gobgp = {}
for line in open(sys.argv[2]):
    n, dec, enc = line.split()
    gobgp[("decode", int(n))] = float(dec)
    gobgp[("encode", int(n))] = float(enc)
print("UPDATE codec, IPv4 unicast, prefixes per second (higher is better)")
print("%-8s %9s %16s %16s %8s" % ("op", "prefixes", "pinto", "gobgp", "ratio"))
for key in sorted(pinto):
    p, g = pinto[key], gobgp.get(key, float("nan"))
    print("%-8s %9d %16.0f %16.0f %7.1fx" % (key[0], key[1], p, g, p / g))
PY
