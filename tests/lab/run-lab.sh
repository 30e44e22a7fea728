#!/usr/bin/env bash
# Regenerate the lab captures in captures/ (needs root: network namespaces,
# tcpdump, tracefs, nftables).  CI never runs this; it uses the committed files.
#   tests/lab/run-lab.sh [SCENARIO ...]        (default: all; --list to list)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cleanup() {
  for ns in tl-cli tl-rtr tl-srv; do ip netns del "$ns${TL_LAB_SUFFIX:-}" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "run-lab.sh: needs root" >&2; exit 1; }
python3 "$here/lab.py" --out "$here/../../captures" "$@"
