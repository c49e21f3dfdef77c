//! SQL for the outbox (`core_outbox`) and the blackhole list (`core_blackholedemail`);
//! nothing else touches these tables. Asks `gdpr::store` whether an address is forgotten
//! (SPEC G3), so that no mail is sent to it.
//!
//! A row's life: `queued` → claimed by one worker (`sending`, `claimed_by`, `claimed_at`) →
//! `sent`, or back to `queued` with a later `next_attempt_at` (backoff), or `failed` for
//! good, or `skipped` when the address was blackholed or forgotten before delivery. A row
//! stuck in `sending` (its server died) is queued again after [`STALE_AFTER_MINUTES`].

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::schema::{core_blackholedemail, core_outbox};
use crate::db::DbConnection;

pub const QUEUED: &str = "queued";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
pub const SKIPPED: &str = "skipped";

/// Delivery attempts before a row is given up (`failed`): about nine hours of retries.
pub const MAX_ATTEMPTS: i64 = 10;
/// The first retry waits this long; each further one twice as long as the one before.
const FIRST_RETRY_SECONDS: i64 = 60;
/// No retry waits longer than this.
const MAX_RETRY_SECONDS: i64 = 6 * 60 * 60;
/// A claim older than this belongs to a server that died while sending.
pub const STALE_AFTER_MINUTES: i64 = 15;
/// `last_error` keeps this many characters.
const MAX_ERROR_CHARS: usize = 500;

/// A mail to queue; `kind` is `thanks`, `taf`, …
pub struct NewMail<'a> {
    pub kind: &'a str,
    pub to_email: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub claimed_by: String,
    pub claimed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

/// Queues a mail, due at once; the row's id.
pub fn enqueue(conn: &mut DbConnection, mail: &NewMail<'_>, now: NaiveDateTime) -> QueryResult<i64> {
    insert(conn, mail, QUEUED, "", now)
}

/// Records a mail that cannot be sent (e.g. its template does not render), so staff see
/// why in the outbox; no worker picks it up.
pub fn record_failed(conn: &mut DbConnection, mail: &NewMail<'_>, error: &str, now: NaiveDateTime) -> QueryResult<i64> {
    insert(conn, mail, FAILED, error, now)
}

fn insert(
    conn: &mut DbConnection,
    mail: &NewMail<'_>,
    status: &str,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(core_outbox::table).values((
            core_outbox::kind.eq(mail.kind),
            core_outbox::to_email.eq(mail.to_email),
            core_outbox::subject.eq(mail.subject),
            core_outbox::body_text.eq(mail.body_text),
            core_outbox::body_html.eq(mail.body_html),
            core_outbox::user_id.eq(mail.user_id),
            core_outbox::action_id.eq(mail.action_id),
            core_outbox::status.eq(status),
            core_outbox::last_error.eq(truncate(error)),
            core_outbox::next_attempt_at.eq(now),
            core_outbox::created_at.eq(now),
        )),
        core_outbox::id
    )
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<OutboxRow>> {
    core_outbox::table.find(id).select(OutboxRow::as_select()).first(conn).optional()
}

/// Rows of one action, oldest first (tests and the admin).
pub fn for_action(conn: &mut DbConnection, action_id: i64) -> QueryResult<Vec<OutboxRow>> {
    core_outbox::table
        .filter(core_outbox::action_id.eq(action_id))
        .order(core_outbox::id.asc())
        .select(OutboxRow::as_select())
        .load(conn)
}

/// Rows waiting for delivery (queued, whether due or backing off): the queue depth.
/// How many outbox rows are in each status (`queued`, `sending`, `sent`, `failed`).
pub fn counts_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    core_outbox::table
        .group_by(core_outbox::status)
        .select((core_outbox::status, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)
}

pub fn count_queued(conn: &mut DbConnection) -> QueryResult<i64> {
    core_outbox::table.filter(core_outbox::status.eq(QUEUED)).count().get_result(conn)
}

/// `(due now, stuck in sending since before stale_before)`: whether a claim is worth a write.
pub fn pending_work(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<(i64, i64)> {
    let due = core_outbox::table
        .filter(core_outbox::status.eq(QUEUED))
        .filter(core_outbox::next_attempt_at.le(now))
        .count()
        .get_result(conn)?;
    let stale = core_outbox::table
        .filter(core_outbox::status.eq(SENDING))
        .filter(core_outbox::claimed_at.lt(stale_before))
        .count()
        .get_result(conn)?;
    Ok((due, stale))
}

/// Removes every mail to or about a person, whatever its status (SPEC G2 erase, G3
/// forget): rows for their user id and rows to their address (tell-a-friend mail they
/// received as a friend); how many.
pub fn erase_for(conn: &mut DbConnection, user_id: Option<i64>, email: &str) -> QueryResult<usize> {
    let mut removed =
        diesel::delete(core_outbox::table.filter(core_outbox::to_email.eq(normalize(email)))).execute(conn)?;
    if let Some(user_id) = user_id {
        removed += diesel::delete(core_outbox::table.filter(core_outbox::user_id.eq(user_id))).execute(conn)?;
    }
    Ok(removed)
}

fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn is_blackholed(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        core_blackholedemail::table.filter(core_blackholedemail::email.eq(normalize(email))),
    ))
    .get_result(conn)
}

/// Adds an address to the blackhole list; adding it twice is harmless.
pub fn add_blackhole(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> QueryResult<()> {
    if is_blackholed(conn, email)? {
        return Ok(());
    }
    diesel::insert_into(core_blackholedemail::table)
        .values((core_blackholedemail::email.eq(normalize(email)), core_blackholedemail::created_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Whether no mail may go to this address: blackholed, or forgotten (SPEC G3, the same
/// check and hash as every other path).
pub fn is_suppressed(conn: &mut DbConnection, email: &str) -> QueryResult<bool> {
    use crate::gdpr::{forget_hash, store as forgotten};
    Ok(is_blackholed(conn, email)? || forgotten::is_forgotten(conn, forgotten::EMAIL, &forget_hash(email))?)
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due rows for `worker` (status `sending`), oldest due first, and
/// returns them. On PostgreSQL one statement with `FOR UPDATE SKIP LOCKED`, so servers
/// claiming at the same moment never get the same row; on SQLite the one writer
/// connection runs this whole job alone, and each update re-checks the status.
pub fn claim_due(
    conn: &mut DbConnection,
    worker: &str,
    limit: usize,
    now: NaiveDateTime,
) -> QueryResult<Vec<OutboxRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let ids: Vec<i64> = if let DbConnection::Postgresql(pg) = conn {
        diesel::sql_query(
            "UPDATE core_outbox SET status = 'sending', claimed_by = $1, claimed_at = $2 \
             WHERE id IN (SELECT id FROM core_outbox WHERE status = 'queued' AND next_attempt_at <= $2 \
             ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING id",
        )
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load::<ClaimedId>(pg)?
        .into_iter()
        .map(|row| row.id)
        .collect()
    } else {
        let due: Vec<i64> = core_outbox::table
            .filter(core_outbox::status.eq(QUEUED))
            .filter(core_outbox::next_attempt_at.le(now))
            .order((core_outbox::next_attempt_at.asc(), core_outbox::id.asc()))
            .limit(limit)
            .select(core_outbox::id)
            .load(conn)?;
        let mut claimed = Vec::with_capacity(due.len());
        for id in due {
            let changed = diesel::update(core_outbox::table.find(id).filter(core_outbox::status.eq(QUEUED)))
                .set((
                    core_outbox::status.eq(SENDING),
                    core_outbox::claimed_by.eq(worker),
                    core_outbox::claimed_at.eq(Some(now)),
                ))
                .execute(conn)?;
            if changed == 1 {
                claimed.push(id);
            }
        }
        claimed
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        rows.extend(find(conn, id)?);
    }
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

/// The query for one row still claimed by one worker.
type Claimed<'a> = diesel::dsl::Filter<
    diesel::dsl::Filter<diesel::dsl::Find<core_outbox::table, i64>, diesel::dsl::Eq<core_outbox::status, &'static str>>,
    diesel::dsl::Eq<core_outbox::claimed_by, &'a str>,
>;

/// The row as this worker's claim, if it still is one (a reclaimed row is not ours).
fn claimed_by(id: i64, worker: &str) -> Claimed<'_> {
    core_outbox::table.find(id).filter(core_outbox::status.eq(SENDING)).filter(core_outbox::claimed_by.eq(worker))
}

/// Marks a claimed row delivered; `false` when the claim was no longer this worker's.
pub fn mark_sent(conn: &mut DbConnection, id: i64, worker: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(claimed_by(id, worker))
        .set((
            core_outbox::status.eq(SENT),
            core_outbox::sent_at.eq(Some(now)),
            core_outbox::attempts.eq(core_outbox::attempts + 1),
            core_outbox::last_error.eq(""),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Marks a claimed row not delivered, with a reason that names no address.
pub fn mark_skipped(conn: &mut DbConnection, id: i64, worker: &str, reason: &str) -> QueryResult<bool> {
    diesel::update(claimed_by(id, worker))
        .set((core_outbox::status.eq(SKIPPED), core_outbox::last_error.eq(truncate(reason))))
        .execute(conn)
        .map(|n| n == 1)
}

/// What became of a failed delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Queued again, due at this time.
    Retry { attempts: i64, next_attempt_at: NaiveDateTime },
    /// Given up: a permanent refusal, or [`MAX_ATTEMPTS`] reached.
    GaveUp { attempts: i64 },
    /// The claim was no longer this worker's; nothing changed.
    NotClaimed,
}

/// Records a failed attempt: back to `queued` after an exponential backoff, or `failed`
/// when the server refused for good or the attempts are used up.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: i64,
    worker: &str,
    error: &str,
    permanent: bool,
    now: NaiveDateTime,
) -> QueryResult<Failure> {
    let Some(before) = claimed_by(id, worker).select(core_outbox::attempts).first::<i64>(conn).optional()? else {
        return Ok(Failure::NotClaimed);
    };
    let attempts = before + 1;
    let error = truncate(error);
    if permanent || attempts >= MAX_ATTEMPTS {
        diesel::update(claimed_by(id, worker))
            .set((
                core_outbox::status.eq(FAILED),
                core_outbox::attempts.eq(attempts),
                core_outbox::last_error.eq(error),
            ))
            .execute(conn)?;
        return Ok(Failure::GaveUp { attempts });
    }
    let next_attempt_at = now + retry_delay(attempts);
    diesel::update(claimed_by(id, worker))
        .set((
            core_outbox::status.eq(QUEUED),
            core_outbox::attempts.eq(attempts),
            core_outbox::next_attempt_at.eq(next_attempt_at),
            core_outbox::last_error.eq(error),
            core_outbox::claimed_by.eq(""),
            core_outbox::claimed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(Failure::Retry { attempts, next_attempt_at })
}

/// The wait after the `attempts`-th failure: 1 min, 2, 4, 8 … capped at 6 hours.
pub fn retry_delay(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    Duration::seconds(FIRST_RETRY_SECONDS.saturating_mul(1_i64 << doublings).min(MAX_RETRY_SECONDS))
}

/// Queues again the rows claimed before `stale_before` and never finished (their server
/// stopped mid-delivery); how many. Such a mail may go out twice, never zero times.
pub fn reclaim_stale(conn: &mut DbConnection, stale_before: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        core_outbox::table.filter(core_outbox::status.eq(SENDING)).filter(core_outbox::claimed_at.lt(stale_before)),
    )
    .set((
        core_outbox::status.eq(QUEUED),
        core_outbox::claimed_by.eq(""),
        core_outbox::claimed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::retry_delay;

    #[test]
    fn mail_backoff_doubles_from_a_minute_and_is_capped() {
        let minutes: Vec<i64> = (1..=12).map(|a| retry_delay(a).num_minutes()).collect();
        assert_eq!(minutes, vec![1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360]);
        assert_eq!(retry_delay(0).num_minutes(), 1);
        assert_eq!(retry_delay(i64::MAX).num_minutes(), 360);
    }
}
