#!/usr/bin/env python3
"""Short ICMP quotes and short snapshot lengths, on the real ICMP lab captures.

An ICMP error quotes the offending segment's TCP header, but a capture cut
short by tcpdump -s (or an old router quoting only 8 bytes) leaves fewer bytes
of it. Wireshark's TCP reads such a quote, and gives it a stream, as soon as
16 bytes (up to the window) are there. So must tcplife: a quote of 16-19 bytes
is an icmp_quote packet of its connection; one of 14 bytes gets no tcplife
tree. (Wireshark 4.0 and 4.4 give a 14-byte quote no TCP stream; 4.6 gives it
one before it finds the header cut short. tcplife keeps the same 16-byte rule
on every version, so that one capture reads the same everywhere.)

For each capture, editcap -s cuts every frame so that the ICMP errors keep
exactly 14, 16, 18 and 19 bytes of the quoted TCP header (the data segments
lose their payload bytes too, but keep their reported lengths, as with any
short snaplen). Then, single pass and -2:
  * every frame that is not an ICMP error gets the same tcplife fields as in
    the uncut capture (nothing is lost elsewhere);
  * with >= 16 quoted bytes the ICMP errors are icmp_quote packets of the
    connection (tcp.stream as in the uncut capture);
  * with 14 they carry no tcplife tree, and a TCP stream only where this
    Wireshark gives one (4.6), never one other than the uncut capture's.

  check_short_quotes.py --tshark WRAPPER --plugin SO PCAP...
"""
import argparse
import os
import shutil
import subprocess
import sys

from field_rows import ENV, editcap_workspace, field_rows

F = ["frame.number", "frame.protocols", "tcp.stream", "tcplife.step", "tcplife.sender",
     "tcplife.state.client", "tcplife.state.server", "tcplife.conn.outcome",
     "tcplife.conn.history", "tcplife.conn.close_style", "tcplife.closer", "tcplife.phase"]


def rows_of(args, pcap, two_pass):
    return field_rows(args, pcap, F, "-n", *(["-2"] if two_pass else []))


def is_icmp_error(row):
    layers = row["frame.protocols"].split(":")
    return "icmp" in layers or "icmpv6" in layers


def quote_offset(row):
    """Bytes before the quoted TCP header of an ICMP error frame (Ethernet,
    outer IP, ICMP, quoted IP; no extension headers in the lab)."""
    layers = row["frame.protocols"].split(":")
    if layers[:2] != ["eth", "ethertype"]:
        raise SystemExit("unexpected link layer %s" % row["frame.protocols"])
    if "icmpv6" in layers:
        return 14 + 40 + 8 + 40
    return 14 + 20 + 8 + 20


def compare(full, cut, quoted, label):
    errors = []
    if len(full) != len(cut):
        return ["%s: %d frames, uncut %d" % (label, len(cut), len(full))]
    n_icmp = 0
    for a, b in zip(full, cut):
        num = a["frame.number"]
        if not is_icmp_error(a):
            for f in F[2:]:
                if a[f] != b[f]:
                    errors.append("%s frame %s: %s is %r, uncut %r" % (label, num, f, b[f], a[f]))
            continue
        n_icmp += 1
        if quoted >= 16:
            if b["tcplife.step"] != "icmp_quote" or b["tcp.stream"] != a["tcp.stream"] or not a["tcp.stream"]:
                errors.append("%s frame %s: step %r stream %r, want icmp_quote of stream %r"
                              % (label, num, b["tcplife.step"], b["tcp.stream"], a["tcp.stream"]))
        elif b["tcplife.step"] or b["tcp.stream"] not in ("", a["tcp.stream"]):
            errors.append("%s frame %s: step %r stream %r, want no tcplife (and no stream or %r)"
                          % (label, num, b["tcplife.step"], b["tcp.stream"], a["tcp.stream"]))
    if not n_icmp:
        errors.append("%s: no ICMP error frame" % label)
    return errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("pcaps", nargs="+")
    args = ap.parse_args()
    editcap, tmp = editcap_workspace("tcplife-quotes.")
    errors = []
    checked = 0
    try:
        for pcap in args.pcaps:
            name = os.path.basename(pcap)
            for two_pass in (False, True):
                full = rows_of(args, pcap, two_pass)
                offsets = {quote_offset(r) for r in full if is_icmp_error(r)}
                if len(offsets) != 1:
                    errors.append("%s: ICMP quote offsets %s" % (name, sorted(offsets)))
                    continue
                offset = offsets.pop()
                for quoted in (14, 16, 18, 19):
                    cut = os.path.join(tmp, "s%d.%s" % (quoted, name))
                    subprocess.run([editcap, "-s", str(offset + quoted), pcap, cut], check=True, env=ENV)
                    os.chmod(cut, 0o644)
                    label = "%s %s, %d quoted bytes" % (name, "-2" if two_pass else "single pass", quoted)
                    errs = compare(full, rows_of(args, cut, two_pass), quoted, label)
                    errors += errs
                    checked += 1
                    print("%s: %s" % (label, "FAIL" if errs else "ok"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for e in errors[:40]:
        print("FAIL " + e)
    print("%d cut captures checked, %d errors" % (checked, len(errors)))
    sys.exit(1 if errors or not checked else 0)


if __name__ == "__main__":
    main()
