#!/usr/bin/env python3
"""Recall and extra findings of a directory scan against a corpus answer key.

  tree_recall.py ANSWERS.json FINDINGS.json [--root DIR]

FINDINGS.json is `leakgate scan DIR --format json` output (paths relative to the
directory scanned: run it from inside DIR). A planted secret counts as found when a
finding has its path and line. Prints recall per kind, then every finding outside
the answer key grouped by rule, so each can be looked at.
"""
import argparse
import collections
import json


def main():
    p = argparse.ArgumentParser()
    p.add_argument("answers")
    p.add_argument("findings")
    args = p.parse_args()
    planted = json.load(open(args.answers))["planted"]
    findings = json.load(open(args.findings))["findings"]
    # One finding stands for a secret repeated in a file: `lines` lists every line.
    at = {(f["path"].removeprefix("./"), line)
          for f in findings for line in f.get("lines", [f["line"]])}
    keyed = {(a["path"], a["line"]) for a in planted}
    by_kind = collections.defaultdict(lambda: [0, 0])
    for a in planted:
        by_kind[a["kind"]][0] += (a["path"], a["line"]) in at
        by_kind[a["kind"]][1] += 1
    hits = sum(h for h, _ in by_kind.values())
    print(f"recall {hits}/{len(planted)} = {hits / max(1, len(planted)):.1%}; "
          f"{len(findings)} findings")
    for kind, (h, n) in sorted(by_kind.items()):
        print(f"  {kind:28} {h}/{n}")
    extra = collections.defaultdict(list)
    for f in findings:
        if (f["path"].removeprefix("./"), f["line"]) not in keyed:
            extra[f["rule_id"]].append(f)
    print(f"outside the answer key: {sum(len(v) for v in extra.values())}")
    for rule, fs in sorted(extra.items(), key=lambda kv: -len(kv[1])):
        print(f"  {len(fs):5}  {rule}")
        for f in fs[:3]:
            print(f"         {f['path']}:{f['line']}  {f['secret']}")


if __name__ == "__main__":
    main()
