#!/usr/bin/env python3
"""tcplife lab, forensics scenarios: RSTs a firewall in the path sends in the
endpoints' names, and a SYN-ACK from a rewritten address.  Same topology,
peers, kernel truth and output files as lab.py (which it imports), in
namespaces and a trace instance of their own so that it can run while
lab.py runs.  Needs root.

  tests/lab/lab_forensics.py [--out DIR] [SCENARIO ...]     (default: all)

Besides S.client.pcap and S.server.pcap, the scenarios that reset both ends
also write S.middle.pcap: what leaves the router on both of its links
(tcpdump -Q out on r0 and r1, merged), the view of a tap right after the
firewall, where both of its RSTs are seen.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lab  # noqa: E402

# Own namespaces and trace instance: lab.py's functions read these globals.
lab.NS_C, lab.NS_R, lab.NS_S = "tf-cli", "tf-rtr", "tf-srv"
lab.INST = lab.TRACE + "/instances/tcplife_forensics"
VIP = "203.0.113.10"  # the address a stateless NAT rewrites to the server's

SCENARIOS = []


def scenario(n, name, desc, middle=False):
    def deco(fn):
        SCENARIOS.append(dict(n=n, name=name, desc=desc, fn=fn, v6=False, tries=1, check=None,
                              isolate=False, middle=middle))
        return fn
    return deco


def reject(x, expr):
    """A router rule that answers matching packets with an RST to their
    source, in the name of their destination (and never answers an RST)."""
    out = lab.nsrun(lab.NS_R, ["nft", "-e", "-a", "add", "rule", "inet", "lab", "filt"] + expr.split() +
                    ["tcp", "flags", "&", "rst", "==", "0", "counter", "reject", "with", "tcp", "reset"])
    x.router.log.append("nft rule [%s] reject with tcp reset: %s" % (expr, out.strip().splitlines()[-1]))


@scenario(40, "fw_reset", "established connection; then the router starts rejecting client->server "
          "segments with an RST to the client (nft reject with tcp reset): the client's next data is "
          "answered by the router in the server's name (TTL 64 where the server's arrive with 63, IP ID 0); "
          "the server, which knows nothing, sends data; the client's kernel answers it with an RST")
def sc_fw_reset(x):
    x.listen(); x.connect(); x.exchange()
    time.sleep(0.1)
    reject(x, "ip saddr %s tcp dport %d" % (lab.C4, x.sport))
    r = x.client.do("send 100", expect_ok=False)
    x.client.do("wait_error", expect_ok=False)
    lab.log("client after the router's RST: " + r)
    time.sleep(0.1)
    x.server.do("send 100", expect_ok=False)
    r = x.server.do("wait_error", expect_ok=False)
    assert "ECONNRESET" in r, r
    x.client.do("close", expect_ok=False)
    x.server.do("close", expect_ok=False)
    time.sleep(0.2)


@scenario(41, "fw_reset_both", "established connection; the router rejects every non-RST segment both ways; "
          "both applications close at the same instant: the router answers each FIN with an RST in the "
          "peer's name, one to each endpoint at once", middle=True)
def sc_fw_reset_both(x):
    x.listen(); x.connect(); x.exchange()
    time.sleep(0.1)
    reject(x, "ip saddr %s tcp dport %d" % (lab.C4, x.sport))
    reject(x, "ip saddr %s tcp sport %d" % (lab.S4, x.sport))
    t = time.time() + 0.3
    x.client.start("closeat %.6f" % t)
    x.server.start("closeat %.6f" % t)
    x.client.reply(); x.server.reply()
    time.sleep(0.5)


@scenario(42, "rewritten_syn_ack", "the client connects to %s:80; the router rewrites the destination to "
          "the server's %s:8042 statelessly (nft ip daddr set / tcp dport set, notrack) and nothing rewrites "
          "the answer: the SYN-ACK arrives from the server's own address and port, acknowledging the SYN's "
          "ISN + 1 on another 4-tuple; the client's kernel answers it with an RST and retransmits its SYN "
          "(tcp_syn_retries=1) until connect() fails" % (VIP, lab.S4))
def sc_rewritten(x):
    x.c_sysctl("net.ipv4.tcp_syn_retries=1")
    lab.nft("add chain inet lab pre { type filter hook prerouting priority -300 ; policy accept ; }")
    lab.nft("add rule inet lab pre ip daddr %s tcp dport 80 notrack ip daddr set %s tcp dport set %d"
            % (VIP, lab.S4, x.sport))
    x.router.log.append("nft: ip daddr %s tcp dport 80 -> %s:%d, stateless" % (VIP, lab.S4, x.sport))
    x.listen()
    x.client.do("socket inet")
    x.client.do("bind %s %d" % (x.c, x.cport))
    r = x.client.do("connect %s 80" % VIP, expect_ok=False)
    assert "ETIMEDOUT" in r or "ECONNREFUSED" in r, r
    time.sleep(0.2)


@scenario(43, "ecn_close", "client net.ipv4.tcp_ecn=1 (the server's default 2 accepts): ECN-setup SYN (ECE+CWR) "
          "and SYN-ACK (ECE); data both ways; 4-segment close, client first")
def sc_ecn(x):
    x.c_sysctl("net.ipv4.tcp_ecn=1")
    x.listen(); x.connect(); x.exchange()
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


C, S = "tcp.srcport >= 40000", "tcp.srcport < 40000"
lab.VERIFY.update({
    # the router's RST reaches only the client; the server gets the client kernel's RST
    "fw_reset": [("client", S + " && tcp.flags.reset==1 && ip.ttl==64", "==", 1),
                 ("client", S + " && tcp.flags.reset==0 && ip.ttl==63", ">=", 3),
                 ("server", S + " && tcp.flags.reset==1", "==", 0),
                 ("server", C + " && tcp.flags.reset==1 && ip.ttl==63", "==", 1)],
    "fw_reset_both": [("client", S + " && tcp.flags.reset==1 && ip.ttl==64", "==", 1),
                      ("server", C + " && tcp.flags.reset==1 && ip.ttl==64", "==", 1)],
    "ecn_close": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.flags.ece==1 && tcp.flags.cwr==1", "==", 1),
                  ("both", "tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.flags.ece==1 && tcp.flags.cwr==0", "==", 1)],
    "rewritten_syn_ack": [("client", "ip.dst==%s && tcp.flags.syn==1 && tcp.flags.ack==0" % VIP, ">=", 2),
                          ("client", "ip.src==%s && tcp.srcport==8042 && tcp.flags.syn==1 && tcp.flags.ack==1"
                           % lab.S4, ">=", 1)],
})


class MiddleCapture:
    """What leaves the router on both links, merged into S.middle.pcap."""

    def __init__(self, outdir, name):
        self.out = os.path.join(outdir, name + ".middle.pcap")
        self.parts = [self.out + ".r0", self.out + ".r1"]
        self.procs = []
        for dev, part in zip(("r0", "r1"), self.parts):
            p = subprocess.Popen(["ip", "netns", "exec", lab.NS_R, "tcpdump", "-i", dev, "-Q", "out", "-n",
                                  "-s", lab.SNAPLEN, "-U", "--immediate-mode", "-Z", "root", "-w", part, "tcp"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if "listening" not in p.stderr.readline():
                raise RuntimeError("tcpdump on " + dev)
            self.procs.append(p)

    def stop(self):
        time.sleep(0.3)
        for p in self.procs:
            p.send_signal(2)
            p.wait(timeout=10)
        lab.run(["mergecap", "-F", "pcap", "-w", self.out] + self.parts)
        for part in self.parts:
            os.unlink(part)
        os.chmod(self.out, 0o644)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "captures"))
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("lab_forensics.py needs root")
    names = a.names or [sc["name"] for sc in SCENARIOS]
    outdir = os.path.abspath(a.out)
    try:
        for sc in SCENARIOS:
            if sc["name"] not in names:
                continue
            if sc["middle"]:
                # lab.run_scenario builds the topology: start the tap once it exists
                orig_setup = lab.setup

                def setup_with_tap(orig=orig_setup, sc=sc):
                    orig()
                    sc["tap"] = MiddleCapture(outdir, sc["name"])
                lab.setup = setup_with_tap
                fn = sc["fn"]

                def fn_then_stop(x, fn=fn, sc=sc):
                    try:
                        fn(x)
                    finally:
                        sc["tap"].stop()
                sc = dict(sc, fn=fn_then_stop)
                try:
                    lab.run_scenario(sc, outdir)
                finally:
                    lab.setup = orig_setup
            else:
                lab.run_scenario(sc, outdir)
    finally:
        lab.teardown()
        if os.path.isdir(lab.INST):
            try:
                os.rmdir(lab.INST)
            except OSError:
                pass


if __name__ == "__main__":
    main()
