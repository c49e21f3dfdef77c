//! The import worker: one loop per server process that claims unfinished uploads and runs
//! them to the end (see `run`). It wakes when nudged ([`ImportWorker::wake`], after an
//! upload is stored) and every [`TICK`], which is also how it picks up, after a restart or
//! from a stopped server, uploads whose claim went stale.

use std::sync::Arc;

use actix_web::web;
use chrono::Utc;
use tokio::sync::{watch, Notify};

use super::store;
use crate::app::AppState;

/// How often the worker looks for uploads without being nudged.
pub const TICK: std::time::Duration = std::time::Duration::from_secs(10);

/// A handle on one process's worker: cheap to clone; `wake` from any thread.
#[derive(Clone)]
pub struct ImportWorker {
    notify: Arc<Notify>,
    id: Arc<str>,
    /// Counts uploads this worker finished; watchers see every change, none is lost.
    finished: Arc<watch::Sender<u64>>,
}

impl Default for ImportWorker {
    fn default() -> Self {
        Self::new()
    }
}

impl ImportWorker {
    /// A handle with a fresh claim name (`import-<pid>-<random>`).
    pub fn new() -> Self {
        use rand::Rng as _;
        let tag: u32 = rand::thread_rng().gen();
        Self {
            notify: Arc::new(Notify::new()),
            id: format!("import-{}-{tag:08x}", std::process::id()).into(),
            finished: Arc::new(watch::channel(0).0),
        }
    }

    /// Nudges the loop to look for uploads now; harmless when no worker runs.
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Changes each time this worker finishes an upload (for screens and tests that wait).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.finished.subscribe()
    }

    /// The name this worker writes into `claimed_by`.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// Starts the loop for this server process.
pub fn start(state: web::Data<AppState>) {
    actix_web::rt::spawn(run(state));
}

async fn run(state: web::Data<AppState>) {
    let handle = state.imports.clone();
    loop {
        if let Err(e) = pass(&state, &handle).await {
            tracing::warn!(error = %e, "import: pass failed; retrying at the next tick");
        }
        let _ = tokio::time::timeout(TICK, handle.notify.notified()).await;
    }
}

/// Runs every upload this worker can claim; how many it finished.
pub async fn pass(state: &AppState, worker: &ImportWorker) -> Result<usize, crate::error::AppError> {
    let mut finished = 0;
    loop {
        let now = Utc::now().naive_utc();
        let ids = state.db.read(move |c| Ok(store::claimable(c, now, 10)?)).await?;
        if ids.is_empty() {
            return Ok(finished);
        }
        let mut progressed = false;
        for id in ids {
            // One upload failing (it stays claimed and is retried when its claim goes
            // stale) must not hold up the others.
            match super::run::run(&state.db, &state.engine, id, worker.id()).await {
                Ok(Some(upload)) => {
                    tracing::info!(
                        upload_id = id,
                        ok = upload.ok_rows,
                        errors = upload.error_rows,
                        forgotten = upload.forgotten_rows,
                        "import: upload complete"
                    );
                    finished += 1;
                    progressed = true;
                    worker.finished.send_modify(|n| *n += 1);
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(upload_id = id, error = %e, "import: upload stopped; it resumes later"),
            }
        }
        if !progressed {
            return Ok(finished);
        }
    }
}
