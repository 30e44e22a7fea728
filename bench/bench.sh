#!/usr/bin/env bash
# tcplife benchmark: how much slower is tshark with the plugin loaded?
#
#   bench/bench.sh [--plugin PATH/tcplife.so] [--capture FILE.pcap] [--conns N]
#                  [--runs N] [--no-callgrind] [--cg-packets N] [--perf] [--keep]
#
# Makes (once, cached) a large loopback capture of many short TCP connections,
# recorded in a private network namespace, and a UDP-only capture; then times
# tshark on them with and without the plugin, several runs each, in the modes
#   plain  tshark -r F                       (summary lines to /dev/null)
#   2pass  tshark -r F -2
#   fields tshark -r F -T fields -e tcp.stream
#   filter tshark -r F -Y tcp.flags.fin==1
# and prints the median wall time, the with/without ratio and the max RSS.
# "Without" is the same tshark, run as the same unprivileged user, with a HOME
# whose personal plugin folder is empty: the plugin is the only difference.
# Callgrind instruction counts (repeatable, unlike wall times) on the first
# --cg-packets packets (default 5000) follow, per packet with start-up taken out,
# with the plugin's own functions; --perf adds a perf profile of the plugin run.
#
# Captures are cached in $TCPLIFE_BENCH_CACHE (default ~/.cache/tcplife-bench),
# never in git. Generating them needs root (ip netns, tcpdump). Missing tools
# are installed with apt-get when run as root.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
plugin="" capture="" conns=32000 runs=5 callgrind=1 cgn=5000 perf=0 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --plugin) plugin=$2; shift 2 ;;
    --capture) capture=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    --cg-packets) cgn=$2; shift 2 ;;
    --perf) perf=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# ---- tools ------------------------------------------------------------------
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have tshark || need+=(tshark)
have mergecap || need+=(wireshark-common)
[ -x /usr/bin/time ] || need+=(time)
have python3 || need+=(python3)
have tcpdump || need+=(tcpdump)
have ip || need+=(iproute2)
have setpriv || need+=(util-linux)
[ $callgrind = 0 ] || have valgrind || need+=(valgrind)
[ $perf = 0 ] || have perf || need+=(linux-perf)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && have apt-get; then
    echo "bench: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "bench: missing ${need[*]} (install them, or run as root)" >&2; exit 1
  fi
fi

ws_version=$(tshark -v 2>/dev/null | sed -n '1s/.*TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p')
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
record() { # record KIND N OUT: run gen-traffic.py KIND N in a fresh netns under tcpdump
  local kind=$1 n=$2 out=$3 ns="tcplife-bench-$$"
  [ "$(id -u)" = 0 ] || { echo "bench: generating captures needs root (or pass --capture)" >&2; exit 1; }
  echo "bench: recording $kind traffic ($n) into $out" >&2
  ip netns add "$ns"
  trap 'ip netns del '"$ns"' 2>/dev/null || true' RETURN
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_local_port_range="1024 65000"
  ip netns exec "$ns" tcpdump -i lo -n -s 128 -B 131072 -U -w "$out.tmp" >"$out.log" 2>&1 &
  local tp=$!
  for _ in $(seq 50); do grep -q listening "$out.log" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$ns" python3 "$here/gen-traffic.py" "$kind" "$n"
  sleep 1; kill -INT $tp; wait $tp || true
  cat "$out.log" >&2
  if ! grep -q '^0 packets dropped by kernel' "$out.log"; then
    echo "bench: tcpdump dropped packets; the capture is still usable but not complete" >&2
  fi
  mv "$out.tmp" "$out"
}
if [ -z "$capture" ]; then
  capture=$cache/tcp-$conns.pcap
  [ -s "$capture" ] || record tcp "$conns" "$capture"
fi
udp_capture=$cache/udp-300000.pcap
[ -s "$udp_capture" ] || record udp 300000 "$udp_capture"

# ---- two identical HOMEs, one with the plugin --------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/tcplife-bench.XXXXXX")
[ $keep = 1 ] || trap 'rm -rf "$work"' EXIT
for v in with without; do mkdir -p "$work/$v/.local/lib/wireshark/plugins/$ws_version/epan"; done
cp "$plugin" "$work/with/.local/lib/wireshark/plugins/$ws_version/epan/tcplife.so"
ln -f "$capture" "$work/tcp.pcap" 2>/dev/null || cp "$capture" "$work/tcp.pcap"
ln -f "$udp_capture" "$work/udp.pcap" 2>/dev/null || cp "$udp_capture" "$work/udp.pcap"
editcap -r "$work/tcp.pcap" "$work/small.pcap" "1-$cgn"
chmod -R a+rX "$work"; chmod 755 "$work"
if [ "$(id -u)" = 0 ]; then
  chown -R 65534:65534 "$work"
  as_user() { local h=$1; shift; setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME="$h" XDG_CONFIG_HOME="$h/.config" "$@"; }
else
  as_user() { local h=$1; shift; env HOME="$h" XDG_CONFIG_HOME="$h/.config" "$@"; }
fi
# A tcplife.so in the global plugin folder (a system install) would be loaded in
# both runs and shadow the personal copy: then give both runs a private mirror of
# the global folder without it (WIRESHARK_PLUGIN_DIR, honoured for non-root users).
. "$(dirname "$(readlink -f "$0")")/../tests/plugin-mirror.sh"
mirror_global_plugins "$work/global-plugins" >/dev/null
export WIRESHARK_PLUGIN_DIR=$work/global-plugins
# Check that the two HOMEs really differ only by the plugin.
as_user "$work/with" tshark -G plugins 2>/dev/null | grep -q "tcplife.so.*$work/with/" \
  || { echo "bench: tshark does not load $plugin from the personal plugin folder" >&2; exit 1; }
if as_user "$work/without" tshark -G protocols 2>/dev/null | grep -q '^TCP Lifecycle'; then
  echo "bench: the plugin is loaded even with an empty plugin folder (installed system-wide?)" >&2
  exit 1
fi

pk=$(capinfos -M -c "$work/tcp.pcap" | awk '/Number of packets/{print $NF}')
pu=$(capinfos -M -c "$work/udp.pcap" | awk '/Number of packets/{print $NF}')
nstreams=$(as_user "$work/without" tshark -r "$work/tcp.pcap" -T fields -e tcp.stream 2>/dev/null | sort -un | tail -1)
echo "tshark $(tshark -v 2>/dev/null | head -1 | awk '{print $3}'), plugin $plugin"
echo "TCP capture: $capture ($pk packets, $((nstreams + 1)) connections); UDP capture: $pu packets"
echo "$(nproc) CPUs, $runs runs per cell (interleaved with/without), wall time median"
echo

# run_one VARIANT FILE ARGS... -> prints "seconds maxrss_kb"
run_one() {
  local v=$1 f=$2; shift 2
  local t0 t1
  t0=$(date +%s%N)
  as_user "$work/$v" /usr/bin/time -f '%M' -o "$work/time.out" tshark -r "$f" "$@" >/dev/null 2>"$work/err" \
    || { echo "bench: tshark failed:" >&2; cat "$work/err" >&2; exit 1; }
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 )) $(tail -1 "$work/time.out")"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-8s %-4s %12s %12s %7s %12s %12s %7s\n' mode cap "without(ms)" "with(ms)" ratio "RSS w/o(MB)" "RSS with(MB)" "RSS x"
bench_mode() { # NAME CAPFILE ARGS...
  local name=$1 f=$2; shift 2
  local tw=() tp=() rw=() rp=() i out
  run_one without "$f" "$@" >/dev/null; run_one with "$f" "$@" >/dev/null   # warm the page cache
  for i in $(seq "$runs"); do
    out=$(run_one without "$f" "$@"); tw+=("${out% *}"); rw+=("${out#* }")
    out=$(run_one with "$f" "$@");    tp+=("${out% *}"); rp+=("${out#* }")
  done
  local mw mp xw xp
  mw=$(printf '%s\n' "${tw[@]}" | median); mp=$(printf '%s\n' "${tp[@]}" | median)
  xw=$(printf '%s\n' "${rw[@]}" | sort -n | tail -1); xp=$(printf '%s\n' "${rp[@]}" | sort -n | tail -1)
  awk -v n="$name" -v c="$(basename "$f" .pcap)" -v mw="$mw" -v mp="$mp" -v xw="$xw" -v xp="$xp" 'BEGIN {
    printf "%-8s %-4s %12.0f %12.0f %7.3f %12.1f %12.1f %7.3f\n", n, c, mw, mp, mp/mw, xw/1024, xp/1024, xp/xw }'
  echo "$name $(basename "$f" .pcap) without: ${tw[*]} | with: ${tp[*]}" >>"$work/raw.txt"
}
bench_mode plain  "$work/tcp.pcap"
bench_mode 2pass  "$work/tcp.pcap" -2
bench_mode fields "$work/tcp.pcap" -T fields -e tcp.stream
bench_mode filter "$work/tcp.pcap" -Y 'tcp.flags.fin==1'
bench_mode plain  "$work/udp.pcap"
bench_mode 2pass  "$work/udp.pcap" -2
echo
echo "raw wall times (ms):"; sed 's/^/  /' "$work/raw.txt"

# ---- callgrind: instruction counts are repeatable ----------------------------
if [ $callgrind = 1 ]; then
  editcap -r "$work/udp.pcap" "$work/udpsmall.pcap" "1-$cgn"; chmod a+r "$work/udpsmall.pcap"
  np=$(capinfos -M -c "$work/small.pcap" | awk '/Number of packets/{print $NF}')
  echo
  echo "callgrind, instructions executed on $np packets (first cut of each capture); per packet ="
  echo "(run - the same run stopped after 1 packet) / $np, so tshark's start-up is left out:"
  printf '%-8s %-9s %14s %14s %7s %12s %12s %7s\n' mode cap "w/o total" "with total" ratio "w/o /pkt" "with /pkt" ratio
  cg() { # VARIANT TAG FILE ARGS... -> total Ir
    local v=$1 tag=$2 f=$3; shift 3
    as_user "$work/$v" valgrind --tool=callgrind --callgrind-out-file="$work/cg.$tag.$v" \
      tshark -r "$f" "$@" >/dev/null 2>"$work/cg.$tag.$v.err"
    awk '/^(summary|totals):/{print $2; exit}' "$work/cg.$tag.$v"
  }
  for m in plain 2pass fields filter udp; do
    case $m in
      plain) f=$work/small.pcap; a=() ;;
      2pass) f=$work/small.pcap; a=(-2) ;;
      fields) f=$work/small.pcap; a=(-T fields -e tcp.stream) ;;
      filter) f=$work/small.pcap; a=(-Y 'tcp.flags.fin==1') ;;
      udp) f=$work/udpsmall.pcap; a=() ;;
    esac
    iw=$(cg without $m "$f" "${a[@]}"); ip_=$(cg with $m "$f" "${a[@]}")
    sw=$(cg without $m-start "$f" -c 1 "${a[@]}"); sp=$(cg with $m-start "$f" -c 1 "${a[@]}")
    awk -v m="$m" -v w="$iw" -v p="$ip_" -v sw="$sw" -v sp="$sp" -v n="$np" -v c="$(basename "$f" .pcap)" \
      'BEGIN {printf "%-8s %-9s %14d %14d %7.3f %12.0f %12.0f %7.3f\n", m, c, w, p, p/w, (w-sw)/n, (p-sp)/n, (p-sp)/(w-sw)}'
  done
  echo
  echo "the plugin's own functions (plain mode, inclusive: with what they call in Wireshark):"
  callgrind_annotate --inclusive=yes --threshold=100 "$work/cg.plain.with" 2>/dev/null \
    | grep -E '^ *[0-9,]+ .*/plugin/[a-z_]+\.c:' | head -15 | sed 's/ \[.*//; s/^/  /' || true
fi

# ---- perf (optional) ---------------------------------------------------------
if [ $perf = 1 ]; then
  echo
  echo "perf, plain mode with the plugin: top symbols"
  perf record -q -g -o "$work/perf.data" -- setpriv --reuid=65534 --regid=65534 --clear-groups \
    env HOME="$work/with" tshark -r "$work/tcp.pcap" >/dev/null 2>&1 || true
  perf report -i "$work/perf.data" --no-children --sort dso,sym --stdio 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | grep '%' | head -30 | sed 's/^/  /'
fi
[ $keep = 0 ] || echo "kept: $work"
