"""Issue 8's reference: the CSV that benches/import.rs imports, loaded by Python's csv and
sqlite3 modules into Placard's own SQLite schema (its migrations, applied as they are).

Per row what an import minimally stores: the person (core_user, upserted by email: a batch
lookup of the emails already there, then new rows), the action on the import page
(core_action), and the extra column as an action field (core_actionfield). Batched: every
`--batch` rows one lookup and three executemany calls, all in one transaction, committed
once; WAL with synchronous=FULL as Placard runs. No validation, privacy checks or
subscriptions, so it is a floor for a bulk loader, not the same work as Placard's engine.

    python benches/import_reference.py [--rows 1000000] [--batch 10000] [--json]
"""

import argparse
import csv
import datetime
import io
import json
import pathlib
import resource
import sqlite3
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations" / "sqlite"


def generate(rows):
    # The same text as benches/import.rs writes.
    out = io.StringIO()
    out.write("email,first_name,last_name,zip,city,action_comment\n")
    for n in range(rows):
        out.write(f"supporter{n}@example.org,First{n},Last{n},{n % 100000:05},Springfield,imported row {n}\n")
    return out.getvalue()


def schema(db):
    for up in sorted(MIGRATIONS.glob("*/up.sql")):
        db.executescript(up.read_text(encoding="utf-8"))
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    list_id = db.execute(
        "INSERT INTO core_list (name, is_default, created_at, updated_at) VALUES ('main', TRUE, ?, ?) RETURNING id",
        (now, now),
    ).fetchone()[0]
    return db.execute(
        "INSERT INTO core_page (name, title, type, lang, list_id, created_at, updated_at)"
        " VALUES ('bench-import', 'Bench', 'Import', 'en', ?, ?, ?) RETURNING id",
        (list_id, now, now),
    ).fetchone()[0]


def load(db, text, page_id, batch):
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat(sep=" ")
    reader = csv.DictReader(io.StringIO(text))
    next_user = (db.execute("SELECT max(id) FROM core_user").fetchone()[0] or 0) + 1
    next_action = (db.execute("SELECT max(id) FROM core_action").fetchone()[0] or 0) + 1
    n = 0
    db.execute("BEGIN")
    while True:
        rows = [row for _, row in zip(range(batch), reader)]
        if not rows:
            break
        emails = [r["email"].strip().lower() for r in rows]
        known = {}
        for start in range(0, len(emails), 900):
            chunk = emails[start : start + 900]
            marks = ",".join("?" for _ in chunk)
            known.update(db.execute(f"SELECT email, id FROM core_user WHERE email IN ({marks})", chunk))
        users, actions, fields, updates = [], [], [], []
        for email, row in zip(emails, rows):
            uid = known.get(email)
            if uid is None:
                uid = known[email] = next_user
                next_user += 1
                users.append((uid, email, row["first_name"], row["last_name"], row["zip"], row["city"], "import", now, now))
                created = True
            else:
                updates.append((row["first_name"], row["last_name"], row["zip"], row["city"], now, uid))
                created = False
            actions.append((next_action, uid, page_id, "import", created, now, now))
            if row.get("action_comment"):
                fields.append((uid, next_action, 0, "comment", row["action_comment"]))
            next_action += 1
        db.executemany(
            "INSERT INTO core_user (id, email, first_name, last_name, zip, city, source, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            users,
        )
        db.executemany(
            "UPDATE core_user SET first_name = ?, last_name = ?, zip = ?, city = ?, updated_at = ? WHERE id = ?", updates
        )
        db.executemany(
            "INSERT INTO core_action (id, user_id, page_id, source, status, created_user, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'complete', ?, ?, ?)",
            actions,
        )
        db.executemany(
            "INSERT INTO core_actionfield (user_id, parent_id, position, name, value) VALUES (?, ?, ?, ?, ?)", fields
        )
        n += len(rows)
    db.execute("COMMIT")
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--json", action="store_true", help="one JSON line instead of text")
    args = ap.parse_args()

    started = time.perf_counter()
    text = generate(args.rows)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(pathlib.Path(tmp) / "reference.db", isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        page_id = schema(db)
        started = time.perf_counter()
        n = load(db, text, page_id, args.batch)
        seconds = time.perf_counter() - started
        db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "rows": n,
        "generate_s": generated,
        "seconds": seconds,
        "rows_per_s": n / seconds,
        "peak_mb": peak_mb,
        "python": ".".join(map(str, __import__("sys").version_info[:3])),
        "sqlite": sqlite3.sqlite_version,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Python csv + sqlite3 {result['sqlite']}: {n} rows in {seconds:.2f} s = {n / seconds:.0f} rows/s; peak {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
