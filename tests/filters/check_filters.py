#!/usr/bin/env python3
"""Every tcplife field filters exactly the packets that show it.

  check_filters.py TSHARK_WRAPPER PLUGIN.so CAPTURES_DIR

Wireshark builds an invisible tree for a display filter and tcplife skips
whole groups of items nobody references there (plugin/field_groups.c) and every
item Wireshark would fake (plugin/tree_items.c), so a
filter could miss what -V shows. For every field of `tshark -G fields` named
tcplife.*, on all lab captures appended into one file:
  - two-pass: the frames sharkd's filter (the GUI's way: the file loaded,
    then an invisible tree primed with that filter alone) returns for the
    field equal the frames whose `tshark -2 -T json` (visible tree) has it;
  - single pass: the frames `tshark -Y FIELD` prints equal the frames whose
    single-pass `tshark -T json` has it.
A field no capture shows must match nothing. Fails on any difference.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

wrapper, plugin, captures = sys.argv[1:4]
FAILS = []


def tshark(*args, stdin=None, binary=None):
    env = dict(os.environ)
    if binary:
        env["TSHARK"] = binary
    r = subprocess.run([wrapper, plugin, *args], input=stdin, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit(f"FAIL: {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()[:500]}")
    return r.stdout


def sharkd_filter(capture, fields):
    """{field: frames sharkd's filter matches}: JSON-RPC (3.6 and later),
    else the older {"req": ...} protocol of 3.4, answered line by line."""
    requests = ['{"jsonrpc":"2.0","id":1,"method":"load","params":{"file":%s}}' % json.dumps(capture)]
    for i, field in enumerate(fields, 2):  # sharkd ids are positive; 1 is the load
        requests.append(json.dumps({"jsonrpc": "2.0", "id": i, "method": "frames",
                                    "params": {"filter": field, "column0": "frame.number:0"}}))
    answers = {}
    for line in tshark("-", stdin="\n".join(requests) + "\n", binary="sharkd").splitlines():
        if line.startswith("{"):
            msg = json.loads(line)
            answers[msg.get("id")] = msg
    if "result" in answers.get(1, {}):
        return {field: {f["num"] for f in answers[i]["result"]}
                for i, field in enumerate(fields, 2) if isinstance(answers.get(i, {}).get("result"), list)}
    legacy = [json.dumps({"req": "load", "file": capture})]
    legacy += [json.dumps({"req": "frames", "filter": field, "column0": "frame.number:0"}) for field in fields]
    lines = [line for line in tshark("-", stdin="\n".join(legacy) + "\n", binary="sharkd").splitlines()
             if line.startswith(("{", "["))]
    if not lines or '"err":0' not in lines[0].replace(" ", ""):
        sys.exit(f"FAIL: sharkd did not load the capture: {lines[:1]}")
    return {field: {f["num"] for f in json.loads(line)} for field, line in zip(fields, lines[1:])}


def tshark_frames(*args):
    return {int(x) for x in tshark("-r", merged, *args, "-T", "fields", "-e", "frame.number").split()}


def fields_of(node, out):
    """tcplife field names in a -T json layer (subtrees are KEY_tree)."""
    if isinstance(node, dict):
        for key, value in node.items():
            name = key[:-5] if key.endswith("_tree") else key
            if name.startswith("tcplife.") or name == "tcplife":
                out.add(name)
            fields_of(value, out)
    elif isinstance(node, list):
        for value in node:
            fields_of(value, out)


def shown(extra):
    frames = {}
    for pkt in json.loads(tshark("-r", merged, "-T", "json", "--no-duplicate-keys", *extra)):
        layers = pkt["_source"]["layers"]
        num = int(layers["frame"]["frame.number"])
        names = set()
        fields_of(layers.get("tcplife", {}), names)
        if "tcplife" in layers:
            names.add("tcplife")
        for name in names:
            frames.setdefault(name, set()).add(num)
    return frames


def compare(mode, field, got, want):
    if got != want:
        FAILS.append(field)
        print(f"FAIL {mode} {field}: filter matches {len(got)} frames, the visible tree shows it on "
              f"{len(want)}; only filtered: {sorted(got - want)[:8]}, only shown: {sorted(want - got)[:8]}")


with tempfile.TemporaryDirectory() as tmp:
    os.chmod(tmp, 0o755)
    merged = os.path.join(tmp, "all.pcap")
    pcaps = sorted(os.path.join(captures, f) for f in os.listdir(captures) if f.endswith(".pcap"))
    subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", merged, *pcaps], check=True)
    os.chmod(merged, 0o644)
    fields = sorted({line.split("\t")[2] for line in tshark("-G", "fields").splitlines()
                     if line.startswith("F\t") and line.split("\t")[2].startswith("tcplife.")} | {"tcplife"})
    two_pass, single_pass = shown(["-2"]), shown([])
    print(f"{len(pcaps)} captures appended; {len(fields)} fields, {len(two_pass)} of them shown in -2")

    if shutil.which("sharkd"):
        answers = sharkd_filter(merged, fields)
    else:  # Debian packages sharkd from bullseye on; elsewhere the same through tshark -2
        print("no sharkd: the two-pass check runs tshark -2 -Y for each field instead")
        answers = {field: tshark_frames("-2", "-Y", field) for field in fields}
    for field in fields:
        if field not in answers:
            FAILS.append(field)
            print(f"FAIL sharkd {field}: no answer")
            continue
        compare("two-pass (sharkd)", field, answers[field], two_pass.get(field, set()))

    # one tshark run per field is slow (~0.5 s each): single pass checks one
    # field of each family (the name up to its third part) and every field of
    # the packet's own level (tcplife.X)
    families = {}
    for field in fields:
        families.setdefault(".".join(field.split(".")[:3]), field)
    sample = sorted(set(families.values()) | {f for f in fields if f.count(".") <= 1})
    for field in sample:
        got = tshark_frames("-Y", field)
        compare("single pass (-Y)", field, got, single_pass.get(field, set()))

print(f"{len(fields)} fields (two-pass), {len(sample)} of them in single pass: {len(set(FAILS))} disagree")
sys.exit(1 if FAILS else 0)
