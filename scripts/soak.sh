#!/usr/bin/env bash
# A soak run, by hand (not in CI): the pipeline as separate processes under steady ingest
# for a long time, a worker SIGKILLed and restarted at a fixed interval, resident memory
# of every process and the streams' storage sampled throughout.
#
#   scripts/soak.sh [MINUTES] [KILL_EVERY_SECS] [RATE]
#     MINUTES          how long to ingest (default 30)
#     KILL_EVERY_SECS  a worker is SIGKILLed and restarted this often (default 300)
#     RATE             articles per second fed (default 50), in batches of 50 files
#
# Needs: nats-server (NATS_SERVER_BIN or PATH), python3, ../shared/tools/gen_corpus.py
# (WIREFOLD_SHARED to move it), and target/release/wirefold (built unless SOAK_NOBUILD=1).
# Processes: one nats-server (with its monitoring port), two `wirefold normalizer`, two
# `wirefold dedup` (hot standby), and `wirefold ingest` once per batch. Kills go round
# n1, the active deduplicator, n2, the active deduplicator, ...: every start of a
# deduplicator has a holder name of its own (`d1-1`, `d1-2`, ...), so a killed leader's
# restart cannot reclaim its lease and the standby takes over once the lease lapses
# (logs/d*.log say who holds the lease when).
#
# Writes target/soak/<start time>/: samples.csv (every 10 s: elapsed seconds, RSS in KiB of
# each process, messages and bytes of each stream, store directory bytes), kills.log,
# worker logs, and summary.json: per process the median RSS in the first sample window
# after warm-up (the second fifth of the run) and in the last fifth, per stream the final
# messages and bytes and bytes per raw document, and a check at the end that every raw
# document has its article and no dead letter was written. The samples of a restarted
# worker start again from its new process: the summary compares like with like by taking
# medians over windows, and kills.log says when each restart happened.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
KILL_EVERY=${2:-300}
RATE=${3:-50}
SHARED=${WIREFOLD_SHARED:-../shared}
WF=$PWD/target/release/wirefold
[ -n "${SOAK_NOBUILD:-}" ] || cargo build --release --locked -q --bin wirefold
NATS=${NATS_SERVER_BIN:-$(command -v nats-server || true)}
[ -x "$NATS" ] || { echo "soak: no nats-server (set NATS_SERVER_BIN)" >&2; exit 1; }
OUT=target/soak/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT/docs" "$OUT/logs"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

BATCH=50
N=$((MINUTES * 60 * RATE))
echo "soak: generating $N articles ($MINUTES min at $RATE/s)" >&2
python3 "$SHARED/tools/gen_corpus.py" --n "$N" --seed 11 --out "$OUT/corpus.jsonl" >/dev/null
python3 - "$OUT" "$BATCH" <<'PY'
import json, os, sys
out, batch = sys.argv[1], int(sys.argv[2])
for i, l in enumerate(open(f'{out}/corpus.jsonl')):
    r = json.loads(l); d = f'{out}/docs/b{i // batch:06d}'
    os.makedirs(d, exist_ok=True)
    open(f'{d}/{i:08d}.txt', 'w').write(r['title'] + '\n\n' + r['text'])
PY
rm -f "$OUT/corpus.jsonl"

PORT=$((20000 + RANDOM % 20000)); MON=$((PORT + 1))
"$NATS" -js -a 127.0.0.1 -p "$PORT" -m "$MON" -sd "$OUT/js" >"$OUT/logs/nats.log" 2>&1 &
NATS_PID=$!; PIDS+=("$NATS_PID")
export NATS_URL=nats://127.0.0.1:$PORT RUST_LOG=warn
sleep 1
declare -A W STARTS
start_worker() { # name
  STARTS[$1]=$(( ${STARTS[$1]:-0} + 1 ))
  case $1 in
    n*) "$WF" normalizer >>"$OUT/logs/$1.log" 2>&1 & ;;
    d*) RUST_LOG=warn,wirefold_bus::lease=info "$WF" dedup --holder "$1-${STARTS[$1]}" \
          >>"$OUT/logs/$1.log" 2>&1 & ;;
  esac
  W[$1]=$!; PIDS+=("${W[$1]}")
}
# The deduplicator holding the lease: the one whose last lease line says it acquired it.
active_dedup() {
  local d
  for d in d1 d2; do
    if grep -aE "lease acquired|standing by|lease lost|lease released" "$OUT/logs/$d.log" 2>/dev/null \
        | tail -1 | grep -q "lease acquired"; then echo "$d"; return; fi
  done
  echo d1
}
for w in n1 n2 d1 d2; do start_worker "$w"; sleep 0.5; done

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sample() { # elapsed
  local streams
  streams=$(python3 - "$MON" <<'PY'
import json, sys, urllib.request
j = json.load(urllib.request.urlopen(f'http://127.0.0.1:{sys.argv[1]}/jsz?streams=true', timeout=5))
st = {s['name']: s['state'] for a in j.get('account_details', []) for s in a.get('stream_detail', [])}
print(','.join(f"{st.get(n, {}).get('messages', 0)},{st.get(n, {}).get('bytes', 0)}"
               for n in ('WIREFOLD_RAW', 'WIREFOLD_ARTICLES', 'WIREFOLD_CLUSTERS', 'WIREFOLD_STORIES', 'WIREFOLD_DLQ')))
PY
) || streams=",,,,,,,,,"
  echo "$1,$(rss "$NATS_PID"),$(rss "${W[n1]}"),$(rss "${W[n2]}"),$(rss "${W[d1]}"),$(rss "${W[d2]}"),$streams,$(du -sb "$OUT/js" | cut -f1)" >>"$OUT/samples.csv"
}
echo "secs,rss_nats,rss_n1,rss_n2,rss_d1,rss_d2,raw_msgs,raw_bytes,articles_msgs,articles_bytes,clusters_msgs,clusters_bytes,stories_msgs,stories_bytes,dlq_msgs,dlq_bytes,store_bytes" >"$OUT/samples.csv"

victims=(n1 d n2 d)
t0=$(date +%s); next_sample=0; next_kill=$KILL_EVERY; k=0
period=$(python3 -c "print($BATCH / $RATE)")
for b in "$OUT"/docs/b*; do
  now=$(( $(date +%s) - t0 ))
  if [ "$now" -ge "$next_sample" ]; then sample "$now"; next_sample=$((now + 10)); fi
  if [ "$now" -ge "$next_kill" ]; then
    v=${victims[$((k % 4))]}; k=$((k + 1))
    [ "$v" != d ] || v=$(active_dedup)
    echo "$now kill $v (pid ${W[$v]})" >>"$OUT/kills.log"
    kill -9 "${W[$v]}" 2>/dev/null || true; wait "${W[$v]}" 2>/dev/null || true
    start_worker "$v"; next_kill=$((next_kill + KILL_EVERY))
  fi
  s=$(date +%s.%N)
  "$WF" ingest "$b" >/dev/null 2>>"$OUT/logs/ingest.err" || echo "$now ingest of $b failed" >>"$OUT/kills.log"
  python3 -c "import time,sys; time.sleep(max(0.0, $period - (time.time() - $s)))"
done
# Let the pipeline drain, sampling on.
for _ in $(seq 1 12); do sleep 10; sample $(( $(date +%s) - t0 )); done

python3 - "$OUT" "$N" <<'PY'
import csv, json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
rows = [{k: (int(v) if v not in ('', None) else 0) for k, v in r.items()} for r in csv.DictReader(open(f'{out}/samples.csv'))]
end = max(r['secs'] for r in rows)
ingest_end = end - 120
warm = [r for r in rows if ingest_end * 0.2 <= r['secs'] < ingest_end * 0.4]
late = [r for r in rows if ingest_end * 0.8 <= r['secs'] <= ingest_end]
last = rows[-1]
med = lambda rs, k: statistics.median(r[k] for r in rs) if rs else 0
rss = {p: {'after_warmup_kib': med(warm, f'rss_{p}'), 'last_fifth_kib': med(late, f'rss_{p}'),
           'max_kib': max(r[f'rss_{p}'] for r in rows)} for p in ('nats', 'n1', 'n2', 'd1', 'd2')}
streams = {s: {'messages': last[f'{s}_msgs'], 'bytes': last[f'{s}_bytes'],
               'bytes_per_raw_doc': round(last[f'{s}_bytes'] / max(1, last['raw_msgs']))}
           for s in ('raw', 'articles', 'clusters', 'stories', 'dlq')}
summary = {'articles_fed': n, 'secs': end, 'kills': sum(1 for _ in open(f'{out}/kills.log')) if __import__('os').path.exists(f'{out}/kills.log') else 0,
           'rss': rss, 'streams': streams, 'store_bytes': last['store_bytes'],
           'every_raw_has_its_article': last['articles_msgs'] >= last['raw_msgs'] == n,
           'lease_acquired': {d: sum('lease acquired' in l for l in open(f'{out}/logs/{d}.log', errors='replace'))
                              for d in ('d1', 'd2')},
           'dead_letters': last['dlq_msgs']}
json.dump(summary, open(f'{out}/summary.json', 'w'), indent=1)
print(json.dumps(summary))
PY
echo "soak: samples and summary in $OUT" >&2
