# gui-lib.sh - helpers for scripts that drive the real Wireshark under Xvfb with
# xdotool (sourced: . tests/gui/gui-lib.sh). Each function says what it uses:
#   gui_need_tools NAME     install (root, apt) or report the tools; exits 77 (skip)
#   gui_start_xvfb WORKDIR  start Xvfb on a free display, export DISPLAY; sets gui_xpid
#   gui_stop                kill the Wireshark ($gui_wpid) and Xvfb this script started
#   win_id / wait_win NAME-REGEX [SECONDS]   a window's id (wait_win also watches
#                           $gui_wpid and prints $gui_wslog if Wireshark exited)
#   focus WIN               focus a window, retrying while it is not yet viewable
#   shot NAME               screenshot of the whole screen into $shots/NAME.png
#   clip_reset / clip       clear / read the clipboard
gui_xpid="" gui_wpid="" gui_wslog=/dev/null

gui_missing() {
  local m=() p
  for p in wireshark:wireshark-qt tshark:tshark Xvfb:xvfb xdotool:xdotool xclip:xclip \
           import:imagemagick convert:imagemagick setpriv:util-linux; do
    command -v "${p%%:*}" >/dev/null 2>&1 || m+=("${p#*:}")
  done
  [ ${#m[@]} -eq 0 ] || printf '%s\n' "${m[@]}" | sort -u | tr '\n' ' '
}

gui_need_tools() { # NAME (for messages)
  local need
  need=$(gui_missing)
  if [ -n "$need" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null \
     && [ "${TCPLIFE_NO_INSTALL:-0}" != 1 ]; then
    echo "$1: installing $need" >&2
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $need; } >&2 || true
    need=$(gui_missing)
  fi
  if [ -n "$need" ]; then
    echo "SKIP: $1 needs: $need(apt-get install $need)" >&2
    exit 77
  fi
}

gui_start_xvfb() { # WORKDIR
  exec 5>"$1/display"
  Xvfb -displayfd 5 -ac -nolisten tcp -screen 0 1280x960x24 >"$1/xvfb.log" 2>&1 &
  gui_xpid=$!
  exec 5>&-
  for _ in $(seq 100); do [ -s "$1/display" ] && break; sleep 0.1; done
  [ -s "$1/display" ] || { cat "$1/xvfb.log" >&2; echo "FAIL: Xvfb did not start" >&2; exit 1; }
  DISPLAY=:$(head -1 "$1/display")
  export DISPLAY
}

gui_stop() {
  [ -z "$gui_wpid" ] || kill "$gui_wpid" 2>/dev/null || true
  [ -z "$gui_xpid" ] || kill "$gui_xpid" 2>/dev/null || true
  gui_wpid="" gui_xpid=""
}

win_id() { xdotool search --name "$1" 2>/dev/null | sed -n 1p; }
wait_win() { # NAME-REGEX [SECONDS] -> window id
  local i id
  for i in $(seq $((${2:-20} * 10))); do
    id=$(win_id "$1")
    if [ -n "$id" ]; then echo "$id"; return 0; fi
    if [ -n "$gui_wpid" ] && ! kill -0 "$gui_wpid" 2>/dev/null; then
      echo "FAIL: Wireshark exited:" >&2; cat "$gui_wslog" >&2; return 1
    fi
    sleep 0.1
  done
  return 1
}
shot() { import -window root "$shots/$1.png"; }
# A window can exist before it is viewable (BadMatch on SetInputFocus under
# load): retry for up to 15 s rather than fail on the race.
focus() {
  local i
  for i in $(seq 30); do
    xdotool windowfocus --sync "$1" 2>/dev/null && { sleep 0.3; return 0; }
    sleep 0.5
  done
  echo "FAIL: window $1 never took the focus" >&2
  return 1
}
clip_reset() { echo "tcplife-clipboard-sentinel" | xclip -selection clipboard -i; sleep 0.2; }
clip() { timeout 5 xclip -o -selection clipboard 2>/dev/null || true; }
