#!/usr/bin/env python3
"""tshark checks of tcplife's GUI views, on the lab captures (captures/).

  check_views.py --tshark WRAPPER --plugin tcplife.so --source SRCDIR VIEW
  VIEW: info | profile | ladder | stats

Expected values never come from tcplife's own output: they come from the
hand-written expectations of the golden tests (tests/golden/expect/*.json),
from raw TCP fields that tshark's TCP dissector decodes (flags, ports,
addresses, timestamps), or from the scenario's definition.

  info     the Info column prefix of handshake, close and RST packets (step,
           its number, RST kind, changed states agree with the expectations),
           data/ACK packets left alone, both preferences, single pass and -2;
  profile  the "TCP Lifecycle" profile: tshark -C prints its columns, every
           coloring rule and filter button compiles, each problem rule matches
           in its scenario and nothing in a normal close;
  ladder   -z flow,tcplife,network: one arrow per packet between its ports, direction from the
           sender, label = step, comment = both states; single pass and -2;
  stats    -z tcplife,tree: every section per scenario, single pass and -2,
           and the multi-connection capture tests/gui/gui-demo.pcap.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROFILE = "TCP Lifecycle"
FAILS = []


def check(cond, what):
    if cond:
        print(f"PASS: {what}")
    else:
        print(f"FAIL: {what}")
        FAILS.append(what)
    return cond


class Tshark:
    def __init__(self, wrapper, plugin, env=None):
        self.cmd = [wrapper, plugin]
        self.env = dict(os.environ, **(env or {}))

    def run(self, *args, ok=True):
        p = subprocess.run(self.cmd + list(args), capture_output=True, text=True, env=self.env)
        if ok and p.returncode != 0:
            raise SystemExit(f"tshark {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    def fields(self, cap, fields, *extra):
        args = ["-r", cap, *extra, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
        for f in fields:
            args += ["-e", f]
        out = self.run(*args).stdout
        return [dict(zip(fields, line.split("\t"))) for line in out.splitlines()]


INFO_COLUMNS = ("-o", 'gui.column.format:"No.","%m","Info","%i"')


def info_column(ts, cap, *extra):
    """{frame: Info text} as tshark's packet summary lines print it. Not -T fields
    -e _ws.col.info: from 4.4 on that field is filled before post-dissectors run."""
    out = ts.run("-r", cap, *INFO_COLUMNS, *extra).stdout
    rows = (line.strip().split(" ", 1) for line in out.splitlines() if line.strip())
    return {int(r[0]): r[1].lstrip() if len(r) > 1 else "" for r in rows}


def expectations(src, scenario, side="client", single_pass=False):
    """{frame: {field: value}} and the packet count; in single pass with the values
    the expectations list as single-pass differences ("lookahead": [single, two])."""
    with open(os.path.join(src, "tests/golden/expect", scenario + ".json")) as f:
        doc = json.load(f)
    frames = {int(k): dict(v) for k, v in doc["frames"][side].items()}
    if single_pass:
        for k, diffs in doc.get("lookahead", {}).get(side, {}).items():
            for field, (single, _two) in diffs.items():
                frames.setdefault(int(k), {})[field] = single
    return frames, doc["count"][side]


def capture(src, scenario, side="client"):
    return os.path.join(src, "captures", f"{scenario}.{side}.pcap")


def label_matches(text, exp):
    """The label at the start of `text` as the views build it from an expectation
    (step, its number, RST kind); when the expectation gives no number, the
    text's own " n/3" or " n/4" is accepted. Returns the matched label or None."""
    want = step_label(exp)
    if not exp.get("handshake.step") and not exp.get("close.step") and not exp.get("rst.kind"):
        m = re.match(re.escape(want) + r"( [1-4]/[34])?", text)
        want = m.group(0) if m else want
    return want if text.startswith(want) else None


def step_label(exp):
    """The label the views use, built from a hand-written expectation."""
    label = exp["step"]
    if exp.get("handshake.step"):
        label += f" {exp['handshake.step']}/3"
    elif exp.get("close.step"):
        label += f" {exp['close.step']}/4"
    if exp.get("rst.kind"):
        label += f" {exp['rst.kind']}"
    return label


PREFIX = re.compile(r"^\[([a-z][a-z_]*)( [^\]]*)?\] ")  # "[step ...] ", not "[TCP ...]"


# ---- info ------------------------------------------------------------------------------
def view_info(ts, src):
    scenarios = ("merged_fin_ack", "refused", "rst_abort", "simultaneous_close", "lost_third_ack")
    for scenario in scenarios:
        cap = capture(src, scenario)
        for mode in ((), ("-2",)) if scenario == "merged_fin_ack" else (("-2",),):
            exp, _ = expectations(src, scenario, single_pass=not mode)
            info = info_column(ts, cap, *mode)
            bad = []
            checked = 0
            for n, e in exp.items():
                if "step" not in e:
                    continue
                text = info.get(n, "")
                m = PREFIX.match(text)
                if e["step"] in ("data", "ack"):
                    if m:
                        bad.append(f"frame {n} ({e['step']}) has a prefix: {text[:60]}")
                    checked += 1
                    continue
                label = label_matches(text[1:], e)
                want = "[" + (label or step_label(e))
                if not text.startswith(want + ":") and not text.startswith(want + "]"):
                    bad.append(f"frame {n}: Info '{text[:70]}' does not start with '{want}'")
                    continue
                changes = text[len(want):text.index("] ")].lstrip(":")
                for part in filter(None, (p.strip() for p in changes.split(","))):
                    role, state = part.split(" ")
                    key = "state." + role
                    if key in e and e[key] != state:
                        bad.append(f"frame {n}: Info says {role} {state}, expected {e[key]}")
                checked += 1
            check(not bad and checked > 0,
                  f"info {scenario} {' '.join(mode) or 'single pass'}: {checked} frames as expected"
                  + ("; " + "; ".join(bad) if bad else ""))
    # an RST inside the window but not at RCV.NXT says so; the receiver's answer is its challenge ACK
    info = info_column(ts, capture(src, "rst_in_window"))
    check(info.get(10, "").startswith("[rst out_of_window, not at RCV.NXT] ")
          and info.get(11, "").startswith("[challenge_ack] ")
          and info.get(9, "").startswith("8062 → 40062 [ACK]"),
          "info rst_in_window: frame 10 '%s', 11 '%s'" % (info.get(10, "")[:45], info.get(11, "")[:30]))
    cap = capture(src, "merged_fin_ack")
    exp, count = expectations(src, "merged_fin_ack")
    off = info_column(ts, cap, "-2", "-o", "tcplife.info_column:FALSE")
    check(len(off) == count and not any(PREFIX.match(t) for t in off.values()),
          f"info: -o tcplife.info_column:FALSE leaves all {count} Info texts alone")
    # data and plain ACKs: no SYN, FIN or RST, not one of the listed handshake/close steps
    raw = ts.fields(cap, ["frame.number", "tcp.flags.syn", "tcp.flags.fin", "tcp.flags.reset"])
    plain = [int(r["frame.number"]) for r in raw
             if all(r[f] in ("0", "False") for f in ("tcp.flags.syn", "tcp.flags.fin", "tcp.flags.reset"))
             and exp.get(int(r["frame.number"]), {}).get("step", "data") in ("data", "ack")]
    got = info_column(ts, cap, "-2")
    check(plain and not any(PREFIX.match(got[n]) for n in plain),
          f"info: data/ACK frames {plain} are left alone by default")
    got = info_column(ts, cap, "-2", "-o", "tcplife.info_column_all:TRUE")
    check(plain and all(re.match(r"^\[(data|ack)\] ", got[n]) for n in plain),
          f"info: -o tcplife.info_column_all:TRUE prefixes them: "
          + ", ".join(got[n].split("]")[0] + "]" for n in plain))


# ---- profile -----------------------------------------------------------------------------
def profile_rules(src):
    d = os.path.join(src, "packaging/profiles", PROFILE)
    rules = []
    with open(os.path.join(d, "colorfilters")) as f:
        for line in f:
            if line.startswith("@"):
                _, name, flt, _colors = line.rstrip("\n").split("@")
                rules.append(("coloring rule", name, flt))
    with open(os.path.join(d, "dfilter_buttons")) as f:
        for line in f:
            if line.startswith('"'):
                fields = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
                flt = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), fields[2])
                rules.append(("button", fields[1], flt))
    return rules


def io_stat_counts(ts, cap, filters, extra=()):
    """Frames each filter matches (-2), by one tshark -z io,stat run; fails if one does not compile."""
    p = ts.run("-r", cap, "-2", "-q", *extra, "-z", "io,stat,0," + ",".join(filters), ok=False)
    if p.returncode != 0:
        return None, p.stderr.strip()
    counts = None
    for line in p.stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and re.match(r"^[0-9.]+\s*<>\s*(Dur|[0-9.]+)$", cells[0]):
            counts = [int(c) for c in cells[1::2][:len(filters)]]  # Frames, Bytes per filter
    return counts, p.stdout


# Where each problem rule must match: the scenario the lab made for it, the
# vantage point that sees it, and the preferences it needs (the lab's CLOSE_WAIT
# lasts 2 s, under the default 5 s threshold).
LONG_CLOSE_WAIT = ("close_wait_linger", "client", ("-o", "tcplife.close_wait_warn_seconds:1"))
RULE_SCENARIO = {
    "refused": ("refused", "client", ()), "SYN unanswered": ("syn_unanswered", "client", ()),
    "half-open": ("synack_unanswered", "server", ()), "abort": ("rst_abort", "client", ()),
    "TIME_WAIT reuse": ("tw_reuse_client", "client", ()), "long CLOSE_WAIT": LONG_CLOSE_WAIT,
    "missing third ACK": ("lost_third_ack", "server", ()), "Refused": ("refused", "client", ()),
    "Half-open": ("synack_unanswered", "server", ()), "No 3rd ACK": ("lost_third_ack", "server", ()),
    "Server closed": ("server_close_first", "client", ()), "RSTs": ("rst_abort", "client", ()),
    "Long CLOSE_WAIT": LONG_CLOSE_WAIT, "Merged FIN-ACK": ("merged_fin_ack", "client", ()),
}
NORMAL = ("normal_close", "client", ())
PROBLEMS = ("refused", "SYN unanswered", "half-open", "abort", "TIME_WAIT reuse", "long CLOSE_WAIT",
            "missing third ACK")


def rule_key(name):
    return name.replace("tcplife: ", "").split(" (")[0]


def view_profile(ts, src, work):
    rules = profile_rules(src)
    names = {rule_key(n) for kind, n, _ in rules if kind == "coloring rule"}
    check(all(p in names for p in PROBLEMS), f"profile: coloring rules for {', '.join(PROBLEMS)}")
    filters = [f for _, _, f in rules]
    results = {}
    for scenario, side, extra in sorted(set(RULE_SCENARIO.values()) | {NORMAL}):
        counts, out = io_stat_counts(ts, capture(src, scenario, side), filters, extra)
        if counts is None or len(counts) != len(filters):
            check(False, f"profile: the rules and buttons compile (io,stat on {scenario}): {out[-300:]}")
            return
        results[(scenario, side, extra)] = counts
    check(True, f"profile: all {len(filters)} coloring rules and button filters compile")
    for i, (kind, name, flt) in enumerate(rules):
        scenario = RULE_SCENARIO.get(rule_key(name))
        if scenario:
            n = results[scenario][i]
            check(n > 0, f"profile: {kind} '{name}' matches {n} packets of {scenario[0]}.{scenario[1]}"
                         f"{' ' + ' '.join(scenario[2]) if scenario[2] else ''}")
        if rule_key(name) in PROBLEMS or kind == "button" and scenario and scenario[0] not in (
                "merged_fin_ack", "server_close_first"):
            check(results[NORMAL][i] == 0, f"profile: {kind} '{name}' matches nothing in normal_close")

    # tshark -C: the profile's columns, read from a configuration folder as installed.
    conf = os.path.join(work, "conf")
    shutil.copytree(os.path.join(src, "packaging/profiles", PROFILE),
                    os.path.join(conf, "profiles", PROFILE))
    for root, dirs, files in os.walk(work):
        for n in dirs + files:
            os.chmod(os.path.join(root, n), 0o777)
    os.chmod(work, 0o777)
    tsc = Tshark(ts.cmd[0], ts.cmd[1], {"WIRESHARK_CONFIG_DIR": conf})
    for scenario in ("merged_fin_ack", "server_close_first"):
        exp, count = expectations(src, scenario)
        out = tsc.run("-C", PROFILE, "-r", capture(src, scenario), "-2", "-T", "tabs").stdout.splitlines()
        bad = []
        for n, e in exp.items():
            if "step" not in e:
                continue
            cells = [c.strip() for c in out[n - 1].split("\t")]
            want = [e["step"], e["sender"], e.get("state.client"), e.get("state.server")]
            i = cells.index(want[0]) if want[0] in cells else -1
            got = cells[i:i + 5] if i >= 0 else []
            if (i < 0 or got[1] != want[1] or (want[2] and got[2] != want[2])
                    or (want[3] and got[3] != want[3]) or got[4] != e.get("closer", "")):
                bad.append(f"frame {n}: {got or cells}, expected {want + [e.get('closer', '')]}")
            if PREFIX.search(out[n - 1].split("\t")[-1]):
                bad.append(f"frame {n}: Info prefixed although the profile turns it off")
        check(len(out) == count and not bad,
              f"profile: tshark -C '{PROFILE}' on {scenario}: {count} lines with Step, Sender, "
              f"Client state, Server state, Closer columns" + ("; " + "; ".join(bad) if bad else ""))


# ---- ladder ------------------------------------------------------------------------------
def parse_ladder(text):
    """[(label, direction, comment, (left port, right port))] from
    sequence_analysis_dump_to_file's drawing."""
    arrows = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\|([0-9.]+)\s*\|(.*)\|([^|]*)$", line)
        if not m or i + 1 >= len(lines):
            continue
        label = m.group(2).replace("|", " ").strip()
        nxt = lines[i + 1]
        direction = "right" if "->" in nxt else "left" if "<-" in nxt else "?"
        arrows.append((label, direction, m.group(3).strip(), tuple(re.findall(r"\((\d+)\)", nxt))))
    return arrows


def view_ladder(ts, src):
    for scenario in ("merged_fin_ack", "refused", "simultaneous_close"):
        cap = capture(src, scenario)
        for mode in ((), ("-2",)):
            exp, count = expectations(src, scenario, single_pass=not mode)
            out = ts.run("-r", cap, *mode, "-q", "-z", "flow,tcplife,network").stdout
            arrows = parse_ladder(out)
            bad = []
            if len(arrows) != count:
                bad.append(f"{len(arrows)} arrows for {count} packets")
            # each arrow's ends: the sender's port at its tail, the receiver's at its head
            tcp = ts.fields(cap, ["tcp.srcport", "tcp.dstport"])
            for n, ((_, direction, _, ports), row) in enumerate(zip(arrows, tcp), 1):
                ends = ports if direction == "right" else ports[::-1]
                if ends != (row["tcp.srcport"], row["tcp.dstport"]):
                    bad.append(f"frame {n}: arrow {direction} between ports {ports}, sent "
                               f"{row['tcp.srcport']} -> {row['tcp.dstport']}")
            for n, e in exp.items():
                if "step" not in e or n > len(arrows):
                    continue
                label, direction, comment, _ = arrows[n - 1]
                # the text drawing cuts long labels at the arrow's width
                full = label_matches(label, e) or step_label(e)
                if not (full.startswith(label) and len(label) >= min(len(full), 18)):
                    bad.append(f"frame {n}: label '{label}', expected '{full}'")
                client_first = exp.get(1, {}).get("sender", "client") == "client"  # left node
                want_dir = "right" if (e["sender"] == "client") == client_first else "left"
                if direction != want_dir:
                    bad.append(f"frame {n}: arrow {direction}, expected {want_dir} ({e['sender']})")
                for role in ("client", "server"):
                    st = e.get("state." + role)
                    if st and f"{role} {st}" not in comment:
                        bad.append(f"frame {n}: comment '{comment}' lacks '{role} {st}'")
            check(not bad, f"ladder {scenario} {' '.join(mode) or 'single pass'}: {len(arrows)} arrows"
                  + ("; " + "; ".join(bad) if bad else ""))
    # a display filter picks one connection out of several
    demo = os.path.join(src, "tests/gui/gui-demo.pcap")
    n_stream1 = len(ts.fields(demo, ["frame.number"], "-Y", "tcp.stream == 1"))
    arrows = parse_ladder(ts.run("-r", demo, "-2", "-q", "-z", "flow,tcplife,network,tcp.stream == 1").stdout)
    check(len(arrows) == n_stream1 > 0, f"ladder of gui-demo.pcap with filter tcp.stream == 1: "
                                        f"{len(arrows)} arrows for its {n_stream1} packets")


# ---- stats -------------------------------------------------------------------------------
def parse_tree(text):
    """{path: count} of a -z tcplife,tree output; path = names joined by '/'."""
    rows, stack, body = {}, [], 0
    for line in text.splitlines():
        if re.match(r"^-{20,}$", line):
            body += 1
            continue
        if body != 1 or not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        cells = re.split(r" {2,}", line.strip())
        name, count = cells[0], int(cells[1])
        del stack[indent:]
        stack.append(name)
        rows["/".join(stack)] = count
    return rows


CONN, OUTCOME, STYLE, CLOSER = "TCP connections", "by outcome", "by close style", "by active closer"
SERVERS, RESETS, RTT, CENSUS = ("Server endpoints (ip:port)", "Resets (RST packets)",
                                "Handshake RTT (microseconds)", "Endpoints at end of capture")
VERDICT = {"refused": "refused", "syn_unanswered": "SYN unanswered",
           "handshake_incomplete": "half-open (SYN-ACK unacknowledged)", "reset": "reset"}
BUCKETS = ((0, 9), (10, 99), (100, 999), (1000, 9999), (10000, 99999), (100000, 999999))


def bucket(us):
    for lo, hi in BUCKETS:
        if lo <= us <= hi:
            return f"{lo}-{hi}"
    return "1000000-"


def expected_tree(ts, src, scenario):
    """The rows a one-connection scenario must have, from the expectations and raw TCP fields."""
    exp, _ = expectations(src, scenario)
    cap = capture(src, scenario)
    raw = ts.fields(cap, ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
                          "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset"])
    conn = {}  # connection-level expectations, wherever the frames list them
    for n in sorted(exp):
        conn.update({k: v for k, v in exp[n].items() if k.startswith("conn.")})
    first = raw[0]
    v6 = bool(first["ipv6.src"])
    csrc, cdst = (first["ipv6.src"], first["ipv6.dst"]) if v6 else (first["ip.src"], first["ip.dst"])
    server = f"[{cdst}]:{first['tcp.dstport']}" if v6 else f"{cdst}:{first['tcp.dstport']}"
    pair = f"{csrc} -> {server}"
    want = {CONN: 1, f"{CONN}/{OUTCOME}/{conn['conn.outcome']}": 1,
            f"{CONN}/{OUTCOME}/{conn['conn.outcome']}/{pair}": 1, f"{SERVERS}/{server}": 1}
    for section, key in ((STYLE, "conn.close_style"), (CLOSER, "conn.active_closer")):
        if key in conn:  # not every expectation names them
            want[f"{CONN}/{section}/{conn[key]}/{pair}"] = 1
    if conn["conn.outcome"] in VERDICT:
        want[f"{SERVERS}/{server}/{VERDICT[conn['conn.outcome']]}"] = 1
    end = {role: conn["conn.state." + role] for role in ("client", "server") if "conn.state." + role in conn}
    waits = {}
    census = {}
    for role, st in end.items():
        if st in ("TIME_WAIT", "CLOSE_WAIT"):
            waits[st] = waits.get(st, 0) + 1
        if st not in ("CLOSED", "LISTEN", "UNKNOWN"):
            census[(st, role)] = census.get((st, role), 0) + 1
    for st, n in waits.items():
        want[f"{SERVERS}/{server}/{st} at end"] = n
    synacks = [r for r in raw if r["tcp.flags.syn"] in ("1", "True") and r["tcp.flags.ack"] in ("1", "True")]
    if synacks:  # the server port accepted: one listener
        census[("LISTEN", "server")] = 1
    for (st, role), n in census.items():
        want[f"{CENSUS}/{st}/{role} side"] = n
    if len(end) == 2:
        want[CENSUS] = sum(census.values())
    rsts = [r for r in raw if r["tcp.flags.reset"] in ("1", "True")]
    want[RESETS] = len(rsts)
    for n, e in exp.items():
        if "rst.kind" in e:
            want.setdefault(f"{RESETS}/by kind/{e['rst.kind']}", 0)
            want[f"{RESETS}/by kind/{e['rst.kind']}"] += 1
            want.setdefault(f"{RESETS}/by sender/{e['sender']}", 0)
            want[f"{RESETS}/by sender/{e['sender']}"] += 1
    hs = {int(e["handshake.step"]): n for n, e in exp.items() if "handshake.step" in e}
    if 1 in hs and 3 in hs:
        t = {int(r["frame.number"]): float(r["frame.time_epoch"]) for r in raw}
        us = int(round((t[hs[3]] - t[hs[1]]) * 1e6))
        want[f"{RTT}/{bucket(us)}"] = 1
        want[RTT] = 1
    return want


def view_stats(ts, src):
    scenarios = ("merged_fin_ack", "refused", "syn_unanswered", "synack_unanswered", "rst_abort",
                 "server_close_first", "close_wait_linger", "simultaneous_close", "normal_close_v6")
    for scenario in scenarios:
        want = expected_tree(ts, src, scenario)
        cap = capture(src, scenario)
        two = parse_tree(ts.run("-r", cap, "-2", "-q", "-z", "tcplife,tree").stdout)
        bad = [f"{k} = {two.get(k)}, expected {v}" for k, v in want.items() if two.get(k) != v]
        # nothing counted that the expectations do not know of (within the sections checked)
        for k, v in two.items():
            parts = k.split("/")
            if v and len(parts) == 3 and parts[0] == CONN and parts[1] == OUTCOME and k not in want:
                bad.append(f"unexpected row {k} = {v}")
            if v and parts[0] == CENSUS and len(parts) == 3 and k not in want:
                bad.append(f"unexpected row {k} = {v}")
        check(not bad, f"stats {scenario} -2: {len(want)} expected rows" + ("; " + "; ".join(bad) if bad else ""))
        one = parse_tree(ts.run("-r", cap, "-q", "-z", "tcplife,tree").stdout)
        diff = sorted(set((k, v) for k, v in one.items() if v) ^ set((k, v) for k, v in two.items() if v))
        check(not diff, f"stats {scenario} single pass: the non-zero rows equal -2's" +
              (f"; differ: {diff[:6]}" if diff else ""))
    # Several connections: gui-demo.pcap (7 lab connections, one per server port).
    demo = os.path.join(src, "tests/gui/gui-demo.pcap")
    raw = ts.fields(demo, ["ip.src", "tcp.srcport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset",
                           "tcp.dstport"])
    syn_ports = {r["tcp.dstport"] for r in raw if r["tcp.flags.syn"] in ("1", "True")
                 and r["tcp.flags.ack"] in ("0", "False")}
    listeners = {(r["ip.src"], r["tcp.srcport"]) for r in raw
                 if r["tcp.flags.syn"] in ("1", "True") and r["tcp.flags.ack"] in ("1", "True")}
    rsts = sum(r["tcp.flags.reset"] in ("1", "True") for r in raw)
    two = parse_tree(ts.run("-r", demo, "-2", "-q", "-z", "tcplife,tree").stdout)
    # what the capture was made of (tests/gui: 4 complete closes, an abort, a refused port, an unanswered SYN)
    want = {CONN: 7, f"{CONN}/{OUTCOME}/complete": 4, f"{CONN}/{OUTCOME}/reset": 1,
            f"{CONN}/{OUTCOME}/refused": 1, f"{CONN}/{OUTCOME}/syn_unanswered": 1,
            SERVERS: 7, f"{CENSUS}/LISTEN/server side": len(listeners), RESETS: rsts,
            f"{RESETS}/by kind/refused": 1, f"{RESETS}/by kind/abort": 1}
    bad = [f"{k} = {two.get(k)}, expected {v}" for k, v in want.items() if two.get(k) != v]
    servers = [k for k, v in two.items() if k.startswith(SERVERS + "/") and k.count("/") == 1 and v]
    if len(servers) != len(syn_ports):
        bad.append(f"{len(servers)} server endpoints, the SYNs went to {len(syn_ports)} ports")
    check(not bad, f"stats gui-demo.pcap -2: {len(want) + 1} expected rows (LISTEN = {len(listeners)} ports "
                   f"that sent a SYN-ACK, {rsts} RSTs)" + ("; " + "; ".join(bad) if bad else ""))
    # reading order: the sections, as tshark prints them
    sections = [k for k in two if "/" not in k]
    check(sections == [CONN, SERVERS, RESETS, RTT, CENSUS], f"stats: sections in reading order: {sections}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tshark", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("view", choices=("info", "profile", "ladder", "stats"))
    a = ap.parse_args()
    ts = Tshark(a.tshark, a.plugin)
    src = os.path.abspath(a.source)
    work = tempfile.mkdtemp(prefix="tcplife-views.")
    try:
        if a.view == "info":
            view_info(ts, src)
        elif a.view == "profile":
            view_profile(ts, src, work)
        elif a.view == "ladder":
            view_ladder(ts, src)
        else:
            view_stats(ts, src)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
