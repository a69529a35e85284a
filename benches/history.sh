#!/usr/bin/env bash
# Benchmark of `leakgate history` and `leakgate pre-receive` on the history corpora of
# benches/corpus.py, with the peers timed in the same run (the machine is shared:
# compare the ratios, not the absolute times across runs), recall against the answer
# key, and peak memory.
#
#   benches/history.sh [COMMITS...]        default: 5000
#
# Needs: hyperfine, /usr/bin/time, python3; builds the release binary (LEAKGATE=path to
# time another). Peers are used when on PATH (or named by BETTERLEAKS and
# KINGFISHER; benches/lib.sh says how to install them). Corpora are built once into
# target/bench/history-N; results land in target/bench/history-results/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
here=$benches
release
bin=$lg
find_peers
runs=${RUNS:-5}
out=$bench_dir/history-results
mkdir -p "$out"

peak_anon_mib() { # command... -> peak anonymous (heap) memory in MiB, sampled every 50 ms
  "$@" >/dev/null 2>&1 & local pid=$! max=0 a
  while kill -0 "$pid" 2>/dev/null; do
    a=$(awk '/^RssAnon/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $a && $a -gt $max ]] && max=$a
    sleep 0.05
  done
  wait "$pid" || true
  echo $((max / 1024))
}

for n in "${@:-5000}"; do
  corpus=$(corpus history "history-$n" --commits "$n")
  echo "== history corpus: $n commits ($corpus)"
  (cd "$corpus" && "$bin" history --no-config --show-secrets --format jsonl -o "$out/leakgate-$n.jsonl") || true
  bytes=$(tail -1 "$out/leakgate-$n.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["bytes"])')
  echo "blob data scanned: $bytes bytes"
  cmds=(-n leakgate "cd $corpus && $bin history --no-config --format jsonl -o /dev/null")
  if [[ -n $bl ]]; then
    cmds+=(-n betterleaks "$bl git $corpus --no-banner -l error -o $out/betterleaks-$n.json")
  fi
  if [[ -n $kf ]]; then
    cmds+=(-n kingfisher "$kf scan $corpus --no-update-check --no-validate -f jsonl > $out/kingfisher-$n.jsonl 2>/dev/null")
  fi
  hyperfine --warmup 1 --runs "$runs" -i --export-json "$out/hyperfine-$n.json" "${cmds[@]}"
  python3 - "$out/hyperfine-$n.json" "$bytes" <<'PY'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
mib = int(sys.argv[2]) / 2**20
lg = next(r for r in res if r["command"] == "leakgate")["median"]
for r in res:
    print(f'{r["command"]:12} median {r["median"]:7.2f} s  {mib / r["median"]:7.1f} MiB/s of blob data  '
          f'{r["median"] / lg:5.2f}x leakgate')
PY
  echo "peak memory: leakgate $(cd "$corpus" && peak_mib "$bin" history --no-config -f jsonl -o /dev/null) MiB" \
    "${bl:+betterleaks $(peak_mib "$bl" git "$corpus" --no-banner -l error -o $out/betterleaks-mem.json) MiB}" \
    "${kf:+kingfisher $(peak_mib "$kf" scan "$corpus" --no-update-check --no-validate -f jsonl) MiB}"
  pack=$(du -sm "$corpus/.git/objects/pack" | cut -f1)
  echo "  leakgate's peak RSS counts the pack files it maps ($pack MiB, page cache);" \
    "its peak anonymous memory: $(cd "$corpus" && peak_anon_mib "$bin" history --no-config -f jsonl -o /dev/null) MiB"
  python3 "$here/history_recall.py" "$corpus.answers.json" "$out/leakgate-$n.jsonl"
  echo "attribution check (bundled rules plus benches/history-attribution.yaml, one loose pattern per planted kind):"
  (cd "$corpus" && "$bin" history --config "$here/history-attribution.yaml" -f jsonl -o "$out/attribution-$n.jsonl") || true
  python3 "$here/history_recall.py" "$corpus.answers.json" "$out/attribution-$n.jsonl" --quiet
  [[ -f $out/betterleaks-$n.json ]] && python3 "$here/history_recall.py" "$corpus.answers.json" "$out/betterleaks-$n.json" --tool betterleaks --quiet || true
  [[ -f $out/kingfisher-$n.jsonl ]] && python3 "$here/history_recall.py" "$corpus.answers.json" "$out/kingfisher-$n.jsonl" --tool kingfisher --quiet || true

  # pre-receive: a bare copy whose main is moved back K commits; the hook is fed the
  # update main~K -> main, so it judges exactly the last K commits of the corpus.
  server=$out/server-$n.git
  [[ -d $server ]] || git clone -q --bare "$corpus" "$server"
  tip=$(git -C "$corpus" rev-parse main)
  for k in 1 500; do
    old=$(git -C "$corpus" rev-parse "main~$k")
    git -C "$server" update-ref refs/heads/main "$old"
    echo "$old $tip refs/heads/main" > "$out/update-$k"
    hyperfine --warmup 1 --runs 10 -i --export-json "$out/pre-receive-$n-$k.json" \
      -n "pre-receive, $k commit(s)" \
      "GIT_DIR=$server $bin pre-receive --no-config --timeout 600 < $out/update-$k > /dev/null 2>&1"
    git -C "$server" update-ref refs/heads/main "$tip"
  done
done
