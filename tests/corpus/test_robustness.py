#!/usr/bin/env python3
"""Robustness of tcplife over every capture of the public corpus.

usage: test_robustness.py TSHARK_WRAPPER PLUGIN.so CORPUS_DIR [--sanitize] [--quick] [--jobs N]

For each capture (zeek/, suricata-verify/, tcpdump/, wireshark/, .gz included):
  * tshark single pass and -2 exit 0, and stderr has no dissector bug, assertion,
    sanitizer report or tcplife error text;
  * no "[Malformed Packet: tcplife]" / "[Dissector bug, protocol tcplife" item;
  * every real TCP layer (tcp.flags present, no icmp/icmpv6 before it) has a
    tcplife.step, every TCP header quoted in an ICMP error has step icmp_quote;
  * a quoted TCP header never changes the connection: the capture with the ICMP
    frames removed (editcap) gives the same per-packet fields on the other frames;
  * per-packet fields are identical between single pass and -2, except where
    the spec allows look-ahead (simultaneous close correction; missing_third_ack
    on a SYN-ACK that nothing ever acknowledges);
  * -V, -T json and -T ek run cleanly on a few captures.
--sanitize preloads libasan (the plugin must be built with -DTCPLIFE_SANITIZE=ON)
and fails on any AddressSanitizer / UBSan report. --quick runs a subset of edge
cases only (used by the sanitizer ctest, to stay well under two minutes).
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus_common import (PACKET_FIELDS, Workspace, fields_args, list_captures,  # noqa: E402
                           parse_args, parse_fields, tshark)

LOOKAHEAD = ['tcplife.missing_third_ack', 'tcplife.simultaneous_close']
FIELDS = (['frame.number', 'frame.protocols', 'tcp.stream', 'tcp.flags'] + PACKET_FIELDS
          + LOOKAHEAD + ['_ws.expert.message'])
COMPARED = PACKET_FIELDS + ['tcplife.missing_third_ack']

# Edge cases for --quick (sanitizer ctest): tunnels, ICMP errors, truncated
# headers, bad segments, the empty file, split handshakes, RST with data, TFO.
QUICK = [
    'wireshark/empty.pcap', 'wireshark/tcp-badsegments.pcap', 'wireshark/http-ooo.pcap',
    'wireshark/ipoipoip.pcap', 'wireshark/dns+icmp.pcapng.gz', 'wireshark/retrans-tls.pcap',
    'zeek/more/smtp.pcap', 'zeek/extra/tcp__truncated-header.pcap',
    'zeek/extra/ipv4__fragmented-syn.pcap', 'zeek/extra/tunnels__gre-sample.pcap',
    'zeek/extra/tunnels__4in6.pcap', 'zeek/more/tunnels__6in4.pcap', 'zeek/tunnels/Teredo.pcap',
    'zeek/tcp/ctu-64702-888.pcap', 'zeek/tcp/rst-inject-rae.pcap', 'zeek/tcp/handshake-reorder.pcap',
    'zeek/tcp/syn-then-ack-then-rst.pcap', 'zeek/tcp/ssh-dups.pcap',
    'suricata-verify/tcp-split-handshake-01-4whs.pcap', 'suricata-verify/tcp-split-handshake-02-5whs.pcap',
    'suricata-verify/bug-7264-tcp-3whs-ack-data-tls-01.pcap', 'suricata-verify/bug-6244-tcp-rst-with-data.pcap',
    'suricata-verify/tfo03.pcap', 'tcpdump/print-flags.pcap', 'tcpdump/tcp_eight_lowest_weight_flags_set.pcap',
    'tcpdump/tcp_rst_data.pcap', 'tcpdump/mptcp-fclose.pcap', 'tcpdump/resp_3_malicious.pcap',
]
# -V / -T json / -T ek on these.
VERBOSE = ['wireshark/ipoipoip.pcap', 'zeek/more/smtp.pcap', 'tcpdump/tcp_rst_data.pcap',
           'wireshark/tcp-badsegments.pcap', 'zeek/extra/tcp__truncated-header.pcap']

BAD_STDERR = re.compile(r'tcplife|Dissector bug|assert|AddressSanitizer|LeakSanitizer|'
                        r'runtime error|Segmentation|Aborted|WARNING \*\*|CRITICAL', re.I)
BAD_TREE = re.compile(r'Malformed Packet: tcplife|Dissector bug, protocol tcplife|'
                      r'Malformed Packet: TCP Lifecycle|Dissector bug, protocol TCP Lifecycle')
CLOSE_WINDOW_STEPS = None  # any step may be corrected inside the window, see below


def sanitizer_env():
    lib = subprocess.run(['gcc', '-print-file-name=libasan.so'], stdout=subprocess.PIPE,
                         universal_newlines=True).stdout.strip()
    if not os.path.isabs(lib):
        sys.exit('cannot find libasan.so (gcc -print-file-name=libasan.so)')
    return {'LD_PRELOAD': lib,
            'ASAN_OPTIONS': 'detect_leaks=0:abort_on_error=0:halt_on_error=1:verify_asan_link_order=0',
            'UBSAN_OPTIONS': 'print_stacktrace=1:halt_on_error=0'}


def layer_kinds(protocols):
    """For each 'tcp' in frame.protocols: True if it is quoted in an ICMP error."""
    kinds, in_icmp = [], False
    for p in protocols.split(':'):
        if p in ('icmp', 'icmpv6'):
            in_icmp = True
        elif p == 'tcp':
            kinds.append(in_icmp)
    return kinds


def check_steps(rel, rows, errors):
    for r in rows:
        if not r['frame.protocols']:
            continue
        kinds = layer_kinds(r['frame.protocols'][0])
        flags, steps = r['tcp.flags'], r['tcplife.step']
        real = [k for k in kinds if not k]
        frame = r['frame.number'][0]
        if len(flags) == len(kinds):
            if len(steps) != len(kinds):
                errors.append('%s frame %s: %d TCP layers with flags, %d tcplife.step %s'
                              % (rel, frame, len(kinds), len(steps), steps))
                continue
            for quoted, step in zip(kinds, steps):
                if quoted and step != 'icmp_quote':
                    errors.append('%s frame %s: ICMP-quoted TCP header has step %s, expected icmp_quote'
                                  % (rel, frame, step))
                if not quoted and step == 'icmp_quote':
                    errors.append('%s frame %s: real TCP segment has step icmp_quote' % (rel, frame))
        else:
            # A TCP layer cut before its flags: count only what we can.
            n_real_steps = len([s for s in steps if s != 'icmp_quote'])
            if flags and n_real_steps < min(len(real), len(flags)):
                errors.append('%s frame %s: %s TCP layers, flags %s, steps %s'
                              % (rel, frame, kinds, flags, steps))


def vals(r, f):
    return ','.join(r[f])


# Assumptions a later packet disproves (README, "How to read it"): single pass
# shows the assumed state, -2 the corrected one, and the proof is a later packet
# of the same stream: the SYN repeated (the SYN-ACK never reached the client) or
# the FIN repeated (its ACK never reached the FIN's sender).
REVISIONS = {
    ('ESTABLISHED', 'SYN_SENT'): {'syn_retransmission'},
    ('FIN_WAIT_2', 'FIN_WAIT_1'): {'fin_retransmission'},
    ('TIME_WAIT', 'CLOSING'): {'fin_retransmission'},
    ('CLOSED', 'LAST_ACK'): {'fin_retransmission'},
    # a third ACK the server did not take (full accept queue): it repeats its
    # SYN-ACK, or resets from SYN_RECEIVED
    ('ESTABLISHED', 'SYN_RECEIVED'): {'syn_ack_retransmission', 'rst'},
    # the first SYN's receiver, taken as listening, sends a SYN of its own:
    # the SYNs crossed, it had connected (simultaneous open)
    ('LISTEN', 'SYN_SENT'): {'syn'},
}
# What else such a frame may change in -2: the ignored ACK is no longer the
# handshake's end, and what followed it was still the handshake.
IGNORED_ACK_FIELDS = {'tcplife.step', 'tcplife.handshake.step', 'tcplife.phase',
                      'tcplife.missing_third_ack'}


def proven_revision(a, b, diffs, later_steps):
    """The frame differs only by revised states, each proven by a later packet."""
    states = {'tcplife.state.client', 'tcplife.state.server'}
    ignored_ack = 'SYN_RECEIVED' in b['tcplife.state.server']
    if not set(diffs) <= states | (IGNORED_ACK_FIELDS if ignored_ack else set()):
        return False
    frame = int(a['frame.number'][0])
    proven = False
    for f in diffs:
        if f not in states:
            continue
        for i, (was, now) in enumerate(zip(a[f], b[f])):
            if was == now:
                continue
            proof = REVISIONS.get((was, now))
            st = b['tcp.stream'][i] if i < len(b['tcp.stream']) else None
            if not proof or not any(fr > frame and step in proof for fr, step in later_steps.get(st, [])):
                return False
            proven = True
    return proven


def compare_passes(rel, one, two, errors):
    if len(one) != len(two):
        errors.append('%s: %d frames single pass, %d with -2' % (rel, len(one), len(two)))
        return
    # Simultaneous close correction window per stream: from the first frame -2
    # calls fin_simultaneous up to the frame where single pass learns it.
    window = {}
    for a, b in zip(one, two):
        for i, st in enumerate(b['tcp.stream']):
            sc2 = b['tcplife.simultaneous_close'][i:i + 1] == ['1']
            step2 = b['tcplife.step'][i:i + 1]
            if step2 == ['fin_simultaneous'] or sc2:
                w = window.setdefault(st, [int(b['frame.number'][0]), None])
            if a['tcplife.simultaneous_close'][i:i + 1] == ['1'] and st in window and window[st][1] is None:
                window[st][1] = int(a['frame.number'][0])
    later_steps = {}
    for b in two:
        for st, step in zip(b['tcp.stream'], b['tcplife.step']):
            later_steps.setdefault(st, []).append((int(b['frame.number'][0]), step))
    for a, b in zip(one, two):
        frame = int(a['frame.number'][0])
        diffs = [f for f in COMPARED if a[f] != b[f]]
        if not diffs:
            continue
        allowed = False
        streams = set(a['tcp.stream'])
        for st in streams:
            w = window.get(st)
            if w and w[0] <= frame and (w[1] is None or frame <= w[1]):
                allowed = True
        if diffs == ['tcplife.missing_third_ack'] and \
                set(b['tcplife.step']) & {'syn_ack', 'syn_ack_retransmission'}:
            allowed = True
        if not allowed and proven_revision(a, b, diffs, later_steps):
            allowed = True
        if not allowed:
            errors.append('%s frame %d: single pass and -2 differ on %s: %s vs %s'
                          % (rel, frame, ', '.join(diffs),
                             ' '.join('%s=%s' % (f, vals(a, f)) for f in diffs),
                             ' '.join('%s=%s' % (f, vals(b, f)) for f in diffs)))


def check_icmp_quotes(ctx, rel, path, two, errors):
    """Drop the frames holding ICMP-quoted TCP headers; the rest must not change."""
    quoted = [int(r['frame.number'][0]) for r in two if 'icmp_quote' in r['tcplife.step']]
    if not quoted:
        return 0
    wrapper, plugin, env, ws = ctx
    stripped = os.path.join(ws.dir, os.path.basename(path) + '.noicmp.pcapng')
    subprocess.run(['editcap', '-F', 'pcapng', path, stripped] + [str(q) for q in quoted],
                   check=True, stdout=subprocess.DEVNULL)
    os.chmod(stripped, 0o644)
    for two_pass in (False, True):
        rc, out, err = tshark(wrapper, plugin, fields_args(stripped, FIELDS, two_pass), env)
        ref = [r for r in two if int(r['frame.number'][0]) not in quoted]
        if two_pass is False:
            rc1, out1, _ = tshark(wrapper, plugin, fields_args(path, FIELDS, False), env)
            ref = [r for r in parse_fields(out1, FIELDS) if int(r['frame.number'][0]) not in quoted]
        got = parse_fields(out, FIELDS)
        for a, b in zip(ref, got):
            d = [f for f in COMPARED if a[f] != b[f]]
            if d:
                errors.append('%s frame %s: ICMP-quoted TCP changed state: with quotes %s, without %s'
                              % (rel, a['frame.number'][0],
                                 ' '.join('%s=%s' % (f, vals(a, f)) for f in d),
                                 ' '.join('%s=%s' % (f, vals(b, f)) for f in d)))
        if len(ref) != len(got):
            errors.append('%s: editcap removal changed the frame count' % rel)
    return len(quoted)


def check_stderr(rel, what, rc, err, errors):
    if rc != 0:
        errors.append('%s (%s): tshark exit status %d: %s' % (rel, what, rc, err.strip()[-500:]))
    bad = [l for l in err.splitlines() if BAD_STDERR.search(l)]
    if bad:
        errors.append('%s (%s): stderr: %s' % (rel, what, ' | '.join(bad[:5])))


def run_one(ctx, rel):
    wrapper, plugin, env, ws = ctx
    errors = []
    path = ws.path(rel)
    rc1, out1, err1 = tshark(wrapper, plugin, fields_args(path, FIELDS, False), env)
    rc2, out2, err2 = tshark(wrapper, plugin, fields_args(path, FIELDS, True), env)
    check_stderr(rel, 'single pass', rc1, err1, errors)
    check_stderr(rel, '-2', rc2, err2, errors)
    one, two = parse_fields(out1, FIELDS), parse_fields(out2, FIELDS)
    check_steps(rel, one, errors)
    check_steps(rel, two, errors)
    compare_passes(rel, one, two, errors)
    n_quotes = check_icmp_quotes(ctx, rel, path, two, errors)
    # A malformed/dissector-bug expert somewhere: look at the tree to see whose it is.
    if re.search(r'Malformed|Dissector bug|assert', out1 + out2, re.I):
        rc, out, err = tshark(wrapper, plugin, ['-n', '-r', path, '-2', '-V'], env)
        bad = [l.strip() for l in out.splitlines() if BAD_TREE.search(l)]
        if bad:
            errors.append('%s: %s' % (rel, ' | '.join(bad[:5])))
    n_steps = sum(len([s for s in r['tcplife.step'] if s != 'icmp_quote']) for r in two)
    return rel, errors, len(two), n_steps, n_quotes


def run_verbose(ctx, rel):
    wrapper, plugin, env, ws = ctx
    errors = []
    path = ws.path(rel)
    for what, args in (('-V', ['-V']), ('-2 -V', ['-2', '-V']), ('-T json', ['-2', '-T', 'json']),
                       ('-T ek', ['-T', 'ek'])):
        rc, out, err = tshark(wrapper, plugin, ['-n', '-r', path] + args, env)
        check_stderr(rel, what, rc, err, errors)
        bad = [l.strip() for l in out.splitlines() if BAD_TREE.search(l)]
        if bad:
            errors.append('%s (%s): %s' % (rel, what, ' | '.join(bad[:3])))
        if what == '-T json':
            try:
                pk = json.loads(out)
                if not any('tcplife' in p['_source']['layers'] for p in pk):
                    errors.append('%s (-T json): no tcplife layer in any packet' % rel)
            except ValueError as e:
                errors.append('%s (-T json): not JSON: %s' % (rel, e))
        if what == '-T ek':
            seen = False
            for line in out.splitlines():
                try:
                    o = json.loads(line)
                except ValueError as e:
                    errors.append('%s (-T ek): bad line: %s' % (rel, e))
                    break
                seen = seen or 'tcplife' in o.get('layers', {})
            if not seen:
                errors.append('%s (-T ek): no tcplife layer' % rel)
        if what.endswith('-V') and 'TCP Lifecycle' not in out:
            errors.append('%s (%s): no TCP Lifecycle tree' % (rel, what))
    return rel, errors


def main():
    wrapper, plugin, corpus, rest = parse_args(sys.argv)
    env = sanitizer_env() if '--sanitize' in rest else None
    jobs = int(rest[rest.index('--jobs') + 1]) if '--jobs' in rest else max(2, os.cpu_count() or 2)
    captures = list_captures(corpus)
    if '--quick' in rest:
        missing = [q for q in QUICK if q not in captures]
        if missing:
            sys.exit('quick list names captures not in the corpus: %s' % missing)
        captures = QUICK
    if len(captures) < 10:
        sys.exit('only %d captures found in %s' % (len(captures), corpus))
    errors, total_frames, total_steps, total_quotes = [], 0, 0, 0
    with Workspace(corpus) as ws:
        ctx = (wrapper, plugin, env, ws)
        for rel in captures:   # decompress up front (not thread-safe)
            ws.path(rel)
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            for rel, errs, nf, ns, nq in ex.map(lambda r: run_one(ctx, r), captures):
                errors += errs
                total_frames += nf
                total_steps += ns
                total_quotes += nq
                print('%-60s frames=%-5d steps=%-5d icmp_quotes=%d %s'
                      % (rel, nf, ns, nq, 'FAIL' if errs else 'ok'), flush=True)
            verbose = [v for v in VERBOSE if v in captures]
            for rel, errs in ex.map(lambda r: run_verbose(ctx, r), verbose):
                errors += errs
                print('%-60s -V/-T json/-T ek %s' % (rel, 'FAIL' if errs else 'ok'), flush=True)
    print('%d captures, %d frames, %d TCP layers annotated, %d ICMP-quoted TCP headers'
          % (len(captures), total_frames, total_steps, total_quotes))
    if total_steps == 0:
        errors.append('no tcplife.step at all: is the plugin loaded?')
    if '--quick' not in rest and total_quotes == 0:
        errors.append('no ICMP-quoted TCP header found (expected in zeek/more/smtp.pcap)')
    for e in errors:
        print('FAIL:', e)
    print('%d problems' % len(errors))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
