"""Lab scenarios closing test holes (issue #10): ICMP errors quoting a live
connection's segment (IPv4 fragmentation needed, IPv6 Packet Too Big), an RST
that is in the receiver's window only once the window scale is applied, both
endpoints resetting one connection, and a server FIN sent from SYN_RECEIVED
(Fast Open, third ACK lost), and a FIN-ACK that completes the handshake.
lab.py registers them (register(lab)); run them like any other:
  tests/lab/run-lab.sh icmp_frag_needed icmp6_packet_too_big wscale_rst ...

The ICMP scenarios capture `tcp or icmp` (IPv6: Packet Too Big only) so the
router's error reaches the client capture; all others capture `tcp` as usual.
both_reset needs a queue: two closes at one instant never cross on veth
(the RST reaches the peer's socket within the close() call, 10 of 10
attempts), so the router gets a tbf qdisc for the close, filled with UDP
datagrams it sends itself (not captured), and the RSTs wait ~230 ms in it.
wscale_rst: the RST's seq is the sender's snd_nxt; the data in flight (the
router drops it) puts it 8000 past the receiver's rcv_nxt, which the real
kernel does: no packet is crafted.
"""
import time


def register(lab):
    scenario, C, S = lab.scenario, lab.C, lab.S

    def small_mtu_path(x):
        # the router's link towards the server carries 1280-byte packets; the
        # endpoints' own links stay at 1500, so both negotiate MSS 1460 and the
        # client's first full-size DF segment cannot be forwarded
        lab.nsrun(lab.NS_R, ["ip", "link", "set", "r1", "mtu", "1280"])
        x.router.log.append("router r1 (towards the server) mtu 1280; endpoints 1500")

    def pmtu(x):
        small_mtu_path(x)
        x.listen(); x.connect(); x.exchange()
        x.client.do("send 3000")            # 1448-byte segments: the first hits the 1280 MTU
        x.server.do("recvexact 3000")
        x.server.do("send 100")
        x.client.do("recvexact 100")
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)

    @scenario(50, "icmp_frag_needed", "router link towards the server has MTU 1280: the client's first 1448-byte DF data segment is answered by the router with ICMP fragmentation needed (mtu 1280) quoting it (and the next one too); the client's kernel lowers its path MTU and resends in 1228-byte segments; the connection goes on and closes normally (4-segment, client first)",
              bpf="tcp or icmp")
    def sc_icmp_frag_needed(x):
        pmtu(x)

    @scenario(51, "icmp6_packet_too_big", "IPv6 twin of icmp_frag_needed: the router answers the client's first 1440-byte data segment with ICMPv6 Packet Too Big (mtu 1280) quoting it; the client resends smaller; normal close",
              v6=True, bpf="tcp or (icmp6 and ip6[40] == 2)")
    def sc_icmp6_ptb(x):
        pmtu(x)

    @scenario(52, "wscale_rst", "server tcp_rmem max 16 MiB (window scale 9); after an exchange the router drops the client's data segments (length > 0); the client writes 8000 bytes (6 segments, never acknowledged) and aborts (SO_LINGER 0): its RST carries seq = snd_nxt, 8000 beyond the server's rcv_nxt: outside the unscaled window field (a few hundred), inside the scaled window (~64 KiB). Linux (RFC 5961) answers that in-window but inexact RST with a challenge ACK; the client, socketless, answers it with an RST at rcv_nxt, which resets the server")
    def sc_wscale_rst(x):
        x.s_sysctl("net.ipv4.tcp_rmem=4096 131072 16777216")
        x.listen(); x.connect(); x.exchange()
        x.client.do("nodelay")
        h = x.router.add("ip saddr %s tcp dport %d ip length > 52" % (lab.C4, x.sport))
        x.server.start("wait_error")
        x.client.do("send 8000")
        x.client.do("linger0")
        x.client.do("close")
        r = x.server.reply()
        assert "ECONNRESET" in r, r
        time.sleep(0.2)
        x.router.delete(h, "client data segments after the exchange")
        x.server.do("close")
        time.sleep(0.2)

    @scenario(53, "both_reset", "both applications abort (SO_LINGER 0 + close, client then server 50 ms later) while a slow queue in the router (tbf 80 kbit/s both ways, filled with 1400-byte UDP datagrams from the router just before) holds each RST back: each kernel sends its RST before the peer's arrives; the RSTs cross, neither is answered")
    def sc_both_reset(x):
        x.listen(); x.connect(); x.exchange()
        x.client.do("linger0")
        x.server.do("linger0")
        # two apps closing "at once" never cross on veth (the RST reaches the
        # peer's socket within the close() call): a queue holds them back
        lab.router_queue(x, (lab.C4, lab.S4), ("r0", "r1"))
        x.client.do("close")
        time.sleep(0.05)
        x.server.do("close")
        time.sleep(0.8)
        lab.router_queue_off(x, ("r0", "r1"))

    @scenario(54, "tfo_fin_syn_received", tries=4, desc= "TCP Fast Open (tcp_fastopen=3): connection 1 (port P) fetches a cookie, closes normally; connection 2 (port P+1) sends 100 bytes in its SYN; the router drops the client's first two pure ACKs (the third ACK and the ACK of the server's data); the server app (child socket in SYN_RECEIVED) accepts, reads, writes 100 bytes and closes: its data and FIN leave from SYN_RECEIVED; the client's (delayed) ACK of the FIN is the first ACK the server takes (completes the handshake and acknowledges the FIN); the client closes: server TIME_WAIT")
    def sc_tfo_fin_syn_received(x):
        x.c_sysctl("net.ipv4.tcp_fastopen=3")
        x.s_sysctl("net.ipv4.tcp_fastopen=3")
        x.server.do("listentfo %s %d 5" % (x.s, x.sport))
        # connection 1: the cookie
        x.fast_open_exchange(x.cport)
        time.sleep(0.3)
        # connection 2: data in the SYN, the third ACK lost
        # its first two pure ACKs: the third ACK and the (quick) ACK of the
        # server's data; the delayed ACK of the FIN passes
        box = x.router.drop_first("ip saddr %s tcp sport %d tcp flags == ack" % (lab.C4, x.cport + 1), 52, count=2)
        x.server.start("accept")
        x.client.do("socket inet")
        x.client.do("bind %s %d" % (x.c, x.cport + 1))
        x.client.do("connecttfo %s %d 100" % (x.s, x.sport))
        x.server.reply()
        x.server.do("recvexact 100")
        x.server.do("send 100")
        x.server.do("close")
        box["thread"].join()
        x.client.do("recvexact 100")
        x.client.do("recvall")
        time.sleep(0.1)
        x.client.do("close")
        time.sleep(0.3)

    @scenario(55, "fin_completes_handshake", "the router drops the client's pure ACKs: its third ACK is lost; the client closes at once: its FIN-ACK (no data) is the first ACK the server sees and completes the handshake (SYN_RECEIVED -> ESTABLISHED -> CLOSE_WAIT); the rule is removed, the server reads EOF and closes")
    def sc_fin_completes(x):
        x.listen()
        h = x.router.add("ip saddr %s tcp flags == ack" % lab.C4)
        x.client.do("socket inet"); x.client.do("bind %s %d" % (x.c, x.cport))
        x.client.do("connect %s %d" % (x.s, x.sport))
        x.client.do("close")
        time.sleep(0.2)
        x.router.delete(h, "pure ACKs client->server until the client's FIN")
        x.server.do("accept")
        x.server.do("recvall")
        x.server.do("close")
        time.sleep(0.3)

    lab.VERIFY.update({
        "icmp_frag_needed": [("client", "icmp.type==3 && icmp.code==4 && icmp.mtu==1280 && tcp.srcport>=40000", ">=", 1),
                             ("server", "icmp", "==", 0),
                             ("both", "tcp.flags.fin==1", "==", 2)],
        "icmp6_packet_too_big": [("client", "icmpv6.type==2 && icmpv6.mtu==1280 && tcp.srcport>=40000", ">=", 1),
                                 ("server", "icmpv6", "==", 0),
                                 ("both", "tcp.flags.fin==1", "==", 2)],
        "wscale_rst": [("both", C + " && tcp.flags.reset==1", "==", 2),
                       ("both", S + " && tcp.flags.reset==0 && tcp.ack==101 && frame.time_relative > 0.001 && tcp.len==0", ">=", 1),
                       ("server", C + " && tcp.len>0", "==", 1),
                       ("both", "tcp.flags.fin==1", "==", 0)],
        "both_reset": [("both", C + " && tcp.flags.reset==1", "==", 1),
                       ("both", S + " && tcp.flags.reset==1", "==", 1),
                       ("both", "tcp.flags.fin==1", "==", 0)],
        "tfo_fin_syn_received": [("both", "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.len==100", "==", 1),
                                 ("client", "tcp.srcport==40055 && tcp.flags.syn==0 && tcp.len==0 && tcp.ack<102", "==", 2),
                                 ("server", "tcp.srcport==40055 && tcp.flags.syn==0 && tcp.ack<102", "==", 0),
                                 ("both", S + " && tcp.dstport==40055 && tcp.flags.fin==1", "==", 1)],
        "fin_completes_handshake": [("server", C + " && tcp.flags.syn==0 && tcp.flags.fin==0 && tcp.ack==1", "==", 0),
                                    ("both", C + " && tcp.flags.fin==1 && tcp.ack==1 && tcp.len==0", "==", 1)],
    })
