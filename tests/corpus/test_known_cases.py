#!/usr/bin/env python3
"""Targeted assertions on known corpus cases.

usage: test_known_cases.py TSHARK_WRAPPER PLUGIN.so CORPUS_DIR

Expected values come from reading the packets (flags, seq/ack), not from the
plugin's output; each case says what the packets are.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_common import Workspace, fields_args, parse_args, parse_fields, tshark  # noqa: E402

# (capture, two_pass, frame, field, expected value ('' = field absent)), reason
CASES = [
    # zeek tcp/syn.pcap: one SYN, nothing else.
    ('zeek/tcp/syn.pcap', True, 1, 'tcplife.step', 'syn'),
    ('zeek/tcp/syn.pcap', True, 1, 'tcplife.handshake.step', '1'),
    ('zeek/tcp/syn.pcap', True, 1, 'tcplife.conn.outcome', 'syn_unanswered'),
    ('zeek/tcp/syn.pcap', True, 1, 'tcplife.conn.active_closer', 'none'),
    # zeek pop3/pop3.pcap: two 4-tuples, each SYN answered by RST-ACK (ack = ISN+1),
    # three times: refused connections.
    ] + [('zeek/pop3/pop3.pcap', tp, f, 'tcplife.rst.kind', 'refused')
         for f in (2, 4, 6, 8, 10, 12) for tp in (False, True)] + [
    ('zeek/pop3/pop3.pcap', True, 1, 'tcplife.conn.outcome', 'refused'),
    ('zeek/pop3/pop3.pcap', True, 7, 'tcplife.conn.outcome', 'refused'),
    ('zeek/pop3/pop3.pcap', True, 2, 'tcplife.conn.active_closer', 'none'),
    ('zeek/pop3/pop3.pcap', False, 2, 'tcplife.step', 'rst'),
    # suricata bug-7264: SYN, SYN-ACK, then the client's ACK carries 517 bytes
    # (TLS ClientHello): the handshake completes on data, no pure third ACK.
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', False, 3, 'tcplife.handshake.step', '3'),
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', False, 3, 'tcplife.missing_third_ack', '1'),
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', True, 3, 'tcplife.missing_third_ack', '1'),
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', True, 2, 'tcplife.missing_third_ack', ''),
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', True, 3, 'tcplife.state.client', 'ESTABLISHED'),
    ('suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', True, 3, 'tcplife.state.server', 'ESTABLISHED'),
    # suricata tcp-split-handshake-01-4whs: client SYN (1000), server SYN (3000,
    # no ACK): SYNs crossed; client SYN-ACK (1000/3001), server ACK (ack 1001).
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 2, 'tcplife.simultaneous_open', '1'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 2, 'tcplife.state.client', 'SYN_RECEIVED'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 2, 'tcplife.state.server', 'SYN_RECEIVED'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 3, 'tcplife.state.server', 'ESTABLISHED'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 7, 'tcplife.conn.outcome', 'reset'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 7, 'tcplife.sender', 'client'),
    # suricata tcp-split-handshake-02-5whs: ends with both sides ESTABLISHED
    # (server ACK 3001/1001 at frame 5), then data and a client RST.
    ('suricata-verify/tcp-split-handshake-02-5whs.pcap', True, 5, 'tcplife.state.client', 'ESTABLISHED'),
    ('suricata-verify/tcp-split-handshake-02-5whs.pcap', True, 5, 'tcplife.state.server', 'ESTABLISHED'),
    ('suricata-verify/tcp-split-handshake-02-5whs.pcap', True, 8, 'tcplife.rst.kind', 'abort'),
    # tcpdump tcp_rst_data: a lone RST-ACK carrying 58 bytes, no handshake seen.
    ('tcpdump/tcp_rst_data.pcap', True, 1, 'tcplife.step', 'rst'),
    ('tcpdump/tcp_rst_data.pcap', True, 1, 'tcplife.rst.kind', 'midstream'),
    ('tcpdump/tcp_rst_data.pcap', True, 1, 'tcplife.roles_inferred', '1'),
    ('tcpdump/tcp_rst_data.pcap', True, 1, 'tcplife.conn.outcome', 'midstream_closed'),
    # tcpdump all-flags segment (CEUAPRSF): RST wins, nothing crashes.
    ('tcpdump/tcp_eight_lowest_weight_flags_set.pcap', True, 1, 'tcplife.step', 'rst'),
    # wireshark ipoipoip: a SYN inside IP-in-IP-in-IP.
    ('wireshark/ipoipoip.pcap', True, 1, 'tcplife.step', 'syn'),
    ('wireshark/ipoipoip.pcap', True, 1, 'tcplife.sender', 'client'),
    # zeek more/smtp: frames 26, 28-30 are ICMP errors quoting TCP headers of stream 0.
    ] + [('zeek/more/smtp.pcap', tp, f, fld, val) for f in (26, 28, 29, 30) for tp in (False, True)
         for fld, val in (('tcplife.step', 'icmp_quote'), ('tcplife.state.client', ''),
                          ('tcplife.state.server', ''), ('tcplife.phase', ''))] + [
    # zeek tcp/one-sided-2745: only the server side was captured; first packet a SYN-ACK,
    # so its receiver is the client (spec: Roles).
    ('zeek/tcp/one-sided-2745.pcap', True, 1, 'tcplife.step', 'syn_ack'),
    ('zeek/tcp/one-sided-2745.pcap', True, 1, 'tcplife.sender', 'server'),
    ('zeek/tcp/one-sided-2745.pcap', True, 1, 'tcplife.roles_inferred', ''),
    # zeek extra tcp__truncated-header: SYN with a bad option length (header cut).
    ('zeek/extra/tcp__truncated-header.pcap', True, 1, 'tcplife.step', 'syn'),
    ('zeek/extra/tcp__truncated-header.pcap', True, 2, 'tcplife.step', 'syn_ack'),
]

# tcp-split-handshake-01-4whs frame 4 is the server's ACK of the client's
# SYN-ACK (seq 3001, ack 1001 = client ISN+1). The client, in SYN_RECEIVED
# after the crossed SYNs, becomes ESTABLISHED on it (RFC 9293 3.5, simultaneous
# open), which completes the handshake; the client's RST at frame 7 (after 4
# bytes of data, acknowledged) is then an abort.
CASES += [
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 4, 'tcplife.state.client', 'ESTABLISHED'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 4, 'tcplife.handshake.step', '3'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 6, 'tcplife.state.client', 'ESTABLISHED'),
    ('suricata-verify/tcp-split-handshake-01-4whs.pcap', True, 7, 'tcplife.rst.kind', 'abort'),
]

# Display filters select the right frames: pop3.pcap refused connections are
# frames 1-12 (SYN/RST x3 for two 4-tuples). Two-pass: all of them (final
# verdict); single pass: the RST frames (the verdict is known from the RST on).
FILTERS = [
    ('zeek/pop3/pop3.pcap', True, 'tcplife.conn.outcome == "refused"', set(range(1, 13)), None),
    ('zeek/pop3/pop3.pcap', False, 'tcplife.conn.outcome == "refused"', {2, 4, 6, 8, 10, 12}, set(range(1, 13))),
    ('zeek/pop3/pop3.pcap', True, 'tcplife.rst.kind == "refused"', {2, 4, 6, 8, 10, 12}, None),
    ('zeek/tcp/syn.pcap', True, 'tcplife.conn.outcome == "syn_unanswered"', {1}, None),
    ('zeek/more/smtp.pcap', True, 'tcplife.step == "icmp_quote"', {26, 28, 29, 30}, None),
]


def main():
    wrapper, plugin, corpus, rest = parse_args(sys.argv)
    cases = CASES
    failures, checked = [], 0
    with Workspace(corpus) as ws:
        runs = {}
        for cap, tp, frame, field, want in cases:
            runs.setdefault((cap, tp), set()).add(field)
        out = {}
        for (cap, tp), fields in runs.items():
            fl = ['frame.number'] + sorted(fields)
            rc, o, err = tshark(wrapper, plugin, fields_args(ws.path(cap), fl, tp))
            if rc != 0:
                failures.append('%s: tshark exit %d: %s' % (cap, rc, err.strip()))
            out[(cap, tp)] = {int(r['frame.number'][0]): r for r in parse_fields(o, fl)}
        for cap, tp, frame, field, want in cases:
            checked += 1
            row = out[(cap, tp)].get(frame)
            got = ','.join(row[field]) if row else '<no frame>'
            if got != want:
                failures.append('%s %s frame %d: %s = %r, expected %r'
                                % (cap, '-2' if tp else 'single pass', frame, field, got, want))
        for cap, tp, flt, must, may in FILTERS:
            checked += 1
            args = ['-n', '-r', ws.path(cap)] + (['-2'] if tp else []) + ['-Y', flt, '-T', 'fields',
                                                                           '-e', 'frame.number']
            rc, o, err = tshark(wrapper, plugin, args)
            got = {int(x) for x in o.split()}
            if rc != 0 or not must <= got or not got <= (may or must):
                failures.append('%s %s -Y %s: frames %s, expected %s%s'
                                % (cap, '-2' if tp else 'single pass', flt, sorted(got), sorted(must),
                                   ' (at most %s)' % sorted(may) if may else ''))
    for f in failures:
        print('FAIL:', f)
    print('%d checks, %d failed' % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
