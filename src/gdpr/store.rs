//! SQL for `core_forgotten` (hashes only) and `core_auditlog` (no personal data).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Actor;
use crate::db::schema::{core_auditlog, core_forgotten};
use crate::db::DbConnection;

pub const EMAIL: &str = "email";
pub const USER_ID: &str = "user_id";

pub fn add_forgotten(conn: &mut DbConnection, kind: &str, hash: &str, now: NaiveDateTime) -> QueryResult<()> {
    let insert = diesel::insert_into(core_forgotten::table)
        .values((core_forgotten::kind.eq(kind), core_forgotten::hash.eq(hash), core_forgotten::created_at.eq(now)))
        .on_conflict_do_nothing();
    crate::db::execute_on_backend(conn, insert)?;
    Ok(())
}

type Lookup<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<core_forgotten::table, diesel::dsl::Eq<core_forgotten::kind, &'a str>>,
    diesel::dsl::Eq<core_forgotten::hash, &'a str>,
>;

/// The rows of one identifier: a search of the `(kind, hash)` unique index.
fn lookup<'a>(kind: &'a str, hash: &'a str) -> Lookup<'a> {
    core_forgotten::table.filter(core_forgotten::kind.eq(kind)).filter(core_forgotten::hash.eq(hash))
}

pub fn remove_forgotten(conn: &mut DbConnection, kind: &str, hash: &str) -> QueryResult<usize> {
    diesel::delete(lookup(kind, hash)).execute(conn)
}

/// Whether an identifier's hash is on the forgotten list. Every form post, upload row,
/// admin edit and mail asks this, so it must stay an index search as the list grows.
pub fn is_forgotten(conn: &mut DbConnection, kind: &str, hash: &str) -> QueryResult<bool> {
    lookup(kind, hash).count().get_result::<i64>(conn).map(|n| n > 0)
}

/// Which of `hashes` are forgotten (`hashes` within the backends' bind limits).
pub fn forgotten_among(conn: &mut DbConnection, kind: &str, hashes: &[&str]) -> QueryResult<Vec<String>> {
    core_forgotten::table
        .filter(core_forgotten::kind.eq(kind))
        .filter(core_forgotten::hash.eq_any(hashes))
        .select(core_forgotten::hash)
        .load(conn)
}

pub fn forgotten(conn: &mut DbConnection, kind: &str) -> QueryResult<Vec<String>> {
    core_forgotten::table
        .filter(core_forgotten::kind.eq(kind))
        .order(core_forgotten::id.asc())
        .select(core_forgotten::hash)
        .load(conn)
}

/// Appends an audit entry; `details` must hold counts and ids, never personal data.
pub fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
    verb: &str,
    object: Option<(&str, i64)>,
    details: &serde_json::Value,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(core_auditlog::table)
        .values((
            core_auditlog::actor.eq(&actor.who),
            core_auditlog::via.eq(&actor.via),
            core_auditlog::verb.eq(verb),
            core_auditlog::object_type.eq(object.map(|o| o.0).unwrap_or_default()),
            core_auditlog::object_id.eq(object.map(|o| o.1)),
            core_auditlog::details.eq(details.to_string()),
            core_auditlog::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// `(actor, via, verb, object_type, object_id, details, created_at)`, newest first.
pub type AuditRow = (String, String, String, String, Option<i64>, String, NaiveDateTime);

pub fn audit_entries(conn: &mut DbConnection, limit: i64) -> QueryResult<Vec<AuditRow>> {
    core_auditlog::table
        .order(core_auditlog::id.desc())
        .limit(limit)
        .select((
            core_auditlog::actor,
            core_auditlog::via,
            core_auditlog::verb,
            core_auditlog::object_type,
            core_auditlog::object_id,
            core_auditlog::details,
            core_auditlog::created_at,
        ))
        .load(conn)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use diesel::prelude::*;

    use super::{lookup, EMAIL};
    use crate::db::{migrations, DbTarget};

    #[derive(QueryableByName)]
    struct PlanStep {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }

    /// G3: the check every mail, form post and upload row makes searches the `(kind, hash)`
    /// index on SQLite. The mail worker once ran its own check by hash alone, which scanned
    /// the whole list for every message.
    #[test]
    fn g3_the_forgotten_check_searches_its_index() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("plan.db").display());
        let mut conn = DbTarget::parse(&url, "FULL").unwrap().connect().unwrap();
        migrations::run(&mut conn).unwrap();
        let hash = crate::gdpr::forget_hash("ann@example.org");
        let query = diesel::debug_query::<diesel::sqlite::Sqlite, _>(&lookup(EMAIL, &hash).count()).to_string();
        let sql = query.split(" -- binds").next().unwrap();
        let plan: Vec<PlanStep> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(&mut conn).unwrap();
        let steps: Vec<&str> = plan.iter().map(|s| s.detail.as_str()).collect();
        assert!(steps.iter().any(|s| s.starts_with("SEARCH core_forgotten")), "{steps:?}");
        assert!(!steps.iter().any(|s| s.starts_with("SCAN")), "{steps:?}");
    }
}
