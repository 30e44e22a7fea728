#!/usr/bin/env bash
# tcplife benchmark: what does the plugin cost next to plain tshark, in one run?
#
#   bench/bench.sh [--plugin PATH/tcplife.so] [--sizes 10000,100000,1000000]
#                  [--cg-packets N] [--no-callgrind] [--no-rss] [--no-gui] [--keep]
#
# Captures (cached in $TCPLIFE_BENCH_CACHE, default ~/.cache/tcplife-bench, never
# in git): N short TCP connections to a loopback server recorded in a private
# network namespace (bench/gen-traffic.py: ~90% closed normally, ~5% refused,
# ~5% aborted, ~9.5 packets each). Sizes above 100000 are made from the
# 100000 capture, copied with other loopback addresses (bench/replicate-pcap.py).
#
# For each mode, tshark without the plugin and with it, as the same unprivileged
# user with the same plugin folders but for tcplife.so:
#   summary   tshark -r F                               (summary lines)
#   2pass     tshark -r F -2
#   Y_tcp     tshark -r F -Y 'tcp.flags.reset==1'
#   Y_life    -Y 'tcplife.conn.outcome=="reset"'        (without: the TCP filter)
#   F_tcp     -T fields -e tcp.stream -e tcp.flags
#   F_life    -T fields -e tcp.stream -e tcplife.step -e tcplife.state.client
#             -e tcplife.state.server -e tcplife.conn.outcome  (without: TCP fields)
#   V         -V
# 1. callgrind instructions per packet, start-up subtracted: (Ir of the first
#    --cg-packets packets (default 20000) - Ir of the same command with -c 1) /
#    (packets - 1), on the smallest capture (per-packet cost does not grow with
#    the capture: the tables are hashed);
# 2. peak RSS (/usr/bin/time %M) of summary and 2pass for every size;
# 3. GUI load under Xvfb: CPU seconds the wireshark process spends until it
#    is idle after opening the smallest capture, median of 3.
# Needs root to record captures (ip netns, tcpdump); missing tools are installed
# with apt-get when run as root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
plugin="" sizes="10000,100000,1000000" cgn=20000 callgrind=1 rss=1 gui=1 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --plugin) plugin=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --cg-packets) cgn=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    --no-rss) rss=0; shift ;;
    --no-gui) gui=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) awk 'NR>1 && /^#/ {print; next} NR>1 {exit}' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# ---- tools ------------------------------------------------------------------
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have tshark || need+=(tshark)
have editcap || need+=(wireshark-common)
[ -x /usr/bin/time ] || need+=(time)
have python3 || need+=(python3)
have tcpdump || need+=(tcpdump)
have ip || need+=(iproute2)
have setpriv || need+=(util-linux)
have pgrep || need+=(procps)
[ $callgrind = 0 ] || have valgrind || need+=(valgrind)
if [ $gui = 1 ]; then
  have wireshark || need+=(wireshark-qt)
  have Xvfb || need+=(xvfb)
  have xdotool || need+=(xdotool)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "bench: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "bench: missing ${need[*]} (install them, or run as root)" >&2; exit 1
  fi
fi

if [ -z "$plugin" ]; then
  plugin=$(ls -t "$repo"/build*/plugin/tcplife.so 2>/dev/null | head -1 || true)
fi
if [ -z "$plugin" ] || [ ! -f "$plugin" ]; then
  echo "bench: building the plugin in $repo/build-bench" >&2
  cmake -S "$repo" -B "$repo/build-bench" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$repo/build-bench" --target tcplife >/dev/null
  plugin=$repo/build-bench/plugin/tcplife.so
fi
plugin=$(readlink -f "$plugin")

# ---- captures ---------------------------------------------------------------
cache=${TCPLIFE_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcplife-bench}
mkdir -p "$cache"
record() { # record N OUT: gen-traffic.py tcp N in a fresh netns under tcpdump
  local n=$1 out=$2 ns="tcplife-bench-$$"
  [ "$(id -u)" = 0 ] || { echo "bench: recording captures needs root" >&2; exit 1; }
  echo "bench: recording $n connections into $out" >&2
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
  ip netns exec "$ns" tcpdump -i lo -n -s 128 -B 131072 -U -w "$out.tmp" >"$out.log" 2>&1 &
  local tp=$!
  for _ in $(seq 50); do grep -q listening "$out.log" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$ns" python3 "$here/gen-traffic.py" tcp "$n"
  sleep 1; kill -INT $tp; wait $tp || true
  ip netns del "$ns"
  grep -q '^0 packets dropped by kernel' "$out.log" ||
    echo "bench: tcpdump dropped packets; the capture is still usable but not complete" >&2
  mv "$out.tmp" "$out"
}
IFS=, read -r -a size_list <<<"$sizes"
captures=()
for n in "${size_list[@]}"; do
  f=$cache/tcp-$n.pcap
  if [ ! -s "$f" ]; then
    if [ "$n" -le 100000 ]; then
      record "$n" "$f"
    else
      [ -s "$cache/tcp-100000.pcap" ] || record 100000 "$cache/tcp-100000.pcap"
      echo "bench: making $f from $((n / 100000)) copies of the 100000-connection capture" >&2
      python3 "$here/replicate-pcap.py" "$cache/tcp-100000.pcap" $((n / 100000)) "$f.tmp"
      mv "$f.tmp" "$f"
    fi
  fi
  captures+=("$f")
done

# ---- two HOMEs that differ only by tcplife.so ---------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/tcplife-bench.XXXXXX")
[ $keep = 1 ] || trap 'rm -rf "$work"' EXIT
ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.*(Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
for v in with without; do mkdir -p "$work/$v/.local/lib/wireshark/plugins/$ws_version/epan" "$work/$v/.config"; done
cp "$plugin" "$work/with/.local/lib/wireshark/plugins/$ws_version/epan/tcplife.so"
# A system-wide tcplife.so would be loaded in both runs: mirror the global folder without it.
. "$repo/tests/plugin-mirror.sh"
mirror_global_plugins "$work/global-plugins" >/dev/null
export WIRESHARK_PLUGIN_DIR=$work/global-plugins
chmod -R a+rX "$work"; chmod 755 "$work"
if [ "$(id -u)" = 0 ]; then
  chown -R 65534:65534 "$work"
  as_user() { local h=$1; shift; setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME="$h" XDG_CONFIG_HOME="$h/.config" WIRESHARK_PLUGIN_DIR="$WIRESHARK_PLUGIN_DIR" "$@"; }
else
  as_user() { local h=$1; shift; env HOME="$h" XDG_CONFIG_HOME="$h/.config" "$@"; }
fi
as_user "$work/with" tshark -G plugins 2>/dev/null | grep -q "tcplife.so.*$work/with/" \
  || { echo "bench: tshark does not load $plugin from the personal plugin folder" >&2; exit 1; }
if as_user "$work/without" tshark -G protocols 2>/dev/null | grep -q '^TCP Lifecycle'; then
  echo "bench: the plugin is loaded even with an empty plugin folder" >&2; exit 1
fi
# Captures readable by the unprivileged user, wherever the cache is.
for f in "${captures[@]}"; do ln -f "$f" "$work/$(basename "$f")" 2>/dev/null || cp "$f" "$work/"; done
chmod a+r "$work"/*.pcap

echo "tcplife benchmark, $(date -u +%Y-%m-%d)"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "tshark $(tshark -v 2>/dev/null | head -1 | awk '{print $3}'), plugin $plugin"
for f in "${captures[@]}"; do
  echo "capture $(basename "$f"): $(capinfos -M -c "$f" | awk '/Number of packets/{print $NF}') packets"
done

mode_args() { # MODE VARIANT -> the tshark arguments, one per line
  case "$1" in
    summary) ;;
    2pass) echo -2 ;;
    Y_tcp) printf '%s\n' -Y 'tcp.flags.reset==1' ;;
    Y_life) if [ "$2" = with ]; then printf '%s\n' -Y 'tcplife.conn.outcome=="reset"'
            else printf '%s\n' -Y 'tcp.flags.reset==1'; fi ;;
    F_tcp) printf '%s\n' -T fields -e tcp.stream -e tcp.flags ;;
    F_life) if [ "$2" = with ]; then
              printf '%s\n' -T fields -e tcp.stream -e tcplife.step -e tcplife.state.client \
                -e tcplife.state.server -e tcplife.conn.outcome
            else printf '%s\n' -T fields -e tcp.stream -e tcp.flags; fi ;;
    V) echo -V ;;
  esac
}
modes=(summary 2pass Y_tcp Y_life F_tcp F_life V)

# ---- 1. callgrind ------------------------------------------------------------
if [ $callgrind = 1 ]; then
  cut=$work/cut.pcap
  editcap -r "$work/$(basename "${captures[0]}")" "$cut" "1-$cgn" && chmod a+r "$cut"
  np=$(capinfos -M -c "$cut" | awk '/Number of packets/{print $NF}')
  cg() { # VARIANT TAG ARGS... -> total Ir
    local v=$1 tag=$2; shift 2
    as_user "$work/$v" valgrind --tool=callgrind --callgrind-out-file="$work/cg.$tag.$v" \
      tshark "$@" >/dev/null 2>"$work/cg.$tag.$v.err" || { cat "$work/cg.$tag.$v.err" >&2; exit 1; }
    awk '/^(summary|totals):/{print $2; exit}' "$work/cg.$tag.$v"
  }
  echo
  echo "1. callgrind instructions per packet ($np packets of $(basename "${captures[0]}"), start-up subtracted)"
  printf '%-8s %12s %12s %7s\n' mode without with ratio
  for m in "${modes[@]}"; do
    declare -a aw=() ap=()
    mapfile -t aw < <(mode_args "$m" without)
    mapfile -t ap < <(mode_args "$m" with)
    iw=$(cg without "$m" -r "$cut" "${aw[@]}"); ip_=$(cg with "$m" -r "$cut" "${ap[@]}")
    sw=$(cg without "$m-1" -r "$cut" -c 1 "${aw[@]}"); sp=$(cg with "$m-1" -r "$cut" -c 1 "${ap[@]}")
    awk -v m="$m" -v w="$iw" -v p="$ip_" -v sw="$sw" -v sp="$sp" -v n="$np" \
      'BEGIN {printf "%-8s %12.0f %12.0f %7.3f\n", m, (w-sw)/(n-1), (p-sp)/(n-1), (p-sp)/(w-sw)}'
  done
  echo "   the plugin's own functions in summary mode (inclusive):"
  callgrind_annotate --inclusive=yes --threshold=100 "$work/cg.summary.with" 2>/dev/null \
    | grep -E '/plugin/[a-z_]+\.c:' | head -8 | sed 's/ \[.*//; s/^/   /' || true
fi

# ---- 2. peak RSS -------------------------------------------------------------
if [ $rss = 1 ]; then
  echo
  echo "2. peak RSS (MB), whole captures"
  printf '%-18s %-8s %10s %10s %7s %10s\n' capture mode without with ratio "extra/conn"
  for f in "${captures[@]}"; do
    n=$(basename "$f" .pcap); n=${n#tcp-}
    for m in summary 2pass; do
      declare -a a=()
      mapfile -t a < <(mode_args "$m" with)
      for v in without with; do
        as_user "$work/$v" /usr/bin/time -f '%M' -o "$work/rss.$v" tshark -r "$work/$(basename "$f")" "${a[@]}" \
          >/dev/null 2>"$work/rss.err" || { cat "$work/rss.err" >&2; exit 1; }
      done
      awk -v c="$(basename "$f")" -v m="$m" -v n="$n" -v w="$(tail -1 "$work/rss.without")" \
        -v p="$(tail -1 "$work/rss.with")" \
        'BEGIN {printf "%-18s %-8s %10.1f %10.1f %7.3f %9.0fB\n", c, m, w/1024, p/1024, p/w, (p-w)*1024/n}'
    done
  done
fi

# ---- 3. GUI load ---------------------------------------------------------------
if [ $gui = 1 ]; then
  display=:$((90 + RANDOM % 9))
  Xvfb "$display" -screen 0 1280x900x24 -nolisten tcp -ac >/dev/null 2>&1 &
  xvfb=$!
  sleep 1
  # CPU seconds of wireshark until it has been idle for 2 s (the file is loaded).
  gui_load() { # VARIANT FILE
    local v=$1 f=$2 pid last=-1 now idle=0
    as_user "$work/$v" env DISPLAY="$display" wireshark -r "$f" >/dev/null 2>&1 &
    local launcher=$!
    # $! is the subshell running as_user; time the wireshark process itself.
    for _ in $(seq 100); do
      pid=$(pgrep -n -x wireshark || true); [ -n "$pid" ] && break; sleep 0.1
    done
    [ -n "$pid" ] || { echo "bench: wireshark did not start" >&2; echo nan; return; }
    while [ $idle -lt 4 ]; do
      sleep 0.5
      now=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo -1)
      if [ "$now" = "$last" ]; then idle=$((idle + 1)); else idle=0; last=$now; fi
    done
    kill "$pid" 2>/dev/null; wait "$launcher" 2>/dev/null || true
    awk -v t="$last" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
  }
  f=$work/$(basename "${captures[0]}")
  tw=() tp=()
  for _ in 1 2 3; do tw+=("$(gui_load without "$f")"); tp+=("$(gui_load with "$f")"); done
  kill "$xvfb" 2>/dev/null || true
  med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
  echo
  echo "3. GUI load of $(basename "$f") (CPU seconds until idle, median of 3): without $(med "${tw[@]}")," \
       "with $(med "${tp[@]}"), ratio $(awk -v a="$(med "${tw[@]}")" -v b="$(med "${tp[@]}")" 'BEGIN{printf "%.3f", b/a}')" \
       "(runs: ${tw[*]} / ${tp[*]})"
fi
[ $keep = 0 ] || echo "kept: $work"
