#!/usr/bin/env bash
# tests/packaging/test-deb.sh BUILD_DIR
# Builds wireshark-plugin-tcplife_*.deb from BUILD_DIR, checks its control data
# and file list, then installs it with apt into a copy of a clean debootstrap
# chroot of this machine's Debian release (cached in
# ~/.cache/tcplife/chroots/<codename>-clean; nothing of Wireshark installed), so
# apt must pull tshark/libwireshark through the package's Depends. As root in
# that chroot, `tshark -G plugins` must list tcplife.so in the system plugin
# folder and `tshark -G fields` must list tcplife.step; after `dpkg --purge` both
# must be gone. The copy is deleted afterwards; downloaded .debs are cached.
set -euo pipefail
build=$(cd "${1:?usage: test-deb.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${TCPLIFE_CHROOT_CACHE:-$HOME/.cache/tcplife/chroots}

skip() {
  if [ "${TCPLIFE_NO_SKIP:-0}" = 1 ]; then echo "FAIL (skipping not allowed): $*"; exit 1; fi
  echo "SKIP: $*"; exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap not installed (tools/install-deps.sh --chroot-tools)"
[ -r /etc/os-release ] || skip "no /etc/os-release"
. /etc/os-release
[ "${ID:-}" = debian ] && [ -n "${VERSION_CODENAME:-}" ] || skip "not a Debian release with a codename (${PRETTY_NAME:-?})"
[ -e /proc/1 ] || skip "no /proc"
suite=$VERSION_CODENAME

# 1. Build the package.
deb=$("$src/packaging/build-deb.sh" "$build" "$build/deb" | tail -n1)
echo "built $deb"
. "$build/tcplife-deb-vars.sh"
fail() { echo "FAIL: $*"; exit 1; }

# 2. Static checks.
ctl=$(dpkg-deb -f "$deb")
echo "$ctl"
[ "$(dpkg-deb -f "$deb" Package)" = wireshark-plugin-tcplife ] || fail "wrong Package"
dep=$(dpkg-deb -f "$deb" Depends)
grep -Eq "libwireshark[0-9]+ \(>= $TCPLIFE_WS_VERSION\.[^)]*\)" <<<"$dep" || fail "Depends lacks libwiresharkN (>= $TCPLIFE_WS_VERSION.x)"
ws_major=${TCPLIFE_WS_VERSION%%.*}; ws_minor=${TCPLIFE_WS_VERSION#*.}
grep -Fq "(<< $ws_major.$((ws_minor + 1))~)" <<<"$dep" || fail "Depends lacks the << next-minor bound"
files=$(dpkg-deb -c "$deb" | awk '{print $NF}')
grep -qx ".$TCPLIFE_PLUGIN_DIR/tcplife.so" <<<"$files" || fail "tcplife.so not in .$TCPLIFE_PLUGIN_DIR"
for f in preferences colorfilters dfilter_buttons; do
  listing=$(dpkg-deb -c "$deb")   # grep -q on a pipe would kill dpkg-deb (pipefail)
  grep -q " \./usr/share/wireshark/profiles/TCP Lifecycle/$f\$" <<<"$listing" \
    || fail "the TCP Lifecycle profile's $f is not in ./usr/share/wireshark/profiles/"
done

# 3. A clean chroot (cached), copied for this run.
base="$cache/$suite-clean"
. "$src/tests/chroot-lib.sh"
mirror=$(debian_mirror)
mkdir -p "$cache" "$cache/apt-archives-$suite"
# One run at a time per cached chroot.
exec 9>"$cache/.$suite-clean.lock"
flock 9
cached_debootstrap "$suite" "$base" "$mirror"
scratch=$(mktemp -d "$cache/$suite-test.XXXXXX")
cleanup() {
  umount "$scratch/proc" 2>/dev/null || umount -l "$scratch/proc" 2>/dev/null || true
  safe_rm "$scratch" || true
}
trap cleanup EXIT
cp -a "$base/." "$scratch/"
mount -t proc proc "$scratch/proc"
cp /etc/resolv.conf "$scratch/etc/resolv.conf" 2>/dev/null || true
# Apt in the chroot sees the same Debian archive areas as this machine
# (security updates included); otherwise debootstrap's one line is kept.
host_sources=$(grep -lE '^URIs:.*/debian(-security)?/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -n "$host_sources" ]; then
  for f in $host_sources; do cp "$f" "$scratch/etc/apt/sources.list.d/"; done
  : > "$scratch/etc/apt/sources.list"
elif grep -qE '^deb .*/debian(-security)?/? ' /etc/apt/sources.list 2>/dev/null; then
  grep -E '^deb .*/debian(-security)?/? ' /etc/apt/sources.list > "$scratch/etc/apt/sources.list"
fi
printf '#!/bin/sh\nexit 101\n' > "$scratch/usr/sbin/policy-rc.d"; chmod +x "$scratch/usr/sbin/policy-rc.d"
cp "$cache/apt-archives-$suite"/*.deb "$scratch/var/cache/apt/archives/" 2>/dev/null || true
cp "$deb" "$scratch/tmp/"
run() { chroot "$scratch" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
          DEBIAN_FRONTEND=noninteractive "$@"; }

# 4. Install with apt: Depends must be resolvable from the archive.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | run debconf-set-selections
run dpkg -s tshark >/dev/null 2>&1 && fail "the clean chroot already has tshark"
run apt-get -q -o Acquire::Check-Valid-Until=false update
run apt-get install -y -q --no-install-recommends "/tmp/$(basename "$deb")"
run dpkg -s tshark >/dev/null 2>&1 && fail "the package pulled in tshark (it should only recommend it)"
run apt-get install -y -q --no-install-recommends tshark
cp "$scratch"/var/cache/apt/archives/*.deb "$cache/apt-archives-$suite/" 2>/dev/null || true
rm -f "$cache/apt-archives-$suite/$(basename "$deb")"

# 5. tshark as root loads it from the system folder.
run tshark -v | sed -n 1p
plugins=$(run tshark -G plugins 2>&1)
echo "$plugins" | grep -P '^tcplife\.so\s' || { echo "$plugins"; fail "tshark -G plugins does not list tcplife.so"; }
echo "$plugins" | grep -P "^tcplife\.so\s.*\t$TCPLIFE_PLUGIN_DIR/tcplife\.so$" >/dev/null || fail "tcplife.so not loaded from $TCPLIFE_PLUGIN_DIR"
run tshark -G fields 2>/dev/null | grep -P '\ttcplife\.step\t' || fail "tshark -G fields does not list tcplife.step"
run tshark -G protocols 2>/dev/null | grep -P '\ttcplife$' || fail "tshark -G protocols does not list tcplife"

# 6. Purge removes it.
run dpkg --purge wireshark-plugin-tcplife
[ ! -e "$scratch$TCPLIFE_PLUGIN_DIR/tcplife.so" ] || fail "tcplife.so left behind after purge"
run tshark -G plugins 2>&1 | grep -P '^tcplife\.so\s' && fail "tshark still lists tcplife.so after purge"
echo "PASS: $(basename "$deb") installs with apt into a clean $suite chroot, tshark (root) loads it, purge removes it"
