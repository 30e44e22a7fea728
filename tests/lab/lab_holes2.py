"""Lab scenarios closing more test holes (issue #10): rules that only unit
tests guarded, now made by the real Linux stack.  lab.py registers them
(register(lab)); run them like any other:
  tests/lab/run-lab.sh simultaneous_open midstream time_wait_expired syn_scan_same_isn rst_out_of_window

simultaneous_open: the two endpoints' SYNs must be in flight at once; on veth a
SYN reaches the peer within microseconds, so (no netem on this kernel) the
router's tbf queue trick of both_reset holds each SYN ~280 ms.
midstream: tcpdump starts only after the handshake and a first exchange
(scenario option late_capture); the kernel trace covers the whole connection.
time_wait_expired: the client's TIME_WAIT (Linux: 60 s, fixed) is waited out
(ss shows the 4-tuple gone) before the same 4-tuple connects again.
rst_out_of_window: a raw-socket injector in the client namespace (like a blind
reset attack, RFC 5961) watches c0 for the client's 200-byte segment and spoofs
two bare RSTs in the client's name, one 1,000,000 bytes beyond the server's
rcv_nxt and one 70,000 before it, both outside the server's (scaled) window.
syn_scan_same_isn: a raw-socket SYN scanner (no kernel socket on the client)
sends three SYNs with one fixed ISN; the router's queue towards the client holds
the answers back so that they arrive after all three SYNs were sent.
"""
import time

SCAN_ISN = 0x5CA11ED0
# What both raw-socket scripts below start with: a TCP header sent with its
# checksum filled in (RFC 9293 3.1 pseudo-header), the kernel adding IPv4.
RAW_TCP = r"""
import socket, struct, sys, time

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def send_tcp(raw, src, dst, hdr):
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    raw.sendto(hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:], (dst, 0))
"""
SCANNER = RAW_TCP + r"""
src, dst, isn = sys.argv[1], sys.argv[2], int(sys.argv[3])
pairs = [(int(a), int(b)) for a, b in (p.split(":") for p in sys.argv[4:])]

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for sport, dport in pairs:
    # like nmap -sS: SYN, window 1024, one option (MSS 1460)
    opts = struct.pack("!BBH", 2, 4, 1460)
    send_tcp(s, src, dst, struct.pack("!HHIIBBHHH", sport, dport, isn, 0, (5 + len(opts) // 4) << 4, 0x02,
                                      1024, 0, 0) + opts)
    print("%.6f SYN %d -> %d seq %d" % (time.monotonic(), sport, dport, isn), flush=True)
"""

# Sniffs c0 (AF_PACKET) for the first segment from sport to dport carrying
# `length` bytes, then sends a bare RST (no ACK) for each offset past its end.
INJECTOR = RAW_TCP + r"""
src, dst, sport, dport, length = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
offsets = [int(o) for o in sys.argv[6:]]

# ETH_P_ALL: only taps of every protocol see outgoing frames
sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
sniff.bind(("c0", 0))
sniff.settimeout(10)
print("ready", flush=True)
while True:
    f = sniff.recv(2048)
    if f[12:14] != b"\x08\x00":
        continue
    ip = f[14:]
    ihl = (ip[0] & 15) * 4
    if ip[9] != 6 or ip[12:16] != socket.inet_aton(src) or ip[16:20] != socket.inet_aton(dst):
        continue
    tcp = ip[ihl:]
    sp, dp, seq = struct.unpack("!HHI", tcp[:8])
    paylen = struct.unpack("!H", ip[2:4])[0] - ihl - (tcp[12] >> 4) * 4
    if (sp, dp, paylen) == (sport, dport, length):
        break
end = (seq + paylen) & 0xffffffff
print("%.6f data seq %d len %d: end %d" % (time.monotonic(), seq, paylen, end), flush=True)
time.sleep(0.05)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for off in offsets:
    rseq = (end + off) & 0xffffffff
    send_tcp(raw, src, dst, struct.pack("!HHIIBBHHH", sport, dport, rseq, 0, 5 << 4, 0x04, 0, 0, 0))
    print("%.6f RST seq %d (rcv_nxt %+d)" % (time.monotonic(), rseq, off), flush=True)
    time.sleep(0.05)
"""
RST_OFFSETS = (1000000, -70000)


def spoofed_rsts_then_close(lab, x, offsets, settle):
    """Server window scale 9; after an exchange the injector spoofs one bare
    RST in the client's name per offset past the client's 200-byte segment;
    `settle` seconds later the server answers the data and the client closes
    four-way. rst_out_of_window and rst_in_window (lab_rst_window.py)."""
    x.s_sysctl("net.ipv4.tcp_rmem=4096 131072 16777216")
    x.listen(); x.connect(); x.exchange()
    inj = lab.subprocess.Popen(["ip", "netns", "exec", lab.NS_C, lab.sys.executable, "-c", INJECTOR,
                                lab.C4, lab.S4, str(x.cport), str(x.sport), "200"]
                               + [str(o) for o in offsets], stdout=lab.subprocess.PIPE, text=True)
    assert inj.stdout.readline().strip() == "ready"
    x.client.do("send 200")
    x.server.do("recvexact 200")
    out, _ = inj.communicate(timeout=20)
    assert inj.returncode == 0 and out.count("RST seq") == len(offsets), out
    x.router.log += ["injector: " + l for l in out.splitlines()]
    time.sleep(settle)
    x.server.do("send 100")
    x.client.do("recvexact 100")
    x.client_closes_four_way(wait=0.3)
    time.sleep(0.3)


def register(lab):
    scenario, C, S = lab.scenario, lab.C, lab.S

    def check_simultaneous_open(roles):
        return all(len(roles[r]) == 1 and roles[r][0]["states"][:3] == ["SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"]
                   for r in ("client", "server"))

    @scenario(56, "simultaneous_open", tries=4, check=check_simultaneous_open, desc="no listener: the client "
              "(port 40056) and the server's host (port 8056, bound) connect() to each other at the same instant "
              "while a tbf queue in the router (filled with UDP datagrams, not captured) holds each SYN ~280 ms: "
              "the SYNs cross, each kernel answers the other's SYN from SYN_SENT with a SYN-ACK (SYN_SENT -> "
              "SYN_RECEIVED) and the crossing SYN-ACKs take both to ESTABLISHED; the queue is removed, an "
              "exchange, a 4-segment close, client (40056) first")
    def sc_simultaneous_open(x):
        x.client.do("socket inet"); x.client.do("bind %s %d" % (x.c, x.cport))
        x.server.do("socket inet"); x.server.do("bind %s %d" % (x.s, x.sport))
        lab.router_queue(x, (lab.C4, lab.S4), ("r0", "r1"))
        x.client.start("connect %s %d" % (x.s, x.sport))
        x.server.start("connect %s %d" % (x.c, x.cport))
        for p in (x.client, x.server):
            r = p.reply()
            assert r == "ok connected", r
        time.sleep(0.2)
        lab.router_queue_off(x, ("r0", "r1"))
        x.exchange()
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)

    @scenario(57, "midstream", late_capture=True, desc="tcpdump starts only after the handshake and a first "
              "100-byte exchange (the kernel trace and ss cover the whole connection); captured: another "
              "exchange (client first) and a 4-segment close, client first. Client port 40057, server port "
              "8057: the lower port is the server's, so the inferred roles are right")
    def sc_midstream(x):
        x.listen(); x.connect(); x.exchange()
        time.sleep(0.2)
        x.start_capture()
        time.sleep(0.2)
        x.exchange()
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)

    def check_tw_expired(roles):
        return len(roles["client"]) == 2 and roles["client"][0]["states"][-2:] == ["TIME_WAIT", "CLOSED"]

    @scenario(58, "time_wait_expired", check=check_tw_expired, desc="client closes first (TIME_WAIT on the "
              "client, Linux 60 s); once ss shows the 4-tuple gone (TIME_WAIT expired) and 1 s more, the "
              "client binds the same port again (SO_REUSEADDR; tcp_tw_reuse left at its default) and "
              "reconnects: a new incarnation of the 4-tuple, not a TIME_WAIT reuse; exchange, 4-segment "
              "close, client first")
    def sc_time_wait_expired(x):
        x.listen(); x.connect(); x.exchange()
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)
        x.ss.snap()
        tw = lab.nsrun(lab.NS_C, ["ss", "-tanH", "state", "time-wait"])
        assert ":%d" % x.cport in tw, "no client TIME_WAIT"
        t_tw = time.monotonic()
        while ":%d" % x.cport in lab.nsrun(lab.NS_C, ["ss", "-tanH", "state", "time-wait"]):
            assert time.monotonic() - t_tw < 75, "client TIME_WAIT never expired"
            time.sleep(0.1)
        lab.log("client TIME-WAIT gone after %.1f s" % (time.monotonic() - t_tw))
        time.sleep(1.0)
        x.ss.snap()
        x.connect(); x.exchange()
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)

    @scenario(59, "syn_scan_same_isn", desc="a raw-socket SYN scanner in the client namespace (no kernel "
              "socket: like nmap -sS) sends three SYNs with one fixed ISN 0x5ca11ed0 within a millisecond: "
              "40059 -> 8059 (listening), 40060 -> 8060 (dropped silently by nft in the server namespace), "
              "40061 -> 8061 (closed); a tbf queue in the router towards the client (filled with UDP, not "
              "captured) holds the answers ~280 ms, so they arrive after all three SYNs: the SYN-ACK of 8059 "
              "(the client's kernel, which has no socket, answers it with an RST) and the RST-ACK of 8061; "
              "8060 is never answered")
    def sc_syn_scan(x):
        x.listen()
        lab.nsrun(lab.NS_S, ["nft", "add table inet scan"])
        lab.nsrun(lab.NS_S, ["nft", "add chain inet scan in { type filter hook input priority 0 ; policy accept ; }"])
        lab.nsrun(lab.NS_S, ["nft", "add rule inet scan in tcp dport %d counter drop" % (x.sport + 1)])
        lab.router_queue(x, (lab.C4,), ("r0",))
        out = lab.nsrun(lab.NS_C, [lab.sys.executable, "-c", SCANNER, lab.C4, lab.S4, str(SCAN_ISN),
                                   "%d:%d" % (x.cport, x.sport), "%d:%d" % (x.cport + 1, x.sport + 1),
                                   "%d:%d" % (x.cport + 2, x.sport + 2)])
        x.router.log += ["scanner: " + l for l in out.splitlines()]
        time.sleep(1.0)
        lab.router_queue_off(x, ("r0",))
        cnt = lab.nsrun(lab.NS_S, ["nft", "list chain inet scan in"])
        x.router.log.append("server namespace nft: " + " ".join(l.strip() for l in cnt.splitlines()
                                                                 if "drop" in l))

    @scenario(60, "rst_out_of_window", desc="server tcp_rmem max 16 MiB (window scale 9); after an exchange "
              "a raw-socket injector in the client namespace (no kernel socket: a blind reset attack, RFC 5961) "
              "sees the client's 200-byte segment leave and spoofs two bare RSTs (no ACK) in the client's name: "
              "seq = its end + 1,000,000 (beyond the server's scaled window, ~64 KiB) and end - 70,000 (before "
              "rcv_nxt); the server's kernel drops both silently (no challenge ACK, no state change); the "
              "server answers the data, and the connection closes normally (4-segment, client first)")
    def sc_rst_out_of_window(x):
        spoofed_rsts_then_close(lab, x, RST_OFFSETS, settle=0.2)

    isn = "tcp.seq_raw==%d" % SCAN_ISN
    lab.VERIFY.update({
        "rst_out_of_window": [("both", "tcp.flags.reset==1 && tcp.flags.ack==0 && tcp.window_size_value==0", "==", 2),
                              ("both", "tcp.flags.reset==1", "==", 2),
                              ("both", "tcp.flags.fin==1", "==", 2),
                              ("both", S + " && tcp.len==100", "==", 2)],
        "simultaneous_open": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 2),
                              ("both", "tcp.flags.syn==1 && tcp.flags.ack==1", "==", 2),
                              ("both", "tcp.flags.fin==1", "==", 2),
                              ("both", "tcp.flags.reset==1", "==", 0)],
        "midstream": [("both", "tcp.flags.syn==1", "==", 0),
                      ("both", "tcp.flags.fin==1", "==", 2),
                      ("both", C + " && tcp.len==100 && frame.number==1", "==", 1)],
        "time_wait_expired": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0", "==", 2),
                              ("both", "tcp.flags.syn==1 && tcp.flags.ack==0 && frame.time_relative > 60", "==", 1),
                              ("both", "tcp.flags.fin==1", "==", 4)],
        "syn_scan_same_isn": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0 && " + isn, "==", 3),
                              ("both", "tcp.flags.syn==1 && tcp.flags.ack==1 && tcp.ack_raw==%d" % (SCAN_ISN + 1), "==", 1),
                              ("both", "tcp.srcport==40059 && tcp.flags.reset==1 && tcp.seq_raw==%d" % (SCAN_ISN + 1), "==", 1),
                              ("both", "tcp.srcport==8061 && tcp.flags.reset==1 && tcp.flags.ack==1", "==", 1),
                              ("both", "tcp.srcport==8060", "==", 0),
                              ("client", "tcp.flags.syn==1 && tcp.flags.ack==1 && frame.number==4", "==", 1)],
    })
