//! Schema migrations over data (SPEC G3's forget cost, issue 7): custom action fields
//! written under the old layout (a row id and an index on `parent_id`) move to the layout
//! keyed by `(parent_id, position)` with every field kept, in request order, repeated names
//! included; and the migration reverts to the old layout with nothing lost. Privacy records
//! and receipts become scrubbable (a NULL user) with every row and the id high-water mark
//! kept, and revert without the scrubbed rows. Fields then move to a key led by the
//! action's supporter, and back. Both backends, through diesel's own migration harness and
//! the migrations the binary embeds.

use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use placard::db::DbConnection;

use crate::helpers::{Backend, TestDb};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const FIELDS_BY_ACTION: &str = "2026-11-24-000004";
const ERASE_IN_PLACE: &str = "2026-11-24-000005";
const FIELDS_BY_SUPPORTER: &str = "2026-11-24-000007";

/// `(action, name, value)` in the order they were posted; action 2's first and last share a
/// name, as a checkbox list posts it.
const POSTED: [(i64, &str, &str); 5] =
    [(2, "topic", "bees"), (1, "comment", "hi"), (2, "comment", "yes"), (2, "topic", "trees"), (1, "ref", "x")];

#[derive(QueryableByName, Debug, PartialEq)]
struct Keyed {
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName, Debug, PartialEq)]
struct ById {
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    value: String,
}

fn keyed(action: i64, position: i64, name: &str, value: &str) -> Keyed {
    Keyed { parent_id: action, position, name: name.into(), value: value.into() }
}

fn by_id(action: i64, name: &str, value: &str) -> ById {
    ById { parent_id: action, name: name.into(), value: value.into() }
}

/// Runs the migrations before `FIELDS_BY_ACTION`, writes `POSTED` in the old layout, runs
/// those up to `FIELDS_BY_SUPPORTER` and checks the new layout; then reverts to
/// `FIELDS_BY_ACTION` and checks the old.
fn fields_move_to_the_action_key_and_back(conn: &mut DbConnection) {
    migrate_until(conn, FIELDS_BY_ACTION);
    for (action, name, value) in POSTED {
        conn.batch_execute(&format!(
            "INSERT INTO core_actionfield (parent_id, name, value) VALUES ({action}, '{name}', '{value}')"
        ))
        .expect("a field in the old layout");
    }

    // Up to the next change of this table's key, which needs actions behind the fields.
    migrate_until(conn, FIELDS_BY_SUPPORTER);
    let moved: Vec<Keyed> =
        diesel::sql_query("SELECT parent_id, position, name, value FROM core_actionfield ORDER BY parent_id, position")
            .load(conn)
            .expect("fields by action");
    assert_eq!(
        moved,
        vec![
            keyed(1, 0, "comment", "hi"),
            keyed(1, 1, "ref", "x"),
            keyed(2, 0, "topic", "bees"),
            keyed(2, 1, "comment", "yes"),
            keyed(2, 2, "topic", "trees"),
        ],
        "every field kept, numbered in the order it was posted"
    );

    revert_to(conn, FIELDS_BY_ACTION);
    let back: Vec<ById> =
        diesel::sql_query("SELECT parent_id, name, value FROM core_actionfield ORDER BY id").load(conn).expect("by id");
    assert_eq!(
        back,
        vec![
            by_id(1, "comment", "hi"),
            by_id(1, "ref", "x"),
            by_id(2, "topic", "bees"),
            by_id(2, "comment", "yes"),
            by_id(2, "topic", "trees"),
        ],
        "reverted: each action's fields in order"
    );
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Owned {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
    user_id: Option<i64>,
}

fn owned(conn: &mut DbConnection, table: &str) -> Vec<Owned> {
    diesel::sql_query(format!("SELECT id, user_id FROM {table} ORDER BY id")).load(conn).expect("rows")
}

/// Records and receipts written before `ERASE_IN_PLACE` keep their rows and ids; afterwards
/// a row may lose its user and new ids continue after the old high-water mark (SQLite's
/// tables are rebuilt); reverting deletes the scrubbed rows and keeps the rest. The consent
/// log, rebuilt without its indexes on SQLite, keeps its entries and ids too.
fn records_become_scrubbable_and_back(conn: &mut DbConnection) {
    migrate_until(conn, ERASE_IN_PLACE);
    let record = |user: &str| {
        format!(
            "INSERT INTO core_privacyrecord (user_id, version_id, created_at, updated_at) \
             VALUES ({user}, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
    };
    let receipt = |n: u32, user: &str| {
        format!(
            "INSERT INTO core_consentreceipt (receipt_id, user_id, kind, body, signature, created_at) \
             VALUES ('r{n}', {user}, 'consent', '{{}}', 's', '2026-01-01 00:00:00')"
        )
    };
    let log = |n: u32| {
        format!(
            "INSERT INTO core_consentlog (record_id, event, entry, prev_hash, entry_hash, created_at) \
             VALUES (1, 'created', '{{}}', 'p{n}', 'h{n}', '2026-01-01 00:00:00')"
        )
    };
    for sql in [record("7"), record("8"), receipt(1, "7"), receipt(2, "8"), log(1), log(2)] {
        conn.batch_execute(&sql).expect("a row in the old layout");
    }
    // The old erase deleted rows: the high-water mark is above the last id left.
    conn.batch_execute(
        "DELETE FROM core_privacyrecord WHERE id = 2; DELETE FROM core_consentreceipt WHERE id = 2; \
         DELETE FROM core_consentlog WHERE id = 2",
    )
    .expect("an old erase, and an entry removed");

    migrate_the_rest(conn);
    for sql in [record("NULL"), receipt(3, "NULL"), log(3)] {
        conn.batch_execute(&sql).expect("a scrubbed row");
    }
    let log_ids: Vec<Owned> =
        diesel::sql_query("SELECT id, NULL AS user_id FROM core_consentlog ORDER BY id").load(conn).expect("log");
    assert_eq!(log_ids.iter().map(|o| o.id).collect::<Vec<_>>(), vec![1, 3], "the log's ids and high-water mark kept");
    for table in ["core_privacyrecord", "core_consentreceipt"] {
        assert_eq!(
            owned(conn, table),
            vec![Owned { id: 1, user_id: Some(7) }, Owned { id: 3, user_id: None }],
            "{table}: old rows kept, no id handed out twice"
        );
    }

    revert_to(conn, ERASE_IN_PLACE);
    for table in ["core_privacyrecord", "core_consentreceipt"] {
        assert_eq!(owned(conn, table), vec![Owned { id: 1, user_id: Some(7) }], "{table}: reverted");
    }
    assert!(conn.batch_execute(&record("NULL")).is_err(), "reverted: a record names a person again");
}

#[derive(QueryableByName, Debug, PartialEq)]
struct BySupporter {
    #[diesel(sql_type = BigInt)]
    user_id: i64,
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

fn by_supporter(user_id: i64, parent_id: i64, position: i64, name: &str) -> BySupporter {
    BySupporter { user_id, parent_id, position, name: name.into() }
}

/// Fields keyed by action move under their action's supporter, in the same order; a field
/// of an action with no person (none exists: an erase removes them first) is not carried.
/// Reverting keys them by action again with nothing else lost.
fn fields_move_under_their_supporter_and_back(conn: &mut DbConnection) {
    migrate_until(conn, FIELDS_BY_SUPPORTER);
    conn.batch_execute(
        "INSERT INTO core_action (id, user_id, page_id, created_at, updated_at) VALUES \
           (1, 9, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00'), \
           (2, 8, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00'), \
           (3, NULL, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00'); \
         INSERT INTO core_actionfield (parent_id, position, name, value) VALUES \
           (1, 0, 'comment', 'hi'), (1, 1, 'ref', 'x'), (2, 0, 'topic', 'bees'), (3, 0, 'left', 'over');",
    )
    .expect("actions and fields in the old layout");

    migrate_the_rest(conn);
    let moved: Vec<BySupporter> = diesel::sql_query(
        "SELECT user_id, parent_id, position, name FROM core_actionfield ORDER BY user_id, parent_id, position",
    )
    .load(conn)
    .expect("fields by supporter");
    assert_eq!(
        moved,
        vec![by_supporter(8, 2, 0, "topic"), by_supporter(9, 1, 0, "comment"), by_supporter(9, 1, 1, "ref")]
    );

    revert_to(conn, FIELDS_BY_SUPPORTER);
    let back: Vec<Keyed> =
        diesel::sql_query("SELECT parent_id, position, name, value FROM core_actionfield ORDER BY parent_id, position")
            .load(conn)
            .expect("fields by action");
    assert_eq!(back, vec![keyed(1, 0, "comment", "hi"), keyed(1, 1, "ref", "x"), keyed(2, 0, "topic", "bees")]);
}

/// Applies the migrations before `version`.
fn migrate_until(conn: &mut DbConnection, version: &str) {
    match conn {
        DbConnection::Sqlite(c) => apply_until(c, || SQLITE, version),
        DbConnection::Postgresql(c) => apply_until(c, || POSTGRES, version),
    }
}

fn apply_until<C: MigrationHarness<B>, B: diesel::backend::Backend>(
    conn: &mut C,
    source: fn() -> EmbeddedMigrations,
    version: &str,
) {
    for migration in conn.pending_migrations(source()).expect("pending") {
        if migration.name().to_string().starts_with(version) {
            break;
        }
        conn.run_migration(&migration).expect("an earlier migration");
    }
}

/// Applies every pending migration.
fn migrate_the_rest(conn: &mut DbConnection) {
    match conn {
        DbConnection::Sqlite(c) => drop(c.run_pending_migrations(SQLITE).expect("the rest")),
        DbConnection::Postgresql(c) => drop(c.run_pending_migrations(POSTGRES).expect("the rest")),
    }
}

/// Reverts `version` and every migration after it.
fn revert_to(conn: &mut DbConnection, version: &str) {
    match conn {
        DbConnection::Sqlite(c) => revert_through(c, || SQLITE, version),
        DbConnection::Postgresql(c) => revert_through(c, || POSTGRES, version),
    }
}

fn revert_through<C: MigrationHarness<B>, B: diesel::backend::Backend>(
    conn: &mut C,
    source: fn() -> EmbeddedMigrations,
    version: &str,
) {
    let version = version.replace('-', "");
    while conn.applied_migrations().expect("applied").iter().any(|v| v.to_string() >= version) {
        conn.revert_last_migration(source()).expect("revert");
    }
}

/// Runs `check` on a new SQLite database, with foreign keys off for its connection so rows
/// need nothing behind them.
fn on_sqlite(check: fn(&mut DbConnection)) {
    let (_db, url) = TestDb::create(Backend::Sqlite).expect("sqlite");
    let mut conn =
        DbConnection::Sqlite(SqliteConnection::establish(url.trim_start_matches("sqlite://")).expect("connect"));
    conn.batch_execute("PRAGMA foreign_keys = OFF").expect("foreign keys off");
    check(&mut conn);
}

/// Runs `check` on a new PostgreSQL database, with foreign-key triggers off for the session.
fn on_postgres(check: fn(&mut DbConnection)) {
    let Some((_db, url)) = TestDb::create(Backend::Postgres) else { return };
    let mut conn = DbConnection::Postgresql(PgConnection::establish(&url).expect("connect"));
    conn.batch_execute("SET session_replication_role = replica").expect("replica role");
    check(&mut conn);
}

#[test]
fn g3_action_fields_move_to_the_action_key_and_back_sqlite() {
    on_sqlite(fields_move_to_the_action_key_and_back);
}

#[test]
fn g3_action_fields_move_to_the_action_key_and_back_postgres() {
    on_postgres(fields_move_to_the_action_key_and_back);
}

#[test]
fn g2_privacy_records_and_receipts_become_scrubbable_and_back_sqlite() {
    on_sqlite(records_become_scrubbable_and_back);
}

#[test]
fn g2_privacy_records_and_receipts_become_scrubbable_and_back_postgres() {
    on_postgres(records_become_scrubbable_and_back);
}

#[test]
fn g3_action_fields_move_under_their_supporter_and_back_sqlite() {
    on_sqlite(fields_move_under_their_supporter_and_back);
}

#[test]
fn g3_action_fields_move_under_their_supporter_and_back_postgres() {
    on_postgres(fields_move_under_their_supporter_and_back);
}
