#!/usr/bin/env python3
"""Prints the table of a benches/run.sh run: per workload, each command's median
wall time over the hyperfine runs, its ratio to leakgate's median in the same run,
and its peak resident memory.

  table.py RESULTS_DIR      (the *.json files hyperfine wrote and memory.tsv)
"""
import glob
import json
import os
import sys


def main():
    results = sys.argv[1]
    memory = {}
    tsv = os.path.join(results, "memory.tsv")
    if os.path.exists(tsv):
        for line in open(tsv):
            workload, label, mib = line.rstrip("\n").split("\t")
            memory[(workload, label)] = mib
    rows = []
    for path in sorted(glob.glob(os.path.join(results, "*.json")), key=os.path.getmtime):
        workload = os.path.basename(path)[: -len(".json")]
        runs = json.load(open(path))["results"]
        base = next((r["median"] for r in runs if r["command"] == "leakgate"), None)
        for r in runs:
            ratio = f"{r['median'] / base:.2f}x" if base else "-"
            rows.append((workload, r["command"], f"{r['median'] * 1000:.0f} ms",
                         f"{r['min'] * 1000:.0f}-{r['max'] * 1000:.0f} ms", ratio,
                         memory.get((workload, r["command"]), "-") + " MiB"))
    head = ("workload", "command", "median", "range", "vs leakgate", "peak RSS")
    widths = [max(len(str(row[i])) for row in rows + [head]) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
    print("\nvs leakgate: the command's median / leakgate's median in the same run "
          "(above 1: slower than leakgate).")


if __name__ == "__main__":
    main()
