#!/usr/bin/env bash
# Sustained load (issue 11): a soak of mixed page GETs and action POSTs over loopback for
# several minutes against the release build, serving the demo on a fresh SQLite database
# (or on DATABASE_URL, e.g. a PostgreSQL database you created for it). Every SAMPLE seconds
# it records the server's RSS (/proc/PID/status VmRSS), the SQLite writer's queue depth
# (placard_writer_queue_depth on /metrics), the 5xx answers counted so far and the load
# average, and prints a table. It fails when any answer is not 2xx/3xx or a socket error
# happens, when RSS grows after warm-up by more than the margin, or when the writer's queue
# grows (it must drain to 0 once the load stops, and never exceed the connections: with
# closed-loop clients a longer queue means jobs were lost track of).
#
# Usage: scripts/soak.sh [minutes=5] [connections=16]
# Env:   DATABASE_URL                 serve this database instead of a temporary SQLite file
#        SOAK_SAMPLE_SECONDS=10       sampling interval
#        SOAK_WARMUP_SECONDS          samples before this are warm-up (default: 60% of the run):
#                                     RSS rises until SQLite's page caches are full (the
#                                     writer's is PLACARD_SQLITE_WRITER_CACHE_MIB, 64 MiB), then
#                                     must stay flat
#        SOAK_RSS_MARGIN_PCT=20       allowed RSS growth after warm-up, in percent …
#        SOAK_RSS_MARGIN_KB=8192      … plus this many kB
#        PLACARD_BIN                  use this binary instead of building
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-5}
CONNECTIONS=${2:-16}
SAMPLE=${SOAK_SAMPLE_SECONDS:-10}
WARMUP=${SOAK_WARMUP_SECONDS:-$((MINUTES * 60 * 6 / 10))}
MARGIN_PCT=${SOAK_RSS_MARGIN_PCT:-20}
MARGIN_KB=${SOAK_RSS_MARGIN_KB:-8192}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target/bench}

if ! command -v wrk >/dev/null; then
  echo "soak: wrk is missing; installing it (apt-get install wrk)" >&2
  apt-get install -y -qq wrk >/dev/null
fi
if [ -z "${PLACARD_BIN:-}" ]; then cargo build --release --quiet; fi
BIN=${PLACARD_BIN:-$CARGO_TARGET_DIR/release/placard}
WORK=$(mktemp -d)
SERVER=
WRK=
cleanup() {
  [ -n "$WRK" ] && kill "$WRK" 2>/dev/null || true
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

URL=${DATABASE_URL:-sqlite://$WORK/soak.db}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
RUST_LOG=warn DATABASE_URL=$URL "$BIN" serve --demo --bind "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/readyz" >/dev/null || { echo "soak: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER/status"; }
# `metric NAME [LABEL_FILTER]`: the sum of the samples of NAME whose labels match.
metric() {
  curl -sf "$BASE/metrics" | awk -v name="$1" -v filter="${2:-}" '
    ($1 == name || index($1, name "{") == 1) && index($1, filter) { sum += $2 } END { printf "%d\n", sum }'
}

echo "soak: $MINUTES min, $CONNECTIONS connections, database ${URL%%\?*}, server pid $SERVER, $(nproc) cores"
wrk -t2 -c"$CONNECTIONS" -d"${MINUTES}m" --timeout 10s -s benches/soak.lua "$BASE" >"$WORK/wrk.out" 2>&1 &
WRK=$!
START=$(date +%s)
printf '%6s %10s %8s %10s %6s %s\n' "t(s)" "rss_kB" "queue" "requests" "5xx" "loadavg(1 5 15)"
SAMPLES=()
sample() {
  local t rss queue requests errors load
  t=$(($(date +%s) - START))
  rss=$(rss_kb)
  queue=$(metric placard_writer_queue_depth)
  requests=$(metric placard_http_requests_total)
  errors=$(metric placard_http_requests_total 'status="5xx"')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf '%6d %10d %8d %10d %6d %s\n' "$t" "$rss" "$queue" "$requests" "$errors" "$load"
  SAMPLES+=("$t $rss $queue $requests $errors")
}
while kill -0 "$WRK" 2>/dev/null; do
  sample
  # Sleep in short steps so the loop ends soon after wrk does.
  for _ in $(seq 1 "$((SAMPLE * 2))"); do kill -0 "$WRK" 2>/dev/null || break; sleep 0.5; done
done
wait "$WRK" || true
WRK=
# Once the load stops, whatever was queued must drain.
sample
RESULT=$(grep '^RESULT' "$WORK/wrk.out" || true)
[ -n "$RESULT" ] || { echo "soak: wrk printed no result" >&2; cat "$WORK/wrk.out" >&2; exit 1; }
echo "$RESULT"

FAIL=0
fail() { echo "soak: FAIL: $*"; FAIL=1; }
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$RESULT"; }
[ "$(field s4xx)" = 0 ] || fail "$(field s4xx) answers were 4xx"
[ "$(field s5xx)" = 0 ] || fail "$(field s5xx) answers were 5xx"
[ "$(field socket_errors)" = 0 ] || fail "$(field socket_errors) socket errors (connect, read, write or timeout)"

read -r _ first_rss _ <<<"${SAMPLES[0]}"
baseline= max_rss=0 max_queue=0
for s in "${SAMPLES[@]}"; do
  read -r t rss queue _ _ <<<"$s"
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  [ "$queue" -gt "$max_queue" ] && max_queue=$queue
  if [ -z "$baseline" ] && [ "$t" -ge "$WARMUP" ]; then baseline=$rss; fi
done
read -r _ last_rss last_queue _ last_errors <<<"${SAMPLES[-1]}"
[ -n "$baseline" ] || { baseline=$first_rss; echo "soak: the run is shorter than the warm-up; RSS compared with the first sample"; }
limit=$((baseline + baseline * MARGIN_PCT / 100 + MARGIN_KB))
peak_after=0
for s in "${SAMPLES[@]}"; do
  read -r t rss _ _ _ <<<"$s"
  [ "$t" -ge "$WARMUP" ] && [ "$rss" -gt "$peak_after" ] && peak_after=$rss
done
echo "rss_kB first=$first_rss after_warmup=$baseline last=$last_rss max=$max_rss limit=$limit; writer queue max=$max_queue after_load=$last_queue; loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$last_rss" -le "$limit" ] && [ "$peak_after" -le "$limit" ] ||
  fail "RSS grew after warm-up: $baseline kB → $last_rss kB (peak $peak_after kB; limit $limit kB)"
[ "$max_queue" -le "$CONNECTIONS" ] || fail "the writer queue reached $max_queue with only $CONNECTIONS clients"
[ "$last_queue" = 0 ] || fail "the writer queue did not drain after the load: $last_queue jobs"
[ "$last_errors" = 0 ] || fail "the server counted $last_errors 5xx answers"
if [ "$FAIL" = 0 ]; then echo "soak: PASS"; else tail -20 "$WORK/server.log"; exit 1; fi
