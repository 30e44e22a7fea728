#!/usr/bin/env bash
# Install the Debian packages tcplife needs, only if some are missing.
#   tools/install-deps.sh [--chroot-tools] [extra-package...]
# --chroot-tools also installs debootstrap (packaging test, trixie/sid builds).
# Non-interactive: DEBIAN_FRONTEND=noninteractive, and the wireshark-common
# question "Should non-superusers be able to capture packets?" is pre-answered
# "no" (the Debian default; tcplife only reads capture files).
# Uses sudo when not run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(sed -e 's/#.*//' "$here/debian-deps.txt" | tr -s ' \t\n' ' ')
for arg in "$@"; do
  case "$arg" in
    --chroot-tools) pkgs="$pkgs debootstrap" ;;
    -*) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
    *) pkgs="$pkgs $arg" ;;
  esac
done

missing=()
for p in $pkgs; do
  if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all build and test dependencies are installed"
  exit 0
fi

if [ "$(id -u)" = 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: missing ${missing[*]}; no apt-get here: install them by hand" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
  "${SUDO[@]}" debconf-set-selections
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
  --no-install-recommends "${missing[@]}"
