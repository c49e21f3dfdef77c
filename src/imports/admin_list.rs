//! What the admin's import screens read (SPEC S2, P14): the import pages to upload to, the
//! latest uploads with their page names, and the privacy notes used before (the choices
//! offered beside a one-off note). Read-only.

use diesel::prelude::*;

use super::store::UploadRow;
use crate::db::schema::{core_page, core_upload};
use crate::db::DbConnection;
use crate::pages::PageType;

/// An import page, as the upload form offers it.
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct ImportPage {
    pub id: i64,
    pub name: String,
    pub title: String,
}

pub fn import_pages(conn: &mut DbConnection) -> QueryResult<Vec<ImportPage>> {
    core_page::table
        .filter(core_page::type_.eq(PageType::Import.as_str()))
        .order(core_page::name.asc())
        .select((core_page::id, core_page::name, core_page::title))
        .load(conn)
}

/// The latest `limit` uploads, newest first, each with its page's name.
pub fn recent(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<(UploadRow, String)>> {
    core_upload::table
        .inner_join(core_page::table.on(core_page::id.eq(core_upload::page_id)))
        .order(core_upload::id.desc())
        .limit(limit)
        .select((UploadRow::as_select(), core_page::name))
        .load(conn)
}

/// Privacy notes of earlier uploads, most used first: the form's choices.
pub fn used_notes(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<String>> {
    core_upload::table
        .filter(core_upload::privacy_note.ne(""))
        .group_by(core_upload::privacy_note)
        .order(diesel::dsl::count_star().desc())
        .limit(limit)
        .select(core_upload::privacy_note)
        .load(conn)
}
