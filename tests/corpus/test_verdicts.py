#!/usr/bin/env python3
"""Pending is not a verdict, over every capture of the corpus (and captures/).

  test_verdicts.py TSHARK_WRAPPER PLUGIN.so CORPUS_DIR [--extra DIR]... [--only SUBSTR] [--limit N]

For each capture, single pass and -2 (tests/verdict_checks.py): no final-sounding
connection verdict in single pass that -2 contradicts, tcplife.conn.final right,
history a prefix, links both ways; with -2, -T json keys are field names and the
tcplife.conn keys constant, and -z expert shows one line per kind. Prints the
totals (final / pending layers, final-sounding values, contradictions).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import corpus_common as cc  # noqa: E402
import verdict_checks as vc  # noqa: E402


def main():
    wrapper, plugin, corpus, rest = cc.parse_args(sys.argv)
    extra_dirs, only, limit = [], None, None
    while rest:
        opt = rest.pop(0)
        if opt == '--extra':
            extra_dirs.append(rest.pop(0))
        elif opt == '--only':
            only = rest.pop(0)
        elif opt == '--limit':
            limit = int(rest.pop(0))
        else:
            sys.exit('unknown option %s' % opt)
    rc, g_fields, err = cc.tshark(wrapper, plugin, ['-G', 'fields'])
    summaries = vc.registered_summaries(g_fields)
    total, errors, captures, expert_kinds = vc.Counts(), [], 0, set()
    with cc.Workspace(corpus) as ws:
        todo = [(corpus, rel) for rel in cc.list_captures(corpus)]
        for d in extra_dirs:
            todo += [(d, rel) for rel in cc.list_captures(d)]
        if only:
            todo = [t for t in todo if only in t[1]]
        if limit:
            todo = todo[:limit]
        for base, rel in todo:
            if base == corpus:
                path = ws.path(rel)
            else:
                path = os.path.join(base, rel)
            where = rel
            # -2 also gives the -z expert report, after the packets and a blank line
            rc1, one, _ = cc.tshark(wrapper, plugin, vc.fields_args(path, False))
            rc2, two, _ = cc.tshark(wrapper, plugin, vc.fields_args(path, True) + ['-z', 'expert'])
            if rc1 != 0 or rc2 != 0:
                continue  # unreadable capture: test_robustness reports it
            two, _, experts = two.partition('\n\n')
            captures += 1
            total.add(vc.compare_passes(vc.parse(one), vc.parse(two), where, errors))
            expert_kinds.update(s for _, _, s in vc.check_experts(experts, summaries, where, errors))
            rc, out, _ = cc.tshark(wrapper, plugin, ['-n', '-r', path, '-2', '-T', 'json', '-J', 'tcplife'])
            if rc == 0:
                vc.json_keys(out, where, errors)
    print('%d captures; %s; %d expert kinds seen' % (captures, total, len(expert_kinds)))
    for e in errors:
        print('FAIL ' + e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
