//! Page writes of the REST resources (SPEC R1, R3): changing a page's columns and custom
//! fields, allowing page field names, and deleting a page — or hiding it when supporters'
//! history points at it (actions, privacy records, uploads must keep their page). With
//! `pages::store`, the only writer of `core_page`, `core_pagefield`, `core_allowedpagefield`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{core_allowedpagefield, core_page, core_pagefield, core_pagefollowup};
use crate::db::DbConnection;

/// Columns a write sets; `None` leaves a column as it is.
#[derive(Clone, Debug, Default)]
pub struct PageChanges {
    pub name: Option<String>,
    pub title: Option<String>,
    pub lang: Option<String>,
    pub list_id: Option<i64>,
    pub status: Option<String>,
    pub required_fields: Option<String>,
    pub goal: Option<Option<i64>>,
    pub unsubscribe_all: Option<bool>,
    pub allow_taf: Option<bool>,
    pub introduction_text: Option<String>,
    pub statement_leadin: Option<String>,
    pub statement_text: Option<String>,
    pub about_text: Option<String>,
    pub thank_you_text: Option<String>,
    pub survey_question_text: Option<String>,
    pub ground_rules: Option<String>,
}

/// The columns named in `c`, and `updated_at`, one statement per column (each one
/// typed, which a single dynamic `SET` across both backends would not be).
pub fn update(conn: &mut DbConnection, id: i64, c: &PageChanges, now: NaiveDateTime) -> QueryResult<()> {
    let row = core_page::table.find(id);
    macro_rules! set {
        ($field:ident) => {
            if let Some(value) = &c.$field {
                diesel::update(row).set(core_page::$field.eq(value)).execute(conn)?;
            }
        };
    }
    set!(name);
    set!(title);
    set!(lang);
    set!(list_id);
    set!(status);
    set!(required_fields);
    set!(goal);
    set!(unsubscribe_all);
    set!(allow_taf);
    set!(introduction_text);
    set!(statement_leadin);
    set!(statement_text);
    set!(about_text);
    set!(thank_you_text);
    set!(survey_question_text);
    set!(ground_rules);
    diesel::update(row).set(core_page::updated_at.eq(now)).execute(conn).map(|_| ())
}

/// Removes a page with no history, with its custom fields and follow-up.
pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(core_pagefield::table.filter(core_pagefield::parent_id.eq(id))).execute(conn)?;
    diesel::delete(core_pagefollowup::table.filter(core_pagefollowup::page_id.eq(id))).execute(conn)?;
    diesel::delete(core_page::table.find(id)).execute(conn).map(|_| ())
}

/// Removes a custom page field (a blank value in a write).
pub fn remove_field(conn: &mut DbConnection, page_id: i64, name: &str) -> QueryResult<()> {
    diesel::delete(
        core_pagefield::table.filter(core_pagefield::parent_id.eq(page_id)).filter(core_pagefield::name.eq(name)),
    )
    .execute(conn)
    .map(|_| ())
}

pub fn allow_field(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_allowedpagefield::table)
        .values((core_allowedpagefield::name.eq(name), core_allowedpagefield::created_at.eq(now)))
        .returning(core_allowedpagefield::id)
        .get_result(conn)
}
