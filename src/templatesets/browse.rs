//! What the admin's templateset screens read (SPEC S2, T1): the sets with their file counts,
//! one set's files (active overrides and ones reverted to Original), one file's current
//! state for the editor (its revision guards a stale save), and its revisions with the
//! account that saved each. Read-only; the writes stay in `templatesets::save` and `store`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{auth_staff, core_template, core_templaterevision, core_templateset};
use crate::db::DbConnection;

#[derive(Clone, Debug, Serialize)]
pub struct SetRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub revision: i64,
    pub updated_at: NaiveDateTime,
    /// Files this set overrides now (reverted ones not counted).
    pub overrides: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct FileRow {
    pub filename: String,
    pub revision: i64,
    /// `false` after "revert to Original": Original's file shows, the history stays.
    pub is_active: bool,
    pub updated_at: NaiveDateTime,
}

/// A file's stored state: what the editor opens and the revision a save must match.
#[derive(Clone, Debug, Serialize)]
pub struct FileState {
    pub code: String,
    pub revision: i64,
    pub is_active: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RevisionRow {
    pub revision: i64,
    pub code: String,
    pub created_at: NaiveDateTime,
    /// The staff account that saved it, when known (and still there).
    pub staff_email: Option<String>,
}

/// Every staff set, by name.
pub fn sets(conn: &mut DbConnection) -> QueryResult<Vec<SetRow>> {
    let rows: Vec<(i64, String, String, i64, NaiveDateTime)> = core_templateset::table
        .order(core_templateset::name.asc())
        .select((
            core_templateset::id,
            core_templateset::name,
            core_templateset::description,
            core_templateset::revision,
            core_templateset::updated_at,
        ))
        .load(conn)?;
    let active: Vec<i64> = core_template::table
        .filter(core_template::is_active.eq(true))
        .select(core_template::templateset_id)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, description, revision, updated_at)| SetRow {
            id,
            name,
            description,
            revision,
            updated_at,
            overrides: active.iter().filter(|s| **s == id).count(),
        })
        .collect())
}

/// One set's row by id.
pub fn set(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SetRow>> {
    Ok(sets(conn)?.into_iter().find(|s| s.id == id))
}

/// The files a set has ever saved, by name.
pub fn files(conn: &mut DbConnection, set_id: i64) -> QueryResult<Vec<FileRow>> {
    let rows: Vec<(String, i64, bool, NaiveDateTime)> = core_template::table
        .filter(core_template::templateset_id.eq(set_id))
        .order(core_template::filename.asc())
        .select((core_template::filename, core_template::revision, core_template::is_active, core_template::updated_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(filename, revision, is_active, updated_at)| FileRow { filename, revision, is_active, updated_at })
        .collect())
}

/// The set's stored version of `file`, active or reverted; `None` when never saved.
pub fn file(conn: &mut DbConnection, set_id: i64, file: &str) -> QueryResult<Option<FileState>> {
    let row: Option<(String, i64, bool)> = core_template::table
        .filter(core_template::templateset_id.eq(set_id))
        .filter(core_template::filename.eq(file))
        .select((core_template::code, core_template::revision, core_template::is_active))
        .first(conn)
        .optional()?;
    Ok(row.map(|(code, revision, is_active)| FileState { code, revision, is_active }))
}

/// Every saved version of a set's file, newest first, with who saved it.
pub fn revisions(conn: &mut DbConnection, set_id: i64, file: &str) -> QueryResult<Vec<RevisionRow>> {
    let rows: Vec<(i64, String, NaiveDateTime, Option<String>)> = core_templaterevision::table
        .inner_join(core_template::table)
        .left_join(auth_staff::table.on(core_templaterevision::staff_id.eq(auth_staff::id.nullable())))
        .filter(core_template::templateset_id.eq(set_id))
        .filter(core_template::filename.eq(file))
        .order(core_templaterevision::revision.desc())
        .select((
            core_templaterevision::revision,
            core_templaterevision::code,
            core_templaterevision::created_at,
            auth_staff::email.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(revision, code, created_at, staff_email)| RevisionRow { revision, code, created_at, staff_email })
        .collect())
}
