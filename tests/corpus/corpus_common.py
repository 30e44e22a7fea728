"""Shared helpers for the corpus tests (tests/corpus).

The capture corpus lives outside the repository (../shared/corpus, CMake cache
variable TCPLIFE_CORPUS). Nothing from it is copied into the repository: the
tests read it in place (tests/tshark-with-plugin gives its unprivileged tshark
user a copy of each capture it reads), or decompress .gz captures into a
private temporary folder.

Tests exit with SKIP (77) when the corpus is absent.
"""
import gzip
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
CAPTURE_EXT = ('.pcap', '.pcapng', '.cap', '.trace', '.pcap.gz', '.pcapng.gz')

PACKET_FIELDS = [
    'tcplife.phase', 'tcplife.step', 'tcplife.handshake.step', 'tcplife.close.step',
    'tcplife.sender', 'tcplife.closer', 'tcplife.state.client', 'tcplife.state.server',
    'tcplife.rst.kind',
]
CONN_FIELDS = [
    'tcplife.conn.outcome', 'tcplife.conn.close_style', 'tcplife.conn.active_closer',
    'tcplife.conn.zeek_state', 'tcplife.conn.history',
]


def parse_args(argv):
    """argv: TSHARK_WRAPPER PLUGIN CORPUS [extra...]"""
    if len(argv) < 4:
        sys.exit('usage: %s TSHARK_WRAPPER PLUGIN.so CORPUS_DIR [...]' % argv[0])
    wrapper, plugin, corpus = argv[1], argv[2], argv[3]
    if not os.path.isdir(corpus) or not os.path.exists(os.path.join(corpus, 'README.md')):
        print('SKIP: capture corpus not found at %s (set -DTCPLIFE_CORPUS=...)' % corpus)
        sys.exit(SKIP)
    return wrapper, plugin, corpus, argv[4:]


def list_captures(corpus):
    out = []
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(CAPTURE_EXT):
                out.append(os.path.relpath(os.path.join(root, f), corpus))
    return out


class Workspace:
    """A temporary folder holding the decompressed .gz captures (and files tests make)."""

    def __init__(self, corpus):
        self.corpus = corpus
        self.dir = tempfile.mkdtemp(prefix='tcplife-corpus.')
        self.cache = {}

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def path(self, rel):
        """A path to the capture, decompressed when it is a .gz."""
        src = os.path.join(self.corpus, rel)
        if not rel.endswith('.gz'):
            return src
        if rel in self.cache:
            return self.cache[rel]
        dst = os.path.join(self.dir, rel.replace('/', '__')[:-3])
        with gzip.open(src, 'rb') as fi, open(dst, 'wb') as fo:
            shutil.copyfileobj(fi, fo)
        self.cache[rel] = dst
        return dst


def tshark(wrapper, plugin, args, env=None, timeout=300):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([wrapper, plugin] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=e, timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def fields_args(path, fields, two_pass=False, extra=()):
    a = ['-n', '-r', path]
    if two_pass:
        a.append('-2')
    a += list(extra)
    a += ['-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,']
    for f in fields:
        a += ['-e', f]
    return a


# Booleans print as 1/0 up to 4.2 and as True/False from 4.4 on.
BOOL_SPELLING = {'True': '1', 'False': '0'}


def parse_fields(out, fields):
    rows = []
    for line in out.splitlines():
        cols = line.split('\t')
        if len(cols) < len(fields):
            cols += [''] * (len(fields) - len(cols))
        rows.append({f: ([BOOL_SPELLING.get(v, v) for v in cols[i].split(',')] if cols[i] != '' else [])
                     for i, f in enumerate(fields)})
    return rows
