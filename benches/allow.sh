#!/usr/bin/env bash
# Whole-process cost of allowlists and baselines (issue 5): the same scan with no
# filters, with a 5,000-entry baseline plus a 200-pattern allowlist that match
# nothing (every finding pays for every check), and with a 5,000-entry baseline
# that holds every finding (a repository that adopted leakgate).
#
#   benches/allow.sh [BIN]     BIN defaults to the release build
#
# Needs hyperfine (apt-get install -y hyperfine) and python3. Corpora come from
# benches/corpus.py (built once under target/bench).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
if [[ -n ${1:-} ]]; then LEAKGATE=$1; fi
release
bin=$lg
work=$bench_dir/allow
mkdir -p "$work"
tree=$(corpus tree tree-50 --mb 50)

# Test-only rules that fire often on real code (hex constants, long identifiers
# after `=`), so the filters see thousands of findings (about 14,000 in the 50 MB
# tree), not the handful of planted secrets.
cat >"$work/plain.yaml" <<'YAML'
rules:
  - id: bench-hex
    name: Hex constant (benchmark only)
    severity: low
    keywords: [0x]
    pattern: '\b0x([0-9a-fA-F]{8,16})\b'
  - id: bench-word
    name: Long identifier after an equals sign (benchmark only)
    severity: low
    keywords: ['=']
    pattern: '= ?([A-Za-z][A-Za-z0-9_]{11,40})\b'
YAML

# The same rule plus 200 allowlist patterns that match nothing in the corpus.
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
rng = random.Random(5)
tok = lambda n: "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789") for _ in range(n))
with open(f"{work}/plain.yaml") as f:
    plain = f.read()
lines = ["allow:", "  paths:"] + [f"    - 'vendor{i}/**/*.min.js'" for i in range(50)]
lines += ["  values:"] + [f"    - '{tok(24)}'" for _ in range(50)]
lines += ["  regexes:"] + [f"    - '^fixture{i}_[a-z]+[0-9]{{2,}}$'" for i in range(50)]
lines += ["  stopwords:"] + [f"    - 'nottoken{i}'" for i in range(50)]
with open(f"{work}/allow.yaml", "w") as f:
    f.write(plain + "\n".join(lines) + "\n")
# 5,000 entries that match no finding.
with open(f"{work}/random.json", "w") as f:
    f.write('{"leakgate_baseline": 1, "from": "worktree"\n')
    for i in range(5000):
        fp = "%032x" % rng.getrandbits(128)
        f.write(f',"{fp}": {{"rule":"bench-hex","path":"old/file{i}.py"}}\n')
    f.write("}\n")
PY

# A baseline of every finding in the tree (one entry per rule, path and secret),
# padded to at least 5,000 entries.
rm -f "$work/adopted.json"
(cd "$tree" && "$bin" baseline create --config "$work/plain.yaml" --baseline "$work/adopted.json")
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
adopted = open(f"{work}/adopted.json").read().splitlines()
extra = [l for l in open(f"{work}/random.json").read().splitlines()[1:-1]]
body = adopted[1:-1]
body += extra[: max(0, 5000 - len(body))]
open(f"{work}/adopted.json", "w").write("\n".join([adopted[0]] + body + ["}"]) + "\n")
print(f"adopted baseline: {len(adopted) - 2} entries from the tree, {len(body)} in all")
PY
findings=$(cd "$tree" && "$bin" scan . --config "$work/plain.yaml" --no-baseline -f json --exit-zero | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["findings"])')
echo "findings in the tree without filters: $findings"

cd "$tree"
hyperfine --warmup 1 --runs "${RUNS:-10}" --export-markdown "$work/scan.md" \
  -n 'scan, no filters' "$bin scan . --config $work/plain.yaml --no-baseline -f json -o /dev/null --exit-zero" \
  -n 'scan, 5000 baseline (no match) + 200 allowlist' "$bin scan . --config $work/allow.yaml --baseline $work/random.json -f json -o /dev/null --exit-zero" \
  -n 'scan, baseline holding every finding' "$bin scan . --config $work/plain.yaml --baseline $work/adopted.json -f json -o /dev/null --exit-zero"

# The pre-commit hook: start-up dominates, and the filters are read on every commit.
repo=$work/hook-repo
if [[ ! -d $repo/.git ]]; then
  git init -q "$repo"
  printf 'print("hello")\n' >"$repo/app.py"
  git -C "$repo" add app.py
fi
cd "$repo"
hyperfine --warmup 3 --runs "${RUNS_HOOK:-50}" -N --export-markdown "$work/staged.md" \
  -n 'staged, no filters' "$bin staged --config $work/plain.yaml --no-baseline" \
  -n 'staged, 5000 baseline + 200 allowlist' "$bin staged --config $work/allow.yaml --baseline $work/random.json"

if "$bin" history --help >/dev/null 2>&1; then
  hist=$(corpus history history-5000 --commits 5000)
  cd "$hist"
  hyperfine --warmup 1 --runs "${RUNS:-5}" --export-markdown "$work/history.md" \
    -n 'history, no filters' "$bin history --config $work/plain.yaml --no-baseline -f json -o /dev/null --exit-zero" \
    -n 'history, 5000 baseline (no match) + 200 allowlist' "$bin history --config $work/allow.yaml --baseline $work/random.json -f json -o /dev/null --exit-zero"
else
  echo "this leakgate has no history command yet: skipped the history benchmark"
fi
