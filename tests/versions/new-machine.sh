#!/usr/bin/env bash
# Prove the README's two commands on a "new machine": a fresh Debian chroot
# (default: this machine's release) that has only gcc, make, cmake, git and
# python3, a fresh `git clone` of this repository (HEAD) with a copy of
# ../shared beside it (without write bits, as CI lays it), then `make test`
# and `make demo` inside. Each case gets its own throwaway copy of a cached
# clean debootstrap base, so each installs the dependencies itself:
#   root        as root, clone in /root/tcplife (/root is mode 700: tshark runs
#               as nobody, who cannot read the clone)
#   root-space  as root, clone in "/root/a folder with spaces/tcplife"
#   sudo-user   as the user "dev" (sudo without password, home of mode 700),
#               clone in /home/dev/tcplife; make installs with sudo
# Prints the wall time of each make.
#   tests/versions/new-machine.sh [--suite SUITE] [case...]   (root; needs debootstrap)
# Default cases: root root-space sudo-user. TCPLIFE_CTEST_ARGS is passed to
# ctest through `make test CTEST_ARGS=...`, in shell syntax, e.g.
#   TCPLIFE_CTEST_ARGS='-E "corpus.robustness|gui_wireshark"' (quote a regex's |)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "new-machine.sh: needs root" >&2; exit 1; }
src=$(cd "$(dirname "$0")/../.." && pwd)
. /etc/os-release
suite=$VERSION_CODENAME
cases=()
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=$2; shift 2 ;;
    root|root-space|sudo-user) cases+=("$1"); shift ;;
    *) echo "new-machine.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ ${#cases[@]} -gt 0 ] || cases=(root root-space sudo-user)
cache=${TCPLIFE_CHROOT_CACHE:-$HOME/.cache/tcplife/chroots}
base="$cache/$suite-clean"
. "$src/tests/chroot-lib.sh"
mirror=$(debian_mirror)
mkdir -p "$cache"
exec 9>"$cache/.$suite-clean.lock"; flock 9
cached_debootstrap "$suite" "$base" "$mirror"
flock -u 9
bundle=$(mktemp "${TMPDIR:-/tmp}/tcplife-newmachine.XXXXXX.bundle")
git -C "$src" bundle create "$bundle" HEAD 2>/dev/null

root=""
cleanup() {  # remove this case's chroot
  [ -n "$root" ] || return 0
  umount "$root/proc" 2>/dev/null || umount -l "$root/proc" 2>/dev/null || true
  safe_rm "$root" || true
  root=""
}
trap 'cleanup; rm -f "$bundle"' EXIT
run() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
          HOME=/root LANG=C.UTF-8 TERM=dumb "$@"; }

status=0; times=()
for case in "${cases[@]}"; do
  root=$(mktemp -d "$cache/$suite-newmachine.XXXXXX")
  exec 9>"$cache/.$suite-clean.lock"; flock 9
  cp -a "$base/." "$root/"
  flock -u 9
  mount -t proc proc "$root/proc"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  extra=()
  [ "$case" = sudo-user ] && extra=(sudo)
  echo "== new machine ($case): $suite with only gcc make cmake git python3 ${extra[*]}"
  run apt-get -q -o Acquire::Check-Valid-Until=false update >/dev/null
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q gcc make cmake git python3 "${extra[@]}" >/dev/null
  run dpkg -s tshark >/dev/null 2>&1 && { echo "tshark is already there: not a new machine" >&2; exit 1; }
  cp "$bundle" "$root/tmp/tcplife.bundle"; chmod 644 "$root/tmp/tcplife.bundle"
  case $case in
    root)       parent=/root; as=(run) ;;
    root-space) parent="/root/a folder with spaces"; as=(run) ;;
    sudo-user)
      parent=/home/dev
      run useradd -m -s /bin/bash dev
      echo 'dev ALL=(ALL) NOPASSWD:ALL' > "$root/etc/sudoers.d/dev"; chmod 440 "$root/etc/sudoers.d/dev"
      as=(run runuser -u dev -- env HOME=/home/dev USER=dev) ;;
  esac
  mkdir -p "$root$parent"
  chmod 700 "$root$parent" "$root/root"
  "${as[@]}" git clone -q /tmp/tcplife.bundle "$parent/tcplife"
  if [ -d "$src/../shared" ]; then
    mkdir -p "$root$parent/shared"
    cp -a "$src/../shared/." "$root$parent/shared/"
    chmod -R a-w "$root$parent/shared"
  fi
  echo "== clone: $parent/tcplife ($(stat -c %a "$root$parent") $(stat -c %U "$root$parent" 2>/dev/null || true))"
  for target in test demo; do
    t0=$(date +%s)
    margs=("$target")
    [ "$target" = test ] && [ -n "${TCPLIFE_CTEST_ARGS:-}" ] && margs+=("CTEST_ARGS=$TCPLIFE_CTEST_ARGS")
    if "${as[@]}" bash -c 'cd "$1" && shift && make "$@"' make "$parent/tcplife" "${margs[@]}" \
         2>&1 | tee "$root/tmp/make-$target.log"; then r=PASS; else r=FAIL; status=1; fi
    summary=$(grep -E '^[0-9]+% tests passed' "$root/tmp/make-$target.log" || true)
    echo "== $case: make $target: $r in $(( $(date +%s) - t0 ))s ${summary:+($summary)}"
    times+=("$case: make $target: $r $(( $(date +%s) - t0 ))s${summary:+ ($summary)}")
  done
  ws=$(run tshark -v 2>/dev/null | sed -n 1p)
  cleanup
done
echo "== new machine summary ($suite, ${ws:-no tshark}):"
printf '   %s\n' "${times[@]}"
exit $status
