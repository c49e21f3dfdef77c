#!/usr/bin/env bash
# Action POST throughput and latency over loopback, on SQLite and PostgreSQL, with the
# disk's fsync rate measured in the same run as the reference for durable commits.
# Usage: benches/actions.sh [seconds] [connections]   (needs wrk: apt-get install wrk)
# BACKENDS=sqlite or BACKENDS=postgres runs one backend only; PLACARD_* settings in the
# environment (e.g. PLACARD_POSTGRES_WRITES=grouped) reach the server.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-16}
BACKENDS=${BACKENDS:-both}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/bench}
if [ -z "${PLACARD_BIN:-}" ]; then cargo build --release --quiet; fi
BIN=${PLACARD_BIN:-$CARGO_TARGET_DIR/release/placard}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

fsync_rate() {
  python3 - "$WORK/fsync.probe" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT)
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 2.0:
    os.write(fd, b"x"); os.fsync(fd); n += 1
print(int(n / (time.perf_counter() - start)))
PY
}

run() { # name database_url
  local name=$1 url=$2 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=warn DATABASE_URL=$url "$BIN" serve --demo --bind "127.0.0.1:$port" > "$WORK/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  local result
  result=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s benches/action_post.lua "http://127.0.0.1:$port" | grep '^RESULT')
  # CPU the server spent per request (all threads, and the writer threads alone): on a
  # shared machine a steadier A/B figure than the rate.
  local requests cpu
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$result")
  cpu=$(python3 - "$pid" "$requests" <<'PY'
import glob, os, sys
pid, n = sys.argv[1], max(int(sys.argv[2]), 1)
tick = os.sysconf("SC_CLK_TCK")
def ticks(stat):
    fields = open(stat).read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])
total = ticks(f"/proc/{pid}/stat")
writer = sum(ticks(t + "/stat") for t in glob.glob(f"/proc/{pid}/task/*")
             if open(t + "/comm").read().startswith("placard-writer"))
print(f"cpu_us_per_request={total / tick / n * 1e6:.0f} writer_cpu_us={writer / tick / n * 1e6:.0f}")
PY
)
  kill $pid; wait $pid 2>/dev/null || true
  echo "$name $result $cpu load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
}

echo "fsync/s (disk, same run): $(fsync_rate)"
if [ "$BACKENDS" != postgres ]; then run sqlite "sqlite://$WORK/bench.db"; fi
if [ "$BACKENDS" != sqlite ] && pg_isready -h 127.0.0.1 -p 5432 -q; then
  psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS placard_bench' -c 'CREATE DATABASE placard_bench'
  run postgres "postgres://postgres@127.0.0.1:5432/placard_bench"
  psql -h 127.0.0.1 -U postgres -qc 'DROP DATABASE IF EXISTS placard_bench WITH (FORCE)'
fi
