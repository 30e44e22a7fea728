#!/usr/bin/env bash
# GUI check of final verdicts: a connection-field display filter given at
# start-up (wireshark -r F -Y FILTER) is evaluated while the file loads, when
# the connection fields are still pending; tcplife re-applies it once the file
# has been read (plugin/tcplife_refilter.c). It must then display the same
# packets as the same filter typed into the filter bar after loading, and as
# tshark -2.
#
#   tests/gui/check-gui-verdicts.sh PLUGIN.so [CAPTURE] [FILTER]
#
# Real Wireshark (Qt) under Xvfb, driven with xdotool, as nobody when root
# (Wireshark ignores the personal plugin folder as root). The displayed packets
# are counted from File > Export Specified Packets (Displayed), never from the
# screen. X helpers from tests/gui/gui-lib.sh; exits 77 when wireshark-qt, Xvfb
# or xdotool are missing.
set -euo pipefail
SKIP=77
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 PLUGIN.so [CAPTURE] [FILTER]" >&2; exit 2; }
plugin=$(readlink -f "$1")
capture=$(readlink -f "${2:-$here/gui-demo.pcap}")
filter=${3:-'tcplife.conn.outcome == "refused"'}
[ -f "$plugin" ] || { echo "FAIL: no plugin at $plugin" >&2; exit 1; }
for p in wireshark tshark Xvfb xdotool setpriv; do
  command -v $p >/dev/null 2>&1 || { echo "SKIP: $p is missing (see tests/gui/check-gui.sh)"; exit $SKIP; }
done

ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.*TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
work=$(mktemp -d "${TMPDIR:-/tmp}/tcplife-gui-verdicts.XXXXXX")
chmod 755 "$work"
home=$work/home
mkdir -p "$home/.local/lib/wireshark/plugins/$ws_version/epan" "$home/run"
cp "$plugin" "$home/.local/lib/wireshark/plugins/$ws_version/epan/tcplife.so"
cap=$home/$(basename "$capture")
cp "$capture" "$cap"
chmod -R a+rX "$work"; chmod 700 "$home/run"
if [ "$(id -u)" = 0 ]; then
  chown -R 65534:65534 "$home"
  as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
  as_user() { "$@"; }
fi
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$home/run"
. "$here/../plugin-mirror.sh"
mirror_global_plugins "$work/global-plugins" >/dev/null
export WIRESHARK_PLUGIN_DIR=$work/global-plugins

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ts() { as_user tshark "$@" 2>/dev/null; }
frames_of() { ts -r "$1" -T fields -e frame.time_epoch -e tcp.srcport -e tcp.dstport; }

total=$(ts -r "$cap" | wc -l)
ts -r "$cap" -2 -Y "$filter" -T fields -e frame.time_epoch -e tcp.srcport -e tcp.dstport >"$work/expected"
want=$(wc -l <"$work/expected")
single=$(ts -r "$cap" -Y "$filter" | wc -l)
if [ "$want" -eq 0 ] || [ "$want" -ge "$total" ] || [ "$single" -eq "$want" ]; then
  echo "FAIL: '$filter' selects $want of $total packets with -2 and $single in single pass:" \
       "the check needs a filter whose single-pass answer is incomplete" >&2
  exit 1
fi
echo "check-gui-verdicts: '$filter': tshark -2 selects $want of $total packets, single pass $single"

. "$here/gui-lib.sh"
cleanup() {
  gui_stop
  rm -rf "$home/.local" "$work/global-plugins"
}
trap cleanup EXIT
gui_start_xvfb "$work"

gui_wslog=$work/wireshark.log
as_user env QT_QPA_PLATFORM=xcb wireshark -r "$cap" -Y "$filter" >"$gui_wslog" 2>&1 &
gui_wpid=$!

# File > Export Specified Packets (Displayed is the default) -> count and compare
export_displayed() { # NAME WHAT
  local out=$home/$1.pcap dlg got
  focus "$main"
  xdotool key alt+f; sleep 0.5
  xdotool key Down Down Down Down Down Down Down Return   # 8th entry, Open pre-selected
  dlg=$(wait_win 'Export Specified Packets' 10) || { fail "$2: Export Specified Packets did not open"; return; }
  focus "$dlg"
  xdotool type --delay 10 "$out"; sleep 0.3; xdotool key Return
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done; sleep 0.5
  [ -s "$out" ] || { fail "$2: Wireshark wrote no export"; return; }
  frames_of "$out" >"$work/$1.gui"
  got=$(wc -l <"$work/$1.gui")
  if [ "$got" -eq "$want" ] && cmp -s "$work/expected" "$work/$1.gui"; then
    pass "$2: the GUI displays $got of $total packets, the same ones as tshark -2"
  else
    fail "$2: the GUI displays $got packets, tshark -2 selects $want (single pass: $single)"
  fi
}

title_re="^$(basename "$cap" | sed 's/[.[\*^$]/\\&/g')"
main=$(wait_win "$title_re" 60) || { echo "FAIL: no Wireshark window"; exit 1; }
xdotool windowmove "$main" 0 0 windowsize "$main" 1280 960
sleep 4   # reading, then the re-filter from the idle main loop
export_displayed startup "filter given at start-up (-Y)"

focus "$main"
xdotool key ctrl+slash; sleep 0.3; xdotool key ctrl+a BackSpace
xdotool type --delay 15 "$filter"; xdotool key Return; sleep 2
export_displayed typed "the same filter typed after loading"

gui_stop
if [ $fails -gt 0 ]; then echo "check-gui-verdicts: $fails check(s) failed"; exit 1; fi
echo "check-gui-verdicts: all passed"
