//! The writer's settings other than the defaults the rest of the suite runs with (DESIGN
//! "group commit", issue 10): PostgreSQL with grouped writes (one transaction, a savepoint
//! per job) keeps a failing job's writes out alone; SQLite's background checkpointer copies
//! committed pages into the database file without the writer's own checkpoint.

use crate::helpers::{test_config, Backend, TestDb};
use diesel::prelude::*;
use placard::db::schema::core_list;
use placard::{AppState, Config};

/// The app state on a fresh database with `config` applied; `None` when the backend is not
/// configured (PostgreSQL).
fn open(backend: Backend, config: impl FnOnce(Config) -> Config) -> Option<(TestDb, AppState)> {
    placard::telemetry::init();
    let (db, url) = TestDb::create(backend)?;
    let state = AppState::open(config(test_config(url))).expect("app state opens");
    Some((db, state))
}

/// Sixty jobs at once, every third failing after its insert: the others' lists remain,
/// none of the failed ones'.
async fn failing_jobs_roll_back_alone(state: &AppState) {
    crate::writer::sixty_jobs_every_third_failing(state).await;
    let names: Vec<String> = state
        .db
        .read_now(|c| Ok(core_list::table.filter(core_list::name.like("list %")).select(core_list::name).load(c)?))
        .expect("lists");
    assert_eq!(names.len(), 40, "the 40 that succeeded, none of the 20 that failed");
    assert!(names.iter().all(|n| n.trim_start_matches("list ").parse::<usize>().expect("number") % 3 != 0));
}

#[actix_web::test]
async fn a10_grouped_postgres_writes_roll_back_a_failing_job_alone_or_taken_alone() {
    let Some((_db, state)) = open(Backend::Postgres, |c| Config { postgres_grouped_writes: true, ..c }) else {
        return;
    };
    failing_jobs_roll_back_alone(&state).await;
    crate::writer::jobs_one_at_a_time_the_second_failing(&state).await;
}

#[actix_web::test]
async fn a10_sqlite_with_checkpoints_inline_rolls_back_a_failing_job_alone() {
    let (_db, state) =
        open(Backend::Sqlite, |c| Config { sqlite_background_checkpoint: false, sqlite_writer_cache_mib: 0, ..c })
            .expect("sqlite");
    failing_jobs_roll_back_alone(&state).await;
}

#[actix_web::test]
async fn a10_sqlite_background_checkpointer_moves_commits_into_the_database_file() {
    let (db, state) = open(Backend::Sqlite, |c| Config { sqlite_background_checkpoint: true, ..c }).expect("sqlite");
    let TestDb::Sqlite(dir) = &db else { unreachable!("a SQLite test database") };
    let file = dir.path().join("placard.db");
    let size = || std::fs::metadata(&file).expect("database file").len();
    let before = size();
    // About 400 KB in 20 commits: far below the writer's own checkpoint (16,000 pages), so
    // only the background thread can have copied them into the file.
    for batch in 0..20 {
        state
            .db
            .writer
            .submit(move |c| {
                for i in 0..20 {
                    let name = format!("list {batch}-{i} {}", "x".repeat(1000));
                    placard::people::store::insert_list(c, &name, false, chrono::Utc::now().naive_utc())?;
                }
                Ok(())
            })
            .await
            .expect("commit");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while size() < before + 300_000 {
        assert!(std::time::Instant::now() < deadline, "the database file did not grow: {before} → {} bytes", size());
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let count: i64 = state
        .db
        .read_now(|c| Ok(core_list::table.filter(core_list::name.like("list %")).count().get_result(c)?))
        .expect("count");
    assert_eq!(count, 400);
}
