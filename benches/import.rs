//! CSV import benchmark (issue 8): a generated 1,000,000-row CSV (override with
//! `IMPORT_ROWS`) imported into an import page on a fresh SQLite database through the real
//! path — `imports::create` (check, blank forgotten rows, store) then `imports::run`
//! (every row through the engine in its own savepoint, one transaction per chunk).
//! Prints each phase's time, rows/s and the process's peak memory (VmHWM).
//!
//! Run: `cargo bench --bench import` (or `IMPORT_ROWS=100000 cargo bench --bench import`).
//! `IMPORT_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres` runs it on a fresh
//! PostgreSQL database made (and dropped at the end) beside that one instead.

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

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(|_| "unknown".into(), |l| l.trim().to_owned())
}

/// A fresh PostgreSQL database beside the one `server_url` names: its URL, and a guard that
/// drops it.
fn postgres_database(server_url: &str) -> (String, impl Drop) {
    use diesel::connection::SimpleConnection as _;
    use diesel::Connection as _;
    struct DropDatabase(String, String);
    impl Drop for DropDatabase {
        fn drop(&mut self) {
            if let Ok(mut c) = diesel::PgConnection::establish(&self.0) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.1));
            }
        }
    }
    let name = format!("placard_bench_import_{}", std::process::id());
    let mut admin = diesel::PgConnection::establish(server_url).expect("PostgreSQL server");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the benchmark database");
    let base = server_url.rsplit_once('/').map_or(server_url, |(base, _)| base);
    (format!("{base}/{name}"), DropDatabase(server_url.to_owned(), name))
}

fn main() {
    let rows: usize = std::env::var("IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let postgres = std::env::var("IMPORT_POSTGRES_URL").ok().map(|url| postgres_database(&url));
    println!("load average at start: {}", load_average());
    let config = Config {
        database_url: postgres
            .as_ref()
            .map_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()), |(url, _)| url.clone()),
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
    // `IMPORT_CHUNK_ROWS` tries another chunk size through the same `Runner` steps that
    // `run_now` takes (the default is `run_now` itself).
    let upload = match std::env::var("IMPORT_CHUNK_ROWS").ok().and_then(|v| v.parse::<usize>().ok()) {
        Some(chunk_rows) => {
            println!("chunk size: {chunk_rows} rows");
            let now = || chrono::Utc::now().naive_utc();
            let mut runner = state
                .db
                .writer
                .submit_now(|c| imports::Runner::open(c, id, "bench", now()))
                .expect("claim")
                .expect("ours");
            while state.db.writer.submit_now(|c| runner.step(c, &state.engine, chunk_rows, now())).expect("step")
                != imports::Step::Done
            {}
            state.db.read_now(|c| Ok(imports::store::find(c, id)?)).expect("read").expect("upload")
        }
        None => {
            imports::run::run_now(&state.db, &state.engine, id, "bench", |_| {}).expect("import runs").expect("ours")
        }
    };
    let ran = started.elapsed();
    assert_eq!(upload.ok_rows, i64::try_from(rows).unwrap_or(i64::MAX), "every row imported");
    let total = stored + ran;
    println!("processed {} rows in {ran:.2?}: {:.0} rows/s", upload.processed_rows, rows as f64 / ran.as_secs_f64());
    println!("end to end (check + store + process): {total:.2?}: {:.0} rows/s", rows as f64 / total.as_secs_f64());
    match peak_memory_mb() {
        Some(mb) => println!("peak memory (VmHWM): {mb:.0} MB"),
        None => println!("peak memory: /proc/self/status not readable"),
    }
    println!("load average at end: {}", load_average());
    drop(state);
    drop(postgres);
}
