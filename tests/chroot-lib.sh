# Sourced by the scripts that make Debian chroots for tests: the packaging test,
# the Wireshark-version chroots and the new-machine check.

# The Debian mirror this machine's apt uses (first non-security 'debian' URI);
# TCPLIFE_MIRROR overrides it.
debian_mirror() {
  local found
  found=$(grep -rhsE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | sed -n 1p | tr -d ' ' || true)
  echo "${TCPLIFE_MIRROR:-${found:-http://deb.debian.org/debian}}"
}

# rm -rf, but never a tree something is mounted in (debootstrap and the
# version chroots mount /proc inside).
safe_rm() {
  if findmnt -rn -o TARGET | grep "^$1\(/\|$\)" >/dev/null; then
    echo "refusing to delete $1: something is mounted under it" >&2; return 1
  fi
  rm -rf "$1"
}

# cached_debootstrap SUITE ROOT MIRROR: a minbase chroot of SUITE at ROOT, made
# once (marked by ROOT/.tcplife-base) and reused. The caller holds the lock.
cached_debootstrap() {
  local suite=$1 root=$2 mirror=$3
  [ -f "$root/.tcplife-base" ] && return 0
  echo "== $suite: debootstrap from $mirror into $root (once; cached)"
  safe_rm "$root.partial"
  debootstrap --variant=minbase "$suite" "$root.partial" "$mirror"
  touch "$root.partial/.tcplife-base"
  safe_rm "$root"
  mv "$root.partial" "$root"
}
