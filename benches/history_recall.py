#!/usr/bin/env python3
"""Recall of a history scan against a corpus answer key (corpus.py's *.answers.json).

  history_recall.py ANSWERS.json FINDINGS [--tool leakgate|betterleaks|kingfisher]

A planted secret counts as found when a finding has its path, its line and the commit
that introduced it. FINDINGS is leakgate's --format jsonl or json output (run with
--show-secrets to also match the secret's value), betterleaks' JSON report, or
kingfisher's JSONL. Prints overall recall, recall per kind, and what was missed.
"""
import argparse
import collections
import json
import sys


def leakgate(path):
    with open(path) as f:
        text = f.read()
    if text.lstrip().startswith("{\n") or '"findings"' in text[:200]:
        items = json.loads(text)["findings"]
    else:
        items = [json.loads(l) for l in text.splitlines() if l.strip()]
        items = [i for i in items if "summary" not in i]
    # One finding stands for a secret repeated in a file: `lines` lists every line.
    return [(i["path"], line, i.get("commit", ""), i["secret"])
            for i in items for line in i.get("lines", [i["line"]])]


def betterleaks(path):
    with open(path) as f:
        doc = json.load(f) or []
    if isinstance(doc, list):  # gitleaks-style report
        return [(i["File"], i["StartLine"], i["Commit"], i.get("Secret", "")) for i in doc]
    out = []
    for i in doc.get("findings") or []:
        loc, attrs = i.get("location", {}), i.get("attributes", {})
        out.append((loc.get("path", ""), loc.get("start_line", 0), attrs.get("git.sha", ""),
                    (i.get("match") or {}).get("value", "")))
    return out


def kingfisher(path):
    out = []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            i = json.loads(line)
            finding = i.get("finding", i)
            git = (finding.get("git_metadata") or {})
            commit = (git.get("commit") or {}).get("id", "")
            out.append((finding.get("path", ""), finding.get("line", 0), commit,
                        finding.get("snippet", "")))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("answers")
    p.add_argument("findings")
    p.add_argument("--tool", default="leakgate", choices=["leakgate", "betterleaks", "kingfisher"])
    p.add_argument("--quiet", action="store_true", help="print only the recall line")
    args = p.parse_args()
    planted = json.load(open(args.answers))["planted"]
    found = globals()[args.tool](args.findings)
    at = {(path, line, commit) for path, line, commit, _ in found}
    by_kind = collections.defaultdict(lambda: [0, 0])
    missed = []
    for a in planted:
        hit = (a["path"], a["line"], a["commit"]) in at
        by_kind[a["kind"]][0] += hit
        by_kind[a["kind"]][1] += 1
        if not hit:
            missed.append(a)
    hits = len(planted) - len(missed)
    print(f"{args.tool}: recall {hits}/{len(planted)} = {hits / max(1, len(planted)):.1%} "
          f"({len(found)} findings in total)")
    if args.quiet:
        return
    for kind, (h, n) in sorted(by_kind.items()):
        print(f"  {kind:28} {h}/{n}")
    for a in missed[:10]:
        print(f"  missed: {a['kind']} {a['path']}:{a['line']} {a['commit'][:12]}")
    if len(missed) > 10:
        print(f"  ... and {len(missed) - 10} more")


if __name__ == "__main__":
    sys.exit(main())
