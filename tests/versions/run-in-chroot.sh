#!/usr/bin/env bash
# Build tcplife with -Wall -Wextra -Werror and run its whole ctest suite inside
# Debian chroots with other Wireshark versions, then build the .deb there and
# check that tshark (as root) loads it once installed with dpkg:
#   bullseye -> Wireshark 3.4   trixie -> 4.4   sid -> 4.6   (bookworm -> 4.0 also works)
#
#   tests/versions/run-in-chroot.sh [--prepare] [suite...]   (default: bullseye trixie sid)
#     --prepare   only create the chroots and install the build dependencies
#
# Chroots are made with debootstrap (minbase) from the mirror this machine's apt
# uses, and cached in $TCPLIFE_CHROOT_CACHE (default ~/.cache/tcplife/chroots/<suite>).
# Build dependencies come from tools/debian-deps.txt and are reinstalled when
# that list changes. The source tree is copied in fresh on every run (without
# .git and build folders), with ../shared beside it when that exists, so corpus
# tests see the same files as on the host. Needs root (re-runs itself with
# sudo when available). /proc is mounted in the chroot and unmounted on exit.
# TCPLIFE_CTEST_ARGS adds ctest options (e.g. "-LE corpus" to leave out a label).
# Exit status: 0 when every suite built and passed, 1 otherwise.
set -euo pipefail

prepare_only=0
suites=()
for a in "$@"; do
  case "$a" in
    --prepare) prepare_only=1 ;;
    -h|--help) awk 'NR>1 && /^#/ {print; next} NR>1 {exit}' "$0"; exit 0 ;;
    -*) echo "run-in-chroot.sh: unknown option $a" >&2; exit 2 ;;
    *) suites+=("$a") ;;
  esac
done
[ ${#suites[@]} -gt 0 ] || suites=(bullseye trixie sid)

if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -E TCPLIFE_CHROOT_CACHE="${TCPLIFE_CHROOT_CACHE:-$HOME/.cache/tcplife/chroots}" "$0" "$@"
  fi
  echo "run-in-chroot.sh: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi

src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TCPLIFE_CHROOT_CACHE:-$HOME/.cache/tcplife/chroots}
mkdir -p "$cache"

if ! command -v debootstrap >/dev/null 2>&1; then
  "$src/tools/install-deps.sh" --chroot-tools
fi

. "$src/tests/chroot-lib.sh"
mirror=$(debian_mirror)

deps=$(sed -e 's/#.*//' "$src/tools/debian-deps.txt" | tr -s ' \t\n' ' ')
deps_hash=$(printf '%s' "$deps" | sha256sum | cut -c1-16)

mounted=()
cleanup() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Never delete a tree something is mounted in (debootstrap mounts /proc inside).

in_chroot() {  # in_chroot ROOT COMMAND... (clean environment)
  local root=$1; shift
  chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive CI="${CI:-}" "$@"
}

prepare() {  # prepare SUITE: create the chroot and install the deps (cached)
  local suite=$1 root="$cache/$1"
  exec 9>"$cache/.$suite.lock"   # one run at a time per chroot
  flock 9
  cached_debootstrap "$suite" "$root" "$mirror"
  if ! mountpoint -q "$root/proc"; then
    mount -t proc proc "$root/proc"
    mounted+=("$root/proc")
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  if [ "$(cat "$root/.tcplife-deps" 2>/dev/null)" != "$deps_hash" ]; then
    echo "== $suite: installing build dependencies: $deps"
    # Don't start services inside the chroot.
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod +x "$root/usr/sbin/policy-rc.d"
    echo 'wireshark-common wireshark-common/install-setuid boolean false' |
      in_chroot "$root" debconf-set-selections
    # sid's Release file may be past its Valid-Until on a snapshot mirror.
    in_chroot "$root" apt-get -q -o Acquire::Check-Valid-Until=false update
    # shellcheck disable=SC2086
    in_chroot "$root" apt-get install -y -q --no-install-recommends $deps
    in_chroot "$root" apt-get clean
    echo "$deps_hash" > "$root/.tcplife-deps"
  fi
  echo "== $suite: $(in_chroot "$root" tshark -v 2>/dev/null | sed -n 1p)"
}

run_suite() {  # run_suite SUITE: copy, build with -Werror, ctest
  local suite=$1 root="$cache/$1"
  safe_rm "$root/build"
  mkdir -p "$root/build/tcplife"
  tar -C "$src" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . |
    tar -C "$root/build/tcplife" -xf -
  if [ -d "$src/../shared" ]; then
    mkdir -p "$root/build/shared"
    cp -a "$src/../shared/." "$root/build/shared/"
  fi
  echo "== $suite: configure, build (-Wall -Wextra -Werror), ctest"
  in_chroot "$root" env TCPLIFE_CTEST_ARGS="${TCPLIFE_CTEST_ARGS:-}" bash -c '
    set -euo pipefail
    cmake -S /build/tcplife -B /build/out -DTCPLIFE_WERROR=ON
    cmake --build /build/out -j"$(nproc)"
    # shellcheck disable=SC2086
    cd /build/out && ctest --output-on-failure -j"$(nproc)" $TCPLIFE_CTEST_ARGS 2>&1 | tee /build/ctest.log'
  echo "== $suite ctest ($(in_chroot "$root" tshark -v 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9.]*[0-9]\).*/Wireshark \1/p')):" \
       "$(grep -E '^[0-9]+% tests passed' "$root/build/ctest.log" || echo 'no summary')"
  echo "== $suite: .deb for this Wireshark: build, dpkg -i, tshark (root) loads it, purge"
  in_chroot "$root" bash -c '
    set -euo pipefail
    deb=$(/build/tcplife/packaging/build-deb.sh /build/out /build/deb) || { echo "FAIL: packaging/build-deb.sh exited $?"; exit 1; }
    deb=$(printf "%s\n" "$deb" | tail -n1)
    dpkg-deb -f "$deb" Package Version Depends
    dpkg -i "$deb" >/dev/null
    tshark -G plugins 2>/dev/null | grep -P "^tcplife\.so\s.*\t/usr/lib/" || { echo "FAIL: tshark does not load the packaged tcplife.so"; exit 1; }
    dpkg --purge wireshark-plugin-tcplife >/dev/null
    ! tshark -G plugins 2>/dev/null | grep -P "^tcplife\.so\s" >/dev/null'
}

if [ -n "${TCPLIFE_CHROOT_ONE:-}" ]; then
  # Child run for one suite: here 'set -e' is fully in force.
  prepare "$TCPLIFE_CHROOT_ONE"
  if [ $prepare_only = 0 ]; then run_suite "$TCPLIFE_CHROOT_ONE"; fi
  exit 0
fi

declare -A result took
status=0
for suite in "${suites[@]}"; do
  t0=$(date +%s)
  args=(); [ $prepare_only = 1 ] && args=(--prepare)
  if TCPLIFE_CHROOT_ONE=$suite TCPLIFE_CHROOT_CACHE=$cache "$0" "${args[@]}" "$suite"; then
    result[$suite]=PASS
  else
    result[$suite]=FAIL
    status=1
  fi
  took[$suite]=$(( $(date +%s) - t0 ))
done

echo "== chroot summary"
for suite in "${suites[@]}"; do
  printf '%-10s %s  (%ss)%s\n' "$suite" "${result[$suite]}" "${took[$suite]}" \
    "$([ $prepare_only = 1 ] && echo ', prepare only')"
done
exit $status
