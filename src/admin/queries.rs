//! Read-only queries the admin screens need and no domain module offers yet: totals and
//! per-day counts for the dashboard, user search, a page of the audit log. Nothing here
//! writes; when a domain module grows the same query, the screen should call it instead.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::schema::{core_action, core_auditlog, core_forgotten, core_page, core_privacyrecord, core_user};
use crate::db::DbConnection;

diesel::define_sql_function!(fn lower(x: Text) -> Text);

#[derive(Debug, Default, serde::Serialize)]
pub struct Totals {
    pub users: i64,
    pub actions: i64,
    pub pages: i64,
    pub privacy_records: i64,
    pub forgotten: i64,
}

pub fn totals(conn: &mut DbConnection) -> QueryResult<Totals> {
    Ok(Totals {
        users: core_user::table.count().get_result(conn)?,
        actions: core_action::table.count().get_result(conn)?,
        pages: core_page::table.count().get_result(conn)?,
        privacy_records: core_privacyrecord::table
            .filter(core_privacyrecord::user_id.is_not_null())
            .count()
            .get_result(conn)?,
        forgotten: core_forgotten::table
            .filter(core_forgotten::kind.eq(crate::gdpr::store::EMAIL))
            .count()
            .get_result(conn)?,
    })
}

/// Tables the dashboard counts per day (by `created_at`).
#[derive(Clone, Copy, Debug)]
pub enum Daily {
    Actions,
    NewUsers,
}

impl Daily {
    fn table(self) -> &'static str {
        match self {
            Self::Actions => "core_action",
            Self::NewUsers => "core_user",
        }
    }
}

#[derive(QueryableByName)]
struct DayCount {
    #[diesel(sql_type = Text)]
    day: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Rows per day since `since` (inclusive), every day present (zeros filled in), oldest first.
pub fn per_day(
    conn: &mut DbConnection,
    what: Daily,
    since: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<(NaiveDate, i64)>> {
    let start: NaiveDateTime = since.and_hms_opt(0, 0, 0).unwrap_or_default();
    // The day of a timestamp is spelled differently per backend; both use the created_at index.
    let rows: Vec<DayCount> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(format!(
            "SELECT date(created_at) AS day, COUNT(*) AS n FROM {} WHERE created_at >= ? GROUP BY date(created_at)",
            what.table()
        ))
        .bind::<Timestamp, _>(start)
        .load(c)?,
        DbConnection::Postgresql(c) => diesel::sql_query(format!(
            "SELECT to_char(created_at, 'YYYY-MM-DD') AS day, COUNT(*) AS n FROM {} WHERE created_at >= $1 GROUP BY 1",
            what.table()
        ))
        .bind::<Timestamp, _>(start)
        .load(c)?,
    };
    let counts: std::collections::HashMap<NaiveDate, i64> =
        rows.into_iter().filter_map(|r| NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").ok().map(|d| (d, r.n))).collect();
    Ok(since.iter_days().take_while(|d| *d <= until).map(|d| (d, counts.get(&d).copied().unwrap_or(0))).collect())
}

/// One row of the user search.
#[derive(Debug, Queryable, serde::Serialize)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub country: String,
    pub created_at: NaiveDateTime,
}

fn like_pattern(term: &str) -> String {
    let escaped = term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// Users matching `q`: an id (`42` or `#42`) exactly; otherwise every word must occur in
/// the email, the first or the last name (any case). Empty `q`: the newest users.
pub fn search_users(conn: &mut DbConnection, q: &str, limit: i64) -> QueryResult<Vec<UserRow>> {
    let columns = (
        core_user::id,
        core_user::email,
        core_user::first_name,
        core_user::last_name,
        core_user::country,
        core_user::created_at,
    );
    let q = q.trim();
    if let Ok(id) = q.trim_start_matches('#').parse::<i64>() {
        return core_user::table.filter(core_user::id.eq(id)).select(columns).load(conn);
    }
    let mut query = core_user::table.select(columns).order(core_user::id.desc()).limit(limit).into_boxed();
    for word in q.split_whitespace() {
        let pattern = like_pattern(word);
        query = query.filter(
            lower(core_user::email)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(core_user::first_name).like(pattern.clone()).escape('\\'))
                .or(lower(core_user::last_name).like(pattern).escape('\\')),
        );
    }
    query.load(conn)
}

/// One audit entry as the log screen shows it.
#[derive(Debug, Queryable, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub via: String,
    pub verb: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

/// A page of the audit log, newest first, and how many entries there are in all.
pub fn audit_page(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let total = core_auditlog::table.count().get_result(conn)?;
    let rows = core_auditlog::table
        .order(core_auditlog::id.desc())
        .offset(offset)
        .limit(limit)
        .select((
            core_auditlog::id,
            core_auditlog::actor,
            core_auditlog::via,
            core_auditlog::verb,
            core_auditlog::object_type,
            core_auditlog::object_id,
            core_auditlog::details,
            core_auditlog::created_at,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// The forgotten list's hashes of one kind with when they were added, newest first.
pub fn forgotten(conn: &mut DbConnection, kind: &str, limit: i64) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    core_forgotten::table
        .filter(core_forgotten::kind.eq(kind))
        .order(core_forgotten::id.desc())
        .limit(limit)
        .select((core_forgotten::hash, core_forgotten::created_at))
        .load(conn)
}
