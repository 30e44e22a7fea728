#!/usr/bin/env python3
"""Every duration's `_seconds` twin holds the same time, in seconds.

  check_seconds_twins.py TSHARK_WRAPPER PLUGIN.so CAPTURES_DIR

Each relative-time field tcplife.X (shown as "0.5 seconds") has a hidden
FT_DOUBLE twin tcplife.X_seconds so that scripts and filters can compare it
with a number (`tcplife.conn.duration_seconds > 1`). For every such pair of
`tshark -G fields` and every lab capture, `tshark -2 -T fields` prints both
on the same packets with the same value (to the microsecond: the twin is a
double). Nine in ten twins must be seen with a non-zero value somewhere
(no lab capture gives the server of a simultaneous open a time in
SYN_SENT: its SYN_SENT is known only in two-pass, after the fact), or the
check proves little.
"""
import glob
import os
import subprocess
import sys

wrapper, plugin, captures = sys.argv[1:4]


def tshark(*args):
    r = subprocess.run([wrapper, plugin, *args], capture_output=True, text=True,
                       env=dict(os.environ, LC_ALL="C", TZ="UTC"))
    if r.returncode != 0:
        sys.exit("FAIL: tshark %s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()[:300]))
    return r.stdout


fields = {}
for line in tshark("-G", "fields").splitlines():
    f = line.split("\t")
    if len(f) >= 5 and f[0] == "F" and f[4] == "tcplife":
        fields[f[2]] = f[3]
pairs = [(a, a + "_seconds") for a, t in sorted(fields.items()) if t == "FT_RELATIVE_TIME"]
missing = [t for _, t in pairs if fields.get(t) != "FT_DOUBLE"]
if not pairs or missing:
    sys.exit("FAIL: %d relative-time fields; twins missing or not FT_DOUBLE: %s" % (len(pairs), missing))

fails, nonzero, compared = [], set(), 0
pcaps = sorted(glob.glob(os.path.join(captures, "*.pcap")))
for pcap in pcaps:
    args = ["-r", pcap, "-2", "-T", "fields", "-E", "occurrence=f", "-e", "frame.number"]
    for a, t in pairs:
        args += ["-e", a, "-e", t]
    for line in tshark(*args).splitlines():
        col = line.split("\t")
        col += [""] * (1 + 2 * len(pairs) - len(col))
        for k, (a, t) in enumerate(pairs):
            v, w = col[1 + 2 * k], col[2 + 2 * k]
            if not v and not w:
                continue
            compared += 1
            try:
                ok = v != "" and w != "" and abs(float(v) - float(w)) <= 1e-6
            except ValueError:
                ok = False
            if not ok:
                fails.append("%s frame %s: %s = %r, %s = %r" % (os.path.basename(pcap), col[0], a, v, t, w))
            elif float(w) != 0:
                nonzero.add(t)
for f in fails[:30]:
    print("FAIL " + f)
few = len(nonzero) * 10 < len(pairs) * 9
if few:
    print("FAIL only %d of %d twins seen with a non-zero value" % (len(nonzero), len(pairs)))
print("%d duration fields, %d captures, %d values compared, %d differ; %d twins non-zero somewhere (%s never)"
      % (len(pairs), len(pcaps), compared, len(fails), len(nonzero),
         ", ".join(t for _, t in pairs if t not in nonzero) or "none"))
sys.exit(1 if fails or few else 0)
