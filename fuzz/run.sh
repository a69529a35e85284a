#!/usr/bin/env bash
# Runs every fuzz target (or those named in TARGETS) for SECONDS each, one after
# another in one process each (the machine is shared: no parallel jobs).
#
#   fuzz/run.sh [SECONDS]            default 60
#   TARGETS="index engine" fuzz/run.sh 300
#   FUZZ_SEED=1 fuzz/run.sh 20       what CI runs: the same inputs every time
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seed
# inputs are generated into seeds/ from the repository itself (bundled rules,
# the starter config, real git indexes made by git), nothing is downloaded. New
# inputs go to corpus/TARGET, crashes to artifacts/TARGET (both ignored by git).
# Each target's executions and time are printed; the exit status is 1 if any
# target crashed, leaked a secret or hung (every crash must become a unit test).
#
# Built without a sanitizer: the code under test is safe Rust, so what the
# fuzzer can find is panics, overflows (debug assertions are on), hangs (a run
# over 10 s is a failure) and memory blow-ups (over 2 GB is a failure), and no
# sanitizer doubles the executions per second.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
targets=${TARGETS:-$(cargo +nightly fuzz list)}
flags=(--sanitizer none --debug-assertions)
seed_flag=()
[[ -n ${FUZZ_SEED:-} ]] && seed_flag=(-seed="$FUZZ_SEED")

seed() { # seed TARGET NAME < bytes
  mkdir -p "seeds/$1" && cat >"seeds/$1/$2"
}

make_seeds() {
  rm -rf seeds
  local f
  for f in ../rules/*.yaml; do seed rules_yaml "$(basename "$f")" <"$f"; done
  seed config starter.yaml <../src/config/starter.yaml
  printf 'fail_on: medium\ndisable: [github-classic-pat]\nallow:\n  paths: ["tests/**"]\n  values: [x]\nrules:\n  - id: acme-key\n    name: Acme\n    severity: high\n    keywords: [acme_]\n    pattern: '"'"'\\b(acme_[a-z0-9]{32})\\b'"'"'\n' | seed config custom.yaml
  printf '{"leakgate_baseline": 1, "from": "staged", "entries": {}}\n' | seed baseline empty.json
  local z=0000000000000000000000000000000000000000 a=1111111111111111111111111111111111111111
  printf '%s %s refs/heads/main\n@c @c refs/tags/v1\n%s @t refs/x\n' "$z" "$a" "$z" | seed hook_stdin receive.txt
  printf 'refs/heads/main @c refs/heads/main %s\nrefs/tags/t @g refs/tags/t @c\n' "$z" | seed hook_stdin push.txt
  printf '\x00api_key = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"\npassword: hunter2hunter2\n' | seed engine env.txt
  printf '\x02{"cells":[{"cell_type":"code","source":["token = 1\\n"],"outputs":[]}],"nbformat":4}\n' | seed engine nb.ipynb
  printf '\x00{"cells":[{"cell_type":"code","source":["x\\n"],"outputs":[{"output_type":"stream","text":["a\\n"]}]}],"nbformat":4}' | seed decode nb.ipynb
  printf '\x01x = "dG9rX2FiY2RlZmdoMTIzNDU2Nzg=" %%74%%6f%%6b\n' | seed decode encoded.txt
  printf '\x03src/\xe2\x80\xaeevil\n.py\x00Ann \x1b[2J\x00tok_abcd1234efgh key-Zx9Qw8Er7Ty6 tok_\x07bell\n' | seed report hostile.txt
  printf '\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.' | seed models pickle.pkl
  printf '\x93NUMPY\x01\x00v\x00{"descr": "|O", "fortran_order": False, "shape": (1,), }' | seed models object.npy
  index_seeds
}

# Real indexes, versions 2, 3 and 4, with a cache tree, made by git.
index_seeds() {
  command -v git >/dev/null || return 0
  local repo v
  repo=$(mktemp -d)
  (
    cd "$repo"
    git init -q
    mkdir -p a/b && echo x >a/b/c.txt && echo y >top.txt && ln -s top.txt link
    git add -A && git -c user.name=f -c user.email=f@f commit -qm s && echo z >>top.txt && git add top.txt
    git add -N new.txt 2>/dev/null || true
  )
  for v in 2 3 4; do
    git -C "$repo" update-index --index-version "$v"
    seed index "v$v" <"$repo/.git/index"
  done
  rm -rf "$repo"
}

make_seeds
cargo +nightly fuzz build "${flags[@]}"
failed=()
for t in $targets; do
  mkdir -p "corpus/$t" "seeds/$t" logs
  echo "== $t: ${secs}s"
  start=$SECONDS
  if cargo +nightly fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${seed_flag[@]}" \
    >"logs/$t.log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$t")
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "logs/$t.log" | head -20 || true
  fi
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "logs/$t.log" | grep -oE '[0-9]+$' || echo "?")
  echo "$t: $status, $((SECONDS - start)) s, $execs executions, corpus $(ls "corpus/$t" | wc -l) inputs"
done
if ((${#failed[@]})); then
  echo "fuzz: crashes in ${failed[*]} (inputs in fuzz/artifacts/, logs in fuzz/logs/)" >&2
  exit 1
fi
echo "fuzz: every target ran ${secs}s without a crash"
