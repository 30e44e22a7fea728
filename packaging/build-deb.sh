#!/usr/bin/env bash
# Build the Debian package wireshark-plugin-tcplife from a configured and built
# CMake build folder:
#   packaging/build-deb.sh BUILD_DIR [OUT_DIR]        (OUT_DIR defaults to BUILD_DIR)
# Prints the path of the .deb on its last line.
#
# The package is tied to the Wireshark it was built against: Wireshark loads a
# plugin only if it was compiled for the same major.minor, and the .so links to
# one libwireshark SONAME. So it depends on that libwireshark package, at least
# the version built against and below the next minor:
#   Depends: libwireshark16 (>= 4.0.17-0+deb12u3), libwireshark16 (<< 4.1~), ...
# and installs into $(pkg-config --variable=plugindir wireshark)/epan.
set -euo pipefail
build=$(cd "${1:?usage: build-deb.sh BUILD_DIR [OUT_DIR]}" && pwd)
out=$(mkdir -p "${2:-$build}" && cd "${2:-$build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)

vars="$build/tcplife-deb-vars.sh"
[ -f "$vars" ] || { echo "build-deb.sh: $vars missing: configure with CMake first" >&2; exit 1; }
# shellcheck source=/dev/null
. "$vars"   # TCPLIFE_VERSION TCPLIFE_WS_VERSION(_FULL) TCPLIFE_PLUGIN_DIR TCPLIFE_SO TCPLIFE_PROFILE_* TCPLIFE_DATA_DIR
[ -f "$TCPLIFE_SO" ] || { echo "build-deb.sh: $TCPLIFE_SO not built yet" >&2; exit 1; }

# The libwireshark package providing the SONAME the plugin links to.
soname=$(objdump -p "$TCPLIFE_SO" | awk '$1=="NEEDED" && $2 ~ /^libwireshark\.so/ {print $2}')
[ -n "$soname" ] || { echo "build-deb.sh: $TCPLIFE_SO does not link libwireshark" >&2; exit 1; }
libpath=$(ldconfig -p | awk -v s="$soname" '$1==s && !found {print $NF; found=1}')   # no early exit: SIGPIPE under pipefail
[ -n "$libpath" ] || libpath=$(find /usr/lib /lib -name "$soname" 2>/dev/null | sed -n 1p)
libpkg=$(dpkg -S "$(readlink -f "$libpath")" 2>/dev/null | sed -n 1p | cut -d: -f1)
[ -n "$libpkg" ] || libpkg=$(dpkg -S "$libpath" | sed -n 1p | cut -d: -f1)
libver=$(dpkg-query -W -f='${Version}' "$libpkg")
ws_major=${TCPLIFE_WS_VERSION%%.*}; ws_minor=${TCPLIFE_WS_VERSION#*.}
next_minor="$ws_major.$((ws_minor + 1))~"
case "$libver" in
  "$TCPLIFE_WS_VERSION".*|*:"$TCPLIFE_WS_VERSION".*) ;;
  *) echo "build-deb.sh: $libpkg is $libver but the build used Wireshark $TCPLIFE_WS_VERSION_FULL headers" >&2; exit 1 ;;
esac
depends="$libpkg (>= $libver), $libpkg (<< $next_minor)"

arch=$(dpkg --print-architecture)
version="${TCPLIFE_VERSION}+ws${TCPLIFE_WS_VERSION}"
pkg=wireshark-plugin-tcplife
stage=$(mktemp -d "${TMPDIR:-/tmp}/tcplife-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root="$stage/root"

install -d "$root$TCPLIFE_PLUGIN_DIR" "$root/usr/share/doc/$pkg" "$root/DEBIAN"
install -m 0644 "$TCPLIFE_SO" "$root$TCPLIFE_PLUGIN_DIR/tcplife.so"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root$TCPLIFE_PLUGIN_DIR/tcplife.so"
# The "TCP Lifecycle" configuration profile, in Wireshark's global profiles folder.
profile_dir="$root$TCPLIFE_DATA_DIR/profiles/$TCPLIFE_PROFILE_NAME"
install -d "$profile_dir"
install -m 0644 "$TCPLIFE_PROFILE_SOURCE"/preferences "$TCPLIFE_PROFILE_SOURCE"/colorfilters \
  "$TCPLIFE_PROFILE_SOURCE"/dfilter_buttons "$profile_dir/"
if [ -f "$src/README.md" ]; then install -m 0644 "$src/README.md" "$root/usr/share/doc/$pkg/README.md"; fi
cat > "$root/usr/share/doc/$pkg/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tcplife

Files: *
Copyright: the tcplife developers
License: GPL-2.0-or-later
 On Debian systems, the full text of the GNU General Public License
 version 2 can be found in the file /usr/share/common-licenses/GPL-2.
COPYRIGHT
chmod 0644 "$root/usr/share/doc/$pkg/copyright"

# Other shared-library dependencies (libc6, libglib2.0-0...) from dpkg-shlibdeps when present.
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
  mkdir -p "$stage/shlibs/debian"
  printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$pkg" "$pkg" > "$stage/shlibs/debian/control"
  shlibs=$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$root$TCPLIFE_PLUGIN_DIR/tcplife.so" 2>/dev/null |
           sed -n 's/^shlibs:Depends=//p')
  other=$(printf '%s' "$shlibs" | tr ',' '\n' | sed 's/^ *//' | grep -v "^$libpkg\b" | grep -v '^$' | paste -sd, - | sed 's/,/, /g' || true)
  [ -n "$other" ] && depends="$depends, $other"
fi

installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: $pkg
Version: $version
Architecture: $arch
Maintainer: tcplife developers <tcplife@localhost>
Installed-Size: $installed_size
Depends: $depends
Recommends: wireshark | tshark
Enhances: wireshark, tshark
Section: net
Priority: optional
Description: TCP connection lifecycle post-dissector for Wireshark $TCPLIFE_WS_VERSION
 tcplife annotates every TCP packet with its connection's lifecycle: the
 RFC 9293 state of client and server after the packet, the handshake and
 close steps, who closed first, resets and their kind, TIME_WAIT expiry and
 reuse, and per-connection outcome fields (tcplife.*), with expert infos and
 a statistics tree (tshark -z tcplife,tree), a "TCP Lifecycle" flow graph
 and a "TCP Lifecycle" configuration profile (columns, coloring rules,
 filter buttons).
 .
 Built for Wireshark $TCPLIFE_WS_VERSION_FULL; Wireshark loads it only at version $TCPLIFE_WS_VERSION.x.
CONTROL
(cd "$root" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"

deb="$out/${pkg}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "build-deb.sh: Depends: $depends"
echo "$deb"
