#!/usr/bin/env python3
"""Quick sweep for forged-RST false alarms (python3 stdlib only).

  rst_sweep.py TSHARK_WRAPPER PLUGIN.so DIR [DIR ...] [--allow-capture PREFIX ...]
               [--allow DIR/CAPTURE:FRAME ...] [--verbose]

Runs `tshark -2` once per capture under each DIR (captures/ and the public
corpus) and counts the RSTs and those tcplife suspects of not coming from the
endpoint they name (tcplife.rst.suspect_injected). Every suspicion is printed
with its evidence; the test fails on any outside the captures named with
--allow-capture (the lab's firewall scenarios, where the router did send them;
tests/forensics/check_rst_lab.py checks each of their RSTs one by one) and the
RSTs named with --allow (a public capture where a middlebox did send it: the
caller says how that is known).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus"))
import corpus_common  # noqa: E402

FIELDS = ["frame.number", "tcp.stream", "ip.ttl", "ipv6.hlim", "tcplife.rst.kind",
          "tcplife.rst.suspect_injected", "tcplife.rst.evidence", "tcplife.rst.ttl_delta",
          "tcplife.rst.ip_id_gap", "tcplife.rst.sender_continued"]


def main(argv):
    args, allow, allow_frames, verbose = [], set(), set(), False
    it = iter(argv[1:])
    for a in it:
        if a == "--allow-capture":
            allow.add(next(it))
        elif a == "--allow":
            allow_frames.add(next(it))
        elif a == "--verbose":
            verbose = True
        else:
            args.append(a)
    wrapper, plugin, dirs = args[0], args[1], args[2:]
    files = rsts = suspects = 0
    per_dir = {}
    unexpected = []
    for d in dirs:
        if not os.path.isdir(d):
            print("SKIP: %s not found" % d)
            continue
        with corpus_common.Workspace(d) as ws:
            for rel in corpus_common.list_captures(d):
                args = corpus_common.fields_args(ws.path(rel), FIELDS, two_pass=True,
                                                 extra=["-Y", 'tcplife.step == "rst"'])
                rc, out, err = corpus_common.tshark(wrapper, plugin, args)
                files += 1
                name = os.path.join(os.path.basename(os.path.normpath(d)), rel)
                for row in corpus_common.parse_fields(out, FIELDS):
                    f = {k: ",".join(v) for k, v in row.items()}
                    rsts += 1
                    counts = per_dir.setdefault(d, [0, 0])
                    counts[0] += 1
                    key = "%s:%s" % (name, f["frame.number"])
                    allowed = any(os.path.basename(rel).startswith(p) for p in allow) or key in allow_frames
                    if f["tcplife.rst.suspect_injected"] == "1":
                        suspects += 1
                        counts[1] += 1
                        print("suspect %s stream %s kind %s evidence %s ttl_delta %s ip_id_gap %s "
                              "continued %s%s" % (key, f["tcp.stream"], f["tcplife.rst.kind"],
                                                  f["tcplife.rst.evidence"], f["tcplife.rst.ttl_delta"],
                                                  f["tcplife.rst.ip_id_gap"], f["tcplife.rst.sender_continued"],
                                                  " (expected: a middlebox sent it)" if allowed else ""))
                        if not allowed:
                            unexpected.append(key)
                    elif verbose:
                        print("rst %s evidence %s" % (key, f["tcplife.rst.evidence"]))
    for d, (n, k) in per_dir.items():
        print("%s: %d RSTs, %d suspected" % (d, n, k))
    print("%d captures, %d RSTs, %d suspected injected, %d not allowed" % (files, rsts, suspects, len(unexpected)))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
