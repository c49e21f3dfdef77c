//! SQL for pages' tables. Nothing else writes `core_page`, `core_pagefield` or
//! `core_pagefollowup`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{NewPage, Page, PageType};
use crate::db::schema::core_page;
use crate::db::DbConnection;

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Page>> {
    core_page::table.filter(core_page::name.eq(name)).select(Page::as_select()).first(conn).optional()
}

/// Active pages supporters can open, newest first (not imports, nor the built-in page
/// behind `/me/update/`).
pub fn list_public(conn: &mut DbConnection) -> QueryResult<Vec<Page>> {
    core_page::table
        .filter(core_page::status.eq("active"))
        .filter(core_page::type_.ne_all([PageType::Import.as_str(), PageType::Update.as_str()]))
        .order(core_page::id.asc())
        .select(Page::as_select())
        .load(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    core_page::table.count().get_result(conn)
}

pub fn insert(conn: &mut DbConnection, page: &NewPage, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_page::table)
        .values((
            core_page::name.eq(&page.name),
            core_page::title.eq(&page.title),
            core_page::type_.eq(page.page_type.unwrap_or(PageType::Petition).as_str()),
            core_page::lang.eq(&page.lang),
            core_page::list_id.eq(page.list_id),
            core_page::payment_account_id.eq(page.payment_account_id),
            core_page::required_fields.eq(&page.required_fields),
            core_page::goal.eq(page.goal),
            core_page::introduction_text.eq(&page.introduction_text),
            core_page::statement_leadin.eq(&page.statement_leadin),
            core_page::statement_text.eq(&page.statement_text),
            core_page::about_text.eq(&page.about_text),
            core_page::thank_you_text.eq(&page.thank_you_text),
            core_page::created_at.eq(now),
            core_page::updated_at.eq(now),
        ))
        .returning(core_page::id)
        .get_result(conn)
}

/// A page's custom fields (`core_pagefield`), by name.
pub fn fields(conn: &mut DbConnection, page_id: i64) -> QueryResult<std::collections::BTreeMap<String, String>> {
    use crate::db::schema::core_pagefield;
    let rows: Vec<(String, String)> = core_pagefield::table
        .filter(core_pagefield::parent_id.eq(page_id))
        .select((core_pagefield::name, core_pagefield::value))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Sets a custom page field, replacing its earlier value.
pub fn set_field(conn: &mut DbConnection, page_id: i64, name: &str, value: &str) -> QueryResult<()> {
    use crate::db::schema::core_pagefield;
    diesel::delete(
        core_pagefield::table.filter(core_pagefield::parent_id.eq(page_id)).filter(core_pagefield::name.eq(name)),
    )
    .execute(conn)?;
    diesel::insert_into(core_pagefield::table)
        .values((core_pagefield::parent_id.eq(page_id), core_pagefield::name.eq(name), core_pagefield::value.eq(value)))
        .execute(conn)
        .map(|_| ())
}

pub fn set_templateset(conn: &mut DbConnection, page_id: i64, templateset_id: Option<i64>) -> QueryResult<()> {
    diesel::update(core_page::table.find(page_id))
        .set(core_page::templateset_id.eq(templateset_id))
        .execute(conn)
        .map(|_| ())
}
