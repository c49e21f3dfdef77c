//! The database layer: one diesel `MultiConnection` over SQLite and PostgreSQL, chosen at
//! run time by `DATABASE_URL`; r2d2 pools; embedded migrations; `read` for queries and
//! `Writer::submit` for every supporter-data write, each a whole unit of work run in one
//! transaction off the async workers.
//!
//! This module knows nothing of the domain: it imports no module above it.

pub mod connection;
pub mod ids;
pub mod migrations;
pub mod schema;
mod writer;

pub use connection::{Backend, DbConnection, DbTarget};
pub use writer::{WriteMode, Writer};

use crate::error::AppError;
use connection::{Manager, WriteTuning};
use diesel::r2d2::Pool;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub type DbPool = Pool<Manager>;

/// Both pools and the writer; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub target: DbTarget,
    reads: DbPool,
    pub writer: Writer,
    checkouts: Arc<CheckoutCounter>,
}

/// Counts connections handed out by either pool: every read (`read`, `read_now`) and every
/// writer job checks one out, and nothing else in the process opens one after start-up, so a
/// request that leaves this unchanged did not touch the database (tests of the page cache).
#[derive(Debug, Default)]
struct CheckoutCounter(AtomicU64);

/// The pools' event handler, sharing the counter.
#[derive(Debug)]
struct CountCheckouts(Arc<CheckoutCounter>);

impl diesel::r2d2::HandleEvent for CountCheckouts {
    fn handle_checkout(&self, _event: diesel::r2d2::event::CheckoutEvent) {
        self.0 .0.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("{0}")]
    Target(String),
    #[error("cannot connect to the database at {target}: {message}")]
    Connect { target: String, message: String },
    #[error("database migrations failed: {0}")]
    Migrate(String),
}

/// How the database is driven, beyond where it is (`DATABASE_URL`).
#[derive(Clone, Debug)]
pub struct DbOptions {
    /// Connections in each pool (reads; on PostgreSQL also writes).
    pub pool_size: u32,
    /// SQLite `PRAGMA synchronous`.
    pub sqlite_synchronous: String,
    /// SQLite: the write connection's page cache, in MiB (0: SQLite's default, 2 MiB).
    pub sqlite_writer_cache_mib: u32,
    /// SQLite: WAL checkpoints on a thread of their own instead of inside commits.
    pub sqlite_background_checkpoint: bool,
    /// PostgreSQL: group commits like SQLite (one transaction, a savepoint per job) instead
    /// of one transaction per job.
    pub postgres_grouped_writes: bool,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            sqlite_synchronous: "FULL".to_owned(),
            sqlite_writer_cache_mib: 64,
            sqlite_background_checkpoint: true,
            postgres_grouped_writes: false,
        }
    }
}

/// SQLite's automatic checkpoint on the write connection when a background thread does
/// the work: only a backstop, at 16 times SQLite's default of 1,000 pages.
const BACKSTOP_AUTOCHECKPOINT_PAGES: u32 = 16_000;

impl Database {
    /// Connects, runs pending migrations, and builds the read pool and the writer.
    pub fn open(url: &str, options: &DbOptions) -> Result<Self, DbSetupError> {
        let target = DbTarget::parse(url, &options.sqlite_synchronous).map_err(DbSetupError::Target)?;
        target.prepare().map_err(DbSetupError::Target)?;
        let connect_error =
            |e: &dyn std::fmt::Display| DbSetupError::Connect { target: target.describe(), message: e.to_string() };
        // The first connection runs migrations, so the pools below see the whole schema.
        let mut first = target.connect().map_err(|e| connect_error(&e))?;
        migrations::run(&mut first).map_err(|e| DbSetupError::Migrate(e.to_string()))?;
        drop(first);

        let checkouts = Arc::new(CheckoutCounter::default());
        // The manager's health check (`SELECT 1`) on every checkout, on PostgreSQL only: a
        // network connection can break while pooled, a SQLite file handle cannot, and the
        // check cost 35-50 µs of each group commit (issue 7).
        let check = target.backend() == Backend::Postgres;
        let build = |size: u32, manager: Manager| {
            Pool::builder()
                .max_size(size)
                .test_on_check_out(check)
                .connection_timeout(std::time::Duration::from_secs(10))
                .event_handler(Box::new(CountCheckouts(Arc::clone(&checkouts))))
                .build(manager)
                .map_err(|e| connect_error(&e))
        };
        let reads = build(options.pool_size, Manager::new(target.clone(), true))?;
        let writer = match target.backend() {
            // SQLite allows one writer at a time: one write connection and one writer
            // thread, so writes queue instead of failing with SQLITE_BUSY.
            Backend::Sqlite => {
                let checkpointer =
                    options.sqlite_background_checkpoint.then(|| writer::Checkpointer::start(&target)).flatten();
                let tuning = WriteTuning {
                    cache_kib: options.sqlite_writer_cache_mib.saturating_mul(1024),
                    autocheckpoint_pages: checkpointer.as_ref().map(|_| BACKSTOP_AUTOCHECKPOINT_PAGES),
                    journal_in_memory: true,
                };
                let pool = build(1, Manager::writer(target.clone(), tuning))?;
                Writer::new(pool, WriteMode::Grouped { threads: 1 }, checkpointer.as_ref())
            }
            Backend::Postgres => {
                let pool = build(options.pool_size, Manager::writer(target.clone(), WriteTuning::default()))?;
                let mode = if options.postgres_grouped_writes {
                    // One thread per connection: groups commit side by side.
                    WriteMode::Grouped { threads: usize::try_from(options.pool_size).unwrap_or(1) }
                } else {
                    WriteMode::PerJob
                };
                Writer::new(pool, mode, None)
            }
        };
        Ok(Self { target, reads, writer, checkouts })
    }

    pub fn backend(&self) -> Backend {
        self.target.backend()
    }

    /// Connections checked out of either pool since start-up.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.0.load(Ordering::Relaxed)
    }

    /// Runs `f` on a read connection off the async workers.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.reads.clone();
        crate::telemetry::run_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
    }

    /// Runs `f` on a read connection on the current thread (CLI and start-up only).
    pub fn read_now<T>(&self, f: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut conn = self.reads.get()?;
        f(&mut conn)
    }
}

/// Runs an `INSERT … ON CONFLICT DO NOTHING` (or another query diesel's multi-backend
/// connection cannot express) on whichever backend this is: the one place where the
/// backends' query support differs.
pub fn execute_on_backend<Q>(conn: &mut DbConnection, query: Q) -> diesel::QueryResult<usize>
where
    Q: diesel::query_dsl::methods::ExecuteDsl<diesel::SqliteConnection>
        + diesel::query_dsl::methods::ExecuteDsl<diesel::PgConnection>,
{
    use diesel::query_dsl::methods::ExecuteDsl;
    match conn {
        DbConnection::Sqlite(c) => <Q as ExecuteDsl<diesel::SqliteConnection>>::execute(query, c),
        DbConnection::Postgresql(c) => <Q as ExecuteDsl<diesel::PgConnection>>::execute(query, c),
    }
}

/// PostgreSQL: plans this transaction's statements with the tables as they are now (`SET
/// LOCAL plan_cache_mode = force_custom_plan`); nothing on SQLite. A bulk load grows tables
/// from nothing, and a prepared statement's generic plan made while `core_user` was empty
/// goes on scanning it whole: an import into a fresh database slowed from 9,000 rows/s at
/// 20,000 rows to 1,100 at 200,000 (issue 8). Planning each statement costs far less.
pub fn plan_with_current_sizes(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use diesel::connection::SimpleConnection as _;
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgresql(c) => c.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan"),
    }
}

diesel::define_sql_function! {
    /// SQLite's id of the row the connection inserted last.
    #[sql_name = "last_insert_rowid"]
    fn sqlite_last_insert_rowid() -> diesel::sql_types::BigInt;
}

/// The id of the row `conn` inserted last (SQLite), by a statement that stays prepared.
pub fn last_insert_rowid(conn: &mut diesel::SqliteConnection) -> diesel::QueryResult<i64> {
    use diesel::RunQueryDsl as _;
    diesel::select(sqlite_last_insert_rowid()).get_result(conn)
}

/// Runs an `INSERT` of one row (a diesel insert statement) on a [`DbConnection`] and gives
/// its id (`$id`, the table's id column): `RETURNING` on PostgreSQL; on SQLite the insert
/// alone, then [`last_insert_rowid`]. SQLite runs `RETURNING` as a trigger, and a statement
/// with a trigger opens a statement journal: inside the writer's savepoints that cost
/// 3–7 µs per insert and grew with the savepoint (issues 7 and 8). On the backend's own
/// connection both statements also stay prepared.
macro_rules! insert_returning_id {
    ($conn:expr, $insert:expr, $id:expr) => {{
        use diesel::RunQueryDsl as _;
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => {
                $insert.execute(&mut *c).and_then(|_| $crate::db::last_insert_rowid(c))
            }
            $crate::db::DbConnection::Postgresql(c) => $insert.returning($id).get_result::<i64>(c),
        }
    }};
}
pub(crate) use insert_returning_id;

/// A time to bind into `Timestamp` columns, formatted once: SQLite stores timestamps as
/// text, and diesel formats a `NaiveDateTime` again for every bind, which was 6 % of an
/// import whose rows all carry the chunk's time (issue 8). PostgreSQL binds it as usual.
#[derive(Debug, Clone, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
pub struct Stamp {
    at: chrono::NaiveDateTime,
    /// As diesel writes it for SQLite (`%F %T%.f`), so stored text is the same either way.
    text: String,
}

impl Stamp {
    pub fn new(at: chrono::NaiveDateTime) -> Self {
        Self { at, text: at.format("%F %T%.f").to_string() }
    }

    pub fn at(&self) -> chrono::NaiveDateTime {
        self.at
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for Stamp {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
    ) -> diesel::serialize::Result {
        out.set_value(self.text.as_str());
        Ok(diesel::serialize::IsNull::No)
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>) -> diesel::serialize::Result {
        diesel::serialize::ToSql::<diesel::sql_types::Timestamp, diesel::pg::Pg>::to_sql(&self.at, out)
    }
}
