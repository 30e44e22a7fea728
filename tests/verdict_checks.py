"""Checks of the rule "pending is not a verdict" (SPEC "Passes"), shared by the
golden tests (captures/) and the corpus test (../shared/corpus). Python 3 stdlib.

  * single pass never shows a final-sounding verdict that -2 contradicts: every
    value of a verdict field (VERDICT) is either "pending_..." or equal to -2's;
    tcplife.conn.final is 1 exactly when none is pending; -2 is final everywhere;
    the history of single pass is a prefix of -2's (it only grows); a refused
    connection is final in single pass from its refusing RST on;
  * links both ways: with -2 every packet of a connection links to all its key
    packets; in single pass exactly to those up to that packet (plus, at most,
    one that -2 withdrew because a later packet disproved it);
  * JSON keys are field names (never a text label), and the tcplife.conn
    subtree has the same verdict keys on every packet;
  * -z expert: one line per kind (no repeated summary, each a registered one).
"""
import json
import re

VERDICT = ['tcplife.conn.outcome', 'tcplife.conn.close_style', 'tcplife.conn.active_closer',
           'tcplife.conn.state.client', 'tcplife.conn.state.server', 'tcplife.conn.zeek_state']
REFS = ['tcplife.ref.' + r for r in ('syn', 'syn_ack', 'handshake_ack', 'fin_active', 'fin_passive',
                                     'last_ack', 'rst')]
FIELDS = ['frame.number', 'tcplife.conn.first_frame', 'tcplife.conn.final',
          'tcplife.conn.history'] + VERDICT + REFS
PENDING = 'pending_'


def fields_args(pcap, two_pass):
    a = ['-n', '-r', pcap] + (['-2'] if two_pass else [])
    a += ['-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|']
    for f in FIELDS:
        a += ['-e', f]
    return a


def parse(out):
    """-T fields output of fields_args -> [{field: [values per occurrence]}]."""
    rows = []
    for line in out.splitlines():
        cols = line.split('\t')
        cols += [''] * (len(FIELDS) - len(cols))
        rows.append({f: (cols[i].split('|') if cols[i] else []) for i, f in enumerate(FIELDS)})
    return rows


def final_value(v):
    return v in ('1', 'True')


class Counts:
    def __init__(self):
        self.layers = self.final = self.pending = self.contradictions = 0
        self.final_sounding = 0  # final-sounding values shown in single pass

    def add(self, other):
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def __str__(self):
        return ('%d connection layers in single pass: %d final, %d pending; %d final-sounding values, '
                '%d contradicted by -2' % (self.layers, self.final, self.pending, self.final_sounding,
                                           self.contradictions))


def compare_passes(one, two, where, errors, limit=20):
    """Single pass rows vs -2 rows (both from parse). Returns Counts."""
    c = Counts()

    def err(msg):
        if len(errors) < limit:
            errors.append('%s: %s' % (where, msg))

    if len(one) != len(two):
        err('%d frames single pass, %d with -2' % (len(one), len(two)))
        return c
    for a, b in zip(one, two):
        frame = a['frame.number'][0] if a['frame.number'] else '?'
        n = len(b['tcplife.conn.final'])
        if len(a['tcplife.conn.final']) != n:
            err('frame %s: %d connection layers single pass, %d with -2' % (frame, len(a['tcplife.conn.final']), n))
            continue
        for i in range(n):
            c.layers += 1
            if not final_value(b['tcplife.conn.final'][i]):
                err('frame %s: -2 says tcplife.conn.final = %s' % (frame, b['tcplife.conn.final'][i]))
            final = final_value(a['tcplife.conn.final'][i])
            c.final += final
            c.pending += not final
            for f in VERDICT:
                if len(a[f]) != n or len(b[f]) != n:
                    err('frame %s: %s has %d/%d values for %d layers' % (frame, f, len(a[f]), len(b[f]), n))
                    continue
                v1, v2 = a[f][i], b[f][i]
                if v2.startswith(PENDING):
                    err('frame %s: -2 says %s = %s' % (frame, f, v2))
                if v1.startswith(PENDING):
                    if final:
                        err('frame %s: final, yet %s = %s' % (frame, f, v1))
                    continue
                c.final_sounding += 1
                if not final:
                    err('frame %s: not final, yet %s = %s (final-sounding)' % (frame, f, v1))
                if v1 != v2:
                    c.contradictions += 1
                    err('frame %s: single pass %s = %s, -2 says %s' % (frame, f, v1, v2))
            h1, h2 = a['tcplife.conn.history'], b['tcplife.conn.history']
            if len(h1) == n and len(h2) == n and not h2[i].startswith(h1[i]):
                err('frame %s: single-pass history %s is not a prefix of -2\'s %s' % (frame, h1[i], h2[i]))
    check_links(one, two, where, err)
    check_refusals_settle(one, two, err)
    return c


def check_refusals_settle(one, two, err):
    """A refusal is final as soon as it is seen: after the RST that answers the
    SYN both endpoints are CLOSED and no later packet of that incarnation can
    change its verdict. So single pass must say final (and refused) from the
    RST on, in connections that -2 calls refused (frames with one layer)."""
    rst_of = {}
    for b in two:
        if len(b['tcplife.conn.first_frame']) == 1 and b['tcplife.conn.outcome'] == ['refused'] \
                and len(b['tcplife.ref.rst']) == 1:
            rst_of[b['tcplife.conn.first_frame'][0]] = int(b['tcplife.ref.rst'][0])
    for a in one:
        conn = a['tcplife.conn.first_frame']
        rst = rst_of.get(conn[0]) if len(conn) == 1 else None
        frame = int(a['frame.number'][0])
        if rst is not None and frame >= rst and not (
                final_value(a['tcplife.conn.final'][0]) and a['tcplife.conn.outcome'] == ['refused']):
            err('frame %d: single pass after the refusing RST (frame %d): final %s, outcome %s'
                % (frame, rst, a['tcplife.conn.final'], a['tcplife.conn.outcome']))


def refs_of(row):
    return {f: int(row[f][0]) for f in REFS if len(row[f]) == 1}


def check_links(one, two, where, err):
    """Frames with one connection layer: -2 links every packet of a connection
    to all its key packets; single pass to those up to the packet."""
    by_conn = {}
    for a, b in zip(one, two):
        if len(b['tcplife.conn.first_frame']) != 1 or any(len(b[f]) > 1 for f in REFS):
            continue
        frame = int(b['frame.number'][0])
        by_conn.setdefault(b['tcplife.conn.first_frame'][0], []).append((frame, refs_of(a), refs_of(b)))
    for first, rows in by_conn.items():
        everything = {}
        for _, _, r2 in rows:
            everything.update(r2)
        for frame, r1, r2 in rows:
            if r2 != everything:
                err('frame %d: -2 links %s, the connection (first frame %s) has %s' % (frame, r2, first, everything))
            want = {k: v for k, v in everything.items() if v <= frame}
            # A link that -2 does not have at this packet was withdrawn by a later
            # packet (a handshake ACK the server ignored; -2 may link a later
            # one): a two-pass correction, as for the per-packet fields.
            withdrawn = {k for k, v in r1.items()
                         if v <= frame and k not in want and everything.get(k, frame + 1) > frame}
            kept = {k: v for k, v in r1.items() if k not in withdrawn}
            if kept != want:
                err('frame %d: single pass links %s, expected the key packets so far %s' % (frame, r1, want))


KEY = re.compile(r'^(tcplife(\.[a-z0-9_]+)+|_ws\.expert(\.[a-z_]+)*)$')
# On every packet of a connection (other fields of tcplife.conn are facts that
# exist only when seen, e.g. close_wait, SYN options, time per state).
CONN_KEYS = {'tcplife.conn.' + k for k in (
    'final', 'outcome', 'close_style', 'active_closer', 'state.client', 'state.server',
    'zeek_state', 'history', 'duration', 'duration_seconds', 'packets', 'first_frame',
    'last_frame')}


def json_keys(text, where, errors, limit=20):
    """tshark -T json -J tcplife output: every key under "tcplife" is a field
    name (never a text label), and tcplife.conn has the verdict keys on every
    packet. Returns the number of packets with a tcplife.conn subtree."""
    n_conn = 0

    def walk(obj, path):
        for k, v in obj.items():
            if not KEY.match(k) and len(errors) < limit:
                errors.append('%s: JSON key %r under %s is not a field name' % (where, k, path))
            if isinstance(v, dict):
                walk(v, k)

    for n, pkt in enumerate(json.loads(text) if text.strip() else [], 1):
        layer = pkt.get('_source', {}).get('layers', {}).get('tcplife')
        if not isinstance(layer, dict):
            continue
        walk(layer, 'tcplife')
        conn = layer.get('tcplife.conn')
        if not isinstance(conn, dict):
            if 'tcplife.step' in layer and layer['tcplife.step'] != 'icmp_quote' and len(errors) < limit:
                errors.append('%s: packet %d has no tcplife.conn subtree' % (where, n))
            continue
        n_conn += 1
        missing = CONN_KEYS - set(conn)
        if missing and len(errors) < limit:
            errors.append('%s: packet %d: tcplife.conn lacks %s' % (where, n, sorted(missing)))
    return n_conn


def expert_lines(text):
    """tshark -q -z expert output -> [(severity section, group, summary)] of TCPLIFE."""
    out, section = [], None
    for line in text.splitlines():
        m = re.match(r'^(\w+) \(\d+\)$', line.strip())
        if m:
            section = m.group(1)
            continue
        m = re.match(r'^\s*\d+\s+(\S+)\s+TCPLIFE\s+(.*\S)\s*$', line)
        if m:
            out.append((section, m.group(1), m.group(2)))
    return out


def registered_summaries(g_fields):
    """tshark -G fields output -> {summary} of tcplife's expert infos."""
    out = set()
    for line in g_fields.splitlines():
        f = line.split('\t')
        if len(f) >= 3 and f[0] == 'F' and f[2].startswith('tcplife.expert.'):
            out.add(f[1])
    return out


def check_experts(text, summaries, where, errors):
    lines = expert_lines(text)
    seen = set()
    for sec, group, summary in lines:
        if summary not in summaries:
            errors.append('%s: -z expert line %r is not a registered summary' % (where, summary))
        if (sec, group, summary) in seen:
            errors.append('%s: -z expert lists %r twice' % (where, summary))
        seen.add((sec, group, summary))
    return lines


def tcplife_properties(node):
    """The mapping's tcplife properties, wherever the Wireshark version nests them
    (4.0: mappings.properties.layers...; others add a document type level)."""
    if isinstance(node, dict):
        t = node.get('tcplife')
        if isinstance(t, dict) and isinstance(t.get('properties'), dict):
            return t['properties']
        for v in node.values():
            found = tcplife_properties(v)
            if found is not None:
                return found
    return None


def mapping_errors(mapping_text):
    """tshark -G elastic-mapping --elastic-mapping-filter tcplife: every field the
    mapping types as a date, except absolute times, has a float "_seconds" twin."""
    props = tcplife_properties(json.loads(mapping_text))
    if props is None:
        return ['elastic mapping: no tcplife properties found']
    absolute = {'tcplife_tcplife_time_wait_expiry'}
    errors = ['elastic mapping: %s (a date) has no number of seconds %s_seconds' % (k, k)
              for k, v in sorted(props.items())
              if v.get('type') == 'date' and k not in absolute
              and props.get(k + '_seconds', {}).get('type') not in ('float', 'double')]
    if not any(k.endswith('_seconds') for k in props):
        errors.append('elastic mapping: no _seconds field at all')
    return errors
