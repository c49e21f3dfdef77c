//! Privacy record reports (SPEC P12): records by user, by action, counts by type and
//! status, and the stragglers query — supporters with a listed country and no record of any
//! type, the forms to fix before switching on "require on actions". Read-only.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::PrivacySettings;
use crate::db::schema::{core_privacyrecord as p, core_privacytext as t, core_user as u};
use crate::db::DbConnection;

// Grouping by a column of each joined table needs diesel told that they go together.
diesel::allow_columns_to_appear_in_same_group_by_clause!(t::type_, p::status);

#[derive(Debug, Serialize, Queryable, PartialEq, Eq)]
pub struct TypeStatusCount {
    pub text_type: String,
    pub status: String,
    pub records: i64,
}

/// How many records there are of each type and status.
pub fn by_type_and_status(conn: &mut DbConnection) -> QueryResult<Vec<TypeStatusCount>> {
    p::table
        .inner_join(t::table)
        .group_by((t::type_, p::status))
        .select((t::type_, p::status, diesel::dsl::count(p::id)))
        .order((t::type_.asc(), p::status.asc()))
        .load(conn)
}

/// `(record id, user id, type, status, created_at)`.
pub type ActionRecordRow = (i64, i64, String, String, NaiveDateTime);

/// An action's records.
pub fn by_action(conn: &mut DbConnection, action_id: i64) -> QueryResult<Vec<ActionRecordRow>> {
    p::table
        .inner_join(t::table)
        .filter(p::action_id.eq(action_id))
        .filter(p::user_id.is_not_null())
        .order(p::id.asc())
        .select((p::id, p::user_id.assume_not_null(), t::type_, p::status, p::created_at))
        .load(conn)
}

/// Supporters created since `since` whose stored country is listed and who have no
/// privacy record at all: `(user id, country, created_at)`, oldest first.
pub fn stragglers(
    conn: &mut DbConnection,
    settings: &PrivacySettings,
    since: NaiveDateTime,
) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    if settings.countries.is_empty() {
        return Ok(vec![]);
    }
    // Scrubbed records have no user: a NULL in a `NOT IN` list would match no one.
    let with_records = p::table.filter(p::user_id.is_not_null()).select(p::user_id.assume_not_null());
    u::table
        .filter(u::created_at.ge(since))
        .filter(u::country.eq_any(&settings.countries))
        .filter(u::id.ne_all(with_records))
        .order(u::created_at.asc())
        .select((u::id, u::country, u::created_at))
        .load(conn)
}
