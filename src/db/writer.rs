//! `Writer`: the one door for supporter-data writes. A job is a closure run inside one
//! transaction on a write connection, off the async workers; its result is answered only
//! after the commit that holds it.
//!
//! On SQLite, writes are bounded by fsync, not CPU, so one writer thread owns the only
//! write connection and commits in groups: it takes the jobs queued so far (up to
//! `MAX_BATCH`), runs each in its own SAVEPOINT inside one transaction, commits once, then
//! answers every job. A job that fails rolls back its savepoint alone and answers its own
//! error; if the commit fails, every job in the group gets that error. The queue is
//! bounded: when it is full, callers get `Unavailable` (503) instead of waiting without end.
//! On PostgreSQL each job runs on a pooled connection in its own transaction (PostgreSQL
//! groups commits itself). Callers never know which.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use super::{DbConnection, DbPool};
use crate::error::AppError;
use diesel::Connection as _;

/// Jobs committed together at most.
const MAX_BATCH: usize = 256;
/// Jobs waiting at most before new ones are refused with 503.
const QUEUE_CAPACITY: usize = 4096;

/// A job's work, then (after the group's commit) its answer: `true` when committed.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
type Job = Box<dyn FnOnce(&mut DbConnection) -> Reply + Send>;

#[derive(Clone)]
pub struct Writer {
    pool: DbPool,
    /// Present on SQLite: the queue of the group-commit thread.
    queue: Option<Arc<SyncSender<Job>>>,
}

impl Writer {
    pub(super) fn new(pool: DbPool, group_commit: bool) -> Self {
        if !group_commit {
            return Self { pool, queue: None };
        }
        let (tx, rx) = sync_channel::<Job>(QUEUE_CAPACITY);
        let thread_pool = pool.clone();
        let spawned = std::thread::Builder::new().name("placard-writer".into()).spawn(move || run(&thread_pool, &rx));
        match spawned {
            Ok(_) => Self { pool, queue: Some(Arc::new(tx)) },
            // Without a thread, jobs still run one transaction each.
            Err(e) => {
                tracing::error!(error = %e, "could not start the writer thread; committing one job at a time");
                Self { pool, queue: None }
            }
        }
    }

    /// Runs `job` in one transaction (a savepoint of a group commit on SQLite); an `Err`
    /// rolls all of it back. Answers after the commit that holds it.
    pub async fn submit<T, F>(&self, job: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let Some(queue) = &self.queue else {
            let pool = self.pool.clone();
            return crate::telemetry::run_blocking(move || {
                let mut conn = pool.get()?;
                DbConnection::transaction(&mut conn, job)
            })
            .await;
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<Result<T, AppError>>();
        let boxed: Job = Box::new(move |conn: &mut DbConnection| -> Reply {
            // The job's own savepoint: diesel runs a nested transaction as one.
            match DbConnection::transaction(conn, job) {
                Ok(value) => Box::new(move |committed: Result<(), String>| {
                    let _ = tx.send(committed.map(|()| value).map_err(AppError::Internal));
                }),
                Err(e) => Box::new(move |_| {
                    let _ = tx.send(Err(e));
                }),
            }
        });
        // Counted before it can be taken, so the depth never reads below zero.
        crate::metrics::writer_queued();
        match queue.try_send(boxed) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                crate::metrics::writer_dequeued(1);
                return Err(AppError::Unavailable);
            }
            Err(TrySendError::Disconnected(_)) => return Err(AppError::internal("the writer thread stopped")),
        }
        rx.await.map_err(|_| AppError::internal("the writer dropped a job"))?
    }

    /// The same on the current thread, for the CLI and start-up (no async runtime needed).
    pub fn submit_now<T>(&self, job: impl FnOnce(&mut DbConnection) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut conn = self.pool.get()?;
        DbConnection::transaction(&mut conn, job)
    }
}

/// The group-commit loop: wait for a job, take what else is queued, run them all in one
/// transaction, commit, answer.
fn run(pool: &DbPool, rx: &Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        crate::metrics::writer_dequeued(batch.len());
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let committed = match pool.get() {
            Ok(mut conn) => DbConnection::transaction::<_, diesel::result::Error, _>(&mut conn, |c| {
                for job in batch.drain(..) {
                    replies.push(job(c));
                }
                Ok(())
            })
            .map_err(|e| format!("commit failed: {e}")),
            Err(e) => Err(format!("no write connection: {e}")),
        };
        crate::metrics::writer_committed(replies.len() + batch.len(), committed.is_ok());
        if let Err(e) = &committed {
            tracing::error!(error = %e, jobs = replies.len() + batch.len(), "group commit failed");
        }
        // Jobs that never ran (no connection) are dropped: their callers get an error.
        drop(batch);
        for reply in replies {
            reply(committed.clone());
        }
    }
}
