//! The tamper-evident consent log (SPEC B1). Every change of a privacy record's state —
//! created, withdrawn, erased — appends an entry to `core_consentlog`; each entry's hash
//! covers the previous entry's hash, so removing, reordering or editing an entry breaks the
//! chain. Each entry also holds a digest of the record row as it stood, so a row edited by
//! hand no longer matches its latest entry. Entries carry ids and digests, never personal
//! data: an erase scrubs the row in place and logs the scrubbed row's digest, so the chain
//! still verifies and a scrubbed row deleted or refilled afterwards is caught.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::schema::{core_consentlog, core_privacyrecord};
use crate::db::DbConnection;

/// The consent log's event, and the record's status, when an erase scrubbed a record.
pub const ERASED: &str = "erased";

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A record row's fields that the chain vouches for.
#[derive(Clone, Debug, Queryable, Serialize)]
pub struct RecordState {
    pub id: i64,
    /// `None` once an erase has scrubbed the record.
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
    pub version_id: i64,
    pub status: String,
    pub context: String,
    pub note: String,
    pub page_id: Option<i64>,
    pub templateset_id: Option<i64>,
    pub templateset_revision: Option<i64>,
    pub lang: String,
    pub country_submitted: String,
    pub user_agent: String,
    pub ip_hmac: String,
    pub created_at: NaiveDateTime,
}

impl RecordState {
    /// SHA-256 over the row's canonical JSON: evidence of the row without its content.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

pub fn record_state(conn: &mut DbConnection, id: i64) -> QueryResult<Option<RecordState>> {
    Ok(record_states(conn, &[id])?.pop())
}

/// The states of these records (those that exist), in id order: one query for a whole erase.
fn record_states(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<RecordState>> {
    core_privacyrecord::table
        .filter(core_privacyrecord::id.eq_any(ids))
        .order(core_privacyrecord::id.asc())
        .select((
            core_privacyrecord::id,
            core_privacyrecord::user_id,
            core_privacyrecord::action_id,
            core_privacyrecord::version_id,
            core_privacyrecord::status,
            core_privacyrecord::context,
            core_privacyrecord::note,
            core_privacyrecord::page_id,
            core_privacyrecord::templateset_id,
            core_privacyrecord::templateset_revision,
            core_privacyrecord::lang,
            core_privacyrecord::country_submitted,
            core_privacyrecord::user_agent,
            core_privacyrecord::ip_hmac,
            core_privacyrecord::created_at,
        ))
        .load(conn)
}

/// What one log entry says (serialized as its `entry` column).
#[derive(Debug, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub record_id: i64,
    pub event: String,
    /// Digest of the row after the event. Empty for an `erased` entry written before
    /// erases scrubbed records in place, when the row was deleted.
    pub row_digest: String,
    pub at: String,
}

pub fn entry_hash(prev_hash: &str, entry_json: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(entry_json.as_bytes());
    hex::encode(h.finalize())
}

/// Appends an entry for `record_id` after `event` (see [`append_all`]).
pub fn append(conn: &mut DbConnection, record_id: i64, event: &str, now: NaiveDateTime) -> QueryResult<()> {
    append_all(conn, &[(record_id, event)], now)
}

/// Appends one entry per `(record_id, event)`, in the order given. The chain's head and the
/// records' rows are read once, each entry chains onto the one before it, and the entries
/// go in as one statement, so an erase of many records costs three statements, not three
/// per record. Serialized per database so two transactions never chain onto the same
/// predecessor.
pub fn append_all(conn: &mut DbConnection, events: &[(i64, &str)], now: NaiveDateTime) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    if let DbConnection::Postgresql(pg) = conn {
        // Held to the end of the transaction; SQLite's single writer needs nothing.
        diesel::sql_query("SELECT pg_advisory_xact_lock(727072)").execute(pg)?;
    }
    let at = now.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let mut prev: String = core_consentlog::table
        .order(core_consentlog::id.desc())
        .select(core_consentlog::entry_hash)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| GENESIS.to_owned());
    let ids: Vec<i64> = events.iter().map(|&(id, _)| id).collect();
    let mut digests = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        digests.extend(record_states(conn, chunk)?.into_iter().map(|s| (s.id, s.digest())));
    }
    let mut rows = Vec::with_capacity(events.len());
    for &(record_id, event) in events {
        let row_digest = digests.get(&record_id).cloned().unwrap_or_default();
        let entry = Entry { record_id, event: event.to_owned(), row_digest, at: at.clone() };
        let entry_json = serde_json::to_string(&entry).unwrap_or_default();
        let hash = entry_hash(&prev, &entry_json);
        rows.push((
            core_consentlog::record_id.eq(record_id),
            core_consentlog::event.eq(event),
            core_consentlog::entry.eq(entry_json),
            core_consentlog::prev_hash.eq(std::mem::replace(&mut prev, hash.clone())),
            core_consentlog::entry_hash.eq(hash),
            core_consentlog::created_at.eq(now),
        ));
    }
    for chunk in rows.chunks(CHUNK) {
        crate::db::execute_on_backend(conn, diesel::insert_into(core_consentlog::table).values(chunk))?;
    }
    Ok(())
}

/// Rows per statement: well under SQLite's 32,766 bound parameters at six a row.
const CHUNK: usize = 1_000;

/// What verification found: how much it checked and the first problems, if any.
#[derive(Debug, Default, Serialize)]
pub struct Verification {
    pub entries: usize,
    pub records: usize,
    pub problems: Vec<String>,
}

/// Walks the whole chain, then checks every current record row against its latest entry
/// and that no row exists without one.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Verification> {
    let log: Vec<(i64, i64, String, String, String)> = core_consentlog::table
        .order(core_consentlog::id.asc())
        .select((
            core_consentlog::id,
            core_consentlog::record_id,
            core_consentlog::entry,
            core_consentlog::prev_hash,
            core_consentlog::entry_hash,
        ))
        .load(conn)?;
    let mut out = Verification { entries: log.len(), ..Verification::default() };
    let mut prev = GENESIS.to_owned();
    let mut latest: std::collections::BTreeMap<i64, Entry> = std::collections::BTreeMap::new();
    for (id, record_id, entry_json, prev_hash, hash) in log {
        if prev_hash != prev {
            out.problems.push(format!("log entry {id}: its predecessor is missing or was changed"));
        }
        if entry_hash(&prev_hash, &entry_json) != hash {
            out.problems.push(format!("log entry {id}: its content was changed"));
        }
        match serde_json::from_str::<Entry>(&entry_json) {
            Ok(entry) if entry.record_id == record_id => {
                latest.insert(record_id, entry);
            }
            _ => out.problems.push(format!("log entry {id}: unreadable entry")),
        }
        prev = hash;
    }
    let ids: Vec<i64> =
        core_privacyrecord::table.select(core_privacyrecord::id).order(core_privacyrecord::id.asc()).load(conn)?;
    out.records = ids.len();
    for id in &ids {
        match latest.get(id) {
            None => out.problems.push(format!("privacy record {id}: not in the log (inserted outside Placard)")),
            Some(entry) if entry.event == ERASED && entry.row_digest.is_empty() => {
                out.problems.push(format!("privacy record {id}: the log says it was erased, but the row exists"));
            }
            Some(entry) => {
                let digest = record_state(conn, *id)?.map(|s| s.digest()).unwrap_or_default();
                if digest != entry.row_digest {
                    out.problems.push(format!("privacy record {id}: the row was edited outside Placard"));
                }
            }
        }
    }
    for (record_id, entry) in &latest {
        // Since erases scrub in place, an erased record's row stays; only an entry from
        // before (no digest) may lack its row.
        let may_be_gone = entry.event == ERASED && entry.row_digest.is_empty();
        if !may_be_gone && ids.binary_search(record_id).is_err() {
            out.problems.push(format!("privacy record {record_id}: removed without a logged erase"));
        }
    }
    Ok(out)
}
