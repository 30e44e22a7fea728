#!/usr/bin/env bash
# GUI check: the real Wireshark (Qt) under Xvfb, driven with xdotool, with the
# just-built tcplife plugin in a private personal plugin folder.
#
#   tests/gui/check-gui.sh [--screenshot OUT.png] PLUGIN.so [CAPTURE]
#
# It proves, from Wireshark's own outputs (the clipboard and exported files,
# never from what we hope the screen shows):
#   1. Help > About Wireshark > Plugins lists tcplife.so from our plugin folder
#      (row copied with "Copy Row(s)", read with xclip);
#   2. Statistics > TCP Lifecycle opens and its counts (copied with the dialog's
#      Copy button) equal those of `tshark -2 -z tcplife,tree`;
#   3. display filters typed into the filter bar (tcplife.close.step == 3 and
#      tcplife.conn.outcome == "refused") select exactly the packets tshark -2
#      selects: File > Export Specified Packets (Displayed) writes them to a
#      file, which tshark counts and compares frame by frame;
#   4. the "TCP Lifecycle" tree of a selected packet (Go to packet, expand
#      subtrees, Edit > Copy > All Visible Items) reads "close step 3/4" and is
#      line for line the tree `tshark -2 -V -O tcplife` prints;
#   5. Statistics > Flow Graph with flow type "TCP Lifecycle" (the ladder),
#      exported as ASCII, is byte for byte `tshark -2 -z flow,tcplife,standard`;
#   6. Wireshark runs with the shipped "TCP Lifecycle" profile (-C): on exit it
#      writes the profile's `recent` file, whose column list is the profile's
#      Step, Sender, Client state, Server state and Closer columns.
# For the bundled capture (gui-demo.pcap) the expected numbers are also pinned.
# Screenshots go to a temporary folder whose path is printed; --screenshot
# writes a cropped picture of the tree to OUT.png; --readme-shots DIR writes
# small pictures of the packet list, the ladder and the statistics for README.
#
# Needs wireshark-qt, tshark, xvfb, xdotool, xclip, imagemagick; installs the
# missing ones with apt-get when run as root (unless TCPLIFE_NO_INSTALL=1) and
# exits 77 (ctest: skipped) when they cannot be had. As root, Wireshark ignores
# the personal plugin folder, so Wireshark runs as nobody (65534).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shot_out=""
readme_shots=""
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) shot_out=$(readlink -f "$2"); shift 2 ;;
    --readme-shots) mkdir -p "$2"; readme_shots=$(readlink -f "$2"); shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--screenshot OUT.png] PLUGIN.so [CAPTURE]" >&2; exit 2; }
plugin=$(readlink -f "$1")
capture=$(readlink -f "${2:-$here/gui-demo.pcap}")
demo=0; [ "$capture" = "$(readlink -f "$here/gui-demo.pcap")" ] && demo=1
[ -f "$plugin" ] || { echo "FAIL: no plugin at $plugin" >&2; exit 1; }

# ---- tools ------------------------------------------------------------------
. "$here/gui-lib.sh"
gui_need_tools "the GUI check"

# ---- a private HOME with the plugin, owned by the user Wireshark runs as -----
ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.*TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
work=$(mktemp -d "${TMPDIR:-/tmp}/tcplife-gui.XXXXXX")
chmod 755 "$work"
home=$work/home shots=$work/shots
profile="TCP Lifecycle"
mkdir -p "$home/.local/lib/wireshark/plugins/$ws_version/epan" "$home/run" "$shots" \
         "$home/.config/wireshark/profiles"
cp -r "$here/../../packaging/profiles/$profile" "$home/.config/wireshark/profiles/"
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
# A tcplife.so in the global plugin folder (a system install) is loaded first and
# shadows ours: then use a mirror of the global folder without it.
. "$(dirname "$(readlink -f "$0")")/../plugin-mirror.sh"
mirror_global_plugins "$work/global-plugins" >/dev/null
export WIRESHARK_PLUGIN_DIR=$work/global-plugins

fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ts() { as_user tshark "$@" 2>/dev/null; }

# ---- what Wireshark must show, according to tshark with the same plugin ------
F1='tcplife.close.step == 3'
F2='tcplife.conn.outcome == "refused"'
total=$(ts -r "$cap" | wc -l)
exp_frames() { ts -r "$cap" -2 -Y "$1" -T fields -e frame.time_epoch -e tcp.srcport -e tcp.dstport; }
tree_frame=$(ts -r "$cap" -2 -Y 'tcplife.step == "fin_passive_merged"' -T fields -e frame.number | sed -n 1p)
[ -n "$tree_frame" ] || tree_frame=$(ts -r "$cap" -2 -Y "$F1" -T fields -e frame.number | sed -n 1p)
[ -n "$tree_frame" ] || { echo "FAIL: $capture has no packet matching $F1" >&2; exit 1; }
ts -r "$cap" -2 -V -O tcplife -Y "frame.number == $tree_frame" \
  | sed -n '/^\[\?TCP Lifecycle/,$p' | sed '/^[[:space:]]*$/d' >"$work/tree.expected"
# stats tree rows as "name count", order-free
stats_pairs() { awk '/^----------/ {n++; next} n == 1 && NF' \
  | sed -E 's/^ +//; s/ {2,}/\t/g' | awk -F'\t' '{print $1 " = " $2}' | sort; }
ts -r "$cap" -2 -q -z tcplife,tree | stats_pairs >"$work/stats.expected" || true
[ -s "$work/stats.expected" ] || { echo "FAIL: tshark -z tcplife,tree printed no rows" >&2; exit 1; }

# ---- X server and Wireshark ---------------------------------------------------
cleanup() {
  gui_stop
  rm -rf "$home/.local" "$work/global-plugins"
}
trap cleanup EXIT
gui_start_xvfb "$work"
echo "check-gui: Xvfb on $DISPLAY, screenshots in $shots"

gui_wslog=$work/wireshark.log
as_user env QT_QPA_PLATFORM=xcb wireshark -C "$profile" -r "$cap" >"$gui_wslog" 2>&1 &
gui_wpid=$!

title_re="^$(basename "$cap" | sed 's/[.[\*^$]/\\&/g')"
main=$(wait_win "$title_re" 60) || { shot startup; echo "FAIL: no Wireshark window (see $shots)"; exit 1; }
xdotool windowmove "$main" 0 0 windowsize "$main" 1280 960
sleep 3   # let it finish reading and laying out
focus "$main"
shot 01-opened
if [ -n "$readme_shots" ]; then  # menu bar, filter buttons and the first packet rows
  convert "$shots/01-opened.png" -crop 1280x400+0+0 +repage -colors 64 "PNG8:$readme_shots/screenshot-profile.png"
fi

# 1. Help > About Wireshark > Plugins: tcplife.so from our folder ----------------
xdotool key alt+h; sleep 0.5; xdotool key Up Return
if about=$(wait_win '^About Wireshark$' 10); then
  focus "$about"
  xdotool key ctrl+Tab ctrl+Tab ctrl+Tab; sleep 0.5           # Wireshark, Authors, Folders, Plugins
  eval "$(xdotool getwindowgeometry --shell "$about")"          # X Y WIDTH HEIGHT
  xdotool mousemove $((X + 264)) $((Y + 62)) click 1; sleep 0.2  # the search field
  xdotool type --delay 20 tcplife; sleep 0.5
  xdotool mousemove $((X + 62)) $((Y + 112)) click 1; sleep 0.2  # first row
  clip_reset
  xdotool click 3; sleep 0.5; xdotool key Up Return; sleep 0.5  # context menu: Copy Row(s)
  shot 02-about-plugins
  row=$(clip)
  if printf '%s' "$row" | grep -q "^tcplife.so.*dissector.*$home/.local/lib/wireshark/plugins/$ws_version/epan/tcplife.so"; then
    pass "About > Plugins lists $(printf '%s' "$row" | tr -s '\t' ' ')"
  else
    fail "About > Plugins row for tcplife is '$row' (expected tcplife.so from $home)"
  fi
  focus "$about"; xdotool key Escape; sleep 0.5
else
  shot 02-about-plugins; fail "Help > About Wireshark did not open"
fi

# 2. Statistics > TCP Lifecycle ---------------------------------------------------
focus "$main"
xdotool key alt+s; sleep 0.5
shot 03-statistics-menu
xdotool key Up Return                                           # the last entry
if st=$(wait_win 'TCP Lifecycle' 15); then
  sleep 2
  xdotool windowmove "$st" 0 0 windowsize "$st" 900 900; sleep 1
  focus "$st"
  shot 04-stats-tree
  eval "$(xdotool getwindowgeometry --shell "$st")"
  clip_reset
  xdotool mousemove $((X + WIDTH - 236)) $((Y + HEIGHT - 24)) click 1; sleep 0.5   # Copy
  clip | stats_pairs >"$work/stats.gui" || true
  if [ -s "$work/stats.gui" ] && diff -u "$work/stats.expected" "$work/stats.gui" >"$work/stats.diff"; then
    pass "Statistics > TCP Lifecycle: $(grep -c . "$work/stats.gui") rows equal tshark -z tcplife,tree" \
         "($(grep -E '^(TCP connections|complete|Resets.*) =' "$work/stats.gui" | tr '\n' ' '))"
  else
    fail "Statistics > TCP Lifecycle differs from tshark -z tcplife,tree:"; cat "$work/stats.diff"
  fi
  if [ -n "$readme_shots" ]; then  # "TCP connections" folded, to show the other sections
    xdotool mousemove $((X + 70)) $((Y + 41)) click 1; sleep 0.3; xdotool key Left; sleep 0.5
    shot 04-stats-tree-folded
    convert "$shots/04-stats-tree-folded.png" -crop 900x560+0+0 +repage -colors 64 "PNG8:$readme_shots/screenshot-stats.png"
  fi
  if [ $demo = 1 ]; then
    for want in 'TCP connections = 7' 'complete = 4' 'refused = 1' 'three_way = 1' \
                'Resets (RST packets) = 2' 'Server endpoints (ip:port) = 7'; do
      grep -qx "$want" "$work/stats.gui" || fail "Statistics: no '$want' for gui-demo.pcap"
    done
  fi
  focus "$st"; xdotool key Escape; sleep 0.5
else
  fail "Statistics menu: the last entry did not open a 'TCP Lifecycle' window"
fi

# 3. display filters typed in the filter bar, checked by exporting the displayed packets
n=0
for filter in "$F1" "$F2"; do
  n=$((n + 1))
  exp_frames "$filter" >"$work/filter$n.expected"
  want=$(wc -l <"$work/filter$n.expected")
  if [ "$want" -eq 0 ] || [ "$want" -ge "$total" ]; then
    fail "filter '$filter' selects $want of $total packets in tshark: useless for the check"; continue
  fi
  focus "$main"
  xdotool key ctrl+slash; sleep 0.3; xdotool key ctrl+a BackSpace
  xdotool type --delay 15 "$filter"; xdotool key Return; sleep 2
  shot "05-filter$n"
  out=$home/exported$n.pcap
  focus "$main"
  xdotool key alt+f; sleep 0.5
  xdotool key Down Down Down Down Down Down Down Return  # File > Export Specified Packets... (Open is pre-selected)
  if dlg=$(wait_win 'Export Specified Packets' 10); then
    focus "$dlg"
    xdotool type --delay 10 "$out"; sleep 0.3; xdotool key Return
    for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done; sleep 0.5
  else
    fail "File menu: the 8th entry (7 x Down from Open) did not open 'Export Specified Packets'"; continue
  fi
  if [ ! -s "$out" ]; then fail "filter '$filter': Wireshark wrote no export"; continue; fi
  ts -r "$out" -T fields -e frame.time_epoch -e tcp.srcport -e tcp.dstport >"$work/filter$n.gui"
  got=$(wc -l <"$work/filter$n.gui")
  if [ "$got" -eq "$want" ] && cmp -s "$work/filter$n.expected" "$work/filter$n.gui"; then
    pass "filter '$filter' typed in the GUI displays $got of $total packets, the same ones as tshark -2"
  else
    fail "filter '$filter': the GUI displayed $got packets, tshark -2 selects $want"
    diff "$work/filter$n.expected" "$work/filter$n.gui" | head -10
  fi
  if [ $demo = 1 ]; then
    case $n in 1) pin=3 ;; 2) pin=2 ;; esac
    [ "$got" -eq "$pin" ] || fail "filter '$filter' on gui-demo.pcap: $got packets, expected $pin"
  fi
done

# 4. the TCP Lifecycle tree of one packet (filter 1 still applied) ------------------
focus "$main"
xdotool key ctrl+slash; sleep 0.3; xdotool key ctrl+a BackSpace
xdotool type --delay 15 "$F1"; xdotool key Return; sleep 1.5
xdotool key ctrl+g; sleep 0.3; xdotool type "$tree_frame"; xdotool key Return; sleep 1
xdotool mousemove 150 527 click 1; sleep 0.3      # first row of the details pane
# End twice: with no current row (3.4's pane after a click below its rows) the
# first End only moves to the first row. Last top row = TCP Lifecycle, expand all.
xdotool key End; sleep 0.2; xdotool key End; sleep 0.2; xdotool key shift+Right; sleep 0.8
clip_reset
xdotool key ctrl+alt+shift+a; sleep 0.5           # Edit > Copy > All Visible Items
shot 06-tree
clip >"$work/tree.clip"
sed -n '/^\[\?TCP Lifecycle/,$p' "$work/tree.clip" | sed '/^[[:space:]]*$/d' >"$work/tree.gui"
head1=$(head -1 "$work/tree.gui")
if [ -s "$work/tree.gui" ] && diff -u "$work/tree.expected" "$work/tree.gui" >"$work/tree.diff"; then
  pass "frame $tree_frame: the GUI's TCP Lifecycle tree ($(wc -l <"$work/tree.gui") lines) equals tshark -2 -V: $head1"
else
  fail "frame $tree_frame: the GUI's TCP Lifecycle tree differs from tshark -2 -V (clipboard in $work/tree.clip)"
  head -40 "$work/tree.diff"
fi
if [ $demo = 1 ]; then
  for want in 'close step 3/4' 'Step: fin_passive_merged' 'Outcome: complete' 'Close style: three_way'; do
    grep -qF "$want" "$work/tree.gui" || fail "tree of frame $tree_frame: no '$want'"
  done
fi
if [ -n "$shot_out" ]; then
  # filter bar + packet list rows, then the details pane (left half)
  convert "$shots/06-tree.png" \( -clone 0 -crop 1280x105+0+60 \) \( -clone 0 -crop 640x400+0+515 -gravity west -extent 1280x400 \) \
    -delete 0 -append +repage -colors 64 "PNG8:$shot_out"
  echo "check-gui: wrote $shot_out ($(stat -c %s "$shot_out") bytes)"
fi

# 5. Statistics > Flow Graph, flow type TCP Lifecycle, exported as ASCII ------------
ts -r "$cap" -2 -q -z flow,tcplife,standard >"$work/ladder.expected"
focus "$main"
xdotool key ctrl+slash; sleep 0.3; xdotool key ctrl+a BackSpace Return; sleep 1.5   # no filter
xdotool key alt+s; sleep 0.5
for _ in $(seq 16); do xdotool key Down; done                   # 17th entry: Flow Graph (4.0's menu)
xdotool key Return
if fg=$(wait_win 'Flow' 15); then
  sleep 2
  xdotool windowmove "$fg" 0 0 windowsize "$fg" 1280 900; sleep 1.5
  eval "$(xdotool getwindowgeometry --shell "$fg")"
  xdotool mousemove $((X + 676)) $((Y + HEIGHT - 55)) click 1; sleep 0.7   # Flow type
  xdotool key End Return; sleep 3                                          # its last entry
  shot 07-flow-graph
  if [ -n "$readme_shots" ]; then
    convert "$shots/07-flow-graph.png" -crop 1280x380+0+0 +repage -colors 64 "PNG8:$readme_shots/screenshot-ladder.png"
  fi
  xdotool mousemove $((X + WIDTH - 223)) $((Y + HEIGHT - 24)) click 1       # Export...
  if sv=$(wait_win 'Save Graph' 10); then
    sleep 1
    eval "$(xdotool getwindowgeometry --shell "$sv")"
    xdotool mousemove $((X + 312)) $((Y + 390)) click 1; sleep 0.7        # Files of type
    xdotool key End Return; sleep 0.5                                     # ASCII (*.txt)
    xdotool mousemove $((X + 315)) $((Y + 360)) click 1                   # File name
    xdotool type --delay 10 "$home/ladder.txt"; xdotool key Return
    for _ in $(seq 50); do [ -s "$home/ladder.txt" ] && break; sleep 0.1; done; sleep 0.5
  fi
  arrows=$(grep -cE -- '-->|<--' "$home/ladder.txt" 2>/dev/null || echo 0)
  if [ -s "$home/ladder.txt" ] && cmp -s "$work/ladder.expected" "$home/ladder.txt"; then
    pass "Flow Graph, flow type TCP Lifecycle: the exported ladder ($arrows arrows) is tshark -2 -z flow,tcplife,standard"
  else
    fail "Flow Graph ladder export ($home/ladder.txt) differs from tshark -z flow,tcplife,standard"
    diff "$work/ladder.expected" "$home/ladder.txt" 2>&1 | head -10
  fi
  if [ $demo = 1 ]; then
    [ "$arrows" -eq "$total" ] || fail "ladder of gui-demo.pcap: $arrows arrows for $total packets"
    grep -q 'fin_passive_merged 3' "$home/ladder.txt" || fail "ladder of gui-demo.pcap: no fin_passive_merged arrow"
  fi
  focus "$fg"; xdotool key Escape; sleep 0.5
else
  fail "Statistics menu: the 17th entry did not open the Flow Graph"
fi

# 6. the profile's columns, from the recent file Wireshark writes on exit --------------
focus "$main"; xdotool key ctrl+q
for _ in $(seq 100); do kill -0 "$gui_wpid" 2>/dev/null || break; sleep 0.1; done
gui_wpid=""
recent="$home/.config/wireshark/profiles/$profile/recent"
cols=$(sed -n '/^column.width:/,/^$/p' "$recent" 2>/dev/null | grep -o '%Cus:[a-z._]*' | tr '\n' ' ')
want_cols='%Cus:tcplife.step %Cus:tcplife.sender %Cus:tcplife.state.client %Cus:tcplife.state.server %Cus:tcplife.closer '
if [ "$cols" = "$want_cols" ]; then
  pass "profile '$profile': Wireshark's packet list had the columns $cols(its recent file)"
else
  fail "profile '$profile': the recent file lists custom columns '$cols', expected '$want_cols'"
fi

echo "check-gui: screenshots: $(ls "$shots" | tr '\n' ' ')in $shots"
if [ $fails -gt 0 ]; then echo "check-gui: $fails check(s) failed"; exit 1; fi
echo "check-gui: all GUI checks passed"
