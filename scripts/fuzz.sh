#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a bounded time each, by hand (not in CI), and
# prints one line per target: executions, corpus size, crashes. See FUZZING.md.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 180 s, every target)
#
# Needs the nightly toolchain (`cargo +nightly`) and cargo-fuzz (`cargo install cargo-fuzz`).
# Builds without a sanitizer (`-s none`: the code forbids `unsafe`; what is looked for is
# panics, overflows with debug assertions on, hangs and runaway memory). Starting corpora:
# fuzz/examples/seeds.rs (snapshots, feeds, sitemaps, envelopes, a page, the example
# sources file) and, read in place when ../shared is beside the checkout, the shared wire
# files and extraction pages (decompressed into fuzz/target/, never into the repository).
# A crash leaves its input in fuzz/artifacts/<target>/; make it a regression test.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECS=${1:-180}
shift || true
SHARED=${WIREFOLD_SHARED:-../../shared}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(feed sitemap envelope push_body extract_html snapshot sources_file)
cargo +nightly fuzz build -s none -a >/dev/null
[ -d corpus/snapshot ] || cargo +nightly run -q --release --example seeds
mkdir -p logs target/pages
if [ -d "$SHARED/data/extraction-scrapinghub/html" ] && [ -z "$(ls target/pages)" ]; then
  for f in "$SHARED"/data/extraction-scrapinghub/html/*.html.gz; do
    { gzip -dc "$f" | head -c 200000 >"target/pages/$(basename "$f" .gz)"; } || true
  done
fi
for t in "${TARGETS[@]}"; do
  extra=()
  case $t in
    envelope|push_body)
      for d in "$SHARED/data/wire-dev/files" "$SHARED/data/wire-agency-dev/files"; do [ -d "$d" ] && extra+=("$d"); done ;;
    extract_html) [ -n "$(ls target/pages)" ] && extra+=(target/pages) ;;
  esac
  mkdir -p "corpus/$t" "artifacts/$t"
  cargo +nightly fuzz run -s none -a "$t" "corpus/$t" "${extra[@]}" -- \
    -max_total_time="$SECS" -max_len=262144 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    >"logs/$t.log" 2>&1 || true
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo "?")
  corpus=$(ls "corpus/$t" | wc -l)
  crashes=$(ls "artifacts/$t" | wc -l)
  echo "$t: $runs executions in $SECS s, corpus $corpus inputs, $crashes crash/timeout/oom artifacts"
done
