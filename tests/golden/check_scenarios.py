#!/usr/bin/env python3
"""Golden tests of tcplife against the lab captures (python3 stdlib only).

  check_scenarios.py --tshark WRAPPER --plugin tcplife.so SCENARIO SIDE [--check LIST]
  check_scenarios.py --tshark WRAPPER --plugin tcplife.so --all          (every scenario and side)
  check_scenarios.py ... SCENARIO SIDE --regenerate                       (rewrite expected/*.tsv)

SIDE is the vantage point: "client" (captures/S.client.pcap) or "server".
Checks (--check, comma separated; default all):
  kernel   the distinct states each role goes through according to tcplife (-2:
           tcplife.state.* per packet, then tcplife.conn.state.* at the end; leading
           UNKNOWN/LISTEN ignored) equal the kernel's (captures/S.kernel.tsv), per
           incarnation (connections ordered by tcplife.conn.first_frame).  Where a
           one-sided view cannot see a transition, expect/S.json says what must be seen
           instead ("kernel" overrides, each with its reason).
  keys     hand-written expectations for key frames (expect/S.json "frames"), two-pass.
  golden   the full per-packet -T fields output (two-pass) equals expected/S.SIDE.tsv.
  passes   per-packet fields are identical in single pass and -2, except the look-ahead
           differences listed in expect/S.json "lookahead" (which must occur exactly).
  verdicts pending is not a verdict (tests/verdict_checks.py): no final-sounding
           connection verdict in single pass that -2 contradicts, conn.final, history
           a prefix, links both ways; -T json keys are field names and constant;
           -z expert shows one line per kind.
  experts  tcplife's expert infos (two-pass, -T fields _ws.expert.message/.severity,
           only messages that are registered tcplife.expert.* summaries) on every frame
           equal expect/S.json "experts" [[summary, severity], ...] per frame; a side
           listed with {} must raise none.
  tree     the -V text of tcplife's tree on key frames (two-pass): the summary line
           "[TCP Lifecycle: ...]" and the "Client state: / Server state:" lines
           ("BEFORE → AFTER" or one state) equal expect/S.json "tree".
  empty    (sides whose "count" is 0) the capture is a pcap with no packet records, and
           the kernel log says why: expect/S.json "empty" (router drops = the other
           side's SYNs, tcpdump on this side captured 0).
Everything is keyed by frame number, never by tcp.stream.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
import verdict_checks  # noqa: E402

PER_PACKET = ["phase", "step", "handshake.step", "close.step", "sender", "closer",
              "state.client", "state.server", "merged_fin_ack", "missing_third_ack",
              "simultaneous_open", "simultaneous_close", "roles_inferred",
              "time_wait.expiry", "time_wait.endpoint", "time_wait.reuse",
              "time_wait.remaining", "rst.kind"]
CONN = ["conn.outcome", "conn.close_style", "conn.active_closer", "conn.state.client",
        "conn.state.server", "conn.zeek_state", "conn.history", "conn.first_frame"]
BOOLS = {"merged_fin_ack", "missing_third_ack", "simultaneous_open", "simultaneous_close",
         "roles_inferred", "time_wait.reuse"}
# per-packet fields whose single-pass and two-pass values must agree (spec "Passes")
PASS_FIELDS = ["phase", "step", "handshake.step", "close.step", "sender", "closer",
               "state.client", "state.server", "rst.kind", "time_wait.expiry",
               "time_wait.endpoint", "time_wait.reuse", "time_wait.remaining",
               "merged_fin_ack", "missing_third_ack", "simultaneous_close"]


class Failure(Exception):
    pass


def parse_abs_time(text):
    """tshark -T fields absolute time (TZ=UTC): 'Nov 22, 2026 05:56:21.378308000 UTC'
    (4.0) or ISO 8601 forms (later versions) -> epoch seconds (float)."""
    # 4.0: "Nov 22, 2026 05:56:21.378308000 UTC"; 4.6: "2026-11-22T05:55:50.459151000+0000"
    t = re.sub(r"(Z|[+-]\d\d:?\d\d)$", "", text.strip().replace(" UTC", ""))
    frac = 0.0
    if "." in t:
        t, f = t.rsplit(".", 1)
        frac = float("0." + f)
    for fmt in ("%b %d, %Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            d = datetime.datetime.strptime(t, fmt).replace(tzinfo=datetime.timezone.utc)
            return d.timestamp() + frac
        except ValueError:
            pass
    raise Failure("cannot parse absolute time %r" % text)


def norm_bool(v):
    if v in ("1", "True", "true"):
        return "1"
    if v in ("", "0", "False", "false"):
        return "0"
    return v


def run_tshark(args, pcap, two_pass):
    fields = ["frame.number", "frame.time_epoch"] + ["tcplife." + f for f in PER_PACKET + CONN]
    # tshark leaves a field given twice with -e empty in its first column
    fields += [f for f in verdict_checks.FIELDS if f not in fields]
    cmd = [args.tshark, args.plugin, "-r", pcap, "-T", "fields", "-E", "header=n",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    if two_pass:
        cmd.append("-2")
    for f in fields:
        cmd += ["-e", f]
    env = dict(os.environ, TZ="UTC", LC_ALL="C")
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise Failure("tshark failed (%d): %s" % (r.returncode, r.stderr.strip()))
    rows = []
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        row = {"frame": int(cols[0])}
        epoch = float(cols[1])
        raw = dict(zip(fields, cols))
        row["verdict"] = {f: (raw[f].split(",") if raw[f] else []) for f in verdict_checks.FIELDS}
        for name, v in zip(PER_PACKET + CONN, cols[2:]):
            if name in BOOLS:
                v = norm_bool(v)
            elif name == "time_wait.expiry" and v:
                v = "frame+%.6f" % (parse_abs_time(v) - epoch)
            row[name] = v
        rows.append(row)
    return rows


EXPECT_DIR = os.path.join(HERE, "expect")
EXPECTED_DIR = os.path.join(HERE, "expected")


def load_expect(scenario):
    path = os.path.join(EXPECT_DIR, scenario + ".json")
    with open(path) as f:
        return json.load(f)


def load_kernel(captures, scenario):
    truth = {}
    with open(os.path.join(captures, scenario + ".kernel.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            role, inc, states = line.rstrip("\n").split("\t")
            truth["%s#%s" % (role, inc)] = states.split()
    return truth


def dedupe(seq):
    out = []
    for s in seq:
        if s and (not out or out[-1] != s):
            out.append(s)
    return out


def tcplife_sequences(rows):
    """{role#n: [states]} from the two-pass rows, connections ordered by first frame."""
    conns = {}
    for r in rows:
        if not r["conn.first_frame"]:
            continue
        conns.setdefault(int(r["conn.first_frame"]), []).append(r)
    out = {}
    for n, first in enumerate(sorted(conns), 1):
        crow = conns[first]
        for role in ("client", "server"):
            seq = [r["state." + role] for r in crow] + [crow[-1]["conn.state." + role]]
            seq = dedupe(seq)
            while seq and seq[0] in ("UNKNOWN", "LISTEN"):
                seq.pop(0)
            out["%s#%d" % (role, n)] = seq
    return out


def check_kernel(args, exp, rows, side, errors):
    truth = load_kernel(args.captures, args.scenario)
    seen = tcplife_sequences(rows)
    overrides = exp.get("kernel", {}).get(side, {})
    for key in sorted(set(truth) | set(seen) | set(overrides)):
        want = truth.get(key, [])
        why = None
        if key in overrides:
            why = overrides[key]["why"]
            want = overrides[key]["visible"]
        got = seen.get(key, [])
        if got != want:
            errors.append("kernel: %s: tcplife says %s, %s %s%s" % (
                key, " ".join(got) or "(nothing)", "expected (override)" if why else "kernel says",
                " ".join(want) or "(nothing)", " [%s]" % why if why else ""))


def fmt(v):
    return "(absent)" if v == "" else v


def check_keys(exp, rows, side, errors):
    frames = exp.get("frames", {}).get(side, {})
    if "count" in exp and side in exp["count"] and exp["count"][side] != len(rows):
        errors.append("keys: capture has %d frames, expected %d" % (len(rows), exp["count"][side]))
    byframe = {r["frame"]: r for r in rows}
    for fno, fields in frames.items():
        r = byframe.get(int(fno))
        if r is None:
            errors.append("keys: frame %s missing" % fno)
            continue
        for name, want in fields.items():
            if isinstance(want, bool):
                want = "1" if want else "0"
            elif want is None:
                want = ""
            got = r.get(name)
            if got is None:
                errors.append("keys: unknown field %s in expectation" % name)
            elif got != str(want):
                errors.append("keys: frame %s: tcplife.%s = %s, expected %s" % (fno, name, fmt(got), fmt(str(want))))


def golden_text(rows):
    cols = ["frame"] + PER_PACKET + CONN
    lines = ["\t".join(cols)]
    for r in rows:
        lines.append("\t".join(str(r[c]) for c in cols))
    return "\n".join(lines) + "\n"


def check_golden(args, rows, side, errors):
    path = os.path.join(EXPECTED_DIR, "%s.%s.tsv" % (args.scenario, side))
    text = golden_text(rows)
    if args.regenerate:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print("regenerated %s (review it!)" % os.path.relpath(path, ROOT))
        return
    try:
        with open(path) as f:
            want = f.read()
    except FileNotFoundError:
        errors.append("golden: %s missing (run with --regenerate, then review)" % path)
        return
    if want != text:
        wl, gl = want.splitlines(), text.splitlines()
        head = wl[0].split("\t")
        for i in range(max(len(wl), len(gl))):
            a = wl[i] if i < len(wl) else "(none)"
            b = gl[i] if i < len(gl) else "(none)"
            if a != b:
                av, bv = a.split("\t"), b.split("\t")
                diffs = ["%s expected %s, got %s" % (head[j], fmt(av[j]) if j < len(av) else "-",
                                           fmt(bv[j]) if j < len(bv) else "-")
                         for j in range(min(len(head), max(len(av), len(bv))))
                         if (av[j] if j < len(av) else None) != (bv[j] if j < len(bv) else None)]
                errors.append("golden: line %d (frame %s): %s" % (i, b.split("\t")[0], "; ".join(diffs)))


def check_passes(exp, one, two, side, errors):
    allowed = exp.get("lookahead", {}).get(side, {})
    if len(one) != len(two):
        errors.append("passes: %d rows single pass, %d two-pass" % (len(one), len(two)))
        return
    seen = set()
    for a, b in zip(one, two):
        for f in PASS_FIELDS:
            if a[f] == b[f]:
                continue
            key = (str(a["frame"]), f)
            want = allowed.get(key[0], {}).get(f)
            if want is not None and [a[f], b[f]] == [norm_bool(x) if f in BOOLS else x for x in want]:
                seen.add(key)
            else:
                errors.append("passes: frame %d: tcplife.%s single pass %s, two-pass %s%s" % (
                    a["frame"], f, fmt(a[f]), fmt(b[f]),
                    "" if want is None else " (expected %s -> %s)" % tuple(want)))
    for fno, fields in allowed.items():
        for f in fields:
            if (fno, f) not in seen:
                errors.append("passes: frame %s: expected look-ahead difference of tcplife.%s %s -> %s did not occur"
                              % (fno, f, fields[f][0], fields[f][1]))


def tshark_text(args, extra):
    r = subprocess.run([args.tshark, args.plugin] + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if r.returncode != 0:
        raise Failure("tshark %s failed (%d): %s" % (" ".join(extra), r.returncode, r.stderr.strip()))
    return r.stdout


_summaries = []
# selftest: make single pass claim a final-sounding value on its first packet
PERTURB_VERDICTS = [False]


def check_verdicts(args, pcap, one, two, errors):
    where = "verdicts"
    if PERTURB_VERDICTS[0] and one and one[0]["verdict"]["tcplife.conn.outcome"]:
        first = one[0]["verdict"]["tcplife.conn.outcome"]
        first[0] = first[0].replace(verdict_checks.PENDING, "", 1)
    counts = verdict_checks.compare_passes([r["verdict"] for r in one], [r["verdict"] for r in two],
                                           where, errors)
    verdict_checks.json_keys(tshark_text(args, ["-r", pcap, "-2", "-T", "json", "-J", "tcplife"]),
                             where, errors)
    if not _summaries:
        _summaries.append(verdict_checks.registered_summaries(tshark_text(args, ["-G", "fields"])))
        errors += verdict_checks.mapping_errors(tshark_text(
            args, ["-G", "elastic-mapping", "--elastic-mapping-filter", "tcplife"]))
    lines = verdict_checks.check_experts(tshark_text(args, ["-r", pcap, "-2", "-q", "-z", "expert"]),
                                         _summaries[0], where, errors)
    print("     %s; %d -z expert lines" % (counts, len(lines)))


SEVERITY = {"1048576": "comment", "2097152": "chat", "4194304": "note", "6291456": "warn",
            "8388608": "error", "comment": "comment", "chat": "chat", "note": "note",
            "warning": "warn", "warn": "warn", "error": "error"}


def tshark_experts(args, pcap):
    """{frame: sorted [[summary, severity]]} of tcplife's expert infos, two-pass."""
    if not _summaries:
        _summaries.append(verdict_checks.registered_summaries(tshark_text(args, ["-G", "fields"])))
    text = tshark_text(args, ["-r", pcap, "-2", "-T", "fields", "-E", "occurrence=a",
                              "-E", "aggregator=\x01", "-e", "frame.number",
                              "-e", "_ws.expert.message", "-e", "_ws.expert.severity"])
    out = {}
    for line in text.splitlines():
        cols = line.split("\t") + ["", ""]
        if not cols[1]:
            continue
        msgs, sevs = cols[1].split("\x01"), cols[2].split("\x01")
        if len(msgs) != len(sevs):
            raise Failure("frame %s: %d expert messages, %d severities" % (cols[0], len(msgs), len(sevs)))
        got = sorted([m, SEVERITY.get(v.strip().lower(), v)] for m, v in zip(msgs, sevs)
                     if m in _summaries[0])
        if got:
            out[cols[0]] = got
    return out


def check_experts(args, exp, pcap, side, errors):
    if "experts" not in exp or side not in exp["experts"]:
        errors.append("experts: expect json has no \"experts\" for %s" % side)
        return
    want = {f: sorted(list(x) for x in v) for f, v in exp["experts"][side].items()}
    got = tshark_experts(args, pcap)
    for f in sorted(set(want) | set(got), key=int):
        if want.get(f, []) != got.get(f, []):
            errors.append("experts: frame %s: tcplife raises %s, expected %s" % (
                f, got.get(f) or "nothing", want.get(f) or "nothing"))


def tshark_tree(args, pcap):
    """{frame: {"summary", "client", "server"}} from -2 -V -O tcplife."""
    r = subprocess.run([args.tshark, args.plugin, "-r", pcap, "-2", "-V", "-O", "tcplife"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=dict(os.environ, TZ="UTC", LC_ALL="C"))
    if r.returncode != 0:
        raise Failure("tshark -V failed (%d): %s" % (r.returncode, r.stderr.decode("utf-8", "replace").strip()))
    out, cur = {}, None
    for line in r.stdout.decode("utf-8").splitlines():
        m = re.match(r"Frame (\d+):", line)
        if m:
            cur = out.setdefault(m.group(1), {})
        elif cur is not None:
            if line.startswith("[TCP Lifecycle:"):
                cur["summary"] = line
            m = re.match(r"    (Client|Server) state: (.*)$", line)
            if m:
                cur[m.group(1).lower()] = m.group(2)
    return out


def check_tree(args, exp, pcap, side, errors):
    want = exp.get("tree", {}).get(side, {})
    if not want:
        return
    got = tshark_tree(args, pcap)
    for f, lines in sorted(want.items(), key=lambda kv: int(kv[0])):
        for k, w in lines.items():
            g = got.get(f, {}).get(k)
            if g != w:
                errors.append("tree: frame %s: %s is %r, expected %r" % (f, k, g, w))


def pcap_records(path):
    """Number of packet records in a classic pcap file (any byte order)."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise Failure("%s: %d bytes, no pcap header" % (path, len(data)))
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
             b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if order is None:
        raise Failure("%s: not a classic pcap (magic %s)" % (path, magic.hex()))
    n, off = 0, 24
    while off < len(data):
        if off + 16 > len(data):
            raise Failure("%s: truncated record header at %d" % (path, off))
        incl = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        off += 16 + incl
        n += 1
    return n


def check_empty(args, exp, pcap, side, rows, errors):
    """A vantage point that saw nothing: assert that precisely, and why."""
    want = exp.get("empty", {}).get(side)
    if want is None:
        return
    n = pcap_records(pcap)
    if n != 0 or rows:
        errors.append("empty: %s has %d packet records (%d rows from tshark), expected none" % (
            os.path.basename(pcap), n, len(rows)))
    with open(os.path.join(args.captures, args.scenario + ".kernel.log")) as f:
        log = f.read()
    m = re.search(r"nft rule \[([^]]*)\] dropped (\d+) packet", log)
    if not m or m.group(1) != want["router_rule"]:
        errors.append("empty: kernel log has no router rule %r" % want["router_rule"])
    other = os.path.join(args.captures, "%s.%s.pcap" % (args.scenario, want["other_side"]))
    sent = tshark_text(args, ["-r", other, "-Y", want["other_filter"], "-T", "fields", "-e", "frame.number"])
    sent = len(sent.split())
    if sent != want["other_count"]:
        errors.append("empty: %s shows %d packets matching %s, expected %d" % (
            os.path.basename(other), sent, want["other_filter"], want["other_count"]))
    if m and int(m.group(2)) != sent:
        errors.append("empty: the router dropped %s packets but the %s sent %d" % (m.group(2), want["other_side"], sent))
    caps = [int(x) for x in re.findall(r"^(\d+) packets captured", log, re.M)]
    if len(caps) != 2 or caps[want["tcpdump_index"]] != 0:
        errors.append("empty: kernel log tcpdump lines %s: this side's is not 0" % caps)


def run_one(args, scenario, side, checks):
    args.scenario = scenario
    pcap = os.path.join(args.captures, "%s.%s.pcap" % (scenario, side))
    exp = load_expect(scenario)
    errors = []
    two = run_tshark(args, pcap, True)
    if "kernel" in checks:
        check_kernel(args, exp, two, side, errors)
    if "keys" in checks:
        check_keys(exp, two, side, errors)
    if "golden" in checks:
        check_golden(args, two, side, errors)
    if "passes" in checks or "verdicts" in checks:
        one = run_tshark(args, pcap, False)
    if "passes" in checks:
        check_passes(exp, one, two, side, errors)
    if "verdicts" in checks:
        check_verdicts(args, pcap, one, two, errors)
    if "experts" in checks:
        check_experts(args, exp, pcap, side, errors)
    if "tree" in checks:
        check_tree(args, exp, pcap, side, errors)
    if "empty" in checks:
        check_empty(args, exp, pcap, side, two, errors)
    return errors


def selftest(args):
    """Every check must be able to fail: perturb one input per check (in a temporary
    copy) and require a failure naming that check."""
    global EXPECT_DIR, EXPECTED_DIR
    import shutil
    import tempfile
    scen, side = "normal_close", "client"
    tmp = tempfile.mkdtemp(prefix="tcplife-golden-selftest.")
    os.chmod(tmp, 0o755)
    try:
        def fresh():
            for sub in ("expect", "expected", "captures"):
                shutil.rmtree(os.path.join(tmp, sub), ignore_errors=True)
            shutil.copytree(EXPECT_DIR0, os.path.join(tmp, "expect"))
            shutil.copytree(EXPECTED_DIR0, os.path.join(tmp, "expected"))
            os.makedirs(os.path.join(tmp, "captures"))
            for f in os.listdir(CAPTURES0):
                if f.startswith(scen + "."):
                    shutil.copy(os.path.join(CAPTURES0, f), os.path.join(tmp, "captures", f))
            for root, dirs, files in os.walk(tmp):
                for d in dirs:
                    os.chmod(os.path.join(root, d), 0o755)
                for f in files:
                    os.chmod(os.path.join(root, f), 0o644)

        def edit(path, fn):
            with open(path) as f:
                text = f.read()
            new = fn(text)
            assert new != text, "perturbation of %s changed nothing" % path
            with open(path, "w") as f:
                f.write(new)

        def jedit(fn):
            path = os.path.join(tmp, "expect", scen + ".json")
            with open(path) as f:
                e = json.load(f)
            fn(e)
            with open(path, "w") as f:
                json.dump(e, f)

        def sub_line(text, old, new):
            assert old in text
            return text.replace(old, new, 1)

        cases = [
            ("unperturbed", None, lambda: None),
            ("kernel", "kernel:", lambda: edit(os.path.join(tmp, "captures", scen + ".kernel.tsv"),
                                                lambda t: t.replace("LAST_ACK CLOSED", "LAST_ACK CLOSING CLOSED"))),
            ("kernel override", "kernel:", lambda: jedit(lambda e: e.setdefault("kernel", {}).setdefault(side, {}).update(
                {"server#1": {"visible": ["SYN_RECEIVED", "ESTABLISHED"], "why": "selftest"}}))),
            ("keys step", "keys:", lambda: jedit(lambda e: e["frames"][side]["10"].update({"step": "fin_passive_merged"}))),
            ("keys bool", "keys:", lambda: jedit(lambda e: e["frames"][side]["10"].update({"merged_fin_ack": True}))),
            ("keys conn", "keys:", lambda: jedit(lambda e: e["frames"][side]["1"].update({"conn.close_style": "three_way"}))),
            ("keys count", "keys:", lambda: jedit(lambda e: e["count"].update({side: 12}))),
            ("golden", "golden:", lambda: edit(os.path.join(tmp, "expected", "%s.%s.tsv" % (scen, side)),
                                               lambda t: sub_line(t, "\tlast_ack\t", "\tack\t"))),
            ("lookahead", "passes:", lambda: jedit(lambda e: e["lookahead"].update(
                {side: {"8": {"step": ["fin_active", "fin_simultaneous"]}}}))),
            ("verdicts", "verdicts:", lambda: PERTURB_VERDICTS.__setitem__(0, True)),
        ]
        bad = 0
        for name, marker, perturb in cases:
            fresh()
            perturb()
            EXPECT_DIR, EXPECTED_DIR = os.path.join(tmp, "expect"), os.path.join(tmp, "expected")
            args.captures = os.path.join(tmp, "captures")
            try:
                errors = run_one(args, scen, side, {"kernel", "keys", "golden", "passes", "verdicts"})
            finally:
                EXPECT_DIR, EXPECTED_DIR = EXPECT_DIR0, EXPECTED_DIR0
                PERTURB_VERDICTS[0] = False
            if marker is None:
                ok = not errors
            else:
                ok = bool(errors) and all(e.startswith(marker) for e in errors)
            print("%-4s selftest %-16s -> %s" % ("ok" if ok else "FAIL", name, "; ".join(errors) or "passes"))
            bad += not ok
        return bad
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


EXPECT_DIR0, EXPECTED_DIR0 = EXPECT_DIR, EXPECTED_DIR
CAPTURES0 = os.path.join(ROOT, "captures")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tshark", default=os.path.join(ROOT, "tests", "tshark-with-plugin"))
    ap.add_argument("--plugin", default=os.path.join(ROOT, "build", "plugin", "tcplife.so"))
    ap.add_argument("--captures", default=os.path.join(ROOT, "captures"))
    ap.add_argument("--check", default="kernel,keys,golden,passes,verdicts,experts,tree,empty")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--selftest", action="store_true",
                    help="check that each check fails on a perturbed copy of its input")
    ap.add_argument("scenario", nargs="?")
    ap.add_argument("side", nargs="?", choices=["client", "server"])
    args = ap.parse_args()
    checks = set(args.check.split(","))
    if args.selftest:
        global CAPTURES0
        CAPTURES0 = args.captures
        sys.exit(1 if selftest(args) else 0)
    if args.all:
        todo = [(os.path.basename(p)[:-5], s) for p in sorted(os.listdir(os.path.join(HERE, "expect")))
                if p.endswith(".json") for s in ("client", "server")]
    else:
        if not args.scenario or not args.side:
            ap.error("SCENARIO SIDE or --all")
        todo = [(args.scenario, args.side)]
    bad = 0
    for scenario, side in todo:
        try:
            errors = run_one(args, scenario, side, checks)
        except (Failure, OSError, ValueError, KeyError) as e:
            errors = ["error: %s: %s" % (type(e).__name__, e)]
        status = "ok" if not errors else "FAIL"
        print("%-4s %s.%s" % (status, scenario, side))
        for e in errors:
            print("     " + e)
        bad += bool(errors)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
