//! The outbox as the admin shows it (SPEC S2): counts by status and one page of mail,
//! newest first, optionally of one status, without the bodies. Read-only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::core_outbox;
use crate::db::DbConnection;

#[derive(Clone, Debug, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = core_outbox)]
pub struct OutboxSummary {
    pub id: i64,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// `(status, count)` for every status present.
pub fn counts(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    core_outbox::table
        .group_by(core_outbox::status)
        .select((core_outbox::status, diesel::dsl::count_star()))
        .order(core_outbox::status.asc())
        .load(conn)
}

/// One page of mail, newest first; `status` narrows it.
pub fn page(
    conn: &mut DbConnection,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<(i64, Vec<OutboxSummary>)> {
    let filtered = || {
        let mut q = core_outbox::table.into_boxed();
        if let Some(status) = status {
            q = q.filter(core_outbox::status.eq(status.to_owned()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(core_outbox::id.desc())
        .limit(limit)
        .offset(offset)
        .select(OutboxSummary::as_select())
        .load(conn)?;
    Ok((total, rows))
}
