#!/usr/bin/env bash
# Whole-process benchmark of the pre-commit path, reproducible:
#
#   benches/staged.sh
#
# Builds (once) the staged corpus of benches/corpus.py (a 100k-file repository with 20
# modified files staged), then times, in one hyperfine run: `leakgate staged` on the
# 20-file change, on a clean 1-file change (a second index, via GIT_INDEX_FILE, so the
# corpus is left alone), git's own index diff (the floor), and betterleaks' staged mode
# if installed (on PATH or BETTERLEAKS). Then peak memory (/usr/bin/time) and instruction counts
# (callgrind: repeatable on a busy machine).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
release
find_peers
corpus=$(corpus staged staged-100000 --files 100000 --change 20)
one=$(one_file_index "$corpus")
cd "$corpus"

cmds=("$lg staged" "env GIT_INDEX_FILE=$one $lg staged" "git diff --cached --name-only")
names=("leakgate staged (20 files)" "leakgate staged (1 clean file)" "git diff --cached --name-only")
if [[ -n $bl ]]; then
  cmds+=("$bl git . --staged --no-banner -l error -o $bench_dir/betterleaks-staged.json")
  names+=("betterleaks staged (20 files)")
fi
args=()
for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
md=$bench_dir/staged-bench.md
hyperfine -N -i -w 3 -r "${RUNS:-30}" --export-markdown "$md" "${args[@]}"
cat "$md"

for c in "$lg staged" "env GIT_INDEX_FILE=$one $lg staged"; do
  echo "peak RSS $(peak_mib $c) MiB: $c"
done
if command -v valgrind >/dev/null; then
  for idx in "$corpus/.git/index" "$one"; do
    GIT_INDEX_FILE=$idx valgrind --tool=callgrind --callgrind-out-file="$bench_dir/staged.cg" "$lg" staged >/dev/null 2>&1 || true
    echo "instructions: $(callgrind_annotate "$bench_dir/staged.cg" 2>/dev/null | grep 'PROGRAM TOTALS' | awk '{print $1}') (index $idx)"
  done
fi
