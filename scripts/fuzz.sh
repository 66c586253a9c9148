#!/usr/bin/env bash
# Builds the fuzz preset (clang + libFuzzer) and runs every fuzz target for a bounded time over
# its committed corpus (tests/fuzz/corpus/<target>/). New inputs go to a scratch directory, not
# into the corpus; to keep them, merge:  MERGE=1 scripts/fuzz.sh 600
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
#
# A crash leaves its reproducer in build/fuzz/crashes/ and fails the script.
set -euo pipefail

seconds="${1:-60}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

# name:max_len (a whole message, two in a stream; a selector of a few KB)
targets=(bgp_message:4200 bgp_stream:8400 selector:4096)
crashes="$repo/build/fuzz/crashes"
mkdir -p "$crashes"
for entry in "${targets[@]}"; do
  name="${entry%%:*}"
  max_len="${entry##*:}"
  corpus="$repo/tests/fuzz/corpus/$name"
  scratch="$(mktemp -d "/tmp/pinto_fuzz_${name}.XXXXXX")"
  # A target may bring a dictionary of its tokens (tests/fuzz/<target>.dict).
  dict=()
  if [ -f "$repo/tests/fuzz/${name}.dict" ]; then
    dict=(-dict="$repo/tests/fuzz/${name}.dict")
  fi
  echo "fuzz: $name for ${seconds}s"
  # Corpus dirs: the scratch one first, so that new inputs land there.
  if ! "$repo/build/fuzz/tests/fuzz/${name}_fuzz" -max_total_time="$seconds" -max_len="$max_len" \
      "${dict[@]}" -print_final_stats=1 -artifact_prefix="$crashes/${name}-" "$scratch" "$corpus"; then
    rm -rf "$scratch"
    echo "fuzz: $name found a failing input; see $crashes" >&2
    exit 1
  fi
  if [ "${MERGE:-0}" = 1 ]; then
    "$repo/build/fuzz/tests/fuzz/${name}_fuzz" -merge=1 -max_len="$max_len" "$corpus" "$scratch"
  fi
  rm -rf "$scratch"
done
