#!/usr/bin/env bash
# Records the functions pintod runs and writes them to daemon/pintod.order, the list lld places
# side by side in pintod's executable (cmake/code_layout.cmake says why). Run it as root after a
# change that renames or adds much of what pintod runs at start-up or on the route path; the
# diff of the file shows what moved. Needs valgrind.
#
#   scripts/order-functions.sh
#
# The run: bench/rr_compare.sh with pintod under callgrind as the reflector for 20,000 prefixes
# and one, then two clients (start-up, sessions, the decision process, reflection, withdrawal).
# Callgrind names every function that executed at least once, however rarely: a function run
# once at start-up keeps a page resident just as much as a hot one does.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v valgrind >/dev/null || { echo "order-functions.sh: needs valgrind" >&2; exit 1; }
out="$(mktemp -d /tmp/pinto_order.XXXXXX)"
trap 'rm -rf "$out"' EXIT

PINTOD_WRAPPER="valgrind --tool=callgrind --demangle=no --callgrind-out-file=$out/callgrind.%p" \
  PHASE_TIMEOUT=120 "$repo/bench/rr_compare.sh" -i pintod -n 20000 -k "1 2"

# A function's name appears once per file after "fn=(id) " or "cfn=(id) "; "'2" marks a
# recursion level. Unnamed code (addresses, "(below main)") cannot be placed.
sed -nE 's/^c?fn=\([0-9]+\) (.+)$/\1/p' "$out"/callgrind.* | sed -E "s/'[0-9]+$//" |
  grep -vE '^(0x[0-9a-f]+|\(below main\))$' | LC_ALL=C sort -u >"$out/order"
[ -s "$out/order" ] || { echo "order-functions.sh: callgrind recorded nothing" >&2; exit 1; }
mv "$out/order" "$repo/daemon/pintod.order"
echo "daemon/pintod.order: $(wc -l <"$repo/daemon/pintod.order") functions"
