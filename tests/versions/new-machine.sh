#!/usr/bin/env bash
# Prove the README's two commands on a "new machine": a fresh Debian chroot
# (default: this machine's release) that has only gcc, make, cmake, git and
# python3, a fresh `git clone` of this repository (HEAD) with ../shared beside
# it, then, as root inside: `make test` and `make demo`. Prints the wall time of
# each. The chroot is a throwaway copy of a cached clean debootstrap base.
#   tests/versions/new-machine.sh [suite]          (root; needs debootstrap)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "new-machine.sh: needs root" >&2; exit 1; }
src=$(cd "$(dirname "$0")/../.." && pwd)
. /etc/os-release
suite=${1:-$VERSION_CODENAME}
cache=${TCPLIFE_CHROOT_CACHE:-$HOME/.cache/tcplife/chroots}
base="$cache/$suite-clean"
. "$src/tests/chroot-lib.sh"
mirror=$(debian_mirror)
mkdir -p "$cache"
exec 9>"$cache/.$suite-clean.lock"; flock 9
cached_debootstrap "$suite" "$base" "$mirror"
root=$(mktemp -d "$cache/$suite-newmachine.XXXXXX")
cleanup() { umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null || true; safe_rm "$root" || true; }
trap cleanup EXIT
cp -a "$base/." "$root/"
flock -u 9
mount -t proc proc "$root/proc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
run() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
          HOME=/root LANG=C.UTF-8 TERM=dumb "$@"; }

echo "== new machine: $suite with only gcc make cmake git python3"
run apt-get -q -o Acquire::Check-Valid-Until=false update >/dev/null
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc make cmake git python3 >/dev/null
run dpkg -s tshark >/dev/null 2>&1 && { echo "tshark is already there: not a new machine" >&2; exit 1; }
git clone -q "$src" "$root/root/work/tcplife"
[ -d "$src/../shared" ] && mkdir -p "$root/root/work/shared" && cp -a "$src/../shared/." "$root/root/work/shared/"

status=0; times=()
for target in test demo; do
  t0=$(date +%s)
  if run bash -c "cd /root/work/tcplife && make $target"; then r=PASS; else r=FAIL; status=1; fi
  echo "== make $target: $r in $(( $(date +%s) - t0 ))s"
  times+=("make $target: $r $(( $(date +%s) - t0 ))s")
done
echo "== new machine summary ($suite, $(run tshark -v 2>/dev/null | sed -n 1p)):"
printf '   %s\n' "${times[@]}"
exit $status
