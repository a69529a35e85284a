#!/usr/bin/env bash
# The whole-process benchmark, one command:
#
#   benches/run.sh [staged] [history] [tree]      default: all three
#
# Builds the release binary, builds the corpora under target/bench once (benches/corpus.py,
# deterministic, from this machine's Python standard library), times leakgate, the floor
# (what git or the file system needs to do anyway) and the peer scanners when they are
# installed, all in the same hyperfine run, and prints medians, ratios and peak memory.
# The machine may be busy: read the ratios, which come from one run.
#
# Environment: RUNS (hyperfine runs per command; default 20 for the hook, 5 otherwise),
# COMMITS (history corpus size, default 5000), MB (tree size, default 200), BETTERLEAKS
# and KINGFISHER (the peers; default: on PATH), BENCH_DIR, LEAKGATE.
# Needs hyperfine (apt-get install -y hyperfine), python3, git, /usr/bin/time.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need hyperfine "apt-get install -y hyperfine"
need python3 "the corpus generator"
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 1; }
release
find_peers
results=$bench_dir/results
mkdir -p "$results"
rm -f "$results"/*.json "$results"/memory.tsv

# bench NAME RUNS [-n LABEL COMMAND]...: one hyperfine run, then each command's peak
# memory (commands run without a shell, from the current directory).
bench() {
  local name=$1 runs=$2 label cmd
  shift 2
  hyperfine -N -i --style basic --warmup 2 --runs "$runs" --export-json "$results/$name.json" "$@" >&2
  while (($#)); do
    label=$2 cmd=$3
    shift 3
    read -ra argv <<<"$cmd"
    printf '%s\t%s\t%s\n' "$name" "$label" "$(peak_mib "${argv[@]}")" >>"$results/memory.tsv"
  done
}

staged() {
  local big small one small_one
  big=$(corpus staged staged-100000 --files 100000 --change 20)
  small=$(corpus staged staged-small --files 200 --change 1)
  one=$(one_file_index "$big")
  small_one=$(one_file_index "$small")
  local r=${RUNS:-20}
  cd "$big"
  local cmds=(-n "leakgate" "$lg staged --no-config" -n "git diff --cached (floor)" "git diff --cached --name-only")
  [[ -n $bl ]] && cmds+=(-n betterleaks "$bl git . --staged --no-banner -l error -o $results/betterleaks.jsonl")
  [[ -n $kf ]] && cmds+=(-n kingfisher "$kf scan . --staged --no-update-check --no-validate -f jsonl")
  bench "staged 100k files, 20 changed" "$r" "${cmds[@]}"
  bench "staged 100k files, 1 changed" "$r" \
    -n leakgate "env GIT_INDEX_FILE=$one $lg staged --no-config" \
    -n "git diff --cached (floor)" "env GIT_INDEX_FILE=$one git diff --cached --name-only"
  cd "$small"
  bench "staged 200 files, 1 changed" "$r" \
    -n leakgate "env GIT_INDEX_FILE=$small_one $lg staged --no-config" \
    -n "git diff --cached (floor)" "env GIT_INDEX_FILE=$small_one git diff --cached --name-only"
}

history() {
  local n=${COMMITS:-5000} dir
  dir=$(corpus history "history-$n" --commits "$n")
  cd "$dir"
  local cmds=(-n leakgate "$lg history --no-config --format jsonl -o /dev/null"
    -n "git cat-file every object (floor)" "git cat-file --batch-all-objects --batch --unordered")
  [[ -n $bl ]] && cmds+=(-n betterleaks "$bl git . --no-banner -l error -o $results/betterleaks.jsonl")
  [[ -n $kf ]] && cmds+=(-n kingfisher "$kf scan . --no-update-check --no-validate -f jsonl")
  bench "history $n commits" "${RUNS:-5}" "${cmds[@]}"
}

tree() {
  local mb=${MB:-200} dir
  dir=$(corpus tree "tree-$mb" --mb "$mb")
  cd "$dir"
  local cmds=(-n leakgate "$lg scan . --no-config -f json -o /dev/null")
  [[ -n $bl ]] && cmds+=(-n betterleaks "$bl fs . --no-banner -l error -o $results/betterleaks.jsonl")
  [[ -n $kf ]] && cmds+=(-n kingfisher "$kf scan . --git-history none --no-update-check --no-validate -f jsonl")
  bench "directory $mb MB" "${RUNS:-5}" "${cmds[@]}"
}

for w in "${@:-staged history tree}"; do
  for one in $w; do
    case $one in
      staged | history | tree) (cd "$root" && "$one") ;;
      *) echo "unknown workload $one (staged, history, tree)" >&2; exit 2 ;;
    esac
  done
done
python3 "$benches/table.py" "$results"
