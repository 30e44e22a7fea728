#!/usr/bin/env python3
"""Make a large benchmark capture from a smaller one (bench/bench.sh).

  replicate-pcap.py IN.pcap COPIES OUT.pcap

Writes COPIES back-to-back copies of IN (a classic pcap of IPv4 over Ethernet,
as tcpdump records loopback): copy k has every IPv4 address's second octet set
to k (127.0.0.1 -> 127.k.0.1), its IP checksum recomputed, and its times moved
past the previous copy, so that every copy's connections are new 4-tuples.
"""
import struct
import sys


def ip_checksum(header):
    total = 0
    for i in range(0, len(header), 2):
        total += (header[i] << 8) + header[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def main():
    src, copies, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(src, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("replicate-pcap.py: %s is not a little-endian classic pcap" % src)
    if struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("replicate-pcap.py: %s is not Ethernet" % src)
    nano = magic == 0xA1B23C4D
    unit = 1_000_000_000 if nano else 1_000_000
    records = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, caplen, origlen = struct.unpack_from("<IIII", data, off)
        records.append((sec * unit + frac, bytes(data[off + 16:off + 16 + caplen]), origlen))
        off += 16 + caplen
    span = records[-1][0] - records[0][0] + unit
    with open(dst, "wb") as out:
        out.write(data[:24])
        for k in range(copies):
            for t, pkt, origlen in records:
                pkt = bytearray(pkt)
                if len(pkt) >= 34 and pkt[12:14] == b"\x08\x00" and pkt[14] >> 4 == 4:
                    ihl = (pkt[14] & 0x0F) * 4
                    pkt[27] = k & 0xFF          # source: second octet
                    pkt[31] = k & 0xFF          # destination: second octet
                    pkt[24:26] = b"\x00\x00"
                    pkt[24:26] = struct.pack(">H", ip_checksum(pkt[14:14 + ihl]))
                t2 = t + k * span
                out.write(struct.pack("<IIII", t2 // unit, t2 % unit, len(pkt), origlen))
                out.write(pkt)


if __name__ == "__main__":
    main()
