//! CSV import benchmark (issue 8): a generated 1,000,000-row CSV (override with
//! `IMPORT_ROWS`) imported into an import page on a fresh SQLite database through the real
//! path — `imports::create` (check, blank forgotten rows, store) then `imports::run`
//! (every row through `engine::process` in its own savepoint, one transaction per chunk).
//! Prints each phase's time, rows/s and the process's peak memory (VmHWM).
//!
//! Run: `cargo bench --bench import` (or `IMPORT_ROWS=100000 cargo bench --bench import`).

// Row counts shown as rates: far below f64's exact range.
#![allow(clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::time::Instant;

use placard::imports::{self, UploadRequest};
use placard::pages::{NewPage, PageType};
use placard::{AppState, Config};

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let rows: usize = std::env::var("IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        database_url: format!("sqlite://{}", dir.path().join("bench.db").display()),
        secret: Some("benchmark secret, long enough to key every MAC".into()),
        ..Config::default()
    };
    let state = AppState::open(config).expect("app opens");
    // An experiment, off by default: a larger SQLite page cache on the write connection
    // (`IMPORT_CACHE_MB=64`), to see how much of the slowdown on large tables is cache misses.
    if let Some(mb) = std::env::var("IMPORT_CACHE_MB").ok().and_then(|v| v.parse::<i64>().ok()) {
        use diesel::RunQueryDsl as _;
        let pragma = format!("PRAGMA cache_size = -{}", mb * 1024);
        state.db.writer.submit_now(|c| Ok(diesel::sql_query(pragma).execute(c)?)).expect("pragma");
        println!("write connection page cache: {mb} MB");
    }
    let now = chrono::Utc::now().naive_utc();
    state
        .db
        .writer
        .submit_now(|c| {
            let list = placard::people::store::insert_list(c, "main", true, now)?;
            let page = NewPage {
                name: "bench-import".into(),
                title: "Bench".into(),
                page_type: Some(PageType::Import),
                lang: "en".into(),
                list_id: list.0,
                ..NewPage::default()
            };
            Ok(placard::pages::store::insert(c, &page, now)?)
        })
        .expect("page");

    let started = Instant::now();
    let mut csv = String::with_capacity(rows * 80);
    csv.push_str("email,first_name,last_name,zip,city,action_comment\n");
    for n in 0..rows {
        let _ =
            writeln!(csv, "supporter{n}@example.org,First{n},Last{n},{:05},Springfield,imported row {n}", n % 100_000);
    }
    let bytes = csv.len();
    println!("generated {rows} rows ({:.1} MB) in {:.2?}", bytes as f64 / 1e6, started.elapsed());

    let started = Instant::now();
    let request = UploadRequest { page: "bench-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&state.db, &request, csv.into_bytes(), "bench").expect("upload stored");
    let stored = started.elapsed();
    println!("checked and stored the upload in {stored:.2?}");

    let started = Instant::now();
    let upload =
        imports::run::run_now(&state.db, &state.engine, id, "bench", |_| {}).expect("import runs").expect("ours");
    let ran = started.elapsed();
    assert_eq!(upload.ok_rows, i64::try_from(rows).unwrap_or(i64::MAX), "every row imported");
    let total = stored + ran;
    println!("processed {} rows in {ran:.2?}: {:.0} rows/s", upload.processed_rows, rows as f64 / ran.as_secs_f64());
    println!("end to end (check + store + process): {total:.2?}: {:.0} rows/s", rows as f64 / total.as_secs_f64());
    match peak_memory_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.0} MB"),
        None => println!("peak memory: /proc/self/status not readable"),
    }
}
