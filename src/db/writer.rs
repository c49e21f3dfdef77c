//! `Writer`: the one door for supporter-data writes. A job is a closure run inside one
//! transaction on a write connection, off the async workers; its result is answered only
//! after the commit that holds it.
//!
//! Two ways to commit, chosen per backend by [`WriteMode`]:
//! - grouped (always on SQLite, optional on PostgreSQL): writer threads share one bounded
//!   queue; each takes the jobs queued so far (up to `MAX_BATCH`), runs each in its own
//!   SAVEPOINT inside one transaction, commits once, then answers every job. A job that
//!   fails rolls back its savepoint alone and answers its own error; if the commit fails,
//!   every job in the group gets that error. A job taken alone runs in the transaction
//!   itself, without a savepoint: SQLite copies every page a savepoint first changes into
//!   its journal, which was a fifth of a forget's work (issue 7), and with no other job to
//!   keep, a failure rolls back the whole transaction instead. When the queue is full, callers get
//!   `Unavailable` (503) instead of waiting without end. SQLite has one such thread (it
//!   allows one writer), and its commits are bounded by fsync, so grouping is what lifts
//!   the rate.
//! - one transaction per job on a pooled connection (PostgreSQL's default: it measured
//!   faster, since PostgreSQL groups concurrent commits itself and savepoints cost round
//!   trips).
//!
//! On SQLite a [`Checkpointer`] thread copies the WAL back into the database file on a
//! connection of its own after commits, so the writer's commits do not pay for it.
//! Callers never know any of this.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use super::{DbConnection, DbPool, DbTarget};
use crate::error::AppError;
use diesel::connection::SimpleConnection as _;
use diesel::Connection as _;

/// Jobs committed together at most.
const MAX_BATCH: usize = 256;
/// Jobs waiting at most before new ones are refused with 503.
const QUEUE_CAPACITY: usize = 4096;

/// A job's answer, given the group's commit: `Ok` when committed.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A job's work in the group's transaction, in a savepoint of its own when [`Scope::Shared`].
type Job = Box<dyn FnOnce(&mut DbConnection, Scope) -> Ran + Send>;

/// Whether a job shares its transaction with other jobs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Other jobs commit with it: it runs in a savepoint, so its failure undoes only its own work.
    Shared,
    /// It is the only job: it runs in the transaction itself, and its failure rolls it back.
    Alone,
}

/// What running a job left: its answer, and whether its work failed (and was undone, or
/// must be, when it ran alone).
struct Ran {
    reply: Reply,
    failed: bool,
}

/// How the writer commits jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Each job in its own transaction on a pooled connection.
    PerJob,
    /// `threads` writer threads, each committing what is queued in one transaction, a
    /// savepoint per job.
    Grouped { threads: usize },
}

#[derive(Clone)]
pub struct Writer {
    pool: DbPool,
    /// Present when grouping: the queue the writer threads take from.
    queue: Option<Arc<SyncSender<Job>>>,
}

impl Writer {
    pub(super) fn new(pool: DbPool, mode: WriteMode, checkpointer: Option<&Checkpointer>) -> Self {
        let WriteMode::Grouped { threads } = mode else {
            return Self { pool, queue: None };
        };
        let (tx, rx) = sync_channel::<Job>(QUEUE_CAPACITY);
        let rx = Arc::new(Mutex::new(rx));
        let mut started = 0;
        for n in 0..threads.max(1) {
            let (thread_pool, rx, checkpointer) = (pool.clone(), Arc::clone(&rx), checkpointer.cloned());
            let spawned = std::thread::Builder::new()
                .name(format!("placard-writer-{n}"))
                .spawn(move || run(&thread_pool, &rx, checkpointer.as_ref()));
            match spawned {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "could not start a writer thread"),
            }
        }
        if started == 0 {
            // Without a thread, jobs still run one transaction each.
            tracing::error!("no writer thread started; committing one job at a time");
            return Self { pool, queue: None };
        }
        Self { pool, queue: Some(Arc::new(tx)) }
    }

    /// Runs `job` in one transaction (a savepoint of a group commit when grouping); an
    /// `Err` rolls all of it back. Answers after the commit that holds it.
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
        let boxed: Job = Box::new(move |conn: &mut DbConnection, scope: Scope| -> Ran {
            let result = match scope {
                // The job's own savepoint: diesel runs a nested transaction as one.
                Scope::Shared => DbConnection::transaction(conn, job),
                Scope::Alone => job(conn),
            };
            match result {
                Ok(value) => Ran {
                    reply: Box::new(move |committed: Result<(), String>| {
                        let _ = tx.send(committed.map(|()| value).map_err(AppError::Internal));
                    }),
                    failed: false,
                },
                Err(e) => Ran {
                    reply: Box::new(move |_| {
                        let _ = tx.send(Err(e));
                    }),
                    failed: true,
                },
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

/// The jobs queued so far, up to `MAX_BATCH`, waiting for the first; `None` when the
/// queue is closed. The lock is held while waiting, so one thread at a time gathers.
fn next_batch(rx: &Mutex<Receiver<Job>>) -> Option<Vec<Job>> {
    let rx = rx.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let first = rx.recv().ok()?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// The group-commit loop: wait for a job, take what else is queued, run them all in one
/// transaction, commit, answer.
fn run(pool: &DbPool, rx: &Mutex<Receiver<Job>>, checkpointer: Option<&Checkpointer>) {
    while let Some(mut batch) = next_batch(rx) {
        crate::metrics::writer_dequeued(batch.len());
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let scope = if batch.len() == 1 { Scope::Alone } else { Scope::Shared };
        let committed = match pool.get() {
            Ok(mut conn) => {
                let outcome = DbConnection::transaction::<_, diesel::result::Error, _>(&mut conn, |c| {
                    for job in batch.drain(..) {
                        let ran = job(c, scope);
                        replies.push(ran.reply);
                        if ran.failed && scope == Scope::Alone {
                            return Err(diesel::result::Error::RollbackTransaction);
                        }
                    }
                    Ok(())
                });
                match outcome {
                    // The lone job failed and its work is rolled back; its answer is its error.
                    Err(diesel::result::Error::RollbackTransaction) if scope == Scope::Alone => Ok(()),
                    other => other.map_err(|e| format!("commit failed: {e}")),
                }
            }
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
        if let Some(checkpointer) = checkpointer {
            checkpointer.nudge();
        }
    }
}

/// SQLite's WAL checkpoints off the commit path: a thread with its own connection runs
/// `PRAGMA wal_checkpoint(PASSIVE)` after commits (nudges while it works are merged into
/// one more pass). PASSIVE never blocks the writer; the writer's own automatic checkpoint
/// stays on at a larger size as a backstop, should this thread fall behind.
///
/// Each pass first pins a read snapshot at the WAL's end (a [`WalPin`]) and holds it until
/// the next pass, so the next commit appends to the WAL instead of starting it over: a
/// commit that starts the WAL over syncs its header before its frames, a second fsync that
/// cost 0.15-0.4 ms of every forget's commit when each was checkpointed before the next
/// (issue 7). Past [`WalPin::RESTART_FRAMES`] no snapshot is held, and the WAL starts over
/// at the first commit that finds it wholly copied. Under sustained writes where each pass
/// is slower than the commits between passes (back-to-back forgets), that moment does not
/// come until the writer's backstop checkpoint (`BACKSTOP_AUTOCHECKPOINT_PAGES`) copies the
/// rest inside a commit, which that commit pays for.
#[derive(Clone)]
pub struct Checkpointer {
    nudges: SyncSender<()>,
}

impl Checkpointer {
    /// Starts the thread; `None` (and the writer checkpoints as SQLite does by default)
    /// when it cannot connect or start.
    pub(super) fn start(target: &DbTarget) -> Option<Self> {
        let connected = target.connect().and_then(|conn| Ok((conn, target.connect()?)));
        let (mut conn, pin) = match connected {
            Ok(conns) => conns,
            Err(e) => {
                tracing::error!(error = %e, "no checkpoint connection; commits checkpoint themselves");
                return None;
            }
        };
        let (nudges, rx) = sync_channel::<()>(1);
        let spawned = std::thread::Builder::new().name("placard-checkpointer".into()).spawn(move || {
            let mut pin = WalPin { conn: pin, held: false, wal_frames: 0 };
            while rx.recv().is_ok() {
                pin.renew();
                match wal_checkpoint(&mut conn) {
                    Ok(frames) => pin.wal_frames = frames,
                    Err(e) => tracing::warn!(error = %e, "background WAL checkpoint failed; the next commit retries"),
                }
            }
        });
        match spawned {
            Ok(_) => Some(Self { nudges }),
            Err(e) => {
                tracing::error!(error = %e, "could not start the checkpoint thread; commits checkpoint themselves");
                None
            }
        }
    }

    fn nudge(&self) {
        // Full: a pass is already due, which will include this commit.
        let _ = self.nudges.try_send(());
    }
}

/// A read transaction held on a connection of its own between checkpoints. SQLite starts
/// the WAL over at a commit only when every frame is checkpointed and no reader is using
/// the WAL; a snapshot taken before the checkpoint holds a read mark in the WAL until it
/// ends, so the commits in between append. A PASSIVE checkpoint copies frames up to the
/// oldest snapshot, which is this one: everything committed when the pass began.
struct WalPin {
    conn: DbConnection,
    held: bool,
    /// Frames in the WAL after the last checkpoint.
    wal_frames: i64,
}

impl WalPin {
    /// The WAL's length (16 MiB of 4 KiB pages) past which it is let start over.
    const RESTART_FRAMES: i64 = 4096;

    /// Ends the snapshot held, then (unless the WAL is long enough to start over) takes one
    /// at the WAL's end. Failing only costs the header sync it saves, so it is not reported.
    fn renew(&mut self) {
        if self.held {
            self.held = false;
            if self.conn.batch_execute("COMMIT;").is_err() {
                return;
            }
        }
        if self.wal_frames < Self::RESTART_FRAMES {
            // Reading a page is what takes the snapshot; `BEGIN` alone does not.
            self.held = self.conn.batch_execute("BEGIN; SELECT 1 FROM sqlite_schema LIMIT 1;").is_ok();
            if !self.held {
                let _ = self.conn.batch_execute("ROLLBACK;");
            }
        }
    }
}

/// Runs a PASSIVE checkpoint; the frames in the WAL, as SQLite reports them.
fn wal_checkpoint(conn: &mut DbConnection) -> diesel::QueryResult<i64> {
    use diesel::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Checkpointed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        log: i64,
    }
    diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<Checkpointed>(conn).map(|c| c.log)
}

#[cfg(test)]
mod tests {
    use super::{wal_checkpoint, WalPin};
    use crate::db::{DbConnection, DbTarget};
    use diesel::connection::SimpleConnection as _;

    fn commit(conn: &mut DbConnection) {
        conn.batch_execute("INSERT INTO t (v) VALUES (randomblob(100));").expect("insert");
    }

    /// A10 (issue 7): a commit, then (as the checkpointer does) the pin renewed and a
    /// checkpoint. While a pin is held the next commit appends to the WAL; without one, or
    /// once the WAL is past `RESTART_FRAMES`, the commit after a complete checkpoint starts
    /// the WAL over.
    #[test]
    fn a10_a_pinned_snapshot_keeps_commits_appending_to_the_wal_until_it_is_long() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target =
            DbTarget::parse(&format!("sqlite://{}", dir.path().join("pin.db").display()), "FULL").expect("target");
        let mut writer = target.connect().expect("writer");
        let mut checkpoint = target.connect().expect("checkpointer");
        writer.batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);").expect("table");
        let mut pin = WalPin { conn: target.connect().expect("pin"), held: false, wal_frames: 0 };

        // No pin: every frame is checkpointed, so the next commit starts the WAL over.
        commit(&mut writer);
        let first = wal_checkpoint(&mut checkpoint).expect("checkpoint");
        commit(&mut writer);
        let restarted = wal_checkpoint(&mut checkpoint).expect("checkpoint");
        assert!(restarted <= first, "without a pin the WAL starts over ({first} then {restarted} frames)");

        // Pinned before each checkpoint: the commits after the first append.
        commit(&mut writer);
        pin.renew();
        let mut frames = wal_checkpoint(&mut checkpoint).expect("checkpoint");
        for _ in 0..3 {
            commit(&mut writer);
            pin.renew();
            assert!(pin.held, "the pin takes a snapshot");
            let longer = wal_checkpoint(&mut checkpoint).expect("checkpoint");
            assert!(longer > frames, "with a pin the WAL grows ({frames} then {longer} frames)");
            frames = longer;
        }

        // Past the bound, the pin is let go and the WAL starts over.
        pin.wal_frames = WalPin::RESTART_FRAMES;
        commit(&mut writer);
        pin.renew();
        assert!(!pin.held, "no snapshot once the WAL is long");
        let released = wal_checkpoint(&mut checkpoint).expect("checkpoint");
        commit(&mut writer);
        let after = wal_checkpoint(&mut checkpoint).expect("checkpoint");
        assert!(after < released, "the WAL starts over past the bound ({released} then {after} frames)");
    }
}
