#!/usr/bin/env python3
"""tshark -z tcplife,tree against counts derived without tcplife (python3 stdlib only).

  check_stats.py --tshark WRAPPER --plugin tcplife.so [--expect DIR] PCAP...

For each capture, in single pass and with -2, the statistics tree must show:
  TCP connections             = the number of Wireshark tcp.stream values that carry a SYN,
                                and those without any (captured mid-connection: the
                                midstream scenario)
  by outcome / close style / active closer
                              = the hand-written conn.* values of expect/S.json (lab
                                captures only: one value per tcp.stream, taken from the
                                frames the expectation names)
  Server endpoints (ip:port)  = the distinct destinations ip:port of SYNs without ACK (of a
                                stream without SYN: the endpoint with the lower port)
  Resets (RST packets)        = frames with tcp.flags.reset == 1 in those streams
  Resets by sender client/server = RSTs sent from / to the SYN's source ip:port
  Handshake RTT               = streams with a SYN-ACK in which Wireshark computed
                                tcp.analysis.initial_rtt on a non-RST segment (the ACK that
                                completes the handshake); with -2 not when the server's next
                                segment is an RST (the ACK was refused: accept queue full)
A capture that does not exist is skipped with a message (the corpus is optional).
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def tshark(args, extra):
    r = subprocess.run([args.tshark, args.plugin] + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if r.returncode != 0:
        raise RuntimeError("tshark %s: %s" % (" ".join(extra), r.stderr.decode("utf-8", "replace")))
    return r.stdout.decode("utf-8", "replace")


def stats_tree(text):
    """-z tcplife,tree output -> {path tuple: count}; path by indentation."""
    out, stack = {}, []
    body = False
    for line in text.splitlines():
        if line.startswith("Topic / Item"):
            body = True
            continue
        if not body or line.startswith("---") or line.startswith("===") or not line.strip():
            continue
        m = re.match(r"^( *)(.*?)\s{2,}(\d+)\s", line + " ")
        if not m:
            continue
        depth = len(m.group(1))
        del stack[depth:]
        stack.append(m.group(2))
        out[tuple(stack)] = int(m.group(3))
    return out


def derive(args, pcap, expect, two_pass):
    fields = ["frame.number", "tcp.stream", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset",
              "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport",
              "tcp.analysis.initial_rtt"]
    cmd = ["-r", pcap, "-2", "-T", "fields", "-Y", "tcp"]
    for f in fields:
        cmd += ["-e", f]
    streams = {}
    frame_stream = {}
    for line in tshark(args, cmd).splitlines():
        c = dict(zip(fields, line.split("\t")))
        st = streams.setdefault(c["tcp.stream"], {"syn_from": None, "server": None, "rst": [], "rtt": False,
                                                  "synack": False, "after_rtt": None, "first": None})
        frame_stream[c["frame.number"]] = c["tcp.stream"]
        src = "%s:%s" % (c["ip.src"] or "[%s]" % c["ipv6.src"], c["tcp.srcport"])
        dst = "%s:%s" % (c["ip.dst"] or "[%s]" % c["ipv6.dst"], c["tcp.dstport"])
        flag = lambda f: c[f] in ("1", "True")  # noqa: E731
        if st["first"] is None:
            st["first"] = (src, dst, int(c["tcp.srcport"]), int(c["tcp.dstport"]))
        if flag("tcp.flags.syn") and not flag("tcp.flags.ack") and st["syn_from"] is None:
            st["syn_from"], st["server"] = src, dst
        if flag("tcp.flags.syn") and flag("tcp.flags.ack"):
            st["synack"] = True
        if flag("tcp.flags.reset"):
            st["rst"].append(src)
        if st["rtt"] and st["after_rtt"] is None and src == st["server"]:
            st["after_rtt"] = "rst" if flag("tcp.flags.reset") else "other"
        if c["tcp.analysis.initial_rtt"] and not st["rtt"] and st["synack"] and not flag("tcp.flags.reset"):
            st["rtt"] = True
    for v in streams.values():
        if v["syn_from"] is None and v["first"]:
            # no SYN: the capture began mid-connection; the SPEC's inferred roles:
            # the lower port is the server's, a tie makes the first sender the client
            src, dst, sport, dport = v["first"]
            v["syn_from"], v["server"] = (dst, src) if sport < dport else (src, dst)
    conns = {k: v for k, v in streams.items() if v["syn_from"]}
    want = {("TCP connections",): len(conns)}
    servers = {}
    for v in conns.values():
        servers[v["server"]] = servers.get(v["server"], 0) + 1
    want[("Server endpoints (ip:port)",)] = len(conns)
    for s, n in servers.items():
        want[("Server endpoints (ip:port)", s)] = n
    rst = [(v, s) for v in conns.values() for s in v["rst"]]
    want[("Resets (RST packets)",)] = len(rst)
    for role in ("client", "server"):
        n = sum(1 for v, s in rst if (s == v["syn_from"]) == (role == "client"))
        if n:
            want[("Resets (RST packets)", "by sender", role)] = n
    # -2: a server RST answering the handshake ACK (next server packet) disproves it
    want[("Handshake RTT (microseconds)",)] = sum(1 for v in conns.values() if v["rtt"]
                                                  and not (two_pass and v["after_rtt"] == "rst"))
    if expect:
        side = "server" if pcap.endswith(".server.pcap") else "client"
        per = {}
        for fno, f in expect.get("frames", {}).get(side, {}).items():
            for key, sec in (("conn.outcome", "by outcome"), ("conn.close_style", "by close style"),
                             ("conn.active_closer", "by active closer")):
                if f.get(key):  # "" on an ICMP quote: no connection of its own
                    per.setdefault((sec, frame_stream[fno]), set()).add(f[key])
        counts = {}
        for (sec, _), vals in per.items():
            if len(vals) != 1:
                raise RuntimeError("expect json gives one stream two %s values %s" % (sec, vals))
            k = ("TCP connections", sec, vals.pop())
            counts[k] = counts.get(k, 0) + 1
        want.update(counts)
    return want


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tshark", default=os.path.join(ROOT, "tests", "tshark-with-plugin"))
    ap.add_argument("--plugin", default=os.path.join(ROOT, "build", "plugin", "tcplife.so"))
    ap.add_argument("--expect", default=os.path.join(HERE, "expect"))
    ap.add_argument("pcaps", nargs="+")
    args = ap.parse_args()
    bad = 0
    for pcap in args.pcaps:
        if not os.path.exists(pcap):
            print("skip %s (absent)" % pcap)
            continue
        name = os.path.basename(pcap).split(".")[0]
        ep = os.path.join(args.expect, name + ".json")
        expect = json.load(open(ep)) if os.path.exists(ep) and "/captures/" in os.path.abspath(pcap) else None
        errors, want = [], {}
        try:
            for two in (False, True):
                want = derive(args, pcap, expect, two)
                got = stats_tree(tshark(args, ["-r", pcap, "-q", "-z", "tcplife,tree"] + (["-2"] if two else [])))
                for k, n in sorted(want.items()):
                    if got.get(k, 0) != n:
                        errors.append("%s: %s = %s, derived %d" % ("-2" if two else "single pass",
                                                                  " / ".join(k), got.get(k, "(absent)"), n))
        except (RuntimeError, KeyError, OSError) as e:
            errors.append("error: %s" % e)
        print("%-4s %s (%d derived counts%s)" % ("ok" if not errors else "FAIL", pcap,
                                                   len(want),
                                                   ", with expectations" if expect else ""))
        for e in errors:
            print("     " + e)
        bad += bool(errors)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
