#!/usr/bin/env bash
# Installs the dependencies, builds the default preset and runs every test: unit tests, the
# replayed fuzz corpus, golden bytes, and (as root) the integration tests against real peers.
#
#   scripts/test.sh            # as root on Debian 12
#
# SKIP_DEPS=1 skips apt-get (for a machine already set up).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [ "${SKIP_DEPS:-0}" != 1 ]; then
  scripts/deps.sh
fi

jobs="$(nproc)"
cmake --preset default
cmake --build --preset default -j "$jobs"
ctest --preset default -j "$jobs"
