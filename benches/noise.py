#!/usr/bin/env python3
"""Noise on clean code: findings per 100k lines of real code that is on every
machine (this interpreter's standard library and site-packages, and the crate
sources in cargo's registry).

    python3 benches/noise.py [--bin target/release/leakgate] [--list FILE] [ROOT...]

With no ROOT it scans the three default places that exist. For each root it
counts the lines leakgate reads (text files up to the size limit, outside .git,
as `leakgate scan` walks them), runs `leakgate scan --no-config --no-baseline
--format json` and prints findings per rule and per 100k lines. `--list FILE`
writes every finding (path, line, rule, the redacted line) for the manual
classification: real-looking credential, test/documentation example, or
not-a-credential. That classification is a person's judgement and is not
automated here; the counts this prints are reproducible.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import sysconfig

MAX_SIZE = 25 * 1024 * 1024  # leakgate's default --max-file-size


def default_roots():
    """The standard library, site-packages and cargo's registry sources."""
    paths = sysconfig.get_paths()
    cargo_home = os.environ.get("CARGO_HOME") or os.path.join(
        os.path.expanduser("~"), ".cargo"
    )
    roots = [
        paths["stdlib"],
        paths["purelib"],
        os.path.join(cargo_home, "registry", "src"),
    ]
    seen, out = set(), []
    for r in roots:
        real = os.path.realpath(r)
        if os.path.isdir(r) and real not in seen:
            seen.add(real)
            out.append(r)
    return out


def is_text(head):
    """git's test, as leakgate applies it (UTF-16 aside): no NUL in 8000 bytes."""
    return b"\0" not in head[:8000]


def count_lines(root, stdlib_only_top):
    """Lines of the text files leakgate reads under `root` (site-packages
    excluded from the standard library's count: it is its own root)."""
    lines = files = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        if stdlib_only_top and os.path.samefile(dirpath, root):
            dirnames[:] = [d for d in dirnames if d != "site-packages"]
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            if os.path.getsize(path) > MAX_SIZE:
                continue
            with open(path, "rb") as f:
                data = f.read()
            if not is_text(data):
                continue
            files += 1
            lines += data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return files, lines


def scan(binary, root, skip_site_packages):
    """The findings of `leakgate scan` on `root`, from its JSON report."""
    targets = [root]
    if skip_site_packages:
        targets = [
            os.path.join(root, e)
            for e in sorted(os.listdir(root))
            if e != "site-packages"
        ]
    cmd = [binary, "scan", "--no-config", "--no-baseline", "--format", "json",
           "--exit-zero", "--quiet", *targets]
    out = subprocess.run(cmd, capture_output=True, check=False)
    if out.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.decode()}")
    return json.loads(out.stdout)["findings"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default="target/release/leakgate")
    ap.add_argument("--list", help="write every finding here, for classification")
    ap.add_argument("roots", nargs="*")
    args = ap.parse_args()
    roots = args.roots or default_roots()
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    total_lines, per_rule, listing = 0, collections.Counter(), []
    for root in roots:
        split = os.path.realpath(root) == stdlib
        files, lines = count_lines(root, split)
        found = scan(args.bin, root, split)
        total_lines += lines
        rules = collections.Counter(f["rule_id"] for f in found)
        per_rule.update(rules)
        rate = len(found) / lines * 1e5 if lines else 0.0
        print(f"{root}: {files} files, {lines} lines, {len(found)} findings, "
              f"{rate:.2f} per 100k lines")
        for rule, n in rules.most_common():
            print(f"  {n:5d}  {rule}")
        listing.extend(found)
    total = sum(per_rule.values())
    rate = total / total_lines * 1e5 if total_lines else 0.0
    print(f"all: {total_lines} lines, {total} findings, {rate:.2f} per 100k lines")
    for rule, n in per_rule.most_common():
        print(f"  {n:5d}  {rule}  ({n / total_lines * 1e5:.3f} per 100k lines)")
    if args.list:
        with open(args.list, "w") as f:
            for x in listing:
                f.write(f"{x['path']}:{x['line']}: {x['rule_id']}: {x['secret']}\n")


if __name__ == "__main__":
    main()
