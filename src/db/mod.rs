//! The database layer: one diesel `MultiConnection` over SQLite and PostgreSQL, chosen at
//! run time by `DATABASE_URL`; r2d2 pools; embedded migrations; `read` for queries and
//! `Writer::submit` for every supporter-data write, each a whole unit of work run in one
//! transaction off the async workers.
//!
//! This module knows nothing of the domain: it imports no module above it.

pub mod connection;
pub mod migrations;
pub mod schema;
mod writer;

pub use connection::{Backend, DbConnection, DbTarget};
pub use writer::Writer;

use crate::error::AppError;
use connection::Manager;
use diesel::r2d2::Pool;

pub type DbPool = Pool<Manager>;

/// Both pools and the writer; cheap to clone.
#[derive(Clone)]
pub struct Database {
    pub target: DbTarget,
    reads: DbPool,
    pub writer: Writer,
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

impl Database {
    /// Connects, runs pending migrations, and builds the read pool and the writer.
    pub fn open(url: &str, pool_size: u32, sqlite_synchronous: &str) -> Result<Self, DbSetupError> {
        let target = DbTarget::parse(url, sqlite_synchronous).map_err(DbSetupError::Target)?;
        target.prepare().map_err(DbSetupError::Target)?;
        let connect_error =
            |e: &dyn std::fmt::Display| DbSetupError::Connect { target: target.describe(), message: e.to_string() };
        // The first connection runs migrations, so the pools below see the whole schema.
        let mut first = target.connect().map_err(|e| connect_error(&e))?;
        migrations::run(&mut first).map_err(|e| DbSetupError::Migrate(e.to_string()))?;
        drop(first);

        let build = |size: u32, read_only: bool| {
            Pool::builder()
                .max_size(size)
                .connection_timeout(std::time::Duration::from_secs(10))
                .build(Manager::new(target.clone(), read_only))
                .map_err(|e| connect_error(&e))
        };
        let reads = build(pool_size, true)?;
        // SQLite allows one writer at a time: one write connection, so writes queue in
        // the pool instead of failing with SQLITE_BUSY.
        let write_size = match target.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => pool_size,
        };
        let writer = Writer::new(build(write_size, false)?, target.backend() == Backend::Sqlite);
        Ok(Self { target, reads, writer })
    }

    pub fn backend(&self) -> Backend {
        self.target.backend()
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
