//! Reads of pages' tables for the REST resources (SPEC R1, R2): a [`Listing`] applied to
//! pages and allowed page fields — one page of rows and how many match in all — plus what
//! a page resource shows beside its row (custom page fields), loaded for a whole listing
//! page at once, and the checks a page write makes before it stores anything.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Page;
use crate::db::schema::{
    core_action, core_allowedpagefield, core_page, core_pagefield, core_privacyrecord, core_upload,
};
use crate::db::DbConnection;
use crate::listing::Listing;

/// `(total matching, this page)`.
pub type Rows<T> = (i64, Vec<T>);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_allowedpagefield)]
pub struct AllowedPageField {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
}

pub fn pages(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Rows<Page>> {
    let total = core_page::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_page::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(Page::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Custom page fields by page, for the pages in `pages`.
pub fn fields_of(conn: &mut DbConnection, pages: &[i64]) -> QueryResult<HashMap<i64, BTreeMap<String, String>>> {
    let rows: Vec<(i64, String, String)> = core_pagefield::table
        .filter(core_pagefield::parent_id.eq_any(pages))
        .select((core_pagefield::parent_id, core_pagefield::name, core_pagefield::value))
        .load(conn)?;
    let mut out: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (page, name, value) in rows {
        out.entry(page).or_default().insert(name, value);
    }
    Ok(out)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Page>> {
    core_page::table.find(id).select(Page::as_select()).first(conn).optional()
}

/// Whether anything of a supporter's history points at the page (actions, privacy
/// records, uploads): such a page is hidden rather than deleted.
pub fn has_history(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    let actions: bool =
        diesel::select(diesel::dsl::exists(core_action::table.filter(core_action::page_id.eq(id)))).get_result(conn)?;
    let records: bool =
        diesel::select(diesel::dsl::exists(core_privacyrecord::table.filter(core_privacyrecord::page_id.eq(Some(id)))))
            .get_result(conn)?;
    let uploads: bool =
        diesel::select(diesel::dsl::exists(core_upload::table.filter(core_upload::page_id.eq(id)))).get_result(conn)?;
    Ok(actions || records || uploads)
}

pub fn allowed_fields(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Rows<AllowedPageField>> {
    let total = core_allowedpagefield::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_allowedpagefield::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(AllowedPageField::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Names staff allowed for custom page fields.
pub fn allowed_field_names(conn: &mut DbConnection) -> QueryResult<Vec<String>> {
    core_allowedpagefield::table.select(core_allowedpagefield::name).load(conn)
}
