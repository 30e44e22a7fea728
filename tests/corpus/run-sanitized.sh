#!/usr/bin/env bash
# Whole-corpus robustness run with the plugin built under ASan+UBSan.
#   tests/corpus/run-sanitized.sh [BUILD_DIR]   (default: a temporary folder)
# Builds with -DTCPLIFE_SANITIZE=ON, then runs test_robustness.py --sanitize
# over every capture (libasan preloaded into tshark, detect_leaks=0 since
# Wireshark leaks by design). Several minutes: not a ctest (the ctest
# corpus.sanitize in a sanitized build runs the edge-case subset only).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$(mktemp -d "${TMPDIR:-/tmp}/tcplife-asan.XXXXXX")}
cmake -S "$repo" -B "$build" -DTCPLIFE_SANITIZE=ON >/dev/null
cmake --build "$build" --target tcplife -j"$(nproc)"
exec python3 "$here/test_robustness.py" "$repo/tests/tshark-with-plugin" "$build/plugin/tcplife.so" \
  "${TCPLIFE_CORPUS:-$repo/../shared/corpus}" --sanitize
