#!/usr/bin/env python3
"""Forged-RST evidence and rewritten-address SYN-ACKs on the forensics lab
captures (tests/lab/lab_forensics.py; syn_scan_same_isn from lab_holes2.py),
python3 stdlib only.

  check_rst_lab.py TSHARK_WRAPPER PLUGIN.so CAPTURES_DIR

Each RST is found by what it is on the wire (its source, TTL, flags), never by
frame number, and must carry exactly the verdict written here; every check can
fail (a RST the router sent must be suspected, one a kernel sent must not).
"""
import subprocess
import sys

C4, S4, VIP = "192.0.2.2", "198.51.100.2", "203.0.113.10"
FIELDS = ["frame.number", "ip.src", "ip.ttl", "tcp.stream", "tcplife.rst.suspect_injected",
          "tcplife.rst.evidence", "tcplife.rst.ttl_expected", "tcplife.rst.ttl_delta",
          "tcplife.rst.ip_id_gap", "tcplife.rst.sender_continued", "tcplife.rst.both_ways",
          "tcplife.conn.rewritten.role", "tcplife.conn.rewritten.frame", "tcplife.conn.first_frame",
          "_ws.expert.message"]
# (capture, display filter selecting frames, {field: value}, ("" = absent), why)
ROUTER_RST_TO_CLIENT = "ip.src==%s && tcp.flags.reset==1 && ip.ttl==64" % S4
ROUTER_RST_TO_SERVER = "ip.src==%s && tcp.flags.reset==1 && ip.ttl==64" % C4
EXPECT = [
    ("fw_reset.client", ROUTER_RST_TO_CLIENT,
     {"tcplife.rst.suspect_injected": "1", "tcplife.rst.evidence": "ttl,sender_continued",
      "tcplife.rst.ttl_expected": "63", "tcplife.rst.ttl_delta": "1", "tcplife.rst.sender_continued": "1"},
     "the router's RST in the server's name: one hop less than the server's packets, and the server "
     "sends data after it"),
    ("fw_reset.client", "ip.src==%s && tcp.flags.reset==1" % C4,
     {"tcplife.rst.suspect_injected": "", "tcplife.rst.evidence": "ip_id", "tcplife.rst.ttl_delta": "0",
      "tcplife.rst.sender_continued": ""},
     "the client kernel's answer to the server's data (no socket: IP ID 0), same TTL as the client's"),
    ("fw_reset.server", "tcp.flags.reset==1",
     {"tcplife.rst.suspect_injected": "", "tcplife.rst.ttl_expected": "63", "tcplife.rst.ttl_delta": "0"},
     "the server only sees the client kernel's real RST"),
    ("fw_reset_both.client", ROUTER_RST_TO_CLIENT,
     {"tcplife.rst.suspect_injected": "1", "tcplife.rst.ttl_delta": "1"},
     "the router answers the client's FIN in the server's name"),
    ("fw_reset_both.server", ROUTER_RST_TO_SERVER,
     {"tcplife.rst.suspect_injected": "1", "tcplife.rst.ttl_delta": "1"},
     "the router answers the server's FIN in the client's name"),
    ("fw_reset_both.middle", "tcp.flags.reset==1",
     {"tcplife.rst.suspect_injected": "1", "tcplife.rst.both_ways": "1", "tcplife.rst.ttl_delta": "1"},
     "behind the router both RSTs are seen, one to each endpoint at the same moment"),
    ("rewritten_syn_ack.client", "ip.src==%s && tcp.flags.syn==1 && tcp.flags.ack==1" % S4,
     {"tcplife.conn.rewritten.role": "syn_ack"},
     "the SYN-ACK from the server's own address answers the SYN sent to the VIP"),
    ("rewritten_syn_ack.client", "ip.dst==%s && tcp.flags.syn==1" % VIP,
     {"tcplife.conn.rewritten.role": "syn"},
     "the SYN to the VIP was answered from another address"),
    ("rewritten_syn_ack.server", "tcp", {"tcplife.conn.rewritten.role": ""},
     "behind the rewriting, the server sees one ordinary 4-tuple"),
    # a SYN scan with one ISN for every port: the SYN-ACK acknowledges its own
    # connection's ISN + 1, which is also ISN + 1 of the unanswered SYNs on the
    # other ports; it must not be taken for an answer from a rewritten address
    ("syn_scan_same_isn.client", "tcp.flags.syn==1 && tcp.flags.ack==1 && frame.number==4",
     {"tcplife.conn.rewritten.role": ""},
     "the SYN-ACK of 8059 arrives after all three SYNs (same ISN), two of them unanswered then"),
    ("syn_scan_same_isn.client", "tcp", {"tcplife.conn.rewritten.role": ""},
     "three ordinary connections of a SYN scan (one fixed ISN): nothing rewritten"),
    ("syn_scan_same_isn.server", "tcp", {"tcplife.conn.rewritten.role": ""},
     "the scan seen at the server: nothing rewritten"),
]


def rows(wrapper, plugin, pcap, flt):
    cmd = [wrapper, plugin, "-2", "-n", "-r", pcap, "-Y", flt, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=|"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
    result = []
    for line in out.splitlines():
        cols = line.split("\t") + [""] * len(FIELDS)
        # one value per field, but every expert message
        result.append({f: cols[i] if f == "_ws.expert.message" else cols[i].split("|")[0]
                       for i, f in enumerate(FIELDS)})
    return result


def main(argv):
    wrapper, plugin, captures = argv[1:4]
    bad = checks = 0
    streams = {}
    for cap, flt, want, why in EXPECT:
        got = rows(wrapper, plugin, "%s/%s.pcap" % (captures, cap), flt)
        checks += 1
        if not got:
            print("FAIL %s [%s]: no such frame (%s)" % (cap, flt, why))
            bad += 1
            continue
        for r in got:
            streams.setdefault(cap, {}).setdefault(want.get("tcplife.conn.rewritten.role", ""), r)
            for k, v in want.items():
                checks += 1
                value = {"True": "1", "False": "0"}.get(r[k], r[k])
                if value != v:
                    print("FAIL %s frame %s: %s = %r, want %r (%s)" % (cap, r["frame.number"], k, value, v, why))
                    bad += 1
    # the two halves of the rewritten handshake name each other
    halves = streams.get("rewritten_syn_ack.client", {})
    if "syn" in halves and "syn_ack" in halves:
        checks += 2
        if halves["syn"]["tcplife.conn.rewritten.frame"] != halves["syn_ack"]["tcplife.conn.first_frame"] or \
           halves["syn_ack"]["tcplife.conn.rewritten.frame"] != halves["syn"]["tcplife.conn.first_frame"]:
            print("FAIL rewritten_syn_ack.client: the halves do not name each other's first frame")
            bad += 1
        if "SYN-ACK from a rewritten address" not in halves["syn_ack"]["_ws.expert.message"]:
            print("FAIL rewritten_syn_ack.client: no expert info on the SYN-ACK")
            bad += 1
    print("%d checks, %d failed" % (checks, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
