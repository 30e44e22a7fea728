#!/usr/bin/env python3
"""Print the README's field table from `tshark -G fields` with tcplife loaded.

    tools/fields-table.py [--tshark-wrapper tests/tshark-with-plugin PLUGIN.so]
    tools/fields-table.py --check README.md --tshark-wrapper ... PLUGIN.so

The table in README.md sits between the markers <!-- fields:begin --> and
<!-- fields:end -->; --check exits 1 when it differs from what tshark says.
"""
import argparse
import subprocess
import sys

BEGIN, END = "<!-- fields:begin -->", "<!-- fields:end -->"
TYPES = {
    "FT_STRING": "string", "FT_UINT8": "uint", "FT_UINT16": "uint", "FT_UINT32": "uint",
    "FT_UINT64": "uint", "FT_INT16": "int", "FT_INT32": "int", "FT_BOOLEAN": "bool",
    "FT_ABSOLUTE_TIME": "absolute time", "FT_RELATIVE_TIME": "relative time",
    "FT_FRAMENUM": "frame number", "FT_NONE": "subtree", "FT_DOUBLE": "number",
}


def tshark_fields(command):
    out = subprocess.run(command + ["-G", "fields"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) >= 5 and f[0] == "F" and f[4] == "tcplife":
            kind = "expert info" if f[2].startswith("tcplife.expert.") else TYPES.get(f[3], f[3])
            rows.append((f[2], kind, f[1], f[7] if len(f) > 7 else ""))
    return rows


def table(rows):
    lines = ["| field | type | name | meaning |", "|---|---|---|---|"]
    for abbrev, kind, name, blurb in rows:
        lines.append(f"| `{abbrev}` | {kind} | {name} | {blurb.replace('|', '/')} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", metavar="README")
    ap.add_argument("--tshark-wrapper", nargs=2, metavar=("WRAPPER", "PLUGIN"))
    args = ap.parse_args()
    command = list(args.tshark_wrapper) if args.tshark_wrapper else ["tshark"]
    rows = tshark_fields(command)
    if not rows:
        print("no tcplife fields: is the plugin loaded?", file=sys.stderr)
        return 1
    generated = table(rows)
    if not args.check:
        print(generated)
        return 0
    text = open(args.check, encoding="utf-8").read()
    if BEGIN not in text or END not in text:
        print(f"{args.check}: markers {BEGIN} / {END} missing", file=sys.stderr)
        return 1
    current = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    if current != generated:
        print(f"{args.check}: the field table differs from `tshark -G fields` "
              f"({len(rows)} fields); regenerate it with tools/fields-table.py", file=sys.stderr)
        cur, gen = set(current.splitlines()), set(generated.splitlines())
        for line in sorted(gen - cur):
            print("  missing: " + line, file=sys.stderr)
        for line in sorted(cur - gen):
            print("  stale:   " + line, file=sys.stderr)
        return 1
    print(f"README field table matches tshark -G fields ({len(rows)} fields)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
