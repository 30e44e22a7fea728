#!/usr/bin/env python3
"""Traffic for bench/bench.sh: run inside a private network namespace with lo up
while tcpdump records lo.

  gen-traffic.py tcp N    N short TCP connections to 127.0.0.1 (a request, a reply,
                          a close). Mix: ~90% normal four-way/three-way close
                          (client or server closes first), ~5% refused (closed
                          port), ~5% aborted with RST (SO_LINGER 0).
  gen-traffic.py udp N    N UDP datagrams (request/reply pairs), no TCP at all.
"""
import socket
import struct
import sys
import threading

HOST = "127.0.0.1"
PORT = 9000
CLOSED_PORT = 9001


def serve(listener):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        try:
            data = conn.recv(4096)
            if not data:
                conn.close()
                continue
            conn.sendall(b"R" * 200)
            if data.startswith(b"S"):          # server closes first
                conn.close()
                continue
            while conn.recv(4096):             # wait for the client's FIN
                pass
            conn.close()
        except OSError:
            conn.close()


def tcp(n):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((HOST, PORT))
    listener.listen(1024)
    threading.Thread(target=serve, args=(listener,), daemon=True).start()
    linger0 = struct.pack("ii", 1, 0)
    for i in range(n):
        kind = i % 20
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            if kind == 19:                      # refused
                try:
                    s.connect((HOST, CLOSED_PORT))
                except ConnectionRefusedError:
                    pass
                continue
            s.connect((HOST, PORT))
            if kind == 18:                      # abort with RST after the reply
                s.sendall(b"C" + b"q" * 99)
                s.recv(4096)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger0)
                continue
            server_first = kind % 2 == 1
            s.sendall((b"S" if server_first else b"C") + b"q" * 99)
            got = 0
            while got < 200:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += len(chunk)
            if server_first:
                s.recv(4096)                    # the server's FIN
        finally:
            s.close()
    listener.close()


def udp(n):
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind((HOST, PORT))
    cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    payload = b"u" * 100
    for _ in range(n // 2):
        cli.sendto(payload, (HOST, PORT))
        data, addr = srv.recvfrom(4096)
        srv.sendto(data, addr)
        cli.recvfrom(4096)


if __name__ == "__main__":
    {"tcp": tcp, "udp": udp}[sys.argv[1]](int(sys.argv[2]))
