#!/usr/bin/env bash
# Issue 10: the whole benchmark suite, one command. Builds the release binary and the bench
# harnesses once (target/bench), then measures each target beside its reference in the
# same run, on loopback, and prints one markdown table (what | target | Placard |
# reference | ratio | met? | load average), also written to target/bench/report.md.
#
#   benches/run.sh            # full run, ≤ 15 min: 20 s per load run, 3 render rounds, 100,000-row import
#   benches/run.sh --quick    # ~3 min: 6 s per load run, 1 render round, 20,000-row import
#   benches/run.sh --million  # the import with 1,000,000 rows (issue 8's size); combines with --quick
#
# Load: wrk (Debian; installed with apt-get when missing) for maximum throughput, and oha
# (crates.io; `cargo install oha` into target/bench/tools, or any oha on PATH) for latency
# at a fixed 5,000 req/s: wrk cannot hold a rate, and oha's -q with --latency-correction
# measures from when each request was due, so a stall shows up in p99 (no coordinated
# omission). Without oha the fixed-rate row falls back to wrk pacing each connection
# (closed loop: a floor for p99, marked as such).
# References: Django 5.2 + Jinja2 + gunicorn from PyPI in target/django-venv; pgbench
# with benches/pgbench_action.sql; benches/import_reference.py; the disk's fsync rate.
# Environment: SECONDS_PER_RUN, CONNECTIONS (GET, 64), ACTION_CONNECTIONS (64), IMPORT_ROWS,
# PERSONS/BACKGROUND (forget), ROUNDS (render), PG_URL (postgres://postgres@127.0.0.1:5432).
#
# Load generator, server and references share the machine's 2 cores: every figure is a
# floor, and the load average is printed beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

QUICK=0
MILLION=0
for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        --million) MILLION=1 ;;
        -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done
if [ $QUICK = 1 ]; then
    SECONDS_PER_RUN=${SECONDS_PER_RUN:-6}
    ROUNDS=${ROUNDS:-1}
    IMPORT_ROWS=${IMPORT_ROWS:-20000}
    PERSONS=${PERSONS:-190}
    BACKGROUND=${BACKGROUND:-2000}
    CRITERION_ARGS=${CRITERION_ARGS:-"--warm-up-time 1 --measurement-time 2"}
else
    SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
    ROUNDS=${ROUNDS:-3}
    IMPORT_ROWS=${IMPORT_ROWS:-100000}
    PERSONS=${PERSONS:-640}
    BACKGROUND=${BACKGROUND:-10000}
    CRITERION_ARGS=${CRITERION_ARGS:-"--warm-up-time 2 --measurement-time 4"}
fi
[ $MILLION = 1 ] && IMPORT_ROWS=1000000
export PERSONS BACKGROUND
CONNECTIONS=${CONNECTIONS:-64}
ACTION_CONNECTIONS=${ACTION_CONNECTIONS:-64}
RATE=5000
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
PG_DB=placard_bench_run
export CARGO_TARGET_DIR=target/bench
VENV=target/django-venv
OUT=$CARGO_TARGET_DIR/run
RESULTS=$OUT/results.jsonl
PY=$VENV/bin/python

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# result KEY JSON: one measured figure, with the load average when it was taken.
result() { printf '{"key":"%s","load":"%s","data":%s}\n' "$1" "$(loadavg)" "$2" >>"$RESULTS"; }
wait_ready() { # url
    for _ in $(seq 1 300); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done
    echo "run.sh: $1 never answered" >&2
    return 1
}

rm -rf "$OUT"
mkdir -p "$OUT"
WORK=$(mktemp -d "$ROOT/$CARGO_TARGET_DIR/run-work.XXXXXX") # on the same disk as a real database
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
stop_server() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }

# ---- tools ---------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get)"
    apt-get install -y -qq wrk >/dev/null
fi
OHA=$(command -v oha || true)
[ -z "$OHA" ] && [ -x "$CARGO_TARGET_DIR/tools/bin/oha" ] && OHA=$CARGO_TARGET_DIR/tools/bin/oha
if [ -z "$OHA" ] && [ "${INSTALL_OHA:-1}" = 1 ]; then
    log "installing oha from crates.io into $CARGO_TARGET_DIR/tools (once; INSTALL_OHA=0 to skip)"
    if nice -n 10 cargo install oha --locked --quiet --root "$CARGO_TARGET_DIR/tools" >&2; then
        OHA=$CARGO_TARGET_DIR/tools/bin/oha
    fi
fi
if ! "$PY" -c 'import django, jinja2, gunicorn' 2>/dev/null; then
    log "creating $VENV (Django 5.2, Jinja2, gunicorn from PyPI)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet 'django>=5.2,<5.3' jinja2 gunicorn
fi

# ---- build once ----------------------------------------------------------------------------
log "building the release binary and the bench harnesses (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
nice -n 10 cargo build --release --quiet
cp "$CARGO_TARGET_DIR/release/placard" "$WORK/placard" # what every step measures, whatever others rebuild
BIN=$WORK/placard
# render too, so render.sh's own build below finds it done.
nice -n 10 cargo bench --bench forget --bench import --bench render --no-run --message-format=json-render-diagnostics \
    | "$PY" -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["kind"] == ["bench"]:
        print(m["target"]["name"], m["executable"])' >"$WORK/benches"
while read -r name exe; do cp "$exe" "$WORK/bench-$name"; done <"$WORK/benches"
[ -x "$WORK/bench-forget" ] && [ -x "$WORK/bench-import" ] || { echo "run.sh: bench harnesses missing" >&2; exit 1; }

# ---- page render (benches/render.sh: criterion beside Django and Jinja2) --------------------
log "page render: benches/render.sh, $ROUNDS round(s) (load $(loadavg))"
ROUNDS=$ROUNDS CRITERION_ARGS="$CRITERION_ARGS petition/" benches/render.sh >"$OUT/render.txt" 2>"$OUT/render.err" \
    || { cat "$OUT/render.err" "$OUT/render.txt" >&2; exit 1; }
result render "$("$PY" - <<'EOF'
import json, pathlib, statistics
out = pathlib.Path("target/bench-render")
rust = [json.loads(p.read_text()) for p in sorted(out.glob("rust-*.json"))]
py = [json.loads(p.read_text()) for p in sorted(out.glob("python-*.json"))]
med = statistics.median
print(json.dumps({
    "rounds": len(rust),
    "placard_us": med([r["petition/render"] for r in rust]),
    "placard_full_us": med([r["petition/context+serialize+render"] for r in rust]),
    "django_us": med([p["django"]["median_us"] for p in py]),
    "jinja_us": med([p["jinja2"]["median_us"] for p in py]),
    "django_version": py[0]["django"]["version"],
    "jinja_version": py[0]["jinja2"]["version"],
    "loads": [p.read_text().strip() for p in sorted(out.glob("load-*"))],
}))
EOF
)"

# ---- page GET: Placard vs Django under gunicorn ---------------------------------------------
cat >"$WORK/get.lua" <<'EOF'
-- GET the page; one RESULT line (requests, rate, latency percentiles, non-2xx and errors).
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT {\"requests\":%d,\"seconds\":%.2f,\"rps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
EOF
# wrk's own pacing, without oha: each connection waits connections/rate s between requests.
sed "1a function delay() return $(( CONNECTIONS * 1000 / RATE )) end" "$WORK/get.lua" >"$WORK/get_paced.lua"

max_rate() { # name url -> RESULT json
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/get.lua" "$2" >"$OUT/get-$1-max.txt"
    sed -n 's/^RESULT //p' "$OUT/get-$1-max.txt"
}
fixed_rate() { # name url -> json with rps, p50_ms, p99_ms, tool
    if [ -n "$OHA" ]; then
        "$OHA" --no-tui --output-format json -z "${SECONDS_PER_RUN}s" -c "$CONNECTIONS" -q "$RATE" --latency-correction \
            "$2" >"$OUT/get-$1-rate.json" 2>"$OUT/get-$1-rate.err" \
            || "$OHA" --no-tui -j -z "${SECONDS_PER_RUN}s" -c "$CONNECTIONS" -q "$RATE" --latency-correction \
                "$2" >"$OUT/get-$1-rate.json"
        "$PY" - "$OUT/get-$1-rate.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
# Requests still in flight when -z ends are "aborted due to deadline": not errors.
errors = {e: n for e, n in r.get("errorDistribution", {}).items() if "deadline" not in e}
bad = sum(n for c, n in codes.items() if not c.startswith("2")) + sum(errors.values())
print(json.dumps({"rps": s["requestsPerSec"], "p50_ms": p["p50"] * 1e3, "p99_ms": p["p99"] * 1e3,
                  "errors": bad, "tool": "oha -q, latency corrected"}))
EOF
    else
        wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/get_paced.lua" "$2" >"$OUT/get-$1-rate.txt"
        sed -n 's/^RESULT //p' "$OUT/get-$1-rate.txt" | "$PY" -c 'import json, sys
r = json.load(sys.stdin); r["tool"] = "wrk paced (closed loop)"; print(json.dumps(r))'
    fi
}

log "page GET: Placard (load $(loadavg))"
PORT=$(free_port)
RUST_LOG=warn DATABASE_URL="sqlite://$WORK/get.db" "$BIN" serve --demo --bind "127.0.0.1:$PORT" >"$OUT/serve-get.log" 2>&1 &
SERVER_PID=$!
URL="http://127.0.0.1:$PORT/sign/save-the-bees/"
wait_ready "$URL"
curl -sf "$URL" -o "$OUT/get-placard.html"
result get_max_placard "$(max_rate placard "$URL")"
result get_rate_placard "$(fixed_rate placard "$URL")"
stop_server

log "page GET: Django under gunicorn, 2 workers (load $(loadavg))"
PORT=$(free_port)
(cd benches/django_site && exec "$ROOT/$VENV/bin/gunicorn" -w 2 -b "127.0.0.1:$PORT" --log-level warning benchsite.wsgi) \
    >"$OUT/serve-django.log" 2>&1 &
SERVER_PID=$!
URL="http://127.0.0.1:$PORT/sign/save-the-bees/"
wait_ready "$URL"
curl -sf "$URL" -o "$OUT/get-django.html"
result get_max_django "$(max_rate django "$URL")"
result get_rate_django "$(fixed_rate django "$URL")"
stop_server
result get_bytes "{\"placard\":$(wc -c <"$OUT/get-placard.html"),\"django\":$(wc -c <"$OUT/get-django.html")}"

# ---- action POST: SQLite and PostgreSQL, with the disk's fsync rate and pgbench ----------------
fsync_rate() { # fsyncs per second of a 4 KB append in the work directory (where the database is)
    python3 - "$WORK/fsync.probe" <<'EOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 2.0:
    os.write(fd, b"x" * 4096); os.fsync(fd); n += 1
print(round(n / (time.perf_counter() - start)))
os.unlink(sys.argv[1])
EOF
}
actions() { # name database_url: writes $OUT/actions-NAME.json (not in a subshell: the trap must see SERVER_PID)
    local port
    port=$(free_port)
    RUST_LOG=warn DATABASE_URL=$2 "$BIN" serve --demo --bind "127.0.0.1:$port" >"$OUT/serve-$1.log" 2>&1 &
    SERVER_PID=$!
    wait_ready "http://127.0.0.1:$port/readyz"
    wrk -t2 -c"$ACTION_CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s benches/action_post.lua \
        "http://127.0.0.1:$port" >"$OUT/actions-$1.txt"
    stop_server
    sed -n 's/^RESULT //p' "$OUT/actions-$1.txt" | "$PY" -c 'import json, sys
fields = dict(kv.split("=") for kv in sys.stdin.read().split())
print(json.dumps({k: float(v) for k, v in fields.items()}))' >"$OUT/actions-$1.json"
}

log "action POST, SQLite (load $(loadavg))"
FSYNC_BEFORE=$(fsync_rate)
actions sqlite "sqlite://$WORK/actions.db"
SQLITE=$(cat "$OUT/actions-sqlite.json")
FSYNC_AFTER=$(fsync_rate)
result actions_sqlite "{\"placard\":$SQLITE,\"fsync_before\":$FSYNC_BEFORE,\"fsync_after\":$FSYNC_AFTER}"

if pg_isready -d "$PG_URL/postgres" -q; then
    log "action POST, PostgreSQL (load $(loadavg))"
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB" >/dev/null
    actions postgres "$PG_URL/$PG_DB"
    POSTGRES=$(cat "$OUT/actions-postgres.json")
    PG_VERSION=$(psql "$PG_URL/$PG_DB" -Atc 'SHOW server_version' | cut -d' ' -f1)
    # At the HTTP client count, and at the pool size Placard talks to PostgreSQL with (8 by
    # default): on 2 cores, 64 backends can be slower than 8.
    POOL=${PLACARD_DB_POOL_SIZE:-8}
    for clients in "$ACTION_CONNECTIONS" "$POOL"; do
        log "pgbench, the same transaction, $clients clients (load $(loadavg))"
        pgbench -n -M extended -f benches/pgbench_action.sql -c "$clients" -j 2 -T "$SECONDS_PER_RUN" \
            "$PG_URL/$PG_DB" >"$OUT/pgbench-$clients.txt" 2>&1 || { cat "$OUT/pgbench-$clients.txt" >&2; exit 1; }
    done
    PGBENCH=$("$PY" - "$OUT" "$ACTION_CONNECTIONS" "$POOL" <<'EOF'
import json, re, sys
out = []
for clients in sys.argv[2:]:
    text = open(f"{sys.argv[1]}/pgbench-{clients}.txt").read()
    out.append({"clients": int(clients), "tps": float(re.search(r"tps = ([0-9.]+)", text).group(1)),
                "latency_avg_ms": float(re.search(r"latency average = ([0-9.]+) ms", text).group(1))})
print(json.dumps(out))
EOF
)
    result actions_postgres "{\"placard\":$POSTGRES,\"pgbench\":$PGBENCH,\"version\":\"$PG_VERSION\"}"
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
else
    log "PostgreSQL not reachable at $PG_URL: skipping its row"
fi

# ---- forget --------------------------------------------------------------------------------
log "forget: PERSONS=$PERSONS BACKGROUND=$BACKGROUND (load $(loadavg))"
PERSONS=$PERSONS BACKGROUND=$BACKGROUND nice -n 0 "$WORK/bench-forget" >"$OUT/forget.txt" 2>&1 \
    || { cat "$OUT/forget.txt" >&2; exit 1; }
result forget "$("$PY" - "$OUT/forget.txt" <<'EOF'
import json, re, sys
UNITS = {"ns": 1e-6, "µs": 1e-3, "ms": 1.0, "s": 1e3}
def ms(text):
    value, unit = re.fullmatch(r"([0-9.]+)(ns|µs|ms|s)", text).groups()
    return float(value) * UNITS[unit]
out = {}
for line in open(sys.argv[1], encoding="utf-8"):
    D = r"([0-9.]+(?:ns|µs|ms|s))"
    m = re.match(rf"forget, (one at a time|one at a time at \d+/s|(\d+) callers at once): (\d+) in \S+ = (\d+)/s; "
                 rf"end to end p50 {D}, p99 {D}, max \S+; work in the transaction p50 {D}, p99 {D}", line)
    if m:
        key = "many" if m.group(2) else "one" if m.group(1) == "one at a time" else "paced"
        out[key] = {"n": int(m.group(3)), "rate": float(m.group(4)), "p50_ms": ms(m.group(5)), "p99_ms": ms(m.group(6)),
                    "work_p50_ms": ms(m.group(7)), "work_p99_ms": ms(m.group(8))}
        if m.group(2):
            out[key]["clients"] = int(m.group(2))
    m = re.match(rf"forget warm-up [^:]*: (\d+) in \S+ = \d+/s; end to end p50 {D}, p99 {D}", line)
    if m:
        out["warmup"] = {"n": int(m.group(1)), "p50_ms": ms(m.group(2)), "p99_ms": ms(m.group(3))}
    m = re.match(rf"disk: 4 KB write \+ fsync p50 {D}, p99 {D}", line)
    if m:
        out.setdefault("disk_p50_ms", []).append(ms(m.group(1)))
print(json.dumps(out))
EOF
)"

# ---- CSV import ----------------------------------------------------------------------------
log "CSV import: $IMPORT_ROWS rows, Placard (load $(loadavg))"
IMPORT_ROWS=$IMPORT_ROWS "$WORK/bench-import" >"$OUT/import.txt" 2>&1 || { cat "$OUT/import.txt" >&2; exit 1; }
PLACARD_IMPORT=$("$PY" - "$OUT/import.txt" <<'EOF'
import json, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
UNITS = {"ns": 1e-9, "µs": 1e-6, "ms": 1e-3, "s": 1.0}
def s(text):
    value, unit = re.fullmatch(r"([0-9.]+)(ns|µs|ms|s)", text).groups()
    return float(value) * UNITS[unit]
e2e = re.search(r"end to end \(check \+ store \+ process\): (\S+): (\d+) rows/s", text)
proc = re.search(r"processed (\d+) rows in (\S+): (\d+) rows/s", text)
mem = re.search(r"peak memory \(VmHWM\): (\d+) MB", text)
print(json.dumps({"rows": int(proc.group(1)), "seconds": s(e2e.group(1)), "rows_per_s": float(e2e.group(2)),
                  "process_rows_per_s": float(proc.group(3)), "peak_mb": float(mem.group(1)) if mem else None}))
EOF
)
log "CSV import: $IMPORT_ROWS rows, Python csv + sqlite3 (load $(loadavg))"
REFERENCE_IMPORT=$("$PY" benches/import_reference.py --rows "$IMPORT_ROWS" --json)
result import "{\"placard\":$PLACARD_IMPORT,\"reference\":$REFERENCE_IMPORT}"

# ---- the table -----------------------------------------------------------------------------
"$PY" - "$RESULTS" "$QUICK" "$SECONDS_PER_RUN" "$CONNECTIONS" "$ACTION_CONNECTIONS" "${OHA:+oha}" <<'EOF' | tee "$CARGO_TARGET_DIR/report.md"
import json, os, subprocess, sys
rows = {}
for line in open(sys.argv[1], encoding="utf-8"):
    try:
        r = json.loads(line)
    except ValueError:  # a step whose output could not be read: its row is left out, its error above
        print(f"run.sh: unreadable result, row left out: {line.strip()}", file=sys.stderr)
        continue
    rows[r["key"]] = r
quick, seconds, conns, action_conns, oha = sys.argv[2] == "1", sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def n(x, d=0):
    return f"{x:,.{d}f}"
def ok(flag):
    return "**met**" if flag else "**not met**"
table = []
# What sets each figure where a target is not met: measured (profiles, the references in this
# run), written out in the README's Performance section; shown only beside a "not met".
LIMITS = {
    "get_max_placard": "CPU: 2 cores shared by wrk and the server; per request a render (22–33 µs) plus HTTP and context",
    "get_rate_placard": "CPU: the load generator and the server share 2 cores",
    "render": "minijinja's interpreter over the 17.5 KB page; the ratio moves with Django's own time (0.8–1.1 ms between runs)",
    "actions_sqlite": "the one SQLite writer thread's CPU per action (allocation, WAL page writes, statements re-prepared) and the disk's fsync",
    "actions_postgres": "PostgreSQL's own commit rate here: compare pgbench with the same statements",
    "forget": "I/O: a scattered person's forget writes ~170 WAL pages in its commit (about 1.2 ms here when nothing overlaps it), and back to back the checkpoint of the one before (about 2.3 ms copying and syncing the same pages) overlaps the next commit",
    "import": "per-row engine work on one writer thread (a savepoint and ~6 statements per row, some re-prepared)",
}
def add(what, target, placard, reference, ratio, met, key):
    limit = LIMITS.get(key, "—") if "not met" in met else "—"
    table.append((what, target, placard, reference, ratio, met, limit, rows[key]["load"] if key in rows else "—"))

if "get_max_placard" in rows:
    pm, dm = rows["get_max_placard"]["data"], rows["get_max_django"]["data"]
    pr, dr = rows["get_rate_placard"]["data"], rows["get_rate_django"]["data"]
    add("page GET, rendered per request: max throughput", f"≥ 15,000 req/s ({conns} connections)",
        f"{n(pm['rps'])} req/s; p99 {pm['p99_ms']:.1f} ms; {pm['errors']} errors",
        f"Django, gunicorn 2 workers: {n(dm['rps'])} req/s; p99 {dm['p99_ms']:.1f} ms",
        f"{pm['rps'] / dm['rps']:.1f}×", ok(pm["rps"] >= 15000 and pm["errors"] == 0), "get_max_placard")
    add(f"page GET at a fixed 5,000 req/s ({pr['tool']})", "p99 < 2 ms",
        f"{n(pr['rps'])} req/s; p50 {pr['p50_ms']:.2f} ms, p99 {pr['p99_ms']:.2f} ms",
        f"Django: {n(dr['rps'])} req/s; p99 {dr['p99_ms']:.0f} ms", f"p99 {dr['p99_ms'] / pr['p99_ms']:.0f}× lower",
        ok(pr["p99_ms"] < 2 and pr["rps"] >= 4900 and pr["errors"] == 0), "get_rate_placard")
if "render" in rows:
    r = rows["render"]["data"]
    d, j = r["django_us"] / r["placard_us"], r["jinja_us"] / r["placard_us"]
    add(f"page render (criterion, median of {r['rounds']} round(s))", "< 100 µs; ≥ 40× Django, ≥ 5× Jinja2",
        f"{r['placard_us']:.0f} µs ({r['placard_full_us']:.0f} µs with the context built per render)",
        f"Django {r['django_version']}: {n(r['django_us'])} µs; Jinja2 {r['jinja_version']}: {r['jinja_us']:.0f} µs",
        f"{d:.1f}× Django, {j:.1f}× Jinja2", ok(r["placard_us"] < 100 and d >= 40 and j >= 5), "render")
if "actions_sqlite" in rows:
    a = rows["actions_sqlite"]["data"]
    p, fs = a["placard"], (a["fsync_before"] + a["fsync_after"]) / 2
    add(f"action POST, SQLite synchronous=FULL ({action_conns} connections)", "≥ 5,000/s, p99 < 10 ms (stretch 20,000)",
        f"{n(p['rps'])}/s; p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms; {int(p['errors'])} errors",
        f"disk: {n(a['fsync_before'])} → {n(a['fsync_after'])} fsync/s (4 KB append)",
        f"{p['rps'] / fs:.1f} actions per fsync", ok(p["rps"] >= 5000 and p["p99_ms"] < 10 and p["errors"] == 0),
        "actions_sqlite")
if "actions_postgres" in rows:
    a = rows["actions_postgres"]["data"]
    p, runs = a["placard"], a["pgbench"]
    b = max(runs, key=lambda r: r["tps"])
    add(f"action POST, PostgreSQL {a['version']} synchronous_commit=on ({action_conns} connections)", "≥ 3,000/s",
        f"{n(p['rps'])}/s; p50 {p['p50_ms']:.1f} ms, p99 {p['p99_ms']:.1f} ms; {int(p['errors'])} errors",
        "pgbench, the same transaction: " + "; ".join(f"{r['clients']} clients {n(r['tps'])} tps (avg {r['latency_avg_ms']:.1f} ms)" for r in runs),
        f"{p['rps'] / b['tps']:.2f} of pgbench's best", ok(p["rps"] >= 3000 and p["errors"] == 0), "actions_postgres")
if "forget" in rows:
    f = rows["forget"]["data"]
    one, paced, many = f["one"], f["paced"], f["many"]
    disk = ", ".join(f"{x:.2f}" for x in f.get("disk_p50_ms", []))
    # Issue 7's target is a forget's p99; met only when both one-at-a-time passes (back to
    # back, and at a steady rate below the disk's limit) are under it.
    add(f"forget, 100 actions each (SQLite, FULL; {os.environ['PERSONS']} people among {os.environ['BACKGROUND']} others)", "p99 < 5 ms",
        f"one at a time {n(one['rate'])}/s, p99 {one['p99_ms']:.1f} ms; at a steady {n(paced['rate'])}/s p50 {paced['p50_ms']:.1f} ms, "
        f"p99 {paced['p99_ms']:.1f} ms; {many['clients']} at once {n(many['rate'])}/s, "
        f"p99 {many['p99_ms']:.1f} ms (work p50 {one['work_p50_ms']:.1f} ms)"
        + (f"; not counted, the {f['warmup']['n']} forgets just after the build: p99 {f['warmup']['p99_ms']:.1f} ms" if "warmup" in f else ""),
        f"disk fsync p50 {disk} ms", "—", ok(max(one["p99_ms"], paced["p99_ms"]) < 5), "forget")
if "import" in rows:
    p, r = rows["import"]["data"]["placard"], rows["import"]["data"]["reference"]
    million = p["rows"] >= 1_000_000
    t1m = p["seconds"] if million else 1_000_000 / p["rows_per_s"]
    mem_ok = p["peak_mb"] is not None and p["peak_mb"] < 500
    add(f"CSV import, {n(p['rows'])} rows (SQLite, FULL)", "≥ 50,000 rows/s, 1M rows < 20 s, < 500 MB",
        f"{n(p['rows_per_s'])} rows/s end to end; {t1m:.0f} s for 1M{'' if million else ' (extrapolated)'}; "
        f"peak {p['peak_mb']:.0f} MB",
        f"Python csv + sqlite3 {r['sqlite']}, batched: {n(r['rows_per_s'])} rows/s; peak {r['peak_mb']:.0f} MB",
        f"{p['rows_per_s'] / r['rows_per_s']:.2f}×",
        ok(p["rows_per_s"] >= 50000 and t1m < 20 and mem_ok) + ("" if million else " (memory at 1M: run --million)"),
        "import")

head = ("what", "target (2 cores)", "Placard", "reference, same run", "ratio", "met?", "what limits it", "load average")
print(f"Placard benchmark suite ({'--quick, ' if quick else ''}{seconds} s per load run; wrk{' + oha' if oha else ''} on loopback; "
      f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores shared by load generator, server and references)")
print()
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for row in table:
    print("| " + " | ".join(str(c) for c in row) + " |")
print()
notes = []
if "get_bytes" in rows:
    b = rows["get_bytes"]["data"]
    notes.append(f"Page GET: the demo petition, {n(b['placard'])} bytes from Placard (SQLite demo database; page row cached, "
                 f"context built and template rendered per request), {n(b['django'])} from Django (benches/django_site: same "
                 "template text and context, no middleware, context read once per worker, gunicorn's default sync workers).")
if "actions_postgres" in rows:
    notes.append("pgbench runs benches/pgbench_action.sql (the statements one action makes, as logged by PostgreSQL) with "
                 "-M extended, without HTTP, JSON, validation or the application's pool: what the database alone allows.")
if "render" in rows:
    notes.append("Render loads before each round: " + " | ".join(rows["render"]["data"]["loads"]) + ".")
cores = os.cpu_count() or 1
peak = max((float(r["load"].split()[0]) for r in rows.values()), default=0.0)
if peak > cores:
    notes.append(f"The machine was shared: load average up to {peak:.1f} on {cores} cores during the run, so every Placard "
                 "figure here is a floor set by CPU time it did not get; the ratios to the references, measured minutes "
                 "apart under the same load, are the comparable numbers.")
print("\n".join(f"- {x}" for x in notes))
EOF
log "done: $CARGO_TARGET_DIR/report.md; raw output in $OUT/"
