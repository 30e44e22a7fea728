#!/usr/bin/env bash
# Show what tcplife adds to a capture, with the plugin as installed (by `make install`).
#   tools/demo.sh CAPTURE [field...]
set -euo pipefail
pcap=${1:?usage: demo.sh CAPTURE [field...]}; shift
fields=("$@")
[ ${#fields[@]} -gt 0 ] || fields=(frame.number tcp.stream tcp.srcport tcp.dstport tcp.flags.str
  tcplife.sender tcplife.step tcplife.state.client tcplife.state.server tcplife.conn.outcome)

line=$(tshark -G plugins 2>/dev/null | grep -P '^tcplife\.so\s' || true)
if [ -z "$line" ]; then
  echo "demo: tshark does not load tcplife.so (tshark -G plugins); folders:" >&2
  tshark -G folders >&2 || true
  exit 1
fi
echo "tshark loads the plugin: $line"
echo
echo "Lifecycle of $pcap (tshark -2 -T fields; empty cells shown as '-'):"
echo
args=()
for f in "${fields[@]}"; do args+=(-e "$f"); done
out=$(mktemp); err=$(mktemp); trap 'rm -f "$out" "$err"' EXIT
if ! tshark -r "$pcap" -2 -T fields -E header=y -E occurrence=f "${args[@]}" > "$out" 2> "$err"; then
  cat "$err" >&2; exit 1
fi
# Align the columns (no dependency on column(1); widths count UTF-8 characters).
awk -F'\t' '
  function w(s,  t) { t = s; gsub(/[\200-\277]/, "", t); return length(t) }
  function pad(n,  p) { p = ""; while (n-- > 0) p = p " "; return p }
  NR==FNR { for (i=1;i<=NF;i++) { v=($i==""?"-":$i); if (w(v)>W[i]) W[i]=w(v) } next }
  { s=""; for (i=1;i<=NF;i++) { v=($i==""?"-":$i); s = s v (i<NF ? pad(W[i]-w(v)+2) : "") } print s }' \
  "$out" "$out"
echo
# Two passes: verdicts are final, so no row is left at 0 by a moved connection.
if tshark -r "$pcap" -q -2 -z tcplife,tree > "$out" 2> "$err"; then
  echo "Statistics (tshark -q -2 -z tcplife,tree; in the GUI: Statistics > TCP Lifecycle):"
  # name and count only: the rate and burst columns say nothing here
  awk '/^Topic/ || /^-+$/ || /^=+$/ || !NF { next }
       { match($0, /^ */); indent = substr($0, 1, RLENGTH); n = split(substr($0, RLENGTH + 1), f, /  +/)
         if (n > 1 && f[2] ~ /^[0-9]+$/) printf "%-72s %s\n", indent f[1], f[2]; else print }' "$out"
fi
echo
if tshark -r "$pcap" -q -2 -z "flow,tcplife,network,tcp.stream == 0" > "$out" 2> "$err"; then
  echo "The first connection as a ladder (tshark -q -2 -z 'flow,tcplife,network,tcp.stream == 0';"
  echo "in the GUI: Statistics > Flow Graph, flow type TCP Lifecycle):"
  cat "$out"
fi
echo
echo "In the GUI: wireshark -C 'TCP Lifecycle' $pcap   (apt-get install wireshark-qt)"
