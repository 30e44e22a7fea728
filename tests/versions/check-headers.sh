#!/bin/sh
# check-headers.sh DIR - compile-checks every plugin/*.c against one Wireshark's
# headers, for a version that cannot be installed here (3.6, 4.2).
#
# DIR is either
#   - an installed include folder (the one holding epan/, e.g. /usr/include/wireshark,
#     or usr/include/wireshark of libwireshark-dev, libwsutil-dev, libwiretap-dev and
#     wireshark-dev unpacked with dpkg-deb -x): exactly what a plugin build sees; or
#   - a Wireshark source tree (release tarball or checkout): its generated headers
#     (ws_version.h, config.h) are stubbed from CMakeLists.txt's version. A source tree
#     has every header, so it cannot show a header that the release fails to install.
#
# gcc -fsyntax-only -std=gnu11 -Wall -Wextra with the host's GLib. Prints one line
# per file, then the warnings and errors; exits 1 if there were any.
#
# SPDX-License-Identifier: GPL-2.0-or-later
set -u
dir=${1:?usage: check-headers.sh WIRESHARK_INCLUDE_OR_SOURCE_DIR}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -f "$dir/CMakeLists.txt" ] && grep -q '^set(PROJECT_MAJOR_VERSION' "$dir/CMakeLists.txt"; then
    v() { sed -n "s/^set(PROJECT_$1_VERSION \([0-9]*\)).*/\1/p" "$dir/CMakeLists.txt"; }
    ma=$(v MAJOR) mi=$(v MINOR) pa=$(v PATCH)
    printf '#define WIRESHARK_VERSION_MAJOR %s\n#define WIRESHARK_VERSION_MINOR %s\n#define WIRESHARK_VERSION_MICRO %s\n' \
        "$ma" "$mi" "$pa" >"$tmp/ws_version.h"
    # What the shim reads from config.h where there is no <wireshark.h> (3.4, 3.6).
    printf '#define VERSION "%s.%s.%s"\n#define VERSION_MAJOR %s\n#define VERSION_MINOR %s\n#define VERSION_MICRO %s\n' \
        "$ma" "$mi" "$pa" "$ma" "$mi" "$pa" >"$tmp/config.h"
    incs="-I$tmp -I$dir -I$dir/include"
    what="source tree $ma.$mi.$pa"
else
    [ -d "$dir/epan" ] || { echo "check-headers.sh: $dir has no epan/ and no Wireshark CMakeLists.txt" >&2; exit 2; }
    if [ -f "$dir/ws_version.h" ]; then
        what="headers $(sed -n 's/^#define WIRESHARK_VERSION_\(MAJOR\|MINOR\|MICRO\) \([0-9]*\).*/\2/p' "$dir/ws_version.h" | paste -sd.)"
    else
        what="headers $(sed -n 's/^#define VERSION "\(.*\)"/\1/p' "$dir/config.h" 2>/dev/null)"
    fi
    incs="-I$dir"
    # The same stand-in as cmake/FindWiresharkForPlugin.cmake writes (4.2 does not
    # install the dfilter-loc.h that its dfilter.h includes).
    if [ -f "$dir/epan/dfilter/dfilter.h" ] && [ ! -f "$dir/epan/dfilter/dfilter-loc.h" ] &&
        grep -q '#include "dfilter-loc.h"' "$dir/epan/dfilter/dfilter.h"; then
        printf '#ifndef DFILTER_LOC_H\n#define DFILTER_LOC_H\n#include <stddef.h>\ntypedef struct _dfilter_loc { long col_start; size_t col_len; } df_loc_t;\n#endif\n' \
            >"$tmp/dfilter-loc.h"
        incs="$incs -I$tmp"
        what="$what (dfilter-loc.h missing: stand-in used)"
    fi
fi

echo "check-headers.sh: $what"
status=0
for f in "$here"/plugin/*.c; do
    # shellcheck disable=SC2086
    out=$(gcc -std=gnu11 -fsyntax-only -Wall -Wextra -fvisibility=hidden \
        -DTCPLIFE_VERSION='"0"' -I"$here/plugin" $incs $(pkg-config --cflags glib-2.0) "$f" 2>&1)
    n=$(printf '%s' "$out" | grep -c 'warning:\|error:')
    printf '%-32s %s\n' "$(basename "$f")" "$([ "$n" = 0 ] && echo ok || echo "$n warnings/errors")"
    if [ "$n" != 0 ]; then
        printf '%s\n' "$out" | grep 'warning:\|error:' | sed 's/^/    /'
        status=1
    fi
done
exit $status
