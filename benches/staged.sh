#!/usr/bin/env bash
# Whole-process benchmark of the pre-commit path (issue 2), reproducible:
#
#   benches/staged.sh [CORPUS_DIR] [PEERS_DIR]
#
# Builds the staged corpus (100k-file repository with 20 staged files) if absent,
# then times, in one hyperfine run: `leakgate staged` on the 20-file change, on a
# clean 1-file change (a second index, via GIT_INDEX_FILE, so the corpus is left
# alone), git's own index diff (the floor), and betterleaks' staged mode if
# ../shared/bench/peers.sh installed it. Then peak memory (/usr/bin/time -v) and
# instruction counts (callgrind: repeatable on a busy machine).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-/tmp/lg-staged}
peers=${2:-/tmp/lg-peers}
shared=$here/../shared
[[ -d $corpus ]] || python3 "$shared/bench/corpus.py" staged "$corpus" --files 100000
(cd "$here" && cargo build --release -q)
lg=$here/target/release/leakgate
cd "$corpus"

# A clean one-file change in a separate index.
one=$(mktemp -d)/index
cp .git/index "$one"
GIT_INDEX_FILE=$one git reset -q
file=$(git ls-files | sed -n 1p)
blob=$( (git show "HEAD:$file"; echo "# one more line, nothing secret") | git hash-object -w --stdin)
GIT_INDEX_FILE=$one git update-index --cacheinfo "100644,$blob,$file"

cmds=("$lg staged" "GIT_INDEX_FILE=$one $lg staged" "git diff --cached --name-only")
names=("leakgate staged (20 files)" "leakgate staged (1 clean file)" "git diff --cached --name-only")
bl=$peers/venv/lib/python3.11/site-packages/betterleaks/bin/betterleaks
if [[ -x $bl ]]; then
  cmds+=("$bl git . --staged --no-banner -l error -o /dev/null")
  names+=("betterleaks staged (20 files)")
fi
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
hyperfine -i -w 3 -r 30 --export-markdown /tmp/lg-staged-bench.md "${args[@]}"
cat /tmp/lg-staged-bench.md

for c in "$lg staged" "env GIT_INDEX_FILE=$one $lg staged"; do
  /usr/bin/time -f "peak RSS %M KiB: $c" $c >/dev/null 2>/tmp/lg-time || true
  tail -1 /tmp/lg-time
done
if command -v valgrind >/dev/null; then
  for idx in "$corpus/.git/index" "$one"; do
    GIT_INDEX_FILE=$idx valgrind --tool=callgrind --callgrind-out-file=/tmp/lg-cg.out "$lg" staged >/dev/null 2>&1 || true
    echo "instructions: $(callgrind_annotate /tmp/lg-cg.out 2>/dev/null | grep 'PROGRAM TOTALS' | awk '{print $1}') (index $idx)"
  done
fi
