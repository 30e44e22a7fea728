#!/usr/bin/env python3
"""The facts of a connection (tcplife.conn.client.* / .server.*) against what
is measured independently (python3 stdlib only).

  check_facts.py TSHARK_WRAPPER PLUGIN.so CAPTURES_DIR [SCENARIO ...]

For every lab capture (S.client.pcap, S.server.pcap with S.kernel.log), per
connection (tcplife.conn.first_frame) and endpoint:
  packets, bytes     the frames it sent and the sum of their tcp.len (TCP's fields)
  retransmissions    the frames TCP's analysis flags as retransmissions
                     (tcp.analysis.retransmission / fast_ / spurious_)
  syn_options        its SYN's options as TCP decodes them (mss_val, wscale.shift,
                     option kinds 4, 8, 34/254) and the ECE/CWR flags
  time.<state>       the kernel's own state changes (sock:inet_sock_set_state in
                     S.kernel.log, monotonic clock: differences only), for every
                     state the endpoint left before the end; SYN_RECEIVED of the
                     server (a request sock, never traced) against the frames:
                     its SYN-ACK to the segment that completed the handshake. The
                     kernel's times are those of the capture's own host (by address:
                     the SPEC's client of a capture need not be it). Captured
                     mid-connection, the first packet's state began before the
                     capture: its time is at most the kernel's.
"""
import os
import re
import subprocess
import sys

FIELDS = ["frame.number", "frame.time_epoch", "tcp.len", "tcp.seq", "tcp.ack", "tcp.flags.fin", "tcp.flags.syn", "tcp.flags.ack",
          "tcp.flags.reset", "tcp.flags.ece", "tcp.flags.cwr", "tcp.options.mss_val",
          "tcp.options.wscale.shift", "tcp.option_kind", "tcp.analysis.retransmission",
          "tcp.analysis.fast_retransmission", "tcp.analysis.spurious_retransmission",
          "tcp.analysis.out_of_order",
          "ip.src", "ipv6.src", "tcplife.roles_inferred", "tcplife.state.client", "tcplife.state.server",
          "tcplife.sender", "tcplife.conn.first_frame", "tcplife.handshake.step",
          "tcplife.conn.state.client", "tcplife.conn.state.server"]
ROLES = ("client", "server")
TIMED = ["SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT",
         "CLOSING", "LAST_ACK"]
for r in ROLES:
    FIELDS += ["tcplife.conn.%s.%s" % (r, f) for f in ("packets", "bytes", "retransmissions", "syn_options")]
    FIELDS += ["tcplife.conn.%s.time.%s" % (r, s.lower()) for s in TIMED]
KSTATE = {"TCP_ESTABLISHED": "ESTABLISHED", "TCP_SYN_SENT": "SYN_SENT", "TCP_SYN_RECV": "SYN_RECEIVED",
          "TCP_FIN_WAIT1": "FIN_WAIT_1", "TCP_FIN_WAIT2": "FIN_WAIT_2", "TCP_CLOSE": "CLOSED",
          "TCP_CLOSE_WAIT": "CLOSE_WAIT", "TCP_LAST_ACK": "LAST_ACK", "TCP_LISTEN": "LISTEN",
          "TCP_CLOSING": "CLOSING"}
TRACE_RE = re.compile(r"\s(\d+\.\d+): inet_sock_set_state: .* sport=(\d+) dport=(\d+) .*"
                      r"oldstate=(\S+) newstate=(\S+)")
TOLERANCE = 0.003  # seconds: capture timestamps and tracepoint times of one host
# each capture's own host (by the SPEC's roles a capture's "client" need not be it:
# in a simultaneous open each capture's client is the host that captured)
HOST = {"client": ("192.0.2.2", "2001:db8:1::2"), "server": ("198.51.100.2", "2001:db8:2::2")}
checks = 0


def tshark(wrapper, plugin, pcap):
    cmd = [wrapper, plugin, "-2", "-n", "-r", pcap, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=|"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        cols = line.split("\t") + [""] * len(FIELDS)
        rows.append({f: cols[i] for i, f in enumerate(FIELDS)})
    return rows


def first(v):
    return v.split("|")[0] if v else ""


def expected_options(frame):
    kinds = set(frame["tcp.option_kind"].split("|")) if frame["tcp.option_kind"] else set()
    words = []
    if frame["tcp.options.mss_val"]:
        words.append("mss=" + first(frame["tcp.options.mss_val"]))
    if frame["tcp.options.wscale.shift"]:
        words.append("wscale=%d" % min(14, int(first(frame["tcp.options.wscale.shift"]))))
    if "4" in kinds:
        words.append("sack_perm")
    if "8" in kinds:
        words.append("timestamps")
    ece, cwr, ack = frame["tcp.flags.ece"] in ("1", "True"), frame["tcp.flags.cwr"] in ("1", "True"), \
        frame["tcp.flags.ack"] in ("1", "True")
    if (not ack and ece and cwr) or (ack and ece and not cwr):
        words.append("ecn")
    if "34" in kinds:
        words.append("fast_open")
    return ",".join(words) or "none"


def kernel_dwell(log_path, sport):
    """role -> [incarnation -> {state: seconds}] from the tracepoint lines."""
    events = {"client": [], "server": []}
    with open(log_path) as f:
        for line in f:
            m = TRACE_RE.search(line)
            if not m:
                continue
            t, sp, dp, old, new = float(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)
            if dp == sport and sp != sport:
                role = "client"
            elif sp == sport and dp != 0:
                role = "server"
            else:
                continue
            incs = events[role]
            # an active open of either role (simultaneous open: the server port's
            # socket connects; its SYN_SENT -> SYN_RECV is no new incarnation)
            opens = (old == "TCP_CLOSE" and new == "TCP_SYN_SENT") or \
                    (role == "server" and new == "TCP_SYN_RECV" and old not in ("TCP_SYN_RECV", "TCP_SYN_SENT"))
            if opens or not incs:
                incs.append([])
            incs[-1].append((t, KSTATE.get(new, new)))
    out = {}
    for role, incs in events.items():
        out[role] = []
        for evs in incs:
            d = {}
            for (t0, s), (t1, _) in zip(evs, evs[1:]):
                d[s] = d.get(s, 0.0) + (t1 - t0)
            out[role].append(d)
    return out


def frame_gap(a, b):
    return float(b["frame.time_epoch"]) - float(a["frame.time_epoch"])


def flag(f, name):
    return f["tcp.flags." + name] in ("1", "True")


def fin_wait_2_from_frames(own, peer):
    fins = [f for f in own if flag(f, "fin")]
    peer_fins = [f for f in peer if flag(f, "fin")]
    if not fins or not peer_fins:
        return None
    fin_end = int(first(fins[0]["tcp.seq"])) + int(first(fins[0]["tcp.len"]) or 0) + 1
    acks = [f for f in peer if flag(f, "ack") and int(first(f["tcp.ack"]) or 0) >= fin_end]
    return frame_gap(acks[0], peer_fins[0]) if acks else None


def first_synack(own):
    """The first SYN-ACK of an endpoint that had sent a bare SYN (simultaneous open)."""
    if not any(flag(f, "syn") and not flag(f, "ack") for f in own):
        return None
    return next((f for f in own if flag(f, "syn") and flag(f, "ack")), None)


def after_sent(own):
    """Frames of `own` that start at or beyond everything their sender sent
    before them (RSTs left out): new sequence space, which no stack counts as
    a retransmission. Wireshark's analysis takes an RST's sequence number as
    its sender's next one, so after a spoofed out-of-window RST it calls the
    real sender's next new segment a retransmission."""
    fresh, end = set(), None
    for f in own:
        seq = int(first(f["tcp.seq"]) or 0)
        if end is not None and seq >= end:
            fresh.add(f["frame.number"])
        if not flag(f, "reset"):
            e = seq + int(first(f["tcp.len"]) or 0) + flag(f, "syn") + flag(f, "fin")
            end = e if end is None else max(end, e)
    return fresh


def fail(msg):
    print("FAIL " + msg)
    return 1


def check_capture(wrapper, plugin, captures, scenario, side):
    global checks
    pcap = os.path.join(captures, "%s.%s.pcap" % (scenario, side))
    rows = [r for r in tshark(wrapper, plugin, pcap) if r["tcplife.conn.first_frame"]]
    conns = {}
    for r in rows:
        conns.setdefault(int(first(r["tcplife.conn.first_frame"])), []).append(r)
    log = os.path.join(captures, scenario + ".kernel.log")
    sport = None
    with open(log) as f:
        m = re.search(r"server port (\d+)", f.read())
        sport = int(m.group(1)) if m else None
    kernel = kernel_dwell(log, sport) if sport else {"client": [], "server": []}
    bad = 0
    for n, (first_frame, frames) in enumerate(sorted(conns.items())):
        last = frames[-1]
        # the capture began mid-connection: the state of the first packet began earlier
        midstream = frames[0]["tcplife.roles_inferred"] in ("1", "True")
        for role in ROLES:
            mine = [f for f in frames if f["tcplife.sender"] == role]
            local = bool(mine) and (first(mine[0]["ip.src"]) or first(mine[0]["ipv6.src"])) in HOST[side]
            krole = side if local else [r for r in ROLES if r != side][0]
            bare_syn = any(flag(f, "syn") and not flag(f, "ack") for f in mine)
            fresh = after_sent(mine)
            got = lambda name: first(last["tcplife.conn.%s.%s" % (role, name)])  # noqa: E731
            where = "%s.%s conn@%d %s" % (scenario, side, first_frame, role)
            want = {"packets": str(len(mine)), "bytes": str(sum(int(first(f["tcp.len"]) or 0) for f in mine)),
                    # (a connection's first frame repeats nothing of its own incarnation, whatever
                    # TCP's analysis, which spans the incarnations of a tcp.stream, says)
                    # (the SYN-ACK of a simultaneous open repeats its sender's SYN, RFC 9293
                    # figure 8: Wireshark suspects a retransmission, Linux sends it as the
                    # next handshake step, tcp_send_synack, and counts none)
                    # (new sequence space is no retransmission, see after_sent)
                    "retransmissions": str(sum(1 for f in mine if f is not frames[0] and not (
                                               f is first_synack(mine)) and
                                               f["frame.number"] not in fresh and (
                                               f["tcp.analysis.retransmission"] or
                                               f["tcp.analysis.fast_retransmission"] or
                                               f["tcp.analysis.spurious_retransmission"])))}
            syns = [f for f in mine if f["tcp.flags.syn"] in ("1", "True") and f["tcp.flags.reset"] not in ("1", "True")]
            if syns:
                want["syn_options"] = expected_options(syns[0])
            # Out of order to Wireshark, but below what the sender had already sent: a
            # retransmission when the first copy was lost before the capture point (the
            # ICMP "too big" scenarios), so either count is accepted for those.
            unsure = sum(1 for f in mine if f is not frames[0] and f["tcp.analysis.out_of_order"])
            for k, v in want.items():
                checks += 1
                if k == "retransmissions" and got(k) is not None and got(k).isdigit() and \
                        int(v) <= int(got(k)) <= int(v) + unsure:
                    continue
                if got(k) != v:
                    bad += fail("%s: %s = %r, measured %r" % (where, k, got(k), v))
            # dwell against the kernel (same incarnation order) and the frames
            final = first(last["tcplife.conn.state.%s" % role])
            kinc = kernel[krole][n] if n < len(kernel[krole]) else {}
            for state in TIMED:
                v = got("time." + state.lower())
                if not v or state == final:
                    continue
                t = float(v)
                ref, source = None, None
                if role == "server" and state == "SYN_RECEIVED" and not bare_syn:
                    # a request sock: never traced; its SYN-ACK to the segment completing the handshake
                    # (or to its own FIN: a Fast Open server can close from SYN_RECEIVED)
                    synack = [f for f in mine if f["tcplife.handshake.step"] == "2"]
                    done = [f for f in frames if f["tcplife.handshake.step"] == "3" or
                            (f in mine and f["tcp.flags.fin"] in ("1", "True"))]
                    if synack and done:
                        ref, source = frame_gap(synack[0], done[0]), "frames"
                elif local and state == "FIN_WAIT_2" and kinc.get(state, 1) < 0.001:
                    # an orphan in FIN_WAIT_2 is a timewait minisock at once (traced FIN_WAIT2 -> CLOSE):
                    # from the peer's ACK of its FIN to the peer's FIN
                    ref, source = fin_wait_2_from_frames(mine, [f for f in frames if f not in mine]), "frames"
                elif local and state in kinc:
                    # the capture's own host: its own state changes are the tracepoint's
                    ref, source = kinc[state], "kernel"
                if ref is None:
                    continue  # the remote endpoint: the capture point's view (a packet is taken as
                              # received when seen), not the kernel's
                checks += 1
                if midstream and state == first(frames[0]["tcplife.state.%s" % role]):
                    # seen from the first packet only: at most the kernel's dwell
                    if t > ref + TOLERANCE:
                        bad += fail("%s: time.%s = %.6f, more than %s %.6f (capture began mid-connection)"
                                    % (where, state, t, source, ref))
                    continue
                if abs(ref - t) > TOLERANCE + 0.01 * ref:
                    bad += fail("%s: time.%s = %.6f, %s %.6f" % (where, state, t, source, ref))
    return bad


def main(argv):
    wrapper, plugin, captures = argv[1:4]
    scenarios = argv[4:] or sorted({f.split(".")[0] for f in os.listdir(captures) if f.endswith(".kernel.log")})
    bad = 0
    for sc in scenarios:
        for side in ROLES:
            if os.path.exists(os.path.join(captures, "%s.%s.pcap" % (sc, side))):
                bad += check_capture(wrapper, plugin, captures, sc, side)
    print("%d checks, %d failed (%d scenarios)" % (checks, bad, len(scenarios)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
