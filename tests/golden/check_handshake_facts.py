#!/usr/bin/env python3
"""Check tcplife.syn.* and tcplife.tfo.* against values computed here, from
Wireshark's own TCP fields (python3 stdlib only).

  check_handshake_facts.py --tshark WRAPPER --plugin tcplife.so PCAP... [--expect-cookie PCAP...]
                           [--same-clock PCAP...]

For every connection (grouped by tcplife.conn.first_frame) of every capture,
from the frames themselves:
  syn.retransmissions       SYNs without ACK from the client, minus one
  syn.synack_retransmissions SYN-ACKs from the server, minus one
  syn.answer / syn.wait     the first SYN-ACK or RST that answers; first SYN to
                            it (frame times), or to the last SYN when none
  syn.ignored_acks          client segments acknowledging the server's SYN
                            after which the server's next segment is a SYN-ACK
                            again or a bare RST
  tfo.cookie_request / tfo.cookie / tfo.syn_data_len / tfo.syn_data
                            tcp.options.tfo.* of the SYN and SYN-ACK, tcp.len
                            of the first SYN, tcp.ack of the SYN-ACK
  syn.cookie                true exactly on the connections of --expect-cookie
                            captures, and in --same-clock captures (loopback,
                            kernels before 4.10 without timestamp offsets) where
                            the only SYN-ACK's TSval is below the SYN's it answers
                            and carries Linux's cookie encoding of its own options
                            in its low 6 bits (wscale or 15, +16 SACK, +32 ECN);
                            nowhere else
  handshake.rtt / .server_rtt / .client_rtt
                            first SYN to the completing ACK / to the first SYN-ACK,
                            first SYN-ACK to the completing ACK (the first client ACK
                            of the server's SYN after the server's last SYN-ACK, unless
                            the server answers it with a bare RST), on
                            the packets from the later of the two on, absent before;
                            not checked on simultaneous opens
Values are two-pass (-2), on every packet of the connection.
"""
import argparse
import os
import collections
import sys

from field_rows import field_rows

F = ["frame.number", "frame.time_epoch", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack",
     "tcp.flags.reset", "tcp.len", "tcp.seq", "tcp.ack", "tcp.options.tfo.request",
     "tcp.options.tfo.cookie", "tcp.options.timestamp.tsval", "tcp.options.wscale.shift",
     "tcp.options.sack_perm", "tcp.flags.ece", "tcplife.conn.first_frame", "tcplife.sender", "tcplife.step",
     "tcplife.syn.retransmissions", "tcplife.syn.synack_retransmissions", "tcplife.syn.answer",
     "tcplife.syn.wait", "tcplife.syn.ignored_acks", "tcplife.syn.cookie",
     "tcplife.tfo.cookie_request", "tcplife.tfo.cookie", "tcplife.tfo.syn_data_len",
     "tcplife.tfo.syn_data", "tcplife.simultaneous_open", "tcplife.handshake.rtt",
     "tcplife.handshake.server_rtt", "tcplife.handshake.client_rtt"]
RTTS = ["tcplife.handshake.rtt", "tcplife.handshake.server_rtt", "tcplife.handshake.client_rtt"]
FACTS = [f for f in F if f.startswith("tcplife.syn.") or f.startswith("tcplife.tfo.")]


def rows_of(args, pcap):
    return field_rows(args, pcap, F, "-2", "-o", "tcp.relative_sequence_numbers:TRUE", "-Y", "tcp && !icmp && !icmpv6")


def norm_bool(v):
    return "1" if v in ("1", "True", "true") else ""


def linux_cookie_encoding(synack):
    """The low 6 bits a Linux SYN cookie puts in the SYN-ACK's TSval
    (net/ipv4/syncookies.c cookie_init_timestamp), or None without TS."""
    if not synack["tcp.options.timestamp.tsval"]:
        return None
    ws = synack["tcp.options.wscale.shift"]
    opts = int(ws) if ws else 0xf
    if synack["tcp.options.sack_perm"]:
        opts |= 0x10
    if synack["tcp.flags.ece"] == "1":
        opts |= 0x20
    return opts


def syn(r):
    return r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "0"


def synack(r):
    return r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "1"


def expected(conn):
    """The facts from the frames of one connection."""
    client_syns = [r for r in conn if syn(r) and r["tcplife.sender"] == "client"]
    synacks = [r for r in conn if synack(r) and r["tcplife.sender"] == "server"]
    exp = {}
    if client_syns:
        exp["tcplife.syn.retransmissions"] = str(len(client_syns) - 1)
        first = client_syns[0]
        answer, when = "none", float(client_syns[-1]["frame.time_epoch"])
        for r in conn:
            if r["tcplife.sender"] != "server":
                continue
            if synack(r):
                answer, when = "syn_ack", float(r["frame.time_epoch"])
                break
            if r["tcp.flags.reset"] == "1" and r["tcp.flags.ack"] == "1" and r["tcp.ack"] == "1":
                answer, when = "rst", float(r["frame.time_epoch"])
                break
        exp["tcplife.syn.answer"] = answer
        if when >= float(first["frame.time_epoch"]):  # else reordered: no wait shown
            exp["tcplife.syn.wait"] = "%.6f" % (when - float(first["frame.time_epoch"]))
        exp["tcplife.tfo.cookie_request"] = norm_bool(first["tcp.options.tfo.request"])
        if int(first["tcp.len"] or 0):
            exp["tcplife.tfo.syn_data_len"] = first["tcp.len"]
    if synacks:
        exp["tcplife.syn.synack_retransmissions"] = str(len(synacks) - 1)
    cookie = ""
    for r in synacks[:1] + client_syns[:1]:
        cookie = cookie or r["tcp.options.tfo.cookie"].replace(":", "")
    if cookie:
        exp["tcplife.tfo.cookie"] = cookie
    if client_syns and not synacks and int(client_syns[0]["tcp.len"] or 0):
        exp["tcplife.tfo.syn_data"] = "unanswered"
    if client_syns and synacks and int(client_syns[0]["tcp.len"] or 0):
        data = int(client_syns[0]["tcp.len"])
        exp["tcplife.tfo.syn_data"] = "accepted" if synacks[0]["tcp.ack"] == str(1 + data) else "not_accepted"
    # third ACKs the server answered as if they never came
    ignored = 0
    pending = False
    for r in conn:
        if r["tcplife.sender"] == "client" and r["tcp.flags.syn"] == "0" and r["tcp.flags.ack"] == "1" \
                and synacks and r["tcp.ack"] == "1" and r["tcp.seq"] in ("1", str(1 + int(client_syns[0]["tcp.len"] or 0) if client_syns else "1")):
            pending = True
        elif r["tcplife.sender"] == "server" and pending:
            if synack(r) or (r["tcp.flags.reset"] == "1" and r["tcp.flags.ack"] == "0"):
                ignored += 1
            pending = False
        if r["tcp.flags.reset"] == "1":
            break  # the connection is over: later segments answer nothing
    if ignored:
        exp["tcplife.syn.ignored_acks"] = str(ignored)
    if len(synacks) == 1 and client_syns and linux_cookie_encoding(synacks[0]) is not None and \
            client_syns[-1]["tcp.options.timestamp.tsval"]:
        tsval = int(synacks[0]["tcp.options.timestamp.tsval"])
        before_syn = (tsval - int(client_syns[-1]["tcp.options.timestamp.tsval"])) % 2**32 >= 2**31
        exp["encoded_cookie"] = before_syn and tsval % 64 == linux_cookie_encoding(synacks[0])
    return exp


def expected_rtts(conn):
    """{rtt field: (from frame, seconds)} from the frames of one connection."""
    syns = [r for r in conn if syn(r) and r["tcplife.sender"] == "client"]
    synacks = [r for r in conn if synack(r) and r["tcplife.sender"] == "server"]
    if not syns or not synacks:
        return {}
    t = lambda r: float(r["frame.time_epoch"])
    n = lambda r: int(r["frame.number"])
    last_synack = n(synacks[-1])
    later = [r for r in conn if n(r) > last_synack]
    # the first ACK of the server's SYN (relative ack 1 and up: it may ack data and a FIN too)
    i, ack = next(((i, r) for i, r in enumerate(later) if r["tcplife.sender"] == "client"
                   and r["tcp.flags.syn"] == "0" and r["tcp.flags.ack"] == "1"
                   and r["tcp.flags.reset"] == "0" and int(r["tcp.ack"] or 0) >= 1), (None, None))
    if ack is not None:
        answer = next((x for x in later[i + 1:] if x["tcplife.sender"] == "server"), None)
        if answer and answer["tcp.flags.reset"] == "1" and answer["tcp.flags.ack"] == "0":
            ack = None  # refused by a reset from SYN_RECEIVED (full accept queue): never completed
    exp = {"tcplife.handshake.server_rtt": (n(synacks[0]), t(synacks[0]) - t(syns[0]))}
    if ack is not None:
        exp["tcplife.handshake.rtt"] = (n(ack), t(ack) - t(syns[0]))
        exp["tcplife.handshake.client_rtt"] = (n(ack), t(ack) - t(synacks[0]))
    return exp


def fmt_wait(v):
    return "%.6f" % float(v) if v else ""


def check(args, pcap, want_cookie, same_clock):
    errors = []
    conns = collections.OrderedDict()
    for r in rows_of(args, pcap):
        if r["tcplife.conn.first_frame"]:
            conns.setdefault(r["tcplife.conn.first_frame"], []).append(r)
    checked = 0
    for first, conn in conns.items():
        exp = expected(conn)
        encoded = exp.pop("encoded_cookie", False)
        cookie = (want_cookie and "tcplife.syn.answer" in exp) or (same_clock and encoded)
        exp["tcplife.syn.cookie"] = "1" if cookie else ""
        # not checked on simultaneous opens
        rtts = None if any(r["tcplife.simultaneous_open"] for r in conn) else expected_rtts(conn)
        for r in conn:
            for f in RTTS if rtts is not None else ():
                frame, want = rtts.get(f, (None, None))
                got = r[f]
                if frame is None or int(r["frame.number"]) < frame:
                    if got:
                        errors.append("%s: connection %s frame %s: %s = %r, expected none" % (
                            pcap, first, r["frame.number"], f, got))
                elif not got or abs(float(got) - want) > 2e-6:
                    errors.append("%s: connection %s frame %s: %s = %r, expected %.6f" % (
                        pcap, first, r["frame.number"], f, got, want))
                checked += 1
            for f in FACTS:
                got = r[f]
                if f in ("tcplife.syn.cookie", "tcplife.tfo.cookie_request"):
                    got = norm_bool(got)
                if f == "tcplife.syn.wait":
                    got = fmt_wait(got)
                want = exp.get(f, "")
                if f == "tcplife.syn.wait" and got and want and abs(float(got) - float(want)) <= 2e-6:
                    continue  # frame.time_epoch is a rounded float
                if got != want:
                    errors.append("%s: connection %s frame %s: %s = %r, expected %r" % (
                        pcap, first, r["frame.number"], f, got, want))
                checked += 1
    return errors, len(conns), checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--expect-cookie", nargs="*", default=[])
    ap.add_argument("--same-clock", nargs="*", default=[])
    ap.add_argument("pcaps", nargs="*")
    a = ap.parse_args()
    errors, conns, values = [], 0, 0
    # rewritten_syn_ack: the SYN-ACKs come from a rewritten 4-tuple that the
    # client resets each time; tcplife counts them after that reset, not as
    # retransmissions of an open handshake (tests/forensics checks this capture).
    pcaps = [p for p in a.pcaps if not os.path.basename(p).startswith("rewritten_syn_ack.")]
    for p in pcaps + a.expect_cookie + a.same_clock:
        e, n, v = check(a, p, p in a.expect_cookie, p in a.same_clock)
        errors += e
        conns += n
        values += v
    for e in errors[:50]:
        print("FAIL " + e)
    summary = collections.Counter(e.split(": ")[0] + ": " + e.split(": ")[2].split(" = ")[0] for e in errors)
    for k, n in sorted(summary.items()):
        print("  %6d x %s" % (n, k))
    print("%d capture(s), %d connection(s), %d value(s) checked, %d wrong" % (
        len(pcaps) + len(a.expect_cookie) + len(a.same_clock), conns, values, len(errors)))
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
