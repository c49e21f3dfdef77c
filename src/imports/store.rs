//! SQL for uploads (`core_upload`), their stored files (`core_uploadfile`) and their per-row
//! errors (`core_uploaderror`); nothing else touches these tables. The file lives apart from
//! the upload's counters because every chunk updates those, and an update rewrites its
//! whole row: with the file in it, each chunk cost as much as the file is long (issue 8). Claims are one atomic `UPDATE … WHERE` on both backends: the
//! row lock PostgreSQL takes for the update re-checks the condition, so two servers never
//! both win one upload, and SQLite has one writer anyway.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{core_upload, core_uploaderror, core_uploadfile};
use crate::db::DbConnection;

pub const NEW: &str = "new";
pub const LOADING: &str = "loading";
pub const COMPLETE: &str = "complete";

/// A claim not renewed by a chunk for this long belongs to a server that stopped: another
/// worker (or the same server after a restart) takes the upload over from `processed_rows`.
pub const STALE_AFTER_SECONDS: i64 = 120;

/// An upload (its file, which can be large, is apart): what status pages and the API show.
#[derive(Clone, Debug, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = core_upload)]
pub struct UploadRow {
    pub id: i64,
    pub page_id: i64,
    pub original_filename: String,
    pub privacy_note: String,
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub ok_rows: i64,
    pub error_rows: i64,
    pub forgotten_rows: i64,
    pub is_completed: bool,
    pub created_by_id: Option<i64>,
    pub claimed_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = core_uploaderror)]
pub struct UploadErrorRow {
    pub id: i64,
    pub upload_id: i64,
    pub row_number: i64,
    pub field: String,
    pub message: String,
    pub created_at: NaiveDateTime,
}

pub struct NewUpload<'a> {
    pub page_id: i64,
    pub original_filename: &'a str,
    pub content: &'a str,
    pub privacy_note: &'a str,
    pub total_rows: i64,
    pub created_by_id: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, new: &NewUpload<'_>, now: NaiveDateTime) -> QueryResult<i64> {
    let id = diesel::insert_into(core_upload::table)
        .values((
            core_upload::page_id.eq(new.page_id),
            core_upload::original_filename.eq(new.original_filename),
            core_upload::privacy_note.eq(new.privacy_note),
            core_upload::status.eq(NEW),
            core_upload::total_rows.eq(new.total_rows),
            core_upload::created_by_id.eq(new.created_by_id),
            core_upload::created_at.eq(now),
            core_upload::updated_at.eq(now),
        ))
        .returning(core_upload::id)
        .get_result(conn)?;
    diesel::insert_into(core_uploadfile::table)
        .values((core_uploadfile::upload_id.eq(id), core_uploadfile::content.eq(new.content)))
        .execute(conn)?;
    Ok(id)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<UploadRow>> {
    core_upload::table.find(id).select(UploadRow::as_select()).first(conn).optional()
}

/// The stored file of an unfinished upload (empty once it completes: the file is dropped).
pub fn content(conn: &mut DbConnection, id: i64) -> QueryResult<String> {
    core_uploadfile::table
        .find(id)
        .select(core_uploadfile::content)
        .first(conn)
        .optional()
        .map(Option::unwrap_or_default)
}

/// Unfinished uploads nobody holds (or whose holder stopped renewing), oldest first.
pub fn claimable(conn: &mut DbConnection, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    let stale = now - Duration::seconds(STALE_AFTER_SECONDS);
    core_upload::table
        .filter(core_upload::is_completed.eq(false))
        .filter(core_upload::claimed_by.eq("").or(core_upload::updated_at.lt(stale)))
        .order(core_upload::id.asc())
        .select(core_upload::id)
        .limit(limit)
        .load(conn)
}

/// Takes `id` for `worker` when it is unfinished and free, already ours, or stale; whether
/// it is ours now.
pub fn claim(conn: &mut DbConnection, id: i64, worker: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let stale = now - Duration::seconds(STALE_AFTER_SECONDS);
    let changed = diesel::update(core_upload::table.find(id).filter(core_upload::is_completed.eq(false)).filter(
        core_upload::claimed_by.eq("").or(core_upload::claimed_by.eq(worker)).or(core_upload::updated_at.lt(stale)),
    ))
    .set((core_upload::claimed_by.eq(worker), core_upload::status.eq(LOADING), core_upload::updated_at.eq(now)))
    .execute(conn)?;
    Ok(changed == 1)
}

/// What one chunk did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkCounts {
    pub processed: i64,
    pub ok: i64,
    pub errors: i64,
    pub forgotten: i64,
}

/// Adds a chunk's counts, in the chunk's own transaction, only while `worker` still holds
/// the claim and the upload is where the chunk started; whether it did. When it did not,
/// the caller rolls the whole chunk back.
pub fn advance(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    from_row: i64,
    counts: ChunkCounts,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        core_upload::table
            .find(id)
            .filter(core_upload::claimed_by.eq(worker))
            .filter(core_upload::processed_rows.eq(from_row))
            .filter(core_upload::is_completed.eq(false)),
    )
    .set((
        core_upload::processed_rows.eq(core_upload::processed_rows + counts.processed),
        core_upload::ok_rows.eq(core_upload::ok_rows + counts.ok),
        core_upload::error_rows.eq(core_upload::error_rows + counts.errors),
        core_upload::forgotten_rows.eq(core_upload::forgotten_rows + counts.forgotten),
        core_upload::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Marks the upload done and drops the stored file: once every row went through the
/// engine, the copy of supporters' data in it has no purpose (and erasure could not reach it).
pub fn complete(conn: &mut DbConnection, id: i64, worker: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(core_upload::table.find(id).filter(core_upload::claimed_by.eq(worker)))
        .set((
            core_upload::is_completed.eq(true),
            core_upload::status.eq(COMPLETE),
            core_upload::claimed_by.eq(""),
            core_upload::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed != 1 {
        return Ok(false);
    }
    diesel::delete(core_uploadfile::table.find(id)).execute(conn)?;
    Ok(true)
}

pub fn insert_error(
    conn: &mut DbConnection,
    upload_id: i64,
    row_number: i64,
    field: &str,
    message: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(core_uploaderror::table)
        .values((
            core_uploaderror::upload_id.eq(upload_id),
            core_uploaderror::row_number.eq(row_number),
            core_uploaderror::field.eq(field),
            core_uploaderror::message.eq(message),
            core_uploaderror::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn error_count(conn: &mut DbConnection, upload_id: i64) -> QueryResult<i64> {
    core_uploaderror::table.filter(core_uploaderror::upload_id.eq(upload_id)).count().get_result(conn)
}

/// One page of an upload's errors in row order.
pub fn errors(conn: &mut DbConnection, upload_id: i64, limit: i64, offset: i64) -> QueryResult<Vec<UploadErrorRow>> {
    core_uploaderror::table
        .filter(core_uploaderror::upload_id.eq(upload_id))
        .order((core_uploaderror::row_number.asc(), core_uploaderror::id.asc()))
        .limit(limit)
        .offset(offset)
        .select(UploadErrorRow::as_select())
        .load(conn)
}

/// The page an upload names: a name, an id, or a page URI (`/rest/v1/importpage/3/`).
/// Reads `core_page` by id here because `pages::store` offers lookups by name only.
pub fn find_page(conn: &mut DbConnection, raw: &str) -> QueryResult<Option<crate::pages::Page>> {
    use crate::db::schema::core_page;
    let raw = raw.trim();
    let by_id = |conn: &mut DbConnection, id: i64| {
        core_page::table.find(id).select(crate::pages::Page::as_select()).first(conn).optional()
    };
    if let Some(rest) = raw.strip_prefix("/rest/v1/") {
        let mut parts = rest.trim_end_matches('/').split('/');
        return match (parts.next(), parts.next().and_then(|id| id.parse::<i64>().ok()), parts.next()) {
            (Some(kind), Some(id), None) if kind.ends_with("page") => by_id(conn, id),
            _ => Ok(None),
        };
    }
    if raw.is_empty() {
        return Ok(None);
    }
    match crate::pages::store::find_by_name(conn, raw)? {
        Some(page) => Ok(Some(page)),
        None => match raw.parse::<i64>() {
            Ok(id) => by_id(conn, id),
            Err(_) => Ok(None),
        },
    }
}

/// The name of the page an upload goes to.
pub fn page_name(conn: &mut DbConnection, page_id: i64) -> QueryResult<String> {
    use crate::db::schema::core_page;
    core_page::table.find(page_id).select(core_page::name).first(conn)
}
