#!/usr/bin/env bash
# API fuzzing (SPEC R4, issue 11): schemathesis, from PyPI, against the OpenAPI document at
# /rest/v1/openapi.json of `placard serve --demo` on a fresh database — a temp SQLite file,
# or, when DATABASE_URL names a PostgreSQL server, a new database placard_st_<random> on it.
# Credentials are made as a user would make them (`placard staff add`, `placard apikey add`).
# Fails on any 5xx and on any answer that breaks its documented schema, status, content type
# or headers. Always stops the server and removes what it made.
# (`positive_data_acceptance` is left out: the document is still looser than some checks —
# email syntax, page names, references to objects that must exist — so schema-valid requests
# can be refused with a 400. Add it with SCHEMATHESIS_CHECKS=...,positive_data_acceptance.)
#
#   scripts/schemathesis.sh                                   # SQLite
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/schemathesis.sh
#   scripts/schemathesis.sh --include-path-regex '^/rest/v1/user/'   # more schemathesis options
#
# Knobs: SCHEMATHESIS_MAX_EXAMPLES (cases per operation, default 10), SCHEMATHESIS_PHASES
# (default examples,fuzzing,stateful; add coverage for schemathesis's exhaustive edge cases,
# several times slower), SCHEMATHESIS_CHECKS, SCHEMATHESIS_SEED (default fixed, so a failure
# reproduces), PLACARD_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
venv="$PWD/target/schemathesis-venv"
bin="${PLACARD_BIN:-$PWD/target/debug/placard}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-10}"
phases="${SCHEMATHESIS_PHASES:-examples,fuzzing,stateful}"
checks="${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance,response_headers_conformance}"
seed="${SCHEMATHESIS_SEED:-20261124}"

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
[ -x "$bin" ] || cargo build --quiet --bin placard

work="$(mktemp -d)"
server_pid=""
pg_admin=""
pg_db=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$pg_db" ]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*)
    pg_admin="$DATABASE_URL"
    pg_db="placard_st_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    psql "$pg_admin" -qc "CREATE DATABASE \"$pg_db\"" >/dev/null
    # The same server, our database: replace the path of the URL.
    db_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_admin" "$pg_db")"
    ;;
  "") db_url="sqlite://$work/placard.db" ;;
  *) echo "DATABASE_URL must be a postgres:// URL (or unset for SQLite)" >&2; exit 2 ;;
esac
export DATABASE_URL="$db_url"
# Nothing from a stray placard.toml or the caller's environment changes what is tested.
export PLACARD_CONFIG="$work/placard.toml"
: >"$PLACARD_CONFIG"
unset PLACARD_SMTP_URL PLACARD_BASE_URL PLACARD_METRICS_TOKEN PLACARD_RETENTION_MONTHS

staff_email="fuzz@example.org"
staff_password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$bin" staff add "$staff_email" --password "$staff_password" --role admin >/dev/null
api_key="$("$bin" apikey add schemathesis | sed -n 's/.*(shown once): //p')"
[ -n "$api_key" ] || { echo "no API key was printed" >&2; exit 1; }

# Port 0: the system picks a free port, and the server says which.
"$bin" serve --demo --bind 127.0.0.1:0 >"$work/server.log" 2>&1 &
server_pid=$!
origin=""
for _ in $(seq 1 600); do
  origin="$(sed -n 's|^Placard is running at \(http://[^/]*\)/$|\1|p' "$work/server.log")"
  [ -n "$origin" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$origin" ] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }
echo "placard at $origin on ${db_url%%://*}; schemathesis $SCHEMATHESIS_VERSION, phases $phases, $max_examples examples per operation, seed $seed"

status=0
"$venv/bin/schemathesis" run "$origin/rest/v1/openapi.json" \
  --url "$origin" \
  --checks "$checks" \
  --phases "$phases" \
  --auth "$staff_email:$staff_password" \
  --header "Api-Key: $api_key" \
  --max-examples "$max_examples" \
  --seed "$seed" \
  --workers 2 \
  --no-color \
  --generation-database none \
  --suppress-health-check all \
  "$@" || status=$?

if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked:" >&2
  grep -A5 "panicked" "$work/server.log" >&2
  status=1
fi
exit "$status"
