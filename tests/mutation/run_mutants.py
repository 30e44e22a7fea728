#!/usr/bin/env python3
"""Mutation testing for tcplife: does `make test` catch realistic one-line bugs?

Each mutant in mutants.json replaces one exact snippet of one plugin/*.c file
by a plausible mistake (off-by-one, < for <=, a wrong enum, swapped roles, a
dropped call, ...). For each mutant the runner patches a scratch copy of the
tree, rebuilds it incrementally in one build folder (configured once), runs
the test suite and restores the file. A mutant is *killed* when a test fails,
*survives* when the suite passes, and is an *error* (not counted) when its
snippet is not found exactly once or the mutated tree does not compile.

Stages, to keep it affordable (the suite takes ~15 minutes):
  stage 1  the fast tests (unit, golden, forensics, views, docs, versions),
           in tiers, cheapest first, each with --stop-on-failure;
  stage 2  only for mutants that survive stage 1: the rest of `make test`
           (labels corpus, gui, packaging).
Either way a fate is "killed by make test" (naming the first failing test)
or "survived make test".

The scratch copy lives in <workdir>/tcplife with a `shared` symlink beside it
(the build looks for ../shared/corpus), default /tmp/tcplife-mut/run.

  tests/mutation/run_mutants.py              baseline, then every mutant
  tests/mutation/run_mutants.py --list       the mutants, one a line
  tests/mutation/run_mutants.py --only ID    one mutant (repeatable, or a,b,c)
  options: --jobs N (build and ctest, default 2), --stage1-only, --tiers N
           (screening: stage 1's first N tiers only, and the file's own tests),
           --after-tier N (the survivors of such a screening: the rest of make test),
           --no-baseline (trust an earlier baseline of the same workdir),
           --markdown FILE --results RUN.json[,RUN2.json] (RESULTS.md from earlier
           runs; a later file's fate of a mutant overrides an earlier one),
           --workdir DIR, --results FILE (JSON of the fates)

Standard library only.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.path.abspath(os.path.join(SOURCE, "..", "shared"))

# Stage 1, cheapest and most discriminating first: a killed mutant usually
# stops in the first tier or two.
STAGE1_TIERS = [
    ["-R", "^unit_"],
    # ten scenarios that cover most of the table and the rendering, before all of them
    ["-R", r"^golden\.(normal_close|refused|rst_abort|lost_third_ack|simultaneous_close|merged_fin_ack|"
           r"tw_reuse_client|fw_reset|syncookies|fast_open)\.client$"],
    ["-L", "^golden$", "-R", r"^golden\.[a-z0-9_]+\.(client|server)$"],
    ["-R", r"^(forensics\.(facts|rst_lab)|views\.|filters\.|docs\.|versions\.)"],
    ["-R", r"^golden\.(selftest|handshake_facts|missing_syn)$"],
]
# Tried first for a mutant of these files: the tests that read what the file
# makes (a mutant the tiers above kill anyway costs one quick run more).
FILE_FIRST = {
    "plugin/tcplife_stats.c": ["-R", r"^views\.stats$"],
    "plugin/tcplife_info_column.c": ["-R", r"^views\.info$"],
    "plugin/tcplife_ladder.c": ["-R", r"^views\.ladder$"],
    "plugin/tcplife_forensics.c": ["-R", r"^forensics\.rst_lab$"],
    "plugin/rst_evidence.c": ["-R", r"^forensics\.rst_lab$"],
    "plugin/field_groups.c": ["-R", r"^filters\."],
    "plugin/tcp_segments.c": ["-R", r"^golden\.short_quotes$"],
    "plugin/tcplife_dissector.c": ["-R", r"^golden\.missing_syn$"],
    "plugin/tree_items.c": ["-R", r"^filters\."],
}
STAGE1_ALL = ["-LE", "corpus|gui|packaging"]
STAGE2 = ["-L", "corpus|gui|packaging"]


def log(msg):
    print(msg, flush=True)


def load_mutants(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    mutants = data["mutants"]
    seen = set()
    for m in mutants:
        for key in ("id", "file", "original", "replacement", "class"):
            if key not in m:
                sys.exit("mutant %r lacks %r" % (m.get("id"), key))
        if m["id"] in seen:
            sys.exit("duplicate mutant id %s" % m["id"])
        seen.add(m["id"])
    return mutants


def run(cmd, cwd, logfile, timeout=None):
    with open(logfile, "a", encoding="utf-8") as out:
        out.write("\n$ %s\n" % " ".join(cmd))
        out.flush()
        try:
            return subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            out.write("timed out\n")
            return 124


def copy_tree(work):
    """The tracked files of the source tree into work/tcplife, shared beside it."""
    tree = os.path.join(work, "tcplife")
    os.makedirs(work, exist_ok=True)
    link = os.path.join(work, "shared")
    if not os.path.lexists(link) and os.path.isdir(SHARED):
        os.symlink(SHARED, link)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=SOURCE, check=True,
                           stdout=subprocess.PIPE).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = os.path.join(SOURCE, rel)
        dst = os.path.join(tree, rel)
        if os.path.islink(src) or not os.path.exists(src):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        # Only changed files: an unchanged tree keeps its build up to date.
        if os.path.exists(dst):
            with open(src, "rb") as a, open(dst, "rb") as b:
                if a.read() == b.read():
                    continue
        shutil.copyfile(src, dst)  # a new mtime: the build sees the change
        shutil.copymode(src, dst)
    return tree


def failed_tests(build):
    path = os.path.join(build, "Testing", "Temporary", "LastTestsFailed.log")
    names = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if ":" in line:
                    names.append(line.split(":", 1)[1])
    return names


def run_tests(build, args, jobs, logfile, stop):
    """Runs ctest with `args`; returns the failing tests ([] when all passed)."""
    failed_log = os.path.join(build, "Testing", "Temporary", "LastTestsFailed.log")
    if os.path.exists(failed_log):
        os.remove(failed_log)
    cmd = ["ctest", "--output-on-failure", "-j%d" % jobs] + args
    if stop:
        cmd.append("--stop-on-failure")
    rc = run(cmd, build, logfile)
    if rc == 0:
        return []
    return failed_tests(build) or ["ctest (exit %d)" % rc]


def suite(build, jobs, logfile, stage1_only, first=None, tiers=None, after=0):
    """(verdict, failing test, stage): verdict 'killed' or 'survived'."""
    for tier in ([first] if first else []) + STAGE1_TIERS[after:tiers]:
        failed = run_tests(build, tier, jobs, logfile, stop=True)
        if failed:
            return "killed", failed[0], 1
    if stage1_only:
        return "survived", None, 1
    failed = run_tests(build, STAGE2, jobs, logfile, stop=True)
    if failed:
        return "killed", failed[0], 2
    return "survived", None, 2


def apply_mutant(tree, m):
    """Returns (path, original text) or raises ValueError."""
    path = os.path.join(tree, m["file"])
    with open(path, encoding="utf-8") as f:
        text = f.read()
    count = text.count(m["original"])
    nth = m.get("occurrence")
    if nth is None and count != 1:
        raise ValueError("snippet found %d times in %s" % (count, m["file"]))
    if nth is not None and count < nth:
        raise ValueError("snippet found %d times, occurrence %d wanted" % (count, nth))
    if m["original"] == m["replacement"]:
        raise ValueError("replacement equals the original")
    at = -1
    for _ in range(nth or 1):
        at = text.index(m["original"], at + 1)
    mutated = text[:at] + m["replacement"] + text[at + len(m["original"]):]
    with open(path, "w", encoding="utf-8") as f:
        f.write(mutated)
    return path, text


def save_results(opts, results):
    with open(opts.results, "w", encoding="utf-8") as f:
        json.dump({"stage1_only": opts.stage1_only, "tiers": opts.tiers, "after_tier": opts.after_tier,
                   "results": results}, f, indent=1)


def scope_of(run_data):
    tiers = run_data.get("tiers")
    if tiers is not None:
        return "screening: stage 1's first %d tiers and the file's own tests" % tiers
    if run_data.get("stage1_only"):
        return "stage 1 only"
    if run_data.get("after_tier"):
        return "the rest of make test, after surviving a screening of its first %d tiers" % run_data["after_tier"]
    return "the whole of make test"


def write_markdown(mutants, path, results_paths):
    """RESULTS.md: every mutant of the list with its fate in earlier runs (a
    later results file overrides an earlier one for the same mutant)."""
    if not results_paths:
        sys.exit("--markdown needs --results FILE[,FILE...] (the JSON of runs)")
    fates, scopes = {}, []
    for results_path in results_paths.split(","):
        with open(results_path, encoding="utf-8") as f:
            run_data = json.load(f)
        scope = scope_of(run_data)
        scopes.append(scope)
        for r in run_data["results"]:
            fates[r["id"]] = dict(r, scope=scope)
    whole = lambda r: "screening" not in r["scope"] and "stage 1 only" not in r["scope"]
    killed = sum(r["fate"] == "killed" for r in fates.values())
    survived = sum(r["fate"] == "survived" and whole(r) for r in fates.values())
    unresolved = sum(r["fate"] == "survived" and not whole(r) for r in fates.values())
    errors = len(fates) - killed - survived - unresolved
    valid = killed + survived + unresolved
    lines = ["# Mutation run results", "",
             "Written by `tests/mutation/run_mutants.py --markdown` from %d run(s): %s." % (len(scopes), "; ".join(scopes)),
             "%d of the %d mutants run: %d killed by make test, %d survived the whole of it, %d survived a "
             "screening only (not run further), %d errors (not counted). Score: %d / %d = %.0f%%."
             % (len(fates), len(mutants), killed, survived, unresolved, errors, killed, valid,
                100.0 * killed / valid if valid else 0), "",
             "| id | file | class | fate | seconds |", "|---|---|---|---|---|"]
    for m in mutants:
        r = fates.get(m["id"])
        if not r:
            fate, secs = "not run yet", ""
        elif r["fate"] == "killed":
            fate, secs = "killed by %s" % r["test"], r["seconds"]
        elif r["fate"] == "survived":
            fate, secs = "not killed (%s)" % r["scope"], r["seconds"]
        else:
            fate, secs = "error: %s" % r.get("reason", ""), r["seconds"]
        lines.append("| %s | %s | %s | %s | %s |" % (m["id"], m["file"], m["class"], fate, secs))
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mutants", default=os.path.join(HERE, "mutants.json"))
    ap.add_argument("--only", action="append", default=[], help="mutant id(s), a,b,c")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--stage1-only", action="store_true")
    ap.add_argument("--tiers", type=int, default=None,
                    help="screening: only the first N tiers of stage 1 (implies --stage1-only)")
    ap.add_argument("--after-tier", type=int, default=0,
                    help="for the survivors of a --tiers N screening: skip stage 1's first N tiers")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--workdir", default="/tmp/tcplife-mut/run")
    ap.add_argument("--results", default=None)
    ap.add_argument("--markdown", default=None,
                    help="write the fates of --results FILE (an earlier run) as a Markdown table")
    opts = ap.parse_args()
    if opts.tiers is not None:
        opts.stage1_only = True
    # A stopped run still restores the mutated file (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    mutants = load_mutants(opts.mutants)
    if opts.markdown:
        return write_markdown(mutants, opts.markdown, opts.results)
    if opts.list:
        for m in mutants:
            log("%-6s %-28s %-22s %s -> %s" % (m["id"], m["file"], m["class"],
                                                 " ".join(m["original"].split()), " ".join(m["replacement"].split()) or "(deleted)"))
        log("%d mutants" % len(mutants))
        return 0
    if opts.only:
        wanted = [i for o in opts.only for i in o.split(",") if i]
        by_id = {m["id"]: m for m in mutants}
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            sys.exit("unknown mutant(s): %s" % ", ".join(unknown))
        mutants = [by_id[i] for i in dict.fromkeys(wanted)]  # in the order given

    start = time.time()
    work = os.path.abspath(opts.workdir)
    tree = copy_tree(work)
    build = os.path.join(tree, "build")
    logdir = os.path.join(work, "logs")
    os.makedirs(logdir, exist_ok=True)
    baselog = os.path.join(logdir, "baseline.log")
    log("mutation: scratch tree %s (logs in %s)" % (tree, logdir))
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        if run(["cmake", "-S", ".", "-B", "build"], tree, baselog) != 0:
            sys.exit("mutation: cmake configure failed (see %s)" % baselog)
    if run(["cmake", "--build", "build", "-j%d" % opts.jobs], tree, baselog) != 0:
        sys.exit("mutation: the unmutated tree does not build (see %s)" % baselog)
    if not opts.no_baseline:
        log("mutation: baseline (unmutated tree) ...")
        failed = []
        if opts.tiers is not None:
            for tier in STAGE1_TIERS[:opts.tiers] + list(FILE_FIRST.values()):
                failed += run_tests(build, tier, opts.jobs, baselog, stop=False)
        else:
            failed = run_tests(build, STAGE1_ALL if opts.stage1_only else [], opts.jobs, baselog,
                               stop=False)
        if failed:
            sys.exit("mutation: ABORT, the unmutated tree fails: %s (see %s)"
                     % (", ".join(failed), baselog))
        log("mutation: baseline passes (%.0f s)" % (time.time() - start))

    results = []
    for m in mutants:
        t0 = time.time()
        mlog = os.path.join(logdir, "%s.log" % m["id"])
        if os.path.exists(mlog):
            os.remove(mlog)
        fate = {"id": m["id"], "file": m["file"], "class": m["class"]}
        try:
            path, original = apply_mutant(tree, m)
        except ValueError as e:
            fate.update(fate="error", reason="does not apply: %s" % e)
        else:
            try:
                if run(["cmake", "--build", "build", "-j%d" % opts.jobs], tree, mlog) != 0:
                    fate.update(fate="error", reason="does not compile")
                else:
                    verdict, test, stage = suite(build, opts.jobs, mlog, opts.stage1_only,
                                                 FILE_FIRST.get(m["file"]), opts.tiers, opts.after_tier)
                    fate.update(fate=verdict, test=test, stage=stage)
            finally:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(original)
        fate["seconds"] = round(time.time() - t0)
        results.append(fate)
        if fate["fate"] == "killed":
            what = "killed by %s" % fate["test"]
        elif fate["fate"] == "survived":
            what = "SURVIVED %s" % ("the first %d tiers (screening)" % opts.tiers if opts.tiers is not None
                                    else "stage 1 (fast tests only)" if opts.stage1_only else "make test")
        else:
            what = "error (%s)" % fate["reason"]
        log("%-6s %-28s %s [%ds]" % (m["id"], m["file"], what, fate["seconds"]))
        if opts.results:  # after every mutant: a stopped run keeps what it measured
            save_results(opts, results)

    # Leave the build as the unmutated tree.
    run(["cmake", "--build", "build", "-j%d" % opts.jobs], tree, baselog)
    killed = sum(r["fate"] == "killed" for r in results)
    survived = [r for r in results if r["fate"] == "survived"]
    errors = [r for r in results if r["fate"] == "error"]
    valid = killed + len(survived)
    log("")
    log("mutation score: %d killed / %d valid mutants = %s%s; %d error(s); %.0f min"
        % (killed, valid, "%.0f%%" % (100.0 * killed / valid) if valid else "n/a",
           " (stage 1 only)" if opts.stage1_only else "", len(errors),
           (time.time() - start) / 60))
    for r in survived:
        log("  survivor: %s (%s, %s)" % (r["id"], r["file"], r["class"]))
    for r in errors:
        log("  error: %s (%s)" % (r["id"], r["reason"]))
    if opts.results:  # also when no mutant ran
        save_results(opts, results)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
