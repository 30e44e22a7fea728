#!/usr/bin/env python3
"""A capture that lacks one SYN keeps its RSTs' verdicts.

A capture point misses a SYN when tcpdump starts between the SYN and the
SYN-ACK, or when the SYN takes another path. The window scale the missing
SYN announced is then unknown, and RFC 7323 2.2 scales only when both SYNs
carried the option: tcplife must then take a window as the largest it can
be (<< 14), never as the bare field, or an RST that lands beyond the field
but inside the scaled window turns from a reset into an ignored one.

For each capture, editcap deletes the client's SYN (then, in a second copy,
the server's SYN-ACK) and, single pass and -2, every RST must keep the kind
and the states after it that it has in the whole capture. At least one
capture must have an RST beyond its receiver's unscaled window field
(rst_abort_in_flight.client: 14480 bytes beyond a field of 128), or the
check proves nothing; that is asserted too.

  check_missing_syn.py --tshark WRAPPER --plugin SO PCAP...
"""
import argparse
import os
import shutil
import subprocess
import sys

from field_rows import ENV, editcap_workspace, field_rows

F = ["frame.number", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.seq_raw", "tcp.srcport",
     "tcp.ack_raw", "tcp.window_size_value", "tcplife.rst.kind", "tcplife.state.client", "tcplife.state.server"]


def rows_of(args, pcap, two_pass):
    return field_rows(args, pcap, F, "-n", "-o", "tcp.relative_sequence_numbers:FALSE", *(["-2"] if two_pass else []))


def flag(row, name):
    return row[name] in ("1", "True")


def beyond_field(rows):
    """Is some RST beyond its receiver's last ACK plus the bare window field?"""
    last = {}
    for r in rows:
        if flag(r, "tcp.flags.reset"):
            peer = [v for k, v in last.items() if k != r["tcp.srcport"]]
            if peer:
                ack, field = peer[0]
                if 0 < (int(r["tcp.seq_raw"]) - ack) % 2 ** 32 < 2 ** 31 and \
                        (int(r["tcp.seq_raw"]) - ack) % 2 ** 32 >= field:
                    return True
        elif flag(r, "tcp.flags.ack") and not flag(r, "tcp.flags.syn"):
            last[r["tcp.srcport"]] = (int(r["tcp.ack_raw"]), int(r["tcp.window_size_value"]))
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("pcaps", nargs="+")
    args = ap.parse_args()
    editcap, tmp = editcap_workspace("tcplife-nosyn.")
    errors, checked, with_teeth = [], 0, 0
    try:
        for pcap in args.pcaps:
            name = os.path.basename(pcap)
            full1 = rows_of(args, pcap, False)
            with_teeth += beyond_field(full1)
            for missing, want_ack in (("SYN", False), ("SYN-ACK", True)):
                drop = [r["frame.number"] for r in full1
                        if flag(r, "tcp.flags.syn") and flag(r, "tcp.flags.ack") == want_ack]
                if len(drop) != 1:
                    errors.append("%s: %d %s frames, want 1" % (name, len(drop), missing))
                    continue
                cut = os.path.join(tmp, "no-%s.%s" % (missing, name))
                subprocess.run([editcap, pcap, cut, drop[0]], check=True, env=ENV)
                os.chmod(cut, 0o644)
                for two_pass in (False, True):
                    label = "%s without its %s (frame %s), %s" % (name, missing, drop[0],
                                                                  "-2" if two_pass else "single pass")
                    full = full1 if not two_pass else rows_of(args, pcap, True)
                    rsts = [r for r in full if flag(r, "tcp.flags.reset")]
                    rsts_cut = [r for r in rows_of(args, cut, two_pass) if flag(r, "tcp.flags.reset")]
                    errs = []
                    if not rsts or len(rsts) != len(rsts_cut):
                        errs.append("%s: %d RSTs, whole capture %d" % (label, len(rsts_cut), len(rsts)))
                    for a, b in zip(rsts, rsts_cut):
                        for f in ("tcplife.rst.kind", "tcplife.state.client", "tcplife.state.server"):
                            if a[f] != b[f]:
                                errs.append("%s: RST (frame %s whole) %s is %r, whole capture %r"
                                            % (label, a["frame.number"], f, b[f], a[f]))
                    errors += errs
                    checked += 1
                    print("%s: %s" % (label, "FAIL" if errs else "ok"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not with_teeth:
        errors.append("no capture has an RST beyond its receiver's unscaled window field")
    for e in errors[:40]:
        print("FAIL " + e)
    print("%d cut captures checked (%d with an RST beyond the bare field), %d errors"
          % (checked, with_teeth, len(errors)))
    sys.exit(1 if errors or not checked else 0)


if __name__ == "__main__":
    main()
