#!/usr/bin/env bash
# The durable profile's cost (BENCHMARKS.md, "Durable profile"): `wirefold bench fetch`
# against a fresh nats-server with JetStream's default fsync interval (2 min), then with
# `sync_interval: always` (deploy/nats-durable.conf's one setting), RUNS times each,
# alternating. The store is on disk under target/ (not /tmp, which may be tmpfs, where an
# fsync costs nothing). Users and permissions are left out of both configurations: the
# fsync setting is the only difference.
#   scripts/bench-durable.sh [RUNS]      (default 3; needs nats-server: NATS_SERVER_BIN or PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --locked -q --bin wirefold
bin=${NATS_SERVER_BIN:-$(command -v nats-server)}
dir=$PWD/target/bench-durable
mkdir -p "$dir"
printf 'max_payload: 8388608\n' >"$dir/default.conf"
printf 'max_payload: 8388608\njetstream {\n  sync_interval: always\n}\n' >"$dir/durable.conf"
one() {
  local store port pid
  store=$(mktemp -d -p "$dir"); port=$((30000 + RANDOM % 20000))
  "$bin" -c "$dir/$1.conf" -js -sd "$store" -a 127.0.0.1 -p "$port" >"$store/nats.log" 2>&1 &
  pid=$!; sleep 1
  echo "$1 $(target/release/wirefold bench fetch --nats-url "nats://127.0.0.1:$port" --feeds 50 --items 100 2>/dev/null)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; rm -rf "$store"
}
for _ in $(seq "$runs"); do one default; one durable; done
