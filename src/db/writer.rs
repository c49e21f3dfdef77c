//! `Writer`: the one door for supporter-data writes. A job is a closure run inside one
//! transaction on a write connection, off the async workers; its result is answered only
//! after the commit that holds it.
//!
//! Today each job is its own transaction (on SQLite the pool has one connection, so jobs
//! queue there). Group commit (many jobs per fsync, each in its own SAVEPOINT) comes
//! behind this same signature; callers never know which.

use super::{DbConnection, DbPool};
use crate::error::AppError;
use diesel::Connection as _;

#[derive(Clone)]
pub struct Writer {
    pool: DbPool,
}

impl Writer {
    pub(super) fn new(pool: DbPool) -> Self {
        Self { pool }
    }

    /// Runs `job` in one transaction; an `Err` rolls all of it back.
    pub async fn submit<T, F>(&self, job: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        crate::telemetry::run_blocking(move || {
            let mut conn = pool.get()?;
            DbConnection::transaction(&mut conn, job)
        })
        .await
    }

    /// The same on the current thread, for the CLI and start-up (no async runtime needed).
    pub fn submit_now<T>(&self, job: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut conn = self.pool.get()?;
        DbConnection::transaction(&mut conn, job)
    }
}
