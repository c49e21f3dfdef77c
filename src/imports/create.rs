//! Creating an upload (SPEC P14, R1, O3): the page must be an import page; the privacy note
//! must say something (no placeholders) and, when the "require notes on imports" switch is
//! on, the upload needs one (or a `privacy` column); `user_*` columns must be allowed user
//! fields; the file must have a header with an `email` column. Every one of these is a
//! clear refusal before anything is stored. Rows of forgotten people are blanked before the
//! file is stored (see `csvfile`).
//!
//! Three steps, so that the CPU-heavy check of a large file runs outside any transaction:
//! [`plan`] (reads), [`csvfile::check`] via [`check_file`], [`insert`] (one write).

use std::collections::HashSet;

use chrono::NaiveDateTime;

use super::csvfile::{self, Checked};
use super::store::{self, NewUpload};
use crate::db::DbConnection;
use crate::engine::notes::{self, NoteContext, NoteValue};
use crate::error::AppError;
use crate::pages::PageType;

/// What a caller asks for.
#[derive(Clone, Debug, Default)]
pub struct UploadRequest {
    /// The import page: its name, its id, or its URI (`/rest/v1/importpage/3/`).
    pub page: String,
    pub original_filename: String,
    /// Privacy notes for every row (SPEC P14): a chosen or custom note, or a text's hash.
    pub privacy_note: String,
    pub created_by_id: Option<i64>,
}

/// What the database said about a request, before the file is read.
#[derive(Debug)]
pub struct Plan {
    pub page_id: i64,
    pub page_name: String,
    privacy_note: String,
    notes_required: bool,
    allowed_user_fields: Vec<String>,
    forgotten: HashSet<String>,
    created_by_id: Option<i64>,
    original_filename: String,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(message.into())
}

pub fn plan(conn: &mut DbConnection, request: &UploadRequest) -> Result<Plan, AppError> {
    let page = store::find_page(conn, &request.page)?
        .ok_or_else(|| AppError::NotFound(format!("No page {:?} exists.", request.page.trim())))?;
    if page.kind() != PageType::Import {
        return Err(bad(format!("The page {:?} is not an import page; uploads go to import pages.", page.name)));
    }
    let note = request.privacy_note.trim();
    if !note.is_empty() {
        match notes::parse(note) {
            Err(_) => {
                return Err(bad(format!(
                    "The privacy note {note:?} says nothing: describe how these people agreed, or give a privacy text's hash."
                )))
            }
            Ok(NoteValue::Hash(hash)) if crate::privacy::store::version_by_hash(conn, &hash)?.is_none() => {
                return Err(bad("The privacy note names no known privacy text."));
            }
            Ok(_) => {}
        }
    }
    let settings = crate::privacy::store::load_settings(conn)?;
    Ok(Plan {
        page_id: page.id,
        page_name: page.name,
        privacy_note: note.to_owned(),
        notes_required: notes::required(NoteContext::Import, &settings, None, ""),
        allowed_user_fields: crate::people::store::allowed_user_fields(conn)?,
        forgotten: crate::gdpr::store::forgotten(conn, crate::gdpr::store::EMAIL)?.into_iter().collect(),
        created_by_id: request.created_by_id,
        original_filename: request.original_filename.chars().take(255).collect(),
    })
}

/// Checks the file against the plan (no database): header, user fields, privacy notes.
pub fn check_file(plan: &Plan, raw: Vec<u8>) -> Result<Checked, AppError> {
    let checked = csvfile::check(raw, &plan.forgotten)?;
    let unknown: Vec<&str> = checked
        .header
        .iter()
        .filter_map(|c| c.strip_prefix("user_"))
        .filter(|f| !plan.allowed_user_fields.iter().any(|a| a == f))
        .collect();
    if !unknown.is_empty() {
        let names: Vec<String> = unknown.iter().map(|f| format!("user_{f}")).collect();
        return Err(bad(format!(
            "These columns are not allowed user fields: {}. Add them as allowed user fields first.",
            names.join(", ")
        )));
    }
    if plan.notes_required && plan.privacy_note.is_empty() && !checked.header.iter().any(|c| c == "privacy") {
        return Err(bad(
            "Imports require privacy notes: choose a note for this upload (or add a privacy column of text hashes).",
        ));
    }
    Ok(checked)
}

/// Stores the upload, ready for a worker; its id.
pub fn insert(conn: &mut DbConnection, plan: &Plan, checked: &Checked, now: NaiveDateTime) -> Result<i64, AppError> {
    Ok(store::insert(
        conn,
        &NewUpload {
            page_id: plan.page_id,
            original_filename: &plan.original_filename,
            content: &checked.content,
            privacy_note: &plan.privacy_note,
            total_rows: checked.total_rows,
            created_by_id: plan.created_by_id,
        },
        now,
    )?)
}

/// All three steps on the current thread (the CLI), the new upload claimed at once for
/// `worker` so that no server's worker takes it first.
pub fn create_now(
    db: &crate::db::Database,
    request: &UploadRequest,
    raw: Vec<u8>,
    worker: &str,
) -> Result<i64, AppError> {
    let plan = db.read_now(|conn| plan(conn, request))?;
    let checked = check_file(&plan, raw)?;
    let now = chrono::Utc::now().naive_utc();
    db.writer.submit_now(|conn| {
        let id = insert(conn, &plan, &checked, now)?;
        store::claim(conn, id, worker, now)?;
        Ok(id)
    })
}

/// All three steps off the async workers (the REST API and the admin).
pub async fn create(db: &crate::db::Database, request: UploadRequest, raw: Vec<u8>) -> Result<i64, AppError> {
    let plan = db.read(move |conn| plan(conn, &request)).await?;
    let (plan, checked) = crate::telemetry::run_blocking(move || {
        let checked = check_file(&plan, raw)?;
        Ok((plan, checked))
    })
    .await?;
    let now = chrono::Utc::now().naive_utc();
    db.writer.submit(move |conn| insert(conn, &plan, &checked, now)).await
}
