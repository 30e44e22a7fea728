"""Lab scenarios of the handshake diagnosis (issue #9): a full accept queue
with both tcp_abort_on_overflow values, TCP Fast Open, SYN cookies.
lab.py registers them (register(lab)); run them like any other:
  tests/lab/run-lab.sh accept_overflow accept_overflow_abort fast_open syncookies

Linux checks a listener's accept queue twice (net/ipv4/tcp_input.c
tcp_conn_request, tcp_ipv4.c tcp_v4_syn_recv_sock): a SYN is dropped while
the queue is full, and the third ACK is refused while it is full. To have
the SYN answered and the ACK refused, the queue must fill in between: the
client delays its third ACK (TCP_DEFER_ACCEPT on the connecting socket makes
Linux hold it up to 200 ms, tcp_rcv_synsent_state_process) and a filler
connection completes meanwhile. The listener has backlog 2: it holds 3
connections (full when more than the backlog are queued); two fillers
before the client's SYN, one while its ACK is held. With the backlog at 2
and at most one request pending, the request queue never fills, so no SYN
cookie is involved. The fillers are other 4-tuples: the captures, the trace
and ss are restricted to the client port (isolate=True).
"""
import time


def register(lab):
    scenario, C, S = lab.scenario, lab.C, lab.S

    def filler(x, i):
        f = lab.Peer(lab.NS_C, "filler%d" % i)
        f.do("socket inet")
        f.do("bind %s %d" % (x.c, x.cport + 100 + i))
        return f

    def overflow(x, abort):
        x.s_sysctl("net.ipv4.tcp_abort_on_overflow=%d" % abort)
        x.c_sysctl("net.ipv4.tcp_syn_retries=1")  # a filler too late gives up in 3 s (retry)
        x.server.do("listenq %s %d 2" % (x.s, x.sport))
        fillers = [filler(x, i) for i in range(3)]  # ready before the held ACK's 200 ms start
        try:
            for f in fillers[:2]:
                f.do("connect %s %d" % (x.s, x.sport))
            x.client.do("socket inet")
            x.client.do("deferack")
            x.client.do("bind %s %d" % (x.c, x.cport))
            x.client.do("connect %s %d" % (x.s, x.sport))  # on the SYN-ACK; its ACK is held
            r = fillers[2].do("connect %s %d" % (x.s, x.sport), expect_ok=False)
            if not r.startswith("ok"):
                return  # the held ACK came first under load: the capture checks fail, retried
            if abort:
                r = x.client.do("wait_error")
                assert "ECONNRESET" in r, r
                time.sleep(0.3)
                return
            time.sleep(0.5)          # the held ACK (at 0.2 s) was ignored
            x.server.do("accept")    # filler 0: room for one again
            time.sleep(1.0)          # SYN-ACK retransmission at 1 s; the client's ACK of it is taken
            x.server.do("accept")
            x.server.do("accept")
            r = x.server.do("accept")
            assert r.endswith(" %d" % x.cport), r
            x.exchange()
            x.client_closes_four_way(wait=0.3)
            time.sleep(0.3)
        finally:
            for f in fillers:
                f.stop()

    @scenario(30, "accept_overflow", "listener backlog 2, never accepting until 0.5 s; the client's third ACK (held 200 ms by TCP_DEFER_ACCEPT) arrives when a filler has filled the accept queue: Linux (tcp_abort_on_overflow=0) ignores it, retransmits its SYN-ACK at 1 s, and takes the client's ACK of that (the app accepted one filler at 0.5 s); then data and a normal close",
              isolate=True, tries=4)
    def sc_accept_overflow(x):
        overflow(x, 0)

    @scenario(31, "accept_overflow_abort", "as accept_overflow with tcp_abort_on_overflow=1: the server answers the third ACK with an RST from SYN_RECEIVED (handshake abort); connect() had succeeded, the client's next read fails ECONNRESET",
              isolate=True, tries=4)
    def sc_accept_overflow_abort(x):
        overflow(x, 1)

    @scenario(32, "fast_open", "TCP Fast Open (tcp_fastopen=3 both sides, listener TCP_FASTOPEN 5): connection 1 (client port P) asks for a cookie in its SYN and sends its 100 bytes after the handshake; connection 2 (port P+1) sends them in the SYN with the cookie and the SYN-ACK acknowledges them; both exchange data and close normally")
    def sc_fast_open(x):
        x.c_sysctl("net.ipv4.tcp_fastopen=3")
        x.s_sysctl("net.ipv4.tcp_fastopen=3")
        x.server.do("listentfo %s %d 5" % (x.s, x.sport))
        for port in (x.cport, x.cport + 1):
            x.fast_open_exchange(port)
            time.sleep(0.3)

    @scenario(33, "syncookies", "server tcp_syncookies=2: every SYN is answered with a SYN cookie (no request sock); normal exchange and close")
    def sc_syncookies(x):
        x.s_sysctl("net.ipv4.tcp_syncookies=2")
        x.listen()
        x.connect()
        x.exchange()
        x.client_closes_four_way(wait=0.3)
        time.sleep(0.3)

    pure_ack = C + " && tcp.flags.syn==0 && tcp.len==0 && tcp.seq==1 && tcp.ack==1"
    lab.VERIFY.update({
        "accept_overflow": [("both", pure_ack, "==", 2),
                            ("both", S + " && tcp.flags.syn==1", "==", 2),
                            ("both", "tcp.flags.reset==1", "==", 0)],
        "accept_overflow_abort": [("both", pure_ack, "==", 1),
                                  ("both", S + " && tcp.flags.reset==1 && tcp.flags.ack==0", "==", 1),
                                  ("both", S + " && tcp.flags.syn==1", "==", 1)],
        "fast_open": [("both", "tcp.options.tfo.request", "==", 1),
                      ("both", "tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.len==100", "==", 1),
                      ("both", S + " && tcp.flags.syn==1 && tcp.ack==101", "==", 1)],
        "syncookies": [("both", "tcp.flags.syn==1", "==", 2), ("both", "tcp.flags.fin==1", "==", 2)],
    })
