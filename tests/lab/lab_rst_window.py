"""Lab scenarios for RSTs against the receiver's window (RFC 9293 3.10.7.4,
RFC 5961 3.2) with window scaling that differs per side (RFC 7323 2.3).
lab.py registers them (register(lab)); run them like any other:
  tests/lab/run-lab.sh rst_abort_in_flight rst_in_window

rst_abort_in_flight: the client (SO_RCVBUF 4096: window scale 0) sends 20,000
bytes to a server whose window scale is 9 and aborts (SO_LINGER 0) while the
router's tbf queue towards the client holds the server's ACKs: the client's
kernel RST takes its seq from SND.NXT, ~14,500 bytes beyond the last ACK the
client's vantage point has seen, far beyond the server's window field (~127)
taken unscaled, inside it scaled (x 512). The server's kernel accepts it
(seq == RCV.NXT): ECONNRESET. The held ACKs then reach a client without a
socket, whose kernel answers each with a bare RST.
rst_in_window: after an exchange, a raw-socket injector in the client's
namespace (a blind reset attack) spoofs one bare RST in the client's name
1,000 bytes beyond the server's RCV.NXT: inside its window, not at RCV.NXT.
Linux answers with a challenge ACK (ack = RCV.NXT) and keeps the connection;
the server answers the client's data and the connection closes normally.
"""
import time

import lab_holes2

IN_WINDOW_OFFSET = 1000


def register(lab):
    scenario, C, S = lab.scenario, lab.C, lab.S

    @scenario(61, "rst_abort_in_flight", desc="server tcp_rmem max 16 MiB (window scale 9), client SO_RCVBUF "
              "4096 (window scale 0); a 100-byte exchange; then the router's tbf queue (filled with UDP, not "
              "captured) holds everything towards the client ~280 ms while the client sends 20,000 bytes (its "
              "initial window: 10 segments leave) and aborts at once (SO_LINGER 0): its RST carries SND.NXT, "
              "~14,480 bytes beyond the server's last ACK the client has seen, inside the server's scaled window "
              "(field ~127 x 512); the server's kernel accepts it (its recv: ECONNRESET). The held ACKs reach the "
              "client after its socket is gone: its kernel answers each with a bare RST (seq = their ack), which "
              "the server, without a socket either, drops")
    def sc_rst_abort_in_flight(x):
        x.s_sysctl("net.ipv4.tcp_rmem=4096 131072 16777216")
        x.listen()
        x.client.do("socket %s" % x.fam)
        x.client.do("rcvbuf 4096")
        x.client.do("bind %s %d" % (x.c, x.cport))
        x.server.start("accept")
        x.client.do("connect %s %d" % (x.s, x.sport))
        x.server.reply()
        x.exchange()
        time.sleep(0.1)
        x.server.start("recvall")
        lab.router_queue(x, (lab.C4,), ("r0",))
        x.client.do("send 20000")
        x.client.do("linger0")
        x.client.do("close")
        r = x.server.reply()
        x.router.log.append("server recv: " + r)
        assert "ECONNRESET" in r, r
        time.sleep(0.6)
        lab.router_queue_off(x, ("r0",))
        x.server.do("close")
        time.sleep(0.2)

    @scenario(62, "rst_in_window", desc="server tcp_rmem max 16 MiB (window scale 9); after an exchange a "
              "raw-socket injector in the client namespace (no kernel socket: a blind reset attack) sees the "
              "client's 200-byte segment leave and spoofs one bare RST (no ACK) in the client's name with seq = "
              "its end + 1,000: inside the server's window (~64 KiB), not at RCV.NXT. The server's kernel "
              "answers with a challenge ACK (RFC 5961 3.2: ack = RCV.NXT) and keeps the connection "
              "(ESTABLISHED); the server answers the data with 100 bytes and the connection closes normally "
              "(4-segment, client first)")
    def sc_rst_in_window(x):
        lab_holes2.spoofed_rsts_then_close(lab, x, (IN_WINDOW_OFFSET,), settle=0.3)

    lab.VERIFY.update({
        "rst_abort_in_flight": [("both", C + " && tcp.flags.syn==1 && tcp.options.wscale.shift==0", "==", 1),
                                ("both", S + " && tcp.flags.syn==1 && tcp.options.wscale.shift==9", "==", 1),
                                ("both", C + " && tcp.flags.reset==1 && tcp.flags.ack==1", "==", 1),
                                ("both", C + " && tcp.flags.reset==1 && tcp.flags.ack==0", ">=", 1),
                                ("both", "tcp.flags.fin==1", "==", 0)],
        "rst_in_window": [("both", "tcp.flags.reset==1", "==", 1),
                          ("both", "tcp.flags.reset==1 && tcp.flags.ack==0 && tcp.window_size_value==0", "==", 1),
                          ("both", "tcp.flags.fin==1", "==", 2),
                          ("both", S + " && tcp.len==100", "==", 2)],
    })
