//! The admin's privacy reports (SPEC S2, P12), read-only: records filtered by user, action,
//! page, type and status; the stragglers — actions that created a user with a listed
//! country but left no privacy record, the forms to fix before switching on "require on
//! actions" (ActionKit's own suggested query); and actions per page. Every filter is a
//! bound parameter of a diesel query: no report value is ever spliced into SQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::PrivacySettings;
use crate::db::schema::{
    core_action as a, core_page as pg, core_privacyrecord as p, core_privacytext as t, core_user as u,
};
use crate::db::DbConnection;

/// What the records report filters on; `None` = any.
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
    pub page_id: Option<i64>,
    pub text_type: Option<String>,
    pub status: Option<String>,
}

#[derive(Clone, Debug, Queryable, Serialize)]
pub struct RecordLine {
    pub id: i64,
    pub user_id: i64,
    pub action_id: Option<i64>,
    pub page_id: Option<i64>,
    pub text_type: String,
    pub status: String,
    pub hash: String,
    pub context: String,
    pub created_at: NaiveDateTime,
}

/// `(how many match, the first `limit`, newest first)`.
pub fn records(conn: &mut DbConnection, f: &RecordFilter, limit: i64) -> QueryResult<(i64, Vec<RecordLine>)> {
    let filtered = || {
        let mut q = p::table.inner_join(t::table).filter(p::user_id.is_not_null()).into_boxed();
        if let Some(id) = f.user_id {
            q = q.filter(p::user_id.eq(id));
        }
        if let Some(id) = f.action_id {
            q = q.filter(p::action_id.eq(id));
        }
        if let Some(id) = f.page_id {
            q = q.filter(p::page_id.eq(id));
        }
        if let Some(kind) = &f.text_type {
            q = q.filter(t::type_.eq(kind.clone()));
        }
        if let Some(status) = &f.status {
            q = q.filter(p::status.eq(status.clone()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(p::id.desc())
        .limit(limit)
        .select((
            p::id,
            p::user_id.assume_not_null(),
            p::action_id,
            p::page_id,
            t::type_,
            p::status,
            t::hash,
            p::context,
            p::created_at,
        ))
        .load(conn)?;
    Ok((total, rows))
}

#[derive(Clone, Debug, Queryable, Serialize)]
pub struct Straggler {
    pub action_id: i64,
    pub page_id: i64,
    pub page_name: String,
    pub user_id: i64,
    pub country: String,
    pub created_at: NaiveDateTime,
}

/// Actions since `since` that created their user, whose stored country is listed, where
/// the user has no privacy record at all; oldest first, at most `limit`. Empty when no
/// country is listed.
pub fn stragglers(
    conn: &mut DbConnection,
    settings: &PrivacySettings,
    since: Option<NaiveDateTime>,
    limit: i64,
) -> QueryResult<Vec<Straggler>> {
    if settings.countries.is_empty() {
        return Ok(vec![]);
    }
    let mut q = a::table
        .inner_join(pg::table)
        .inner_join(u::table.on(a::user_id.eq(u::id.nullable())))
        .filter(a::created_user.eq(true))
        .filter(u::country.eq_any(settings.countries.clone()))
        .filter(u::id.ne_all(p::table.filter(p::user_id.is_not_null()).select(p::user_id.assume_not_null())))
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(a::created_at.ge(since));
    }
    q.order(a::id.asc()).limit(limit).select((a::id, pg::id, pg::name, u::id, u::country, a::created_at)).load(conn)
}

#[derive(Clone, Debug, Queryable, Serialize)]
pub struct PageActions {
    pub page_id: i64,
    pub name: String,
    pub page_type: String,
    pub actions: i64,
}

/// How many actions each page had in `[since, until)`; pages without any are left out.
pub fn actions_per_page(
    conn: &mut DbConnection,
    since: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
) -> QueryResult<Vec<PageActions>> {
    let mut q = a::table
        .inner_join(pg::table)
        .group_by((pg::id, pg::name, pg::type_))
        .select((pg::id, pg::name, pg::type_, diesel::dsl::count(a::id)))
        .order(pg::id.asc())
        .into_boxed();
    if let Some(since) = since {
        q = q.filter(a::created_at.ge(since));
    }
    if let Some(until) = until {
        q = q.filter(a::created_at.lt(until));
    }
    q.load(conn)
}

/// The stored versions of one text type, newest first (the notice tool's diff, SPEC B5).
pub fn versions_of_type(conn: &mut DbConnection, text_type: &str) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    t::table.filter(t::type_.eq(text_type)).order(t::id.desc()).select((t::hash, t::text, t::created_at)).load(conn)
}
