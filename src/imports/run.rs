//! Processing an upload: every row becomes an `ActionInput` on the import page and goes
//! through the engine (the one write path), in chunks of [`CHUNK_ROWS`] rows, one writer
//! job (one transaction) per chunk. What a chunk's rows share is read once
//! (`engine::bulk::Prepared`), and the rows it covers take the engine's bulk path; the
//! rest go through `engine::process`. Each row runs in its own savepoint: a bad row
//! rolls back alone and leaves its errors in `core_uploaderror` (row number, field,
//! message — never a value); a forgotten person's row is counted and leaves nothing.
//!
//! Resumable: a chunk's counters (`processed_rows` …) commit with its rows, and only while
//! this worker still holds the claim and the upload is where the chunk began, so a worker
//! restarting after a crash (or another server taking over a stale claim) continues from
//! the first unprocessed row, never processing a row twice.

use std::sync::Arc;

use chrono::{NaiveDateTime, Utc};
use diesel::Connection as _;

use super::csvfile::{Row, Rows, FORGOTTEN_MARK};
use super::store::{self, ChunkCounts, UploadRow};
use crate::db::{Database, DbConnection};
use crate::engine::bulk::Prepared;
use crate::engine::notes::{self, NoteContext, NoteValue};
use crate::engine::{ActionInput, EngineDeps, Source};
use crate::error::AppError;

/// Rows per writer job: large enough that commits are rare, small enough that a web
/// action queued behind a chunk on SQLite's one writer waits little (at the engine's
/// measured 7–12k rows/s on the bulk path, 500 rows hold the writer about 50 ms; 4,000
/// rows per job measured only 5–25 % faster, issue 8).
pub const CHUNK_ROWS: usize = 500;

/// An upload claimed by one worker, with its file open at the first unprocessed row.
pub struct Runner {
    pub upload_id: i64,
    worker: Arc<str>,
    page_name: Arc<str>,
    note: Option<NoteValue>,
    rows: Rows,
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Chunk(ChunkCounts),
    Done,
}

impl Runner {
    /// Claims `upload_id` for `worker` and opens its file at `processed_rows`; `None` when
    /// it is finished or another worker holds it. Run it as one writer job.
    pub fn open(
        conn: &mut DbConnection,
        upload_id: i64,
        worker: &str,
        now: NaiveDateTime,
    ) -> Result<Option<Self>, AppError> {
        if !store::claim(conn, upload_id, worker, now)? {
            return Ok(None);
        }
        let upload = store::find(conn, upload_id)?.ok_or_else(|| AppError::internal("claimed upload vanished"))?;
        let content = store::content(conn, upload_id)?;
        let page_name = store::page_name(conn, upload.page_id)?;
        let note = notes::parse(&upload.privacy_note).ok();
        let mut rows = Rows::open(content)?;
        rows.skip(upload.processed_rows)?;
        Ok(Some(Self { upload_id, worker: worker.into(), page_name: page_name.into(), note, rows }))
    }

    /// Processes the next chunk (at most `max_rows` rows) in `conn`'s transaction, or marks
    /// the upload complete when no row is left. An `Err` means the chunk must not commit
    /// (the claim was lost, or the database failed): drop this runner; the upload stays
    /// where its last committed chunk left it.
    pub fn step(
        &mut self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        max_rows: usize,
        now: NaiveDateTime,
    ) -> Result<Step, AppError> {
        let from_row = self.rows.position();
        let chunk = self.rows.chunk(max_rows)?;
        if chunk.is_empty() {
            return if store::complete(conn, self.upload_id, &self.worker, now)? {
                Ok(Step::Done)
            } else {
                Err(AppError::Conflict("another worker holds this upload".into()))
            };
        }
        let required = notes::required(NoteContext::Import, &crate::privacy::store::load_settings(conn)?, None, "");
        let emails = self.rows.emails(&chunk);
        let mut prepared = Prepared::load(conn, &self.page_name, &emails)?;
        let mut counts = ChunkCounts::default();
        for row in &chunk {
            counts.processed += 1;
            match self.one_row(conn, deps, prepared.as_mut(), row, required, now)? {
                Outcome::Stored => counts.ok += 1,
                Outcome::Forgotten => counts.forgotten += 1,
                Outcome::Failed(errors) => {
                    counts.errors += 1;
                    for (field, message) in errors {
                        store::insert_error(conn, self.upload_id, row.number, &field, &message, now)?;
                    }
                }
            }
        }
        if !store::advance(conn, self.upload_id, &self.worker, from_row, counts, now)? {
            return Err(AppError::Conflict("another worker holds this upload".into()));
        }
        crate::metrics::import_rows(chunk.len());
        Ok(Step::Chunk(counts))
    }

    /// One row in its own savepoint: through the engine's bulk path when it covers the
    /// row, else through `engine::process`. An `Err` fails the whole chunk.
    fn one_row(
        &self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        prepared: Option<&mut Prepared>,
        row: &Row,
        notes_required: bool,
        now: NaiveDateTime,
    ) -> Result<Outcome, AppError> {
        let (input, privacy_cell) = match row_input(&self.page_name, &self.rows.header, row) {
            Ok(parts) => parts,
            Err(failure) => return Ok(failure),
        };
        let note = match privacy_cell {
            Some(raw) => match notes::parse(&raw) {
                Ok(value) => Some(value),
                Err(_) => return Ok(failed("privacy", "This privacy value says nothing: give a privacy text's hash.")),
            },
            None => self.note.clone(),
        };
        if notes_required && note.is_none() {
            return Ok(failed("privacy", "Imports require privacy notes, and this row has none."));
        }
        let record_note = |c: &mut DbConnection, user_id: i64| match &note {
            Some(note) => notes::record(c, user_id, NoteContext::Import, note, now).map(|_| ()),
            None => Ok(()),
        };
        let result = match prepared {
            Some(bulk) if bulk.covers(&input) => {
                let stored = DbConnection::transaction(conn, |c| {
                    let (user, created) = bulk.process(c, deps, &input)?;
                    record_note(c, user.id)?;
                    Ok::<_, AppError>((user, created))
                });
                match stored {
                    Ok((user, created)) => {
                        if created {
                            bulk.remember(user);
                        }
                        Ok(())
                    }
                    // A database fault (say, the same address stored by a web action a
                    // moment ago on PostgreSQL): the row gets the engine's own path.
                    Err(AppError::Database(_)) => {
                        let again = Self::through_engine(conn, deps, &input, &record_note);
                        bulk.refresh(conn, &input)?;
                        again
                    }
                    Err(e) => Err(e),
                }
            }
            bulk => {
                let result = Self::through_engine(conn, deps, &input, &record_note);
                if let Some(bulk) = bulk {
                    bulk.refresh(conn, &input)?;
                }
                result
            }
        };
        Ok(match result {
            Ok(()) => Outcome::Stored,
            Err(AppError::Forgotten { .. }) => Outcome::Forgotten,
            // A forgotten person's row with other faults is still only counted as forgotten.
            Err(AppError::Validation(_)) if is_forgotten(conn, &input) => Outcome::Forgotten,
            Err(AppError::Validation(errors)) => {
                Outcome::Failed(errors.0.into_iter().map(|e| (e.field, e.message)).collect())
            }
            Err(e @ (AppError::NotFound(_) | AppError::BadRequest(_))) => failed("", &e.public_message()),
            Err(e) => {
                tracing::error!(upload_id = self.upload_id, row = row.number, error = %e, "import: a row could not be stored");
                failed("", "The row could not be stored because of an error on our side.")
            }
        })
    }

    /// A row through `engine::process`, in its own savepoint.
    fn through_engine(
        conn: &mut DbConnection,
        deps: &EngineDeps,
        input: &ActionInput,
        record_note: &impl Fn(&mut DbConnection, i64) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        DbConnection::transaction(conn, |c| {
            let outcome = crate::engine::process(c, deps, input)?;
            record_note(c, outcome.user_id)
        })
    }
}

enum Outcome {
    Stored,
    Forgotten,
    /// `(field, message)` pairs; the field is empty for faults of the whole row.
    Failed(Vec<(String, String)>),
}

fn failed(field: &str, message: &str) -> Outcome {
    Outcome::Failed(vec![(field.to_owned(), message.to_owned())])
}

fn is_forgotten(conn: &mut DbConnection, input: &ActionInput) -> bool {
    input
        .get("email")
        .and_then(crate::people::Email::parse)
        .is_some_and(|email| crate::gdpr::erase::is_forgotten_email(conn, &email).unwrap_or(false))
}

/// A row as the engine's input on the import page, and its `privacy` cell apart (it is a
/// note on the import, not the action's privacy choice). No confirmation mail is sent.
fn row_input(page: &str, header: &[String], row: &Row) -> Result<(ActionInput, Option<String>), Outcome> {
    if row.cells.len() != header.len() {
        return Err(failed(
            "",
            &format!("The row has {} cells; the header names {} columns.", row.cells.len(), header.len()),
        ));
    }
    let mut params = Vec::with_capacity(header.len() + 2);
    params.push(("page".to_owned(), page.to_owned()));
    params.push(("skip_confirmation".to_owned(), "1".to_owned()));
    let mut privacy = None;
    for (name, value) in header.iter().zip(row.cells.iter()) {
        if value.contains('\u{FFFD}') {
            return Err(failed(name, "This cell is not UTF-8 text: save the file as UTF-8 and upload it again."));
        }
        if value.len() > crate::engine::input::MAX_VALUE_LEN {
            return Err(failed(name, "This value is too long."));
        }
        match name.as_str() {
            "email" if value.trim() == FORGOTTEN_MARK => return Err(Outcome::Forgotten),
            "privacy" if !value.trim().is_empty() => privacy = Some(value.to_owned()),
            "page" | "skip_confirmation" | "privacy" => {}
            _ => params.push((name.clone(), value.to_owned())),
        }
    }
    let input = ActionInput { params, source: Source::Import, evidence: crate::privacy::evidence::Evidence::default() };
    Ok((input, privacy))
}

/// Progress as callers show it.
#[derive(Clone, Debug)]
pub struct Progress {
    pub total_rows: i64,
    pub processed_rows: i64,
    pub ok_rows: i64,
    pub error_rows: i64,
    pub forgotten_rows: i64,
}

impl From<&UploadRow> for Progress {
    fn from(u: &UploadRow) -> Self {
        Self {
            total_rows: u.total_rows,
            processed_rows: u.processed_rows,
            ok_rows: u.ok_rows,
            error_rows: u.error_rows,
            forgotten_rows: u.forgotten_rows,
        }
    }
}

/// Runs an upload to the end on the current thread (the CLI), calling `progress` after
/// every chunk; the upload as it ends, or `None` when another worker holds it.
pub fn run_now(
    db: &Database,
    deps: &EngineDeps,
    upload_id: i64,
    worker: &str,
    mut progress: impl FnMut(&Progress),
) -> Result<Option<UploadRow>, AppError> {
    let Some(mut runner) =
        db.writer.submit_now(|conn| Runner::open(conn, upload_id, worker, Utc::now().naive_utc()))?
    else {
        return Ok(None);
    };
    let mut seen = db.read_now(|conn| Ok(store::find(conn, upload_id)?))?.map(|u| Progress::from(&u));
    loop {
        let step = db.writer.submit_now(|conn| runner.step(conn, deps, CHUNK_ROWS, Utc::now().naive_utc()))?;
        match (step, seen.as_mut()) {
            (Step::Done, _) => break,
            (Step::Chunk(c), Some(p)) => {
                p.processed_rows += c.processed;
                p.ok_rows += c.ok;
                p.error_rows += c.errors;
                p.forgotten_rows += c.forgotten;
                progress(p);
            }
            (Step::Chunk(_), None) => {}
        }
    }
    db.read_now(|conn| Ok(store::find(conn, upload_id)?))
}

/// The same off the async workers (the background worker): each chunk is one writer job,
/// so chunks share group commits with web actions on SQLite.
pub async fn run(
    db: &Database,
    deps: &EngineDeps,
    upload_id: i64,
    worker: &str,
) -> Result<Option<UploadRow>, AppError> {
    let owner = worker.to_owned();
    let opened = db.writer.submit(move |conn| Runner::open(conn, upload_id, &owner, Utc::now().naive_utc())).await?;
    let Some(mut runner) = opened else { return Ok(None) };
    loop {
        let deps = deps.clone();
        // The runner travels into the job and back; a failed job drops it, and the
        // upload stays at its last committed chunk.
        let (back, step) = db
            .writer
            .submit(move |conn| {
                let step = runner.step(conn, &deps, CHUNK_ROWS, Utc::now().naive_utc())?;
                Ok((runner, step))
            })
            .await?;
        runner = back;
        if step == Step::Done {
            break;
        }
    }
    db.read(move |conn| Ok(store::find(conn, upload_id)?)).await
}
