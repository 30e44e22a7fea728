#!/usr/bin/env bash
# tests/versions/smoke.sh PLUGIN.so TSHARK_WRAPPER CAPTURES_DIR
set -euo pipefail
so=$1 tshark=$2 caps=$3
fail() { echo "FAIL: $*"; exit 1; }
echo "tshark: $(tshark -v | sed -n 1p)"

plugins=$("$tshark" "$so" -G plugins 2>&1)
line=$(echo "$plugins" | grep -P '^tcplife\.so\s' || true)
[ -n "$line" ] || { echo "$plugins"; fail "tshark -G plugins does not list tcplife.so"; }
echo "$line"
# 4.4+ take the type from plugin_describe(); without it the type is 'unknown'.
grep -Pq '\tdissector' <<<"$line" || fail "plugin type is not 'dissector' (plugin_describe missing on 4.4+?)"

fields=$("$tshark" "$so" -G fields 2>/dev/null)
for f in tcplife.phase tcplife.step tcplife.state.client tcplife.state.server tcplife.conn.outcome; do
  grep -Pq "\t$f\t" <<<"$fields" || fail "field $f not registered"
done
echo "fields: $(echo "$fields" | grep -cP '\ttcplife\.') tcplife.* fields registered"

pcap="$caps/normal_close.client.pcap"
if [ -r "$pcap" ]; then
  steps=$("$tshark" "$so" -r "$pcap" -2 -T fields -e tcplife.step 2>/dev/null | paste -sd' ' -)
  echo "steps: $steps"
  case " $steps " in
    *" syn syn_ack handshake_ack "*" fin_active "*" last_ack "*) ;;
    *) fail "unexpected steps for normal_close" ;;
  esac
else
  echo "(no $pcap: capture check skipped)"
fi
echo PASS
