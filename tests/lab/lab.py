#!/usr/bin/env python3
"""tcplife lab: real captures of real Linux TCP connections, with the kernel's
own socket states as ground truth.  python3 stdlib only; needs root.

  tests/lab/lab.py [--out DIR] [SCENARIO ...]      (default: all scenarios)
  tests/lab/lab.py --list

Topology (built fresh for every scenario, deleted afterwards):

  tl-cli  c0 192.0.2.2/24      2001:db8:1::2/64  --veth--  r0 192.0.2.1     tl-rtr
  tl-srv  s0 198.51.100.2/24   2001:db8:2::2/64  --veth--  r1 198.51.100.1  tl-rtr
  (tl-rtr forwards; nftables table "inet lab" chain "filt" drops chosen packets)

For scenario S it writes into the output directory (default: captures/):
  S.client.pcap   tcpdump on c0 in tl-cli (snaplen 128)
  S.server.pcap   tcpdump on s0 in tl-srv (snaplen 128)
  S.kernel.log    raw sock:inet_sock_set_state trace lines (instance "tcplife",
                  trace_clock mono) + `ss -tanH` observations + nft counters
  S.kernel.tsv    per role and incarnation, the ordered distinct RFC states

Linux never reports TIME_WAIT through the tracepoint (the timewait sock takes
over: the full socket shows FIN_WAIT2 -> CLOSE or CLOSING -> CLOSE).  ss is
polled in both namespaces during the scenario; when the 4-tuple is seen in
TIME-WAIT after such a transition, the final CLOSED is written as TIME_WAIT.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "peer.py")
# TL_LAB_SUFFIX keeps two labs running at once on one machine apart.
_SFX = os.environ.get("TL_LAB_SUFFIX", "")
NS_C, NS_R, NS_S = "tl-cli" + _SFX, "tl-rtr" + _SFX, "tl-srv" + _SFX
C4, S4 = "192.0.2.2", "198.51.100.2"
C6, S6 = "2001:db8:1::2", "2001:db8:2::2"
TRACE = "/sys/kernel/tracing"
INST = TRACE + "/instances/tcplife" + _SFX
SNAPLEN = "128"

KSTATE = {
    "TCP_ESTABLISHED": "ESTABLISHED", "TCP_SYN_SENT": "SYN_SENT",
    "TCP_SYN_RECV": "SYN_RECEIVED", "TCP_FIN_WAIT1": "FIN_WAIT_1",
    "TCP_FIN_WAIT2": "FIN_WAIT_2", "TCP_TIME_WAIT": "TIME_WAIT",
    "TCP_CLOSE": "CLOSED", "TCP_CLOSE_WAIT": "CLOSE_WAIT",
    "TCP_LAST_ACK": "LAST_ACK", "TCP_LISTEN": "LISTEN",
    "TCP_CLOSING": "CLOSING", "TCP_NEW_SYN_RECV": "SYN_RECEIVED",
}


def run(cmd, check=True, quiet=False):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr.strip()))
    return r.stdout


def nsrun(ns, cmd, check=True):
    return run(["ip", "netns", "exec", ns] + cmd, check=check)


def log(msg):
    print("[lab] " + msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- topology
def teardown():
    for ns in (NS_C, NS_R, NS_S):
        run(["ip", "netns", "del", ns], check=False)


def setup():
    teardown()
    for ns in (NS_C, NS_R, NS_S):
        run(["ip", "netns", "add", ns])
        nsrun(ns, ["ip", "link", "set", "lo", "up"])
        # no duplicate address detection: link-local addresses usable at once
        nsrun(ns, ["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"])
        nsrun(ns, ["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"])
    run(["ip", "link", "add", "c0", "netns", NS_C, "type", "veth", "peer", "name", "r0", "netns", NS_R])
    run(["ip", "link", "add", "s0", "netns", NS_S, "type", "veth", "peer", "name", "r1", "netns", NS_R])
    for ns, dev, a4, a6 in ((NS_C, "c0", C4 + "/24", C6 + "/64"),
                            (NS_R, "r0", "192.0.2.1/24", "2001:db8:1::1/64"),
                            (NS_R, "r1", "198.51.100.1/24", "2001:db8:2::1/64"),
                            (NS_S, "s0", S4 + "/24", S6 + "/64")):
        nsrun(ns, ["ip", "addr", "add", a4, "dev", dev])
        nsrun(ns, ["ip", "-6", "addr", "add", a6, "dev", dev, "nodad"])
        # real segments on the wire, valid checksums in the capture
        nsrun(ns, ["ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off",
                   "tx", "off", "rx", "off"], check=False)
        nsrun(ns, ["ip", "link", "set", dev, "up"])
    nsrun(NS_C, ["ip", "route", "add", "default", "via", "192.0.2.1"])
    nsrun(NS_S, ["ip", "route", "add", "default", "via", "198.51.100.1"])
    nsrun(NS_C, ["ip", "-6", "route", "add", "default", "via", "2001:db8:1::1"])
    nsrun(NS_S, ["ip", "-6", "route", "add", "default", "via", "2001:db8:2::1"])
    nsrun(NS_R, ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
    nsrun(NS_R, ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
    nft("add table inet lab")
    nft("add chain inet lab filt { type filter hook forward priority 0 ; policy accept ; }")
    # warm up neighbour caches so no ARP/ND delay sits inside a scenario
    # (no ping here): a TCP connect to the closed port 9 must be refused
    # (RST) for both families before any scenario starts.
    probe = ("import socket,sys\n"
             "for a in sys.argv[1:]:\n"
             "  for i in range(50):\n"
             "    s=socket.socket(socket.AF_INET6 if ':' in a else socket.AF_INET); s.settimeout(0.2)\n"
             "    try: s.connect((a,9))\n"
             "    except ConnectionRefusedError: break\n"
             "    except OSError: pass\n"
             "    finally: s.close()\n"
             "  else: sys.exit('unreachable '+a)\n")
    nsrun(NS_C, [sys.executable, "-c", probe, S4, S6])


def nft(args, check=True):
    return nsrun(NS_R, ["nft", args], check=check)


def router_queue(x, to, devs):
    """tbf 80 kbit/s on the router's devs, filled with 3 x 1400-byte UDP
    datagrams to each address in `to` (port 9, not captured): the next
    packets out of those devs wait ~280 ms (veth alone never queues)."""
    for dev in devs:
        nsrun(NS_R, ["tc", "qdisc", "add", "dev", dev, "root", "tbf", "rate", "80kbit",
                     "burst", "1600", "latency", "2s"])
    fill = ("import socket,sys\n"
            "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "for a in sys.argv[1:]:\n"
            "  for i in range(3): u.sendto(b'q'*1372,(a,9))\n")
    nsrun(NS_R, [sys.executable, "-c", fill] + list(to))
    x.router.log.append("router: tbf rate 80kbit burst 1600 on %s, then 3 x 1400-byte UDP datagrams to "
                        "port 9 of %s (not captured): ~280 ms of queue" % (" and ".join(devs), ", ".join(to)))


def router_queue_off(x, devs):
    for dev in devs:
        nsrun(NS_R, ["tc", "qdisc", "del", "dev", dev, "root"])
    x.router.log.append("router: tbf removed from %s" % " and ".join(devs))


# ---------------------------------------------------------------- router rules
class Router:
    def __init__(self):
        self.log = []

    def add(self, expr, quota=None):
        q = ["quota", "until", str(quota), "bytes"] if quota else []
        out = nsrun(NS_R, ["nft", "-e", "-a", "add", "rule", "inet", "lab", "filt"] + expr.split() + q + ["counter", "drop"])
        m = re.search(r"# handle (\d+)", out)
        return int(m.group(1))

    def counter(self, handle):
        data = json.loads(nsrun(NS_R, ["nft", "-j", "list", "chain", "inet", "lab", "filt"]))
        for item in data["nftables"]:
            rule = item.get("rule")
            if rule and rule["handle"] == handle:
                for e in rule["expr"]:
                    if "counter" in e:
                        return e["counter"]["packets"]
        return None

    def delete(self, handle, expr=""):
        n = self.counter(handle)
        nsrun(NS_R, ["nft", "delete", "rule", "inet", "lab", "filt", "handle", str(handle)])
        self.log.append("nft rule [%s] dropped %s packet(s)" % (expr, n))
        return n

    def drop_first(self, expr, pktlen, count=1, timeout=30.0):
        """Drop exactly the first `count` packets matching expr (each `pktlen`
        bytes at the IP layer): an nft quota stops matching after them (exact,
        whatever the load); the rule is deleted once its counter reached `count`."""
        h = self.add(expr, quota=pktlen * count + pktlen // 2)
        box = {}

        def poll():
            t0 = time.monotonic()
            while time.monotonic() - t0 < timeout:
                n = self.counter(h)
                if n is not None and n >= count:
                    break
                time.sleep(0.002)
            box["n"] = self.delete(h, expr + " (first %d)" % count)

        th = threading.Thread(target=poll, daemon=True)
        th.start()
        box["thread"] = th
        return box


# ---------------------------------------------------------------- peers
class Peer:
    def __init__(self, ns, name):
        self.name = name
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, PEER],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pending = 0

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        self.pending += 1

    def reply(self):
        line = self.p.stdout.readline().strip()
        self.pending -= 1
        log("  %s <- %s" % (self.name, line))
        return line

    def do(self, line, expect_ok=True):
        log("  %s -> %s" % (self.name, line))
        self.send(line)
        r = self.reply()
        if expect_ok and not r.startswith("ok"):
            raise RuntimeError("%s: %s -> %s" % (self.name, line, r))
        return r

    def start(self, line):
        log("  %s -> %s (async)" % (self.name, line))
        self.send(line)

    def stop(self):
        try:
            while self.pending > 0:
                self.reply()
            self.send("quit")
            self.p.stdin.close()
            self.p.wait(timeout=5)
        except Exception:
            self.p.kill()


# ---------------------------------------------------------------- observers
class SsPoller(threading.Thread):
    """Polls ss in the client and server namespaces (fallback truth and the
    TIME_WAIT confirmation)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop_ev = threading.Event()
        self.seen = []  # (mono, role, state, local, peer), only changes
        self.last = {}

    def snap(self):
        for role, ns in (("client", NS_C), ("server", NS_S)):
            out = nsrun(ns, ["ss", "-tanH"], check=False)
            t = time.monotonic()
            cur = {}
            for line in out.splitlines():
                f = line.split()
                if len(f) >= 5:
                    cur[(f[3], f[4])] = f[0]
            for k, st in cur.items():
                if self.last.get((role, k)) != st:
                    self.seen.append((t, role, st, k[0], k[1]))
                    self.last[(role, k)] = st
            for (r, k) in list(self.last):
                if r == role and k not in cur:
                    self.seen.append((t, role, "GONE", k[0], k[1]))
                    del self.last[(r, k)]

    def run(self):
        while not self.stop_ev.is_set():
            self.snap()
            time.sleep(0.03)

    def finish(self):
        self.stop_ev.set()
        self.join()
        self.snap()


def wfile(path, text):
    with open(path, "w") as f:
        f.write(text)


class Tracer:
    def start(self, sport):
        if not os.path.isdir(TRACE + "/events"):
            os.makedirs(TRACE, exist_ok=True)
            run(["mount", "-t", "tracefs", "nodev", TRACE], check=False)
        if not os.path.isdir(INST):
            os.mkdir(INST)
        ev = INST + "/events/sock/inet_sock_set_state"
        wfile(INST + "/trace_clock", "mono")
        wfile(ev + "/enable", "0")
        wfile(ev + "/filter", "sport == %d || dport == %d" % (sport, sport))
        wfile(INST + "/trace", "")
        wfile(ev + "/enable", "1")
        wfile(INST + "/tracing_on", "1")

    def stop(self):
        wfile(INST + "/events/sock/inet_sock_set_state/enable", "0")
        with open(INST + "/trace") as f:
            text = f.read()
        wfile(INST + "/trace", "")
        return text


class Capture:
    def __init__(self, ns, dev, path, bpf="tcp"):
        self.path = path
        if os.path.exists(path):
            os.unlink(path)
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "-i", dev, "-n", "-s", SNAPLEN,
                                   "-U", "--immediate-mode", "-Z", "root", "-w", path, bpf],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        line = self.p.stderr.readline()  # "listening on ..."
        if "listening" not in line:
            raise RuntimeError("tcpdump: " + line)

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(signal.SIGINT)
        err = self.p.stderr.read()
        self.p.wait(timeout=10)
        os.chmod(self.path, 0o644)
        return err.strip()


# ---------------------------------------------------------------- truth
TRACE_RE = re.compile(r"\s(\d+\.\d+): inet_sock_set_state: family=(\S+) protocol=\S+ sport=(\d+) dport=(\d+) "
                      r"saddr=(\S+) daddr=(\S+) saddrv6=(\S+) daddrv6=(\S+) oldstate=(\S+) newstate=(\S+)")


def ss_addr(a):
    """ss prints [v6]:port or v4:port"""
    host, port = a.rsplit(":", 1)
    return host.strip("[]"), int(port) if port.isdigit() else 0


def build_truth(trace, ss_seen, sport, cport=None):
    """cport: only that client port's connection (scenarios with other
    connections to the same listener, see scenario(isolate=True))."""
    events = []
    for line in trace.splitlines():
        m = TRACE_RE.search(line)
        if not m:
            continue
        t, fam, sp, dp, sa, da, sa6, da6, old, new = m.groups()
        v6 = fam == "AF_INET6"
        events.append(dict(t=float(t), sport=int(sp), dport=int(dp),
                           saddr=sa6 if v6 else sa, daddr=da6 if v6 else da,
                           old=KSTATE[old], new=KSTATE[new], raw_old=old, raw_new=new))
    roles = {"client": [], "server": []}
    for e in events:
        if e["dport"] == sport and e["sport"] != sport:
            role = "client"
        elif e["sport"] == sport and e["daddr"] not in ("0.0.0.0", "::"):
            role = "server"
        else:
            continue  # the listening socket
        incs = roles[role]
        # an active open starts an incarnation of either role (the server port's
        # socket connects in a simultaneous open: SYN_SENT -> SYN_RECV is no new one)
        new_inc = (e["raw_old"] == "TCP_CLOSE" and e["raw_new"] == "TCP_SYN_SENT") or \
                  (role == "server" and e["raw_new"] in ("TCP_SYN_RECV", "TCP_NEW_SYN_RECV") and
                   e["raw_old"] not in ("TCP_SYN_RECV", "TCP_NEW_SYN_RECV", "TCP_SYN_SENT"))
        if new_inc or not incs:
            incs.append(dict(states=[], t0=e["t"], events=[], tuple=(e["saddr"], e["sport"], e["daddr"], e["dport"])))
        inc = incs[-1]
        inc["events"].append(e)
        if not inc["states"] or inc["states"][-1] != e["new"]:
            inc["states"].append(e["new"])
    notes = []
    SSMAP = {"SYN-SENT": "SYN_SENT", "SYN-RECV": "SYN_RECEIVED", "ESTAB": "ESTABLISHED",
             "FIN-WAIT-1": "FIN_WAIT_1", "FIN-WAIT-2": "FIN_WAIT_2", "CLOSE-WAIT": "CLOSE_WAIT",
             "CLOSING": "CLOSING", "LAST-ACK": "LAST_ACK", "TIME-WAIT": "TIME_WAIT", "GONE": "CLOSED"}
    for role in ("client", "server"):
        if roles[role]:
            continue
        # request socks (NEW_SYN_RECV) never go through the tracepoint: use ss
        st = []
        for (t, r, s_, l, p) in ss_seen:
            ports = (ss_addr(l)[1], ss_addr(p)[1])
            if cport is not None and cport not in ports:
                continue
            if r == role and sport in ports and not p.endswith("*"):
                name = SSMAP.get(s_)
                if name and (not st or st[-1] != name):
                    st.append(name)
        if st:
            roles[role].append(dict(states=st, t0=0, events=[], tuple=None, from_ss=True))
            notes.append("%s #1: no tracepoint event (request sock); states from ss polling: %s"
                         % (role, " ".join(st)))
    for role, incs in roles.items():
        for i, inc in enumerate(incs):
            if not inc["events"]:
                continue
            last = inc["events"][-1]
            if last["raw_new"] == "TCP_CLOSE" and last["raw_old"] in ("TCP_FIN_WAIT2", "TCP_CLOSING"):
                t_end = incs[i + 1]["t0"] if i + 1 < len(incs) else float("inf")
                sa, sp, da, dp = inc["tuple"]
                obs = [st for (t, r, st, l, p) in ss_seen
                       if r == role and last["t"] - 0.05 <= t <= t_end
                       and ss_addr(l) == (sa, sp) and ss_addr(p) == (da, dp)]
                if "TIME-WAIT" in obs:
                    inc["states"][-1] = "TIME_WAIT"
                    notes.append("%s #%d: %s -> CLOSE is the timewait sock; ss saw TIME-WAIT: written TIME_WAIT"
                                 % (role, i + 1, last["raw_old"]))
                elif "FIN-WAIT-2" in obs:
                    inc["states"].pop()
                    notes.append("%s #%d: FIN_WAIT2 -> CLOSE is the FIN_WAIT2 timewait sock; ss saw only FIN-WAIT-2"
                                 % (role, i + 1))
                else:
                    notes.append("%s #%d: ends %s -> CLOSE, no TIME-WAIT seen by ss: kept CLOSED"
                                 % (role, i + 1, last["raw_old"]))
            if inc["states"][-1] == "TIME_WAIT" and i + 1 < len(incs) and incs[i + 1]["tuple"] == inc["tuple"]:
                sa, sp, da, dp = inc["tuple"]
                mine = [(t, st) for (t, r, st, l, p) in ss_seen
                        if r == role and last["t"] <= t <= incs[i + 1]["t0"]
                        and ss_addr(l) == (sa, sp) and ss_addr(p) == (da, dp)]
                tw = [t for t, st in mine if st == "TIME-WAIT"]
                gone = [t for t, st in mine if st == "GONE" and tw and t > tw[0]]
                inc["states"].append("CLOSED")
                if gone:
                    # the timewait sock expired before the next SYN: a new incarnation
                    notes.append("%s #%d: TIME_WAIT expired (ss: TIME-WAIT first seen at %.6f, 4-tuple gone at "
                                 "%.6f, %.3f s later) before #%d's SYN_SENT at %.6f: CLOSED appended"
                                 % (role, i + 1, tw[0], gone[0], gone[0] - tw[0], i + 2, incs[i + 1]["t0"]))
                else:
                    # the next incarnation reused the 4-tuple: the kernel killed the
                    # timewait sock (tcp_twsk_unique / TCP_TW_SYN -> inet_twsk_deschedule_put)
                    notes.append("%s #%d: TIME_WAIT ended by the reuse of the 4-tuple (#%d): CLOSED appended"
                                 % (role, i + 1, i + 2))
    return roles, notes


# ---------------------------------------------------------------- scenarios
SCENARIOS = []


def scenario(n, name, desc, v6=False, tries=1, check=None, isolate=False, bpf=None, late_capture=False):
    """isolate: other connections share the listener (fillers of its accept
    queue): capture, trace and truth only the client port's connection.
    bpf: the capture filter (default `tcp`; ICMP scenarios add their errors).
    late_capture: tcpdump starts only when the scenario calls x.start_capture()
    (the kernel trace and ss still run from the start)."""
    def deco(fn):
        SCENARIOS.append(dict(n=n, name=name, desc=desc, fn=fn, v6=v6, tries=tries, check=check,
                              isolate=isolate, bpf=bpf, late_capture=late_capture))
        return fn
    return deco


class Ctx:
    def __init__(self, n, v6):
        self.sport, self.cport = 8000 + n, 40000 + n
        self.s, self.c = (S6, C6) if v6 else (S4, C4)
        self.fam = "inet6" if v6 else "inet"
        self.router = Router()
        self.client = Peer(NS_C, "client")
        self.server = Peer(NS_S, "server")
        self.ss = None

    def listen(self, rcvbuf=None):
        self.server.do("listen %s %d%s" % (self.s, self.sport, " %d" % rcvbuf if rcvbuf else ""))

    def connect(self, accept=True, expect_ok=True):
        self.client.do("socket %s" % self.fam)
        self.client.do("bind %s %d" % (self.c, self.cport))
        if accept:
            self.server.start("accept")
        r = self.client.do("connect %s %d" % (self.s, self.sport), expect_ok=expect_ok)
        if accept:
            self.server.reply()
        return r

    def exchange(self, n=100):
        self.client.do("send %d" % n)
        self.server.do("recvexact %d" % n)
        self.server.do("send %d" % n)
        self.client.do("recvexact %d" % n)

    def fast_open_exchange(self, port):
        """A Fast Open connection from `port` (the server listens with
        listentfo): 100 bytes each way, then the client closes four-way. The
        first one fetches the cookie, the next ones carry data in the SYN."""
        self.server.start("accept")
        self.client.do("socket inet")
        self.client.do("bind %s %d" % (self.c, port))
        self.client.do("connecttfo %s %d 100" % (self.s, self.sport))
        self.server.reply()
        self.server.do("recvexact 100")
        self.server.do("send 100")
        self.client.do("recvexact 100")
        self.client_closes_four_way(wait=0.3)

    def client_closes_four_way(self, wait=0.5):
        self.client.do("close")
        self.server.do("recvall")
        time.sleep(wait)  # server's delayed ACK of the FIN goes out alone
        self.server.do("close")

    def c_sysctl(self, kv):
        nsrun(NS_C, ["sysctl", "-qw", kv])

    def s_sysctl(self, kv):
        nsrun(NS_S, ["sysctl", "-qw", kv])

    def cli_ip(self):
        return "ip6" if self.fam == "inet6" else "ip"


@scenario(1, "normal_close", "4-segment close: client closes first, server ACKs, then closes 0.5 s later")
def sc_normal(x):
    x.listen(); x.connect(); x.exchange()
    x.client_closes_four_way()
    time.sleep(0.3)


@scenario(2, "merged_fin_ack", "3-segment close: server closes as soon as it reads EOF, its FIN carries the ACK of the client's FIN")
def sc_merged(x):
    x.listen(); x.connect(); x.exchange()
    x.server.start("recvall")
    time.sleep(0.1)
    x.client.do("close")
    x.server.reply()
    x.server.do("close")  # well within the 40 ms minimum delayed-ACK timer
    time.sleep(0.3)


@scenario(3, "server_close_first", "4-segment close initiated by the server; client closes 0.5 s after EOF; server holds TIME_WAIT")
def sc_server_first(x):
    x.listen(); x.connect(); x.exchange()
    x.server.do("close")
    x.client.do("recvall")
    time.sleep(0.5)
    x.client.do("close")
    time.sleep(0.3)


@scenario(4, "rst_abort", "client aborts an established connection: SO_LINGER {1,0} + close() sends RST")
def sc_rst_abort(x):
    x.listen(); x.connect(); x.exchange()
    x.server.start("wait_error")
    time.sleep(0.1)
    x.client.do("linger0")
    x.client.do("close")
    x.server.reply()
    x.server.do("close")
    time.sleep(0.2)


@scenario(5, "refused", "no listener on the port: SYN answered by RST/ACK, connect() fails ECONNREFUSED")
def sc_refused(x):
    r = x.connect(accept=False, expect_ok=False)
    assert "ECONNREFUSED" in r, r
    time.sleep(0.2)


@scenario(6, "syn_unanswered", "router drops every SYN; client (tcp_syn_retries=2) sends SYN + 2 retransmissions and gives up (ETIMEDOUT); the server capture is empty")
def sc_syn_unanswered(x):
    x.c_sysctl("net.ipv4.tcp_syn_retries=2")
    x.listen()
    h = x.router.add("ip saddr %s tcp flags == syn" % C4)
    r = x.connect(accept=False, expect_ok=False)
    assert "ETIMEDOUT" in r, r
    x.router.delete(h, "all SYNs client->server")


@scenario(7, "lost_third_ack", "router drops the client's pure ACKs (third ACK, and the ACK of the retransmitted SYN-ACK) until the client sends data 1.5 s after connect(): the data completes the handshake")
def sc_lost_third_ack(x):
    x.listen()
    h = x.router.add("ip saddr %s tcp flags == ack" % C4)
    x.server.start("accept")
    x.client.do("socket inet"); x.client.do("bind %s %d" % (x.c, x.cport))
    x.client.do("connect %s %d" % (x.s, x.sport))
    time.sleep(1.5)  # server retransmits its SYN-ACK after 1 s
    x.client.do("send 100")
    x.server.reply()
    time.sleep(0.1)
    x.router.delete(h, "pure ACKs client->server during the handshake")
    x.server.do("recvexact 100")
    x.server.do("send 100"); x.client.do("recvexact 100")
    x.client_closes_four_way()
    time.sleep(0.3)


@scenario(8, "half_close", "client shutdown(SHUT_WR) after its request; server keeps sending 3 x 1000 bytes for 0.3 s, then closes; client reads to EOF and closes")
def sc_half_close(x):
    x.listen(); x.connect()
    x.client.do("send 100")
    x.client.do("shutwr")
    x.server.do("recvall")
    for _ in range(3):
        time.sleep(0.1)
        x.server.do("send 1000")
    x.client.do("recvexact 3000")
    time.sleep(0.1)
    x.server.do("close")
    x.client.do("recvall")
    x.client.do("close")
    time.sleep(0.3)


@scenario(9, "close_wait_linger", "client closes; server reads EOF, stays in CLOSE_WAIT 2 s, then closes")
def sc_close_wait(x):
    x.listen(); x.connect(); x.exchange()
    x.client_closes_four_way(wait=2.0)
    time.sleep(0.3)


def check_simultaneous(roles):
    return all("CLOSING" in inc["states"] for r in ("client", "server") for inc in roles[r])


@scenario(10, "simultaneous_close", "both apps close at the same instant while the router drops all FINs; the rule is removed 0.1 s later so the RTO retransmissions of both FINs (same timer tick) cross; kernel shows CLOSING on both sides",
          tries=8, check=check_simultaneous)
def sc_simultaneous(x):
    x.listen(); x.connect(); x.exchange()
    h = x.router.add("tcp flags & fin == fin")
    t = time.time() + 0.3
    x.client.start("closeat %.6f" % t)
    x.server.start("closeat %.6f" % t)
    x.client.reply(); x.server.reply()
    time.sleep(0.1)
    x.router.delete(h, "all FINs both ways until both apps closed")
    time.sleep(1.5)


@scenario(11, "tw_reuse_client", "client closes first (TIME_WAIT on the client), 1.2 s later binds the same port (SO_REUSEADDR, tcp_tw_reuse=1) and reconnects while that 4-tuple is still in TIME_WAIT")
def sc_tw_reuse_client(x):
    x.c_sysctl("net.ipv4.tcp_tw_reuse=1")
    x.listen(); x.connect(); x.exchange()
    x.client_closes_four_way(wait=0.3)
    time.sleep(1.2)
    x.ss.snap()
    tw = nsrun(NS_C, ["ss", "-tanH", "state", "time-wait"])
    log("client TIME-WAIT before reconnect: " + tw.strip())
    assert ":%d" % x.cport in tw, "no client TIME_WAIT before reuse"
    x.connect(); x.exchange()
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


@scenario(12, "tw_reuse_server", "server closes first (TIME_WAIT on the server); client reconnects from the same port 0.5 s later; the server's TIME_WAIT accepts the new SYN")
def sc_tw_reuse_server(x):
    x.listen(); x.connect(); x.exchange()
    x.server.do("close")
    x.client.do("recvall")
    time.sleep(0.3)
    x.client.do("close")
    time.sleep(0.3)
    x.ss.snap()
    tw = nsrun(NS_S, ["ss", "-tanH", "state", "time-wait"])
    log("server TIME-WAIT before reconnect: " + tw.strip())
    assert ":%d" % x.cport in tw, "no server TIME_WAIT before reuse"
    x.connect(); x.exchange()
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


@scenario(13, "keepalive", "client TCP_KEEPIDLE=1 INTVL=1 CNT=3, idle 3.5 s: keepalive probes answered by the server; then normal close")
def sc_keepalive(x):
    x.listen(); x.connect()
    x.client.do("keepalive 1 1 3")
    x.exchange()
    time.sleep(3.5)
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


@scenario(14, "zero_window", "server (SO_RCVBUF 2048 on the listener) does not read for 2 s while the client writes 30000 bytes: zero windows and zero-window probes, then the server drains; normal close")
def sc_zero_window(x):
    x.listen(rcvbuf=2048); x.connect()
    x.client.start("send 30000")
    time.sleep(2.0)
    x.server.do("recvexact 30000")
    x.client.reply()
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


@scenario(15, "keepalive_timeout", "client keepalive IDLE=1 INTVL=1 CNT=2; after the data the router drops everything server->client; the probes go unanswered and the client's kernel gives up with an RST (ETIMEDOUT)")
def sc_keepalive_timeout(x):
    x.listen(); x.connect()
    x.client.do("keepalive 1 1 2")
    x.exchange()
    h = x.router.add("ip saddr %s" % S4)
    r = x.client.do("wait_error")
    assert "ETIMEDOUT" in r, r
    time.sleep(0.2)
    x.router.delete(h, "everything server->client after the data")
    x.client.do("close")
    x.server.do("close")
    time.sleep(0.2)


@scenario(16, "rst_unread", "server closes while 100 received bytes are still unread: its kernel sends RST instead of FIN")
def sc_rst_unread(x):
    x.listen(); x.connect(); x.exchange()
    x.client.do("send 100")
    time.sleep(0.2)
    x.client.start("wait_error")
    x.server.do("close")
    x.client.reply()
    x.client.do("close")
    time.sleep(0.2)


@scenario(17, "lost_fin", "router drops the client's first FIN; the FIN is retransmitted after the RTO; then a 4-segment close")
def sc_lost_fin(x):
    x.listen(); x.connect(); x.exchange()
    box = x.router.drop_first("ip saddr %s tcp flags & fin == fin" % C4, 52)
    x.client.do("close")
    x.server.do("recvall")
    box["thread"].join()
    time.sleep(0.5)
    x.server.do("close")
    time.sleep(0.3)


@scenario(18, "lost_last_ack", "router drops the client's first last-ACK; the server retransmits its FIN, the client (TIME_WAIT) ACKs it again")
def sc_lost_last_ack(x):
    x.listen(); x.connect(); x.exchange()
    x.client.do("close")
    x.server.do("recvall")
    time.sleep(0.5)
    box = x.router.drop_first("ip saddr %s tcp flags == ack" % C4, 52)
    x.server.do("close")
    box["thread"].join()
    time.sleep(1.0)


@scenario(19, "lost_syn", "router drops the first SYN; the SYN retransmission 1 s later succeeds; normal 4-segment close")
def sc_lost_syn(x):
    x.listen()
    box = x.router.drop_first("ip saddr %s tcp flags == syn" % C4, 60)
    x.connect()
    box["thread"].join()
    x.exchange()
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


@scenario(20, "synack_unanswered", "router drops every SYN-ACK; client (tcp_syn_retries=2) retransmits its SYN, server (tcp_synack_retries=2) retransmits SYN-ACKs; nobody completes the handshake (half-open seen from the server)")
def sc_synack_unanswered(x):
    x.c_sysctl("net.ipv4.tcp_syn_retries=2")
    x.s_sysctl("net.ipv4.tcp_synack_retries=2")
    x.listen()
    h = x.router.add("ip saddr %s tcp flags == syn|ack" % S4)
    r = x.connect(accept=False, expect_ok=False)
    assert "ETIMEDOUT" in r, r
    for _ in range(200):  # until the server's request sock has given up
        if ":%d" % x.cport not in nsrun(NS_S, ["ss", "-tanH"]):
            break
        time.sleep(0.05)
    time.sleep(0.2)
    x.router.delete(h, "all SYN-ACKs server->client")


@scenario(21, "normal_close_v6", "IPv6 (2001:db8::/32) 4-segment close, client closes first", v6=True)
def sc_normal_v6(x):
    x.listen(); x.connect(); x.exchange()
    x.client_closes_four_way()
    time.sleep(0.3)


def write_tsv(outdir, name, roles):
    tsv = ["# role\tincarnation\tstates (kernel, RFC spelling; from %s.kernel.log)" % name]
    for role in ("client", "server"):
        for i, inc in enumerate(roles[role]):
            tsv.append("%s\t%d\t%s" % (role, i + 1, " ".join(inc["states"])))
    wfile(os.path.join(outdir, name + ".kernel.tsv"), "\n".join(tsv) + "\n")


def retruth(outdir, name, sport, cport=None):
    """Rebuild S.kernel.tsv (and the notes) from the raw lines kept in S.kernel.log."""
    path = os.path.join(outdir, name + ".kernel.log")
    with open(path) as f:
        text = f.read()
    part = None
    trace, ss_seen, keep = [], [], []
    for line in text.splitlines():
        if line.startswith("# --- "):
            part = line[6:].split()[0]
        elif part == "sock:inet_sock_set_state":
            trace.append(line)
        elif part == "ss" and line.strip():
            t, role, st, l, p = line.split()
            ss_seen.append((float(t), role, st, l, p))
        if part != "truth":
            keep.append(line)
    roles, notes = build_truth("\n".join(trace), ss_seen, sport, cport)
    wfile(path, "\n".join(keep + ["# --- truth notes"] + notes) + "\n")
    write_tsv(outdir, name, roles)
    log("%s: %s" % (name, {r: [i["states"] for i in v] for r, v in roles.items()}))


# What each capture must show (tshark display filter, relative sequence numbers):
# (side, filter, op, n) with side in client/server/both and op one of == >=.
C, S = "tcp.srcport >= 40000", "tcp.srcport < 40000"
VERIFY = {
    "normal_close": [("both", "tcp.flags.fin==1", "==", 2),
                     ("both", S + " && tcp.flags.fin==0 && tcp.ack==102 && tcp.len==0", "==", 1)],
    "merged_fin_ack": [("both", "tcp.flags.fin==1", "==", 2),
                       ("both", S + " && tcp.flags.fin==0 && tcp.ack==102", "==", 0),
                       ("both", S + " && tcp.flags.fin==1 && tcp.ack==102", "==", 1)],
    "server_close_first": [("both", C + " && tcp.flags.fin==0 && tcp.ack==102 && tcp.len==0", "==", 1)],
    "rst_abort": [("both", C + " && tcp.flags.reset==1", "==", 1), ("both", "tcp.flags.fin==1", "==", 0)],
    "refused": [("both", S + " && tcp.flags.reset==1 && tcp.flags.ack==1", "==", 1)],
    "syn_unanswered": [("client", "tcp.flags.syn==1 && tcp.flags.ack==0", ">=", 3),
                       ("client", S, "==", 0), ("server", "tcp", "==", 0)],
    "lost_third_ack": [("server", C + " && tcp.flags.syn==0 && tcp.len==0 && tcp.seq==1 && tcp.ack==1", "==", 0),
                       ("server", S + " && tcp.flags.syn==1", "==", 2),
                       ("client", C + " && tcp.flags.syn==0 && tcp.len==0 && tcp.seq==1 && tcp.ack==1", "==", 2)],
    "half_close": [("both", S + " && tcp.len>0 && tcp.ack==102", "==", 3)],
    "close_wait_linger": [("both", S + " && tcp.flags.fin==1 && frame.time_relative>1.5", "==", 1)],
    "tw_reuse_client": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 2)],
    "tw_reuse_server": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 2)],
    "keepalive": [("both", "tcp.analysis.keep_alive", ">=", 3), ("both", "tcp.analysis.keep_alive_ack", ">=", 3)],
    "zero_window": [("both", "tcp.analysis.zero_window", ">=", 1), ("both", "tcp.analysis.zero_window_probe or tcp.analysis.keep_alive", ">=", 1)],
    "keepalive_timeout": [("client", "tcp.analysis.keep_alive", ">=", 2), ("client", S + " && frame.time_relative>0.5", "==", 0),
                          ("both", C + " && tcp.flags.reset==1", "==", 1)],
    "rst_unread": [("both", S + " && tcp.flags.reset==1", "==", 1), ("both", "tcp.flags.fin==1", "==", 0)],
    "lost_fin": [("client", C + " && tcp.flags.fin==1", "==", 2), ("server", C + " && tcp.flags.fin==1", "==", 1)],
    "lost_last_ack": [("both", S + " && tcp.flags.fin==1", "==", 2), ("client", C + " && tcp.ack==102", "==", 2),
                      ("server", C + " && tcp.ack==102", "==", 1)],
    "lost_syn": [("client", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 2),
                 ("server", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 1)],
    "synack_unanswered": [("client", S, "==", 0), ("server", S + " && tcp.flags.syn==1", ">=", 3),
                          ("server", C + " && tcp.flags.syn==0", "==", 0)],
    "normal_close_v6": [("both", "ipv6 && tcp.flags.fin==1", "==", 2)],
}


# Scenarios of the handshake diagnosis (issue #9) live in their own file.
import lab_handshake  # noqa: E402
lab_handshake.register(sys.modules[__name__])
# Scenarios closing test holes (issue #10).
import lab_holes  # noqa: E402
lab_holes.register(sys.modules[__name__])
import lab_holes2  # noqa: E402
lab_holes2.register(sys.modules[__name__])
import lab_rst_window  # noqa: E402
lab_rst_window.register(sys.modules[__name__])


def verify_captures(name, outdir):
    bad = []
    for side, flt, op, n in VERIFY.get(name, []):
        for sd in (("client", "server") if side == "both" else (side,)):
            pcap = os.path.join(outdir, "%s.%s.pcap" % (name, sd))
            out = run(["tshark", "-r", pcap, "-Y", flt, "-T", "fields", "-e", "frame.number"], check=False)
            got = len([l for l in out.splitlines() if l.strip()])
            if not (got == n if op == "==" else got >= n):
                bad.append("%s.%s: [%s] %d frames, want %s %d" % (name, sd, flt, got, op, n))
    return bad


def run_scenario(sc, outdir):
    name = sc["name"]
    for attempt in range(1, sc["tries"] + 1):
        log("=== %s (attempt %d)" % (name, attempt))
        setup()
        x = Ctx(sc["n"], sc["v6"])
        tracer = Tracer()
        only = x.cport if sc["isolate"] else None
        bpf = "tcp port %d" % only if only else (sc.get("bpf") or "tcp")
        tracer.start(only or x.sport)
        caps = []

        def start_capture(caps=caps, bpf=bpf):
            caps += [Capture(NS_C, "c0", os.path.join(outdir, name + ".client.pcap"), bpf),
                     Capture(NS_S, "s0", os.path.join(outdir, name + ".server.pcap"), bpf)]
            if sc.get("late_capture"):
                x.router.log.append("tcpdump started at mono %.6f" % time.monotonic())
        x.start_capture = start_capture
        if not sc.get("late_capture"):
            start_capture()
        x.ss = SsPoller()
        x.ss.start()
        t0 = time.monotonic()
        try:
            sc["fn"](x)
        finally:
            x.client.stop()
            x.server.stop()
            time.sleep(0.2)
            x.ss.finish()
            capinfo = [c.stop() for c in caps]
            trace = tracer.stop()
        roles, notes = build_truth(trace, x.ss.seen, x.sport, only)
        ok = sc["check"] is None or sc["check"](roles)
        bad = verify_captures(name, outdir)
        for b in bad:
            log("capture check failed: " + b)
        ok = ok and not bad
        if ok:
            break
        log("%s: check failed (%s), retrying" % (name, {r: [i["states"] for i in v] for r, v in roles.items()}))
    else:
        raise RuntimeError("%s: scenario never showed the intended behaviour" % name)
    # raw log
    tp = only or x.sport
    lines = ["# scenario %s: %s" % (name, sc["desc"]),
             "# attempt %d; server port %d, client port %d%s" % (
                 attempt, x.sport, x.cport, "; only the client port's connection" if only else ""),
             "# --- sock:inet_sock_set_state (trace_clock mono, filter sport==%d||dport==%d)" % (tp, tp)]
    lines += [l for l in trace.splitlines() if not l.startswith("#")]
    lines.append("# --- ss -tanH changes (mono time, role, state, local, peer)")
    lines += ["%.6f %s %s %s %s" % s for s in x.ss.seen]
    lines.append("# --- router")
    lines += x.router.log or ["(no rule)"]
    lines.append("# --- tcpdump")
    lines += [c.replace("\n", "; ") for c in capinfo]
    lines.append("# --- truth notes")
    lines += notes
    wfile(os.path.join(outdir, name + ".kernel.log"), "\n".join(lines) + "\n")
    write_tsv(outdir, name, roles)
    for f in (".kernel.log", ".kernel.tsv"):
        os.chmod(os.path.join(outdir, name + f), 0o644)
    log("%s: %s (%.1f s)" % (name, {r: [i["states"] for i in v] for r, v in roles.items()}, time.monotonic() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "captures"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--verify", action="store_true",
                    help="only check that the existing captures show what their scenario says")
    ap.add_argument("--retruth", action="store_true",
                    help="only rebuild S.kernel.tsv from the existing S.kernel.log files")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if a.list:
        for sc in SCENARIOS:
            print("%-20s %s" % (sc["name"], sc["desc"]))
        return
    if os.geteuid() != 0:
        sys.exit("lab.py needs root (namespaces, tcpdump, tracefs)")
    names = a.names or [sc["name"] for sc in SCENARIOS]
    unknown = set(names) - {sc["name"] for sc in SCENARIOS}
    if unknown:
        sys.exit("unknown scenario(s): %s" % " ".join(sorted(unknown)))
    os.makedirs(a.out, exist_ok=True)
    if a.verify:
        bad = []
        for sc in SCENARIOS:
            if sc["name"] in names:
                bad += verify_captures(sc["name"], a.out)
        for b in bad:
            print("FAIL " + b)
        print("%d capture check(s) failed" % len(bad))
        sys.exit(1 if bad else 0)
    if a.retruth:
        for sc in SCENARIOS:
            if sc["name"] in names:
                retruth(a.out, sc["name"], 8000 + sc["n"], 40000 + sc["n"] if sc["isolate"] else None)
        return

    def on_signal(signum, frame):
        teardown()
        sys.exit(1)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        for sc in SCENARIOS:
            if sc["name"] in names:
                run_scenario(sc, os.path.abspath(a.out))
    finally:
        teardown()
        if os.path.isdir(INST):
            try:
                os.rmdir(INST)
            except OSError:
                pass


if __name__ == "__main__":
    main()
