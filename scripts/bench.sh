#!/usr/bin/env bash
# Benchmarks behind BENCHMARKS.md, each beside its named peer in the same run, one core each.
#   scripts/bench.sh dedup [N]    wirefold bench dedup and `wirefold cluster` vs datasketch
#                                 MinHashLSH on the same generated corpus (default N=100000)
#   scripts/bench.sh extract      wirefold extract vs trafilatura on the shared page sets
#   scripts/bench.sh fetch        feeds on loopback -> JetStream vs publishing alone
# Needs: python3 with datasketch / trafilatura (+ lxml_html_clean) from PyPI, ../shared beside
# the checkout, and for fetch a nats-server (NATS_SERVER_BIN or PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${WIREFOLD_SHARED:-../shared}
wf=target/release/wirefold
cargo build --release --locked -q --bin wirefold
pin() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

dedup() {
  local n=${1:-100000} dir=target/bench
  mkdir -p "$dir"
  local corpus=$dir/corpus-$n-seed7.jsonl
  [ -s "$corpus" ] || python3 "$shared/tools/gen_corpus.py" --n "$n" --seed 7 --out "$corpus" >/dev/null
  echo "== dedup core, $n articles (fingerprint, candidates, verification, cluster update; one core)"
  pin "$wf" bench dedup --input "$corpus" --label cluster | tee "$dir/dedup-core.json"
  echo "== wirefold cluster, whole process (JSON in and out, text cleanup, dedup; one core)"
  local s e
  s=$(date +%s.%N)
  pin "$wf" cluster --input "$corpus" --output "$dir/cluster-out.jsonl" 2>/dev/null
  e=$(date +%s.%N)
  python3 -c "import json,sys; print(json.dumps({'articles': int(sys.argv[1]), 'secs': float(sys.argv[3]) - float(sys.argv[2])}))" \
    "$n" "$s" "$e" | tee "$dir/cluster-process.json"
  echo "== datasketch MinHashLSH (128 perms, word 5-shingles, threshold 0.5; one core)"
  pin python3 "$shared/tools/bench_datasketch.py" "$corpus" "$dir/ds-edges.txt" | tee "$dir/datasketch.json"
  python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
core = json.load(open(f"{d}/dedup-core.json"))
proc = json.load(open(f"{d}/cluster-process.json"))
ds = json.load(open(f"{d}/datasketch.json"))
proc_rate = proc["articles"] / proc["secs"]
print(f"core {core['articles_per_s']:.0f}/s, {core['bytes_per_article']:.0f} B/article; "
      f"whole process {proc_rate:.0f}/s; datasketch {ds['docs_per_s']:.0f}/s; "
      f"ratio core {core['articles_per_s'] / ds['docs_per_s']:.1f}x, whole process {proc_rate / ds['docs_per_s']:.1f}x")
PY
}

extract() {
  echo "== extraction vs trafilatura (one core each)"
  python3 crates/extract/benches/extraction_vs_trafilatura.py --data "$shared/data" --bin "$wf"
}

fetch() {
  echo "== fetch: 50 feeds x 100 items, 8 polls in flight"
  "$wf" bench fetch --feeds 50 --items 100 --concurrency 8
}

case ${1:-all} in
  dedup) dedup "${2:-100000}" ;;
  extract) extract ;;
  fetch) fetch ;;
  all) dedup 100000; extract; fetch ;;
  *) echo "usage: $0 dedup [N] | extract | fetch | all" >&2; exit 2 ;;
esac
