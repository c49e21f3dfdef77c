//! Processing an upload: every row becomes an `ActionInput` on the import page and goes
//! through the engine (the one write path), in chunks of [`CHUNK_ROWS`] rows, one writer
//! job (one transaction) per chunk. What a chunk's rows share is read once
//! (`engine::bulk::Prepared`), and the rows it covers take the engine's bulk path; the
//! rest go through `engine::process`. A chunk's rows share one savepoint; a row that fails
//! after it began writing rolls the chunk back, which is then stored row by row, each in its
//! own savepoint. Either way a bad row leaves only its errors in `core_uploaderror` (row
//! number, field, message — never a value); a forgotten person's row is counted and leaves
//! nothing. A reader thread parses and checks the next chunk while the writer stores this
//! one ([`ChunkReader`]).
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
use crate::engine::bulk::{Prepared, Rules};
use crate::engine::notes::{self, NoteContext, NoteValue};
use crate::engine::validate::{Checked, Complaints};
use crate::engine::{ActionInput, EngineDeps, Source};
use crate::error::AppError;
use crate::people::Email;

/// Rows per writer job: large enough that commits are rare, small enough that a web
/// action queued behind a chunk on SQLite's one writer waits little: at the bulk path's
/// ~85k rows/s, 2,000 rows hold the writer about 25 ms. Measured on 100k rows
/// (issue 8): 500 rows per job 38.7k rows/s, 2,000 40.1k, 5,000 44.0k.
pub const CHUNK_ROWS: usize = 2_000;

/// An upload claimed by one worker, with its file open at the first unprocessed row.
pub struct Runner {
    claim: Claim,
    reader: ChunkReader,
}

/// The claim on an upload that its chunks are stored under.
pub struct Claim {
    pub upload_id: i64,
    worker: Arc<str>,
}

/// The file of a claimed upload, read a chunk at a time into engine inputs: CPU work that
/// needs no database, so it runs beside the writer ([`run_now`], [`run`]).
pub struct ChunkReader {
    page_name: Arc<str>,
    note: Option<NoteValue>,
    rows: Rows,
    /// The validation rules when the upload was opened (`None`: no such page).
    rules: Option<Rules>,
}

/// One chunk's rows as the engine takes them, read by a [`ChunkReader`].
pub struct Chunk {
    page_name: Arc<str>,
    /// The 0-based index of its first row in the file.
    from_row: i64,
    /// Each row's line number, and its input and privacy note or the refusal it gets
    /// before anything is stored.
    rows: Vec<(i64, Result<Parts, Outcome>)>,
    /// The addresses the rows give and their `forget_hash`, for [`Prepared::load`].
    emails: Vec<(Email, String)>,
    /// The rules `checks` were made by, and each row's check (for rows with parts).
    rules: Option<Rules>,
    checks: Vec<Option<(Checked, Complaints)>>,
}

/// A row's engine input and its own (or the upload's) privacy note.
type Parts = (ActionInput, Option<NoteValue>);

impl Chunk {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Chunk(ChunkCounts),
    Done,
}

impl ChunkReader {
    /// The next chunk: at most `max_rows` rows, empty at the end of the file.
    pub fn read(&mut self, max_rows: usize) -> Result<Chunk, AppError> {
        let from_row = self.rows.position();
        let rows = self.rows.chunk(max_rows)?;
        let emails = self.rows.emails(&rows).into_iter().map(|e| {
            let hash = crate::gdpr::forget_hash(e.as_str());
            (e, hash)
        });
        let emails = emails.collect();
        let rows: Vec<_> = rows.iter().map(|row| (row.number, self.parts(row))).collect();
        let checks = rows
            .iter()
            .map(|(_, parts)| match (parts, &self.rules) {
                (Ok((input, _)), Some(rules)) => Some(rules.check(input)),
                _ => None,
            })
            .collect();
        Ok(Chunk { page_name: Arc::clone(&self.page_name), from_row, rows, emails, rules: self.rules.clone(), checks })
    }

    /// A row's engine input and privacy note, or the outcome that refuses it before any
    /// write (wrong cell count, bad cells, a privacy value that says nothing).
    fn parts(&self, row: &Row) -> Result<Parts, Outcome> {
        let (input, privacy_cell) = row_input(&self.page_name, &self.rows.header, row)?;
        let note = match privacy_cell {
            Some(raw) => match notes::parse(&raw) {
                Ok(value) => Some(value),
                Err(_) => {
                    return Err(failed("privacy", "This privacy value says nothing: give a privacy text's hash."))
                }
            },
            None => self.note.clone(),
        };
        Ok((input, note))
    }
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
        let rules = Rules::load(conn, &page_name)?;
        let reader = ChunkReader { page_name: page_name.into(), note, rows, rules };
        Ok(Some(Self { claim: Claim { upload_id, worker: worker.into() }, reader }))
    }

    /// The claim, to store chunks under, and the reader, to read them beside the writer.
    pub fn split(self) -> (Claim, ChunkReader) {
        (self.claim, self.reader)
    }

    /// Reads and stores the next chunk (at most `max_rows` rows) in `conn`'s transaction:
    /// [`ChunkReader::read`], then [`Self::store`].
    pub fn step(
        &mut self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        max_rows: usize,
        now: NaiveDateTime,
    ) -> Result<Step, AppError> {
        let chunk = self.reader.read(max_rows)?;
        self.claim.store(conn, deps, &chunk, now)
    }
}

impl Claim {
    /// Stores a chunk in `conn`'s transaction, or marks the upload complete when the chunk
    /// is empty. An `Err` means the chunk must not commit (the claim was lost, or the
    /// database failed): stop; the upload stays where its last committed chunk left it.
    pub fn store(
        &self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        chunk: &Chunk,
        now: NaiveDateTime,
    ) -> Result<Step, AppError> {
        if chunk.is_empty() {
            return if store::complete(conn, self.upload_id, &self.worker, now)? {
                Ok(Step::Done)
            } else {
                Err(AppError::Conflict("another worker holds this upload".into()))
            };
        }
        crate::db::plan_with_current_sizes(conn)?;
        let privacy = crate::privacy::store::load_settings(conn)?;
        let required = notes::required(NoteContext::Import, &privacy, None, "");
        let mut prepared = Prepared::load(conn, &chunk.page_name, &chunk.emails, &privacy)?;
        let grouped = self.group(conn, deps, prepared.as_mut(), chunk, required, now);
        let outcomes = if let Ok(outcomes) = grouped {
            outcomes
        } else {
            // A row failed after writing: the group rolled back whole. Again row by row,
            // each in its own savepoint, with the supporters as they are stored now.
            prepared = Prepared::load(conn, &chunk.page_name, &chunk.emails, &privacy)?;
            let mut outcomes = Vec::with_capacity(chunk.rows.len());
            for (number, parts) in &chunk.rows {
                outcomes.push(match checked_parts(parts, required) {
                    Ok((input, note)) => self.one_row(conn, deps, prepared.as_mut(), *number, input, note, now)?,
                    Err(refused) => refused,
                });
            }
            outcomes
        };
        let mut counts = ChunkCounts::default();
        for ((number, _), outcome) in chunk.rows.iter().zip(outcomes) {
            counts.processed += 1;
            match outcome {
                Outcome::Stored => counts.ok += 1,
                Outcome::Forgotten => counts.forgotten += 1,
                Outcome::Failed(errors) => {
                    counts.errors += 1;
                    for (field, message) in errors {
                        store::insert_error(conn, self.upload_id, *number, &field, &message, now)?;
                    }
                }
            }
        }
        if !store::advance(conn, self.upload_id, &self.worker, chunk.from_row, counts, now)? {
            return Err(AppError::Conflict("another worker holds this upload".into()));
        }
        crate::metrics::import_rows(chunk.rows.len());
        Ok(Step::Chunk(counts))
    }

    /// The chunk's rows in one savepoint, without one per row: a row the bulk path refuses
    /// (invalid, forgotten) has written nothing by then, and every other row takes
    /// [`Self::one_row`] and its own savepoint. Per-row savepoints were a third of an
    /// import's time (issue 8). `Err` when a bulk row failed after it began writing (a
    /// database fault, a privacy note that cannot be recorded): the whole group is rolled
    /// back, and the caller runs it again row by row.
    fn group(
        &self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        mut prepared: Option<&mut Prepared>,
        chunk: &Chunk,
        notes_required: bool,
        now: NaiveDateTime,
    ) -> Result<Vec<Outcome>, AppError> {
        // The rows' checks made beside the writer hold while the rules are unchanged.
        let checked_by_same_rules = prepared.as_ref().is_some_and(|p| Some(&p.rules) == chunk.rules.as_ref());
        DbConnection::transaction(conn, |c| {
            let mut outcomes = Vec::with_capacity(chunk.rows.len());
            for ((number, parts), check) in chunk.rows.iter().zip(&chunk.checks) {
                let outcome = match checked_parts(parts, notes_required) {
                    Err(refused) => refused,
                    Ok((input, note)) => match prepared.as_deref_mut() {
                        Some(bulk) if bulk.covers(input) => match match check {
                            Some((checked, complaints)) if checked_by_same_rules => {
                                bulk.process_checked(c, deps, input, checked, complaints.clone())
                            }
                            _ => bulk.process(c, deps, input),
                        } {
                            Ok(stored) => {
                                if let Some(note) = note {
                                    // The note's record refers to the supporter: written first.
                                    bulk.flush(c)?;
                                    notes::record(c, stored.user.0, NoteContext::Import, note, now)?;
                                }
                                bulk.remember(stored);
                                Outcome::Stored
                            }
                            // Refused before anything was written.
                            Err(AppError::Forgotten { .. }) => Outcome::Forgotten,
                            Err(AppError::Validation(errors)) => {
                                Outcome::Failed(errors.0.into_iter().map(|e| (e.field, e.message)).collect())
                            }
                            Err(e) => return Err(e),
                        },
                        bulk => self.one_row(c, deps, bulk, *number, input, note, now)?,
                    },
                };
                outcomes.push(outcome);
            }
            if let Some(bulk) = &mut prepared {
                bulk.flush(c)?;
            }
            Ok(outcomes)
        })
    }

    /// One row in its own savepoint: through the engine's bulk path when it covers the
    /// row, else through `engine::process`. An `Err` fails the whole chunk.
    #[allow(clippy::too_many_arguments)]
    fn one_row(
        &self,
        conn: &mut DbConnection,
        deps: &EngineDeps,
        prepared: Option<&mut Prepared>,
        number: i64,
        input: &ActionInput,
        note: Option<&NoteValue>,
        now: NaiveDateTime,
    ) -> Result<Outcome, AppError> {
        let record_note = |c: &mut DbConnection, user_id: i64| match note {
            Some(note) => notes::record(c, user_id, NoteContext::Import, note, now).map(|_| ()),
            None => Ok(()),
        };
        let mut prepared = prepared;
        if let Some(bulk) = prepared.as_deref_mut() {
            // What earlier rows of the group deferred belongs to the group, not to this
            // row's savepoint; and the engine's path must find it stored.
            bulk.flush(conn)?;
        }
        let result = match prepared {
            Some(bulk) if bulk.covers(input) => {
                let stored = DbConnection::transaction(conn, |c| {
                    let stored = bulk.process(c, deps, input)?;
                    record_note(c, stored.user.0)?;
                    bulk.flush(c)?;
                    Ok::<_, AppError>(stored)
                });
                if stored.is_err() {
                    bulk.discard(conn);
                }
                match stored {
                    Ok(stored) => {
                        bulk.remember(stored);
                        Ok(())
                    }
                    // A database fault (say, the same address stored by a web action a
                    // moment ago on PostgreSQL): the row gets the engine's own path.
                    Err(AppError::Database(_)) => {
                        let again = Self::through_engine(conn, deps, input, &record_note);
                        bulk.refresh(conn, input)?;
                        again
                    }
                    Err(e) => Err(e),
                }
            }
            bulk => {
                let result = Self::through_engine(conn, deps, input, &record_note);
                if let Some(bulk) = bulk {
                    bulk.refresh(conn, input)?;
                }
                result
            }
        };
        Ok(match result {
            Ok(()) => Outcome::Stored,
            Err(AppError::Forgotten { .. }) => Outcome::Forgotten,
            // A forgotten person's row with other faults is still only counted as forgotten.
            // The check runs outside the row's savepoint: a database fault there fails the
            // chunk, as any other outside a row does.
            Err(AppError::Validation(_)) if is_forgotten(conn, input)? => Outcome::Forgotten,
            Err(AppError::Validation(errors)) => {
                Outcome::Failed(errors.0.into_iter().map(|e| (e.field, e.message)).collect())
            }
            Err(e @ (AppError::NotFound(_) | AppError::BadRequest(_))) => failed("", &e.public_message()),
            Err(e) => {
                tracing::error!(upload_id = self.upload_id, row = number, error = %e, "import: a row could not be stored");
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

/// A read row's parts, or its refusal; a row without a note is refused when imports
/// require notes (checked in the chunk's transaction, where the setting is read).
fn checked_parts(
    parts: &Result<Parts, Outcome>,
    notes_required: bool,
) -> Result<(&ActionInput, Option<&NoteValue>), Outcome> {
    match parts {
        Err(refused) => Err(refused.clone()),
        Ok((_, None)) if notes_required => {
            Err(failed("privacy", "Imports require privacy notes, and this row has none."))
        }
        Ok((input, note)) => Ok((input, note.as_ref())),
    }
}

#[derive(Clone)]
enum Outcome {
    Stored,
    Forgotten,
    /// `(field, message)` pairs; the field is empty for faults of the whole row.
    Failed(Vec<(String, String)>),
}

fn failed(field: &str, message: &str) -> Outcome {
    Outcome::Failed(vec![(field.to_owned(), message.to_owned())])
}

/// Whether the row's email is a forgotten one.
fn is_forgotten(conn: &mut DbConnection, input: &ActionInput) -> Result<bool, AppError> {
    match input.get("email").and_then(crate::people::Email::parse) {
        Some(email) => crate::gdpr::erase::is_forgotten_email(conn, &email),
        None => Ok(false),
    }
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

/// Runs an upload to the end (the CLI), calling `progress` after every chunk; the upload as
/// it ends, or `None` when another worker holds it. A second thread reads the next chunk
/// while the writer stores this one.
pub fn run_now(
    db: &Database,
    deps: &EngineDeps,
    upload_id: i64,
    worker: &str,
    mut progress: impl FnMut(&Progress),
) -> Result<Option<UploadRow>, AppError> {
    let Some(runner) = db.writer.submit_now(|conn| Runner::open(conn, upload_id, worker, Utc::now().naive_utc()))?
    else {
        return Ok(None);
    };
    let (claim, mut reader) = runner.split();
    let mut seen = db.read_now(|conn| Ok(store::find(conn, upload_id)?))?.map(|u| Progress::from(&u));
    std::thread::scope(|scope| {
        // One chunk read ahead; when storing stops, the closed channel stops the reading.
        let (chunks, next) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || read_all(&mut reader, |chunk| chunks.send(chunk).is_ok()));
        for chunk in next {
            let chunk = chunk?;
            let step = db.writer.submit_now(|conn| claim.store(conn, deps, &chunk, Utc::now().naive_utc()))?;
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
        Ok::<_, AppError>(())
    })?;
    db.read_now(|conn| Ok(store::find(conn, upload_id)?))
}

/// Reads chunks into `send` until the file ends (the empty chunk is sent too), a read
/// fails (the error is sent), or `send` says no one listens.
fn read_all(reader: &mut ChunkReader, mut send: impl FnMut(Result<Chunk, AppError>) -> bool) {
    loop {
        let chunk = reader.read(CHUNK_ROWS);
        let last = !matches!(&chunk, Ok(c) if !c.is_empty());
        if !send(chunk) || last {
            return;
        }
    }
}

/// The same off the async workers (the background worker): each chunk is one writer job,
/// so chunks share group commits with web actions on SQLite; a blocking thread reads the
/// next chunk meanwhile.
pub async fn run(
    db: &Database,
    deps: &EngineDeps,
    upload_id: i64,
    worker: &str,
) -> Result<Option<UploadRow>, AppError> {
    let owner = worker.to_owned();
    let opened = db.writer.submit(move |conn| Runner::open(conn, upload_id, &owner, Utc::now().naive_utc())).await?;
    let Some(runner) = opened else { return Ok(None) };
    let (claim, mut reader) = runner.split();
    let claim = Arc::new(claim);
    let (chunks, mut next) = tokio::sync::mpsc::channel(1);
    let reading = actix_web::rt::task::spawn_blocking(move || {
        read_all(&mut reader, |chunk| chunks.blocking_send(chunk).is_ok());
    });
    let stored = async {
        while let Some(chunk) = next.recv().await {
            let chunk = chunk?;
            let (deps, claim) = (deps.clone(), Arc::clone(&claim));
            // A failed job ends the run; the upload stays at its last committed chunk.
            let step = db.writer.submit(move |conn| claim.store(conn, &deps, &chunk, Utc::now().naive_utc())).await?;
            if step == Step::Done {
                break;
            }
        }
        Ok::<_, AppError>(())
    }
    .await;
    drop(next);
    // The reader stops at its next send, now that no one listens.
    let _ = reading.await;
    stored?;
    db.read(move |conn| Ok(store::find(conn, upload_id)?)).await
}
