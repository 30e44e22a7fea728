#!/usr/bin/env python3
"""Scriptable TCP endpoint for the tcplife lab (python3 stdlib only).

Runs inside a network namespace (ip netns exec NS python3 peer.py).  Reads one
command per line on stdin, performs it with a real kernel socket, and answers
with one line on stdout: "ok ..." or "err ...".  The lab orchestrator
(lab.py) drives a client and a server peer step by step, so the order of
application events (connect, shutdown, close ...) is exactly controlled.

Commands (arguments separated by blanks):
  listen ADDR PORT [RCVBUF]     bind+listen (SO_REUSEADDR); RCVBUF set before listen
  listenq ADDR PORT BACKLOG     bind+listen with that backlog (a tiny accept queue)
  listentfo ADDR PORT QLEN      bind+listen with TCP_FASTOPEN (Fast Open queue QLEN)
  accept                        accept one connection (becomes the current socket)
  closelisten                   close the listening socket
  socket [FAMILY]               new client socket (inet|inet6), SO_REUSEADDR on
  bind ADDR PORT                bind the current client socket
  connect ADDR PORT             connect; "ok connected" or "err ECONNREFUSED" ...
  connecttfo ADDR PORT N        sendto(N bytes, MSG_FASTOPEN): data in the SYN when a
                                Fast Open cookie is cached, else a cookie request
  deferack                      TCP_DEFER_ACCEPT on the client socket: Linux delays the
                                third ACK (up to 200 ms) to send it with data
  rcvbuf N / sndbuf N           SO_RCVBUF / SO_SNDBUF on the current socket
  keepalive IDLE INTVL CNT      SO_KEEPALIVE + TCP_KEEPIDLE/INTVL/CNT
  linger0                       SO_LINGER {1, 0}: close() sends RST
  nodelay                       TCP_NODELAY
  send N                        sendall N bytes
  recv N                        read up to N bytes (one recv call)
  recvall                       read until EOF; answers "ok eof BYTES"
  recvexact N                   read exactly N bytes (or EOF)
  shutwr                        shutdown(SHUT_WR)
  close                         close the current socket
  closeat T                     spin until time.time() >= T then close (sync closes)
  sleep S                       sleep S seconds
  wait_error                    block in recv until an error/EOF; report it
  quit                          exit
"""
import errno
import socket
import sys
import time


def main():
    lsock = None
    sock = None
    out = sys.stdout
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        cmd, args = parts[0], parts[1:]
        try:
            reply = "ok"
            if cmd == "listen":
                fam = socket.AF_INET6 if ":" in args[0] else socket.AF_INET
                lsock = socket.socket(fam, socket.SOCK_STREAM)
                lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if len(args) > 2:
                    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(args[2]))
                lsock.bind((args[0], int(args[1])))
                lsock.listen(8)
            elif cmd in ("listenq", "listentfo"):
                fam = socket.AF_INET6 if ":" in args[0] else socket.AF_INET
                lsock = socket.socket(fam, socket.SOCK_STREAM)
                lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                lsock.bind((args[0], int(args[1])))
                if cmd == "listentfo":
                    lsock.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, int(args[2]))
                    lsock.listen(8)
                else:
                    lsock.listen(int(args[2]))
            elif cmd == "accept":
                sock, peer = lsock.accept()
                reply = "ok accepted %s %s" % (peer[0], peer[1])
            elif cmd == "closelisten":
                lsock.close()
                lsock = None
            elif cmd == "socket":
                fam = socket.AF_INET6 if args and args[0] == "inet6" else socket.AF_INET
                sock = socket.socket(fam, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            elif cmd == "bind":
                sock.bind((args[0], int(args[1])))
            elif cmd == "connect":
                try:
                    sock.connect((args[0], int(args[1])))
                    reply = "ok connected"
                except OSError as e:
                    reply = "err %s" % errno.errorcode.get(e.errno, str(e.errno))
            elif cmd == "connecttfo":
                try:
                    sock.sendto(b"x" * int(args[2]), socket.MSG_FASTOPEN, (args[0], int(args[1])))
                    reply = "ok connected"
                except OSError as e:
                    reply = "err %s" % errno.errorcode.get(e.errno, str(e.errno))
            elif cmd == "deferack":
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
            elif cmd == "rcvbuf":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(args[0]))
            elif cmd == "sndbuf":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, int(args[0]))
            elif cmd == "keepalive":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, int(args[0]))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, int(args[1]))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, int(args[2]))
            elif cmd == "linger0":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                (1).to_bytes(4, "little") + (0).to_bytes(4, "little"))
            elif cmd == "nodelay":
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            elif cmd == "send":
                sock.sendall(b"x" * int(args[0]))
            elif cmd == "recv":
                data = sock.recv(int(args[0]))
                reply = "ok %d" % len(data)
            elif cmd == "recvall":
                total = 0
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    total += len(data)
                reply = "ok eof %d" % total
            elif cmd == "recvexact":
                want, total = int(args[0]), 0
                while total < want:
                    data = sock.recv(want - total)
                    if not data:
                        break
                    total += len(data)
                reply = "ok %d" % total
            elif cmd == "shutwr":
                sock.shutdown(socket.SHUT_WR)
            elif cmd == "close":
                sock.close()
                sock = None
            elif cmd == "closeat":
                t = float(args[0])
                while time.time() < t:
                    pass
                sock.close()
                sock = None
            elif cmd == "sleep":
                time.sleep(float(args[0]))
            elif cmd == "wait_error":
                try:
                    data = sock.recv(1)
                    reply = "ok eof" if not data else "ok data"
                except OSError as e:
                    reply = "ok %s" % errno.errorcode.get(e.errno, str(e.errno))
            elif cmd == "quit":
                print("ok bye", file=out, flush=True)
                return
            else:
                reply = "err unknown command %s" % cmd
        except OSError as e:
            reply = "err %s %s" % (errno.errorcode.get(e.errno, str(e.errno)), e)
        print(reply, file=out, flush=True)


if __name__ == "__main__":
    main()
