//! The mail worker: claims due outbox rows and delivers them over SMTP, one loop per server
//! process. It wakes when nudged ([`MailWorker::wake`], after an action that queued mail
//! commits) and every [`TICK`] for retries and for rows other servers queued. Claims make it
//! safe with many servers on one PostgreSQL (SPEC O4). Without `PLACARD_SMTP_URL` it does
//! not run: mail stays queued and visible in the outbox.
//!
//! Logs name outbox ids and counts only, never an address, a subject or a body.

use actix_web::web;
use chrono::{Duration, Utc};
use std::sync::Arc;
use tokio::sync::Notify;

use super::smtp::Mailer;
use super::store::{self, Failure};
use crate::app::AppState;
use crate::db::Database;
use crate::error::AppError;

/// How often the worker looks for due mail without being nudged.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(5);
/// Rows claimed at once; a full batch is followed by another pass straight away.
const BATCH: usize = 20;

/// A handle on one process's worker: cheap to clone; `wake` from any thread.
#[derive(Clone)]
pub struct MailWorker {
    notify: Arc<Notify>,
    id: Arc<str>,
}

impl Default for MailWorker {
    fn default() -> Self {
        Self::new()
    }
}

impl MailWorker {
    /// A handle with a fresh claim name (`placard-<pid>-<random>`), so that the claims of
    /// servers sharing a database are told apart.
    pub fn new() -> Self {
        use rand::Rng as _;
        let tag: u32 = rand::thread_rng().gen();
        Self { notify: Arc::new(Notify::new()), id: format!("placard-{}-{tag:08x}", std::process::id()).into() }
    }

    /// Nudges the loop to look for due mail now (call after a commit that queued mail). A
    /// nudge while it is busy is kept for its next wait; a nudge with no worker running is
    /// harmless.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// The name this worker writes into `claimed_by`.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Starts the delivery loop (one per server process) driven by `handle` when `PLACARD_SMTP_URL` is set; whether it
/// runs. Keep `handle` to [`MailWorker::wake`] it.
pub fn start_with(state: web::Data<AppState>, handle: MailWorker) -> bool {
    let Some(url) = state.config.smtp_url.clone() else {
        tracing::info!("mail: PLACARD_SMTP_URL is not set; mail stays queued in the outbox");
        return false;
    };
    let mailer = match Mailer::new(&url, &state.config.mail_from) {
        Ok(mailer) => mailer,
        Err(e) => {
            tracing::error!(error = %e, "mail: delivery is off");
            return false;
        }
    };
    actix_web::rt::spawn(run(state, handle, mailer));
    true
}

async fn run(state: web::Data<AppState>, handle: MailWorker, mailer: Mailer) {
    tracing::info!(worker = handle.id(), "mail: delivery worker started");
    loop {
        match deliver_due(&state.db, &mailer, handle.id()).await {
            Ok(pass) if pass.claimed >= BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail: delivery pass failed; retrying at the next tick"),
        }
        // Either a nudge or the tick ends the wait; which one does not matter.
        let _ = tokio::time::timeout(TICK, handle.notify.notified()).await;
    }
}

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub skipped: usize,
    pub reclaimed: usize,
}

/// One pass: re-queues claims of dead servers, claims up to a batch of due rows for
/// `worker`, and delivers each (the blackhole and forgotten lists checked again right
/// before sending). The loop runs this; tests call it to deliver at once.
pub async fn deliver_due(db: &Database, mailer: &Mailer, worker: &str) -> Result<Pass, AppError> {
    let now = Utc::now().naive_utc();
    let stale_before = now - Duration::minutes(store::STALE_AFTER_MINUTES);
    // A read first: on SQLite an idle tick then never takes the write lock.
    let (due, stale) = db.read(move |c| Ok(store::pending_work(c, now, stale_before)?)).await?;
    if due == 0 && stale == 0 {
        return Ok(Pass::default());
    }
    let owner = worker.to_owned();
    let (reclaimed, rows) = db
        .writer
        .submit(move |c| {
            let reclaimed = store::reclaim_stale(c, stale_before)?;
            Ok((reclaimed, store::claim_due(c, &owner, BATCH, now)?))
        })
        .await?;
    let mut pass = Pass { claimed: rows.len(), reclaimed, ..Pass::default() };
    if reclaimed > 0 {
        tracing::warn!(count = reclaimed, "mail: queued again rows a stopped server had claimed");
    }
    for row in rows {
        let (id, to) = (row.id, row.to_email.clone());
        let owner = worker.to_owned();
        if db.read(move |c| Ok(store::is_suppressed(c, &to)?)).await? {
            db.writer.submit(move |c| Ok(store::mark_skipped(c, id, &owner, "blackholed or forgotten")?)).await?;
            pass.skipped += 1;
            continue;
        }
        match mailer.send(&row).await {
            Ok(()) => {
                let done = Utc::now().naive_utc();
                db.writer.submit(move |c| Ok(store::mark_sent(c, id, &owner, done)?)).await?;
                pass.sent += 1;
            }
            Err(e) => {
                let (permanent, code) = (e.permanent, e.code.clone().unwrap_or_default());
                let done = Utc::now().naive_utc();
                let failure = db
                    .writer
                    .submit(move |c| Ok(store::mark_failed(c, id, &owner, &e.message, e.permanent, done)?))
                    .await?;
                match failure {
                    Failure::Retry { attempts, .. } => {
                        pass.retried += 1;
                        tracing::warn!(mail_id = id, attempts, code = %code, "mail: delivery failed; will retry");
                    }
                    Failure::GaveUp { attempts } => {
                        pass.failed += 1;
                        tracing::error!(mail_id = id, attempts, permanent, code = %code, "mail: delivery failed for good");
                    }
                    Failure::NotClaimed => {}
                }
            }
        }
    }
    if pass.claimed > 0 {
        tracing::info!(
            claimed = pass.claimed,
            sent = pass.sent,
            retried = pass.retried,
            failed = pass.failed,
            skipped = pass.skipped,
            "mail: delivery pass"
        );
    }
    Ok(pass)
}
