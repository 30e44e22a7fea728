"""What the golden checkers share: a capture's `tshark -T fields` output as
rows, and editcap's scratch folder for the checkers that cut captures.

  rows = field_rows(args, pcap, FIELDS, "-2")   # [{field: value}] a frame each
"""
import os
import shutil
import subprocess
import tempfile

ENV = {"LC_ALL": "C", "TZ": "UTC", "PATH": "/usr/bin:/bin"}


def field_rows(args, pcap, fields, *options):
    """[{field: value}] of `args.tshark args.plugin -r pcap OPTIONS -T fields`,
    first occurrence of each field, "" where a frame has none."""
    cmd = [args.tshark, args.plugin, "-r", pcap, *options, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    if out.returncode != 0:
        raise SystemExit("tshark failed on %s: %s" % (pcap, out.stderr.strip()))
    return [dict(zip(fields, (line.split("\t") + [""] * len(fields))[:len(fields)]))
            for line in out.stdout.splitlines()]


def editcap_workspace(prefix):
    """(editcap's path, a new scratch folder that tshark's user, nobody when
    run as root, can read), or exit when editcap is missing. The caller
    removes the folder."""
    editcap = shutil.which("editcap")
    if not editcap:
        raise SystemExit("editcap not found")
    tmp = tempfile.mkdtemp(prefix=prefix)
    os.chmod(tmp, 0o755)
    return editcap, tmp

