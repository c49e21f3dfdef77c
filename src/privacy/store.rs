//! SQL for the privacy tables.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{PrivacyHash, PrivacySettings};
use crate::db::schema::core_privacysettings;
use crate::db::DbConnection;

/// The one settings row, or the defaults (off) when none was saved.
pub fn load_settings(conn: &mut DbConnection) -> QueryResult<PrivacySettings> {
    let row = core_privacysettings::table
        .order(core_privacysettings::id.asc())
        .select((
            core_privacysettings::enabled,
            core_privacysettings::countries,
            core_privacysettings::require_on_actions,
            core_privacysettings::require_notes_user_admin,
            core_privacysettings::require_notes_import,
            core_privacysettings::require_on_user_api,
        ))
        .first::<(bool, String, bool, bool, bool, bool)>(conn)
        .optional()?;
    Ok(row
        .map(|(enabled, countries, on_actions, notes_admin, notes_import, user_api)| PrivacySettings {
            enabled,
            countries: PrivacySettings::parse_countries(&countries),
            require_on_actions: on_actions,
            require_notes_user_admin: notes_admin,
            require_notes_import: notes_import,
            require_on_user_api: user_api,
        })
        .unwrap_or_default())
}

/// Saves the settings (P1): the one row, replaced whole.
pub fn save_settings(conn: &mut DbConnection, s: &PrivacySettings, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(core_privacysettings::table).execute(conn)?;
    diesel::insert_into(core_privacysettings::table)
        .values((
            core_privacysettings::enabled.eq(s.enabled),
            core_privacysettings::countries.eq(s.countries.join("\n")),
            core_privacysettings::require_on_actions.eq(s.require_on_actions),
            core_privacysettings::require_notes_user_admin.eq(s.require_notes_user_admin),
            core_privacysettings::require_notes_import.eq(s.require_notes_import),
            core_privacysettings::require_on_user_api.eq(s.require_on_user_api),
            core_privacysettings::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// A stored text version (SPEC P7).
#[derive(Clone, Debug, Queryable)]
pub struct Version {
    pub id: i64,
    pub text_type: String,
    pub text: String,
    pub hash: String,
}

pub fn version_by_hash(conn: &mut DbConnection, hash: &PrivacyHash) -> QueryResult<Option<Version>> {
    use crate::db::schema::core_privacytext as t;
    t::table.filter(t::hash.eq(hash.as_str())).select((t::id, t::type_, t::text, t::hash)).first(conn).optional()
}

/// The version for `(text_type, text)`, stored on first use; versions are never edited.
pub fn ensure_version(
    conn: &mut DbConnection,
    text_type: &str,
    text: &str,
    now: NaiveDateTime,
) -> QueryResult<Version> {
    use crate::db::schema::core_privacytext as t;
    let hash = PrivacyHash::of(text_type, text);
    if let Some(found) = version_by_hash(conn, &hash)? {
        return Ok(found);
    }
    let insert = diesel::insert_into(t::table)
        .values((t::type_.eq(text_type), t::text.eq(text), t::hash.eq(hash.as_str()), t::created_at.eq(now)))
        .on_conflict_do_nothing();
    // Two actions may store the same new version at once: the loser's insert does nothing.
    crate::db::execute_on_backend(conn, insert)?;
    version_by_hash(conn, &hash)?.ok_or(diesel::result::Error::NotFound)
}

/// A new record with its evidence (SPEC P12, B2).
pub struct NewRecord<'a> {
    pub user_id: i64,
    pub action_id: Option<i64>,
    pub version_id: i64,
    pub context: &'a str,
    pub note: &'a str,
    pub page_id: Option<i64>,
    pub templateset_id: Option<i64>,
    pub templateset_revision: Option<i64>,
    pub lang: &'a str,
    pub country_submitted: &'a str,
    pub user_agent: &'a str,
    pub ip_hmac: &'a str,
}

/// Inserts the record and its `created` entry in the consent log.
pub fn insert_record(conn: &mut DbConnection, r: &NewRecord<'_>, now: NaiveDateTime) -> QueryResult<i64> {
    use crate::db::schema::core_privacyrecord as p;
    let id = crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(p::table).values((
            p::user_id.eq(r.user_id),
            p::action_id.eq(r.action_id),
            p::version_id.eq(r.version_id),
            p::status.eq("active"),
            p::context.eq(r.context),
            p::note.eq(r.note),
            p::page_id.eq(r.page_id),
            p::templateset_id.eq(r.templateset_id),
            p::templateset_revision.eq(r.templateset_revision),
            p::lang.eq(r.lang),
            p::country_submitted.eq(r.country_submitted),
            p::user_agent.eq(r.user_agent),
            p::ip_hmac.eq(r.ip_hmac),
            p::created_at.eq(now),
            p::updated_at.eq(now),
        )),
        p::id
    )?;
    super::chain::append(conn, id, "created", now)?;
    Ok(id)
}

/// Which records to withdraw (SPEC P13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Withdraw {
    All,
    Version(PrivacyHash),
}

/// Marks the user's active records withdrawn (all, or those of one version), each with a
/// `withdrawn` log entry; returns their ids.
pub fn withdraw(conn: &mut DbConnection, user_id: i64, which: &Withdraw, now: NaiveDateTime) -> QueryResult<Vec<i64>> {
    use crate::db::schema::{core_privacyrecord as p, core_privacytext as t};
    let mut query = p::table
        .inner_join(t::table)
        .filter(p::user_id.eq(user_id))
        .filter(p::status.eq("active"))
        .select(p::id)
        .into_boxed();
    if let Withdraw::Version(hash) = which {
        query = query.filter(t::hash.eq(hash.as_str()));
    }
    let ids: Vec<i64> = query.order(p::id.asc()).load(conn)?;
    if ids.is_empty() {
        return Ok(ids);
    }
    diesel::update(p::table.filter(p::id.eq_any(&ids)))
        .set((p::status.eq("withdrawn"), p::updated_at.eq(now)))
        .execute(conn)?;
    let entries: Vec<(i64, &str)> = ids.iter().map(|id| (*id, "withdrawn")).collect();
    super::chain::append_all(conn, &entries, now)?;
    Ok(ids)
}

/// The texts of these records, with their current status, for a receipt.
pub fn texts_of_records(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<crate::receipts::ReceiptText>> {
    use crate::db::schema::{core_privacyrecord as p, core_privacytext as t};
    let rows: Vec<(String, String, String, String)> = p::table
        .inner_join(t::table)
        .filter(p::id.eq_any(ids))
        .order(p::id.asc())
        .select((t::type_, t::hash, t::text, p::status))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(text_type, hash, text, status)| crate::receipts::ReceiptText { text_type, hash, text, status })
        .collect())
}

pub fn has_active_record(conn: &mut DbConnection, user_id: i64) -> QueryResult<bool> {
    use crate::db::schema::core_privacyrecord as p;
    p::table
        .filter(p::user_id.eq(user_id))
        .filter(p::status.eq("active"))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n > 0)
}

/// One of a user's records with its text (P15, the user admin, the export).
#[derive(Clone, Debug, Queryable, serde::Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub text_type: String,
    pub hash: String,
    pub status: String,
    pub text: String,
}

/// A user's records, oldest first.
pub fn records_of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<UserRecord>> {
    use crate::db::schema::{core_privacyrecord as p, core_privacytext as t};
    p::table
        .inner_join(t::table)
        .filter(p::user_id.eq(user_id))
        .order(p::id.asc())
        .select((p::id, t::type_, t::hash, p::status, t::text))
        .load(conn)
}

/// Erase (SPEC G2, B1): scrubs a person's records in place, in one statement, then appends
/// an `erased` entry per record to the consent log in record order (the chain's head read
/// once), each with the digest of the scrubbed row.
///
/// A scrubbed record keeps its text version, page, templateset, action, language, context
/// and time, and loses everything that was the person's: the user, the status (`erased`),
/// the note, the country as submitted, the user agent and the IP's HMAC. Scrubbing rather
/// than deleting rewrites only the table's pages: no indexed column but `user_id` changes,
/// and the user index skips NULLs (issue 7: a forget of a person with 20 records wrote
/// about 100 pages for them when each record left five indexes). Returns how many.
pub fn erase_for_user(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::core_privacyrecord as p;
    // Read, then update: SQLite's `UPDATE … RETURNING` opens a statement journal (see
    // `db::insert_returning_id!`).
    let mut ids: Vec<i64> = p::table.filter(p::user_id.eq(user_id)).select(p::id).load(conn)?;
    diesel::update(p::table.filter(p::user_id.eq(user_id)))
        .set((
            p::user_id.eq(None::<i64>),
            p::status.eq(super::chain::ERASED),
            p::note.eq(""),
            p::country_submitted.eq(""),
            p::user_agent.eq(""),
            p::ip_hmac.eq(""),
            p::updated_at.eq(now),
        ))
        .execute(conn)?;
    ids.sort_unstable();
    let entries: Vec<(i64, &str)> = ids.iter().map(|id| (*id, super::chain::ERASED)).collect();
    super::chain::append_all(conn, &entries, now)?;
    Ok(ids.len())
}
