//! Erase and forget (SPEC G2, G3, G6, B4), inside the caller's transaction.
//!
//! Erase removes the person: profile, custom fields, phones, subscriptions and their
//! history, privacy records (a tombstone stays in the consent log), receipts, queued mail
//! to or about them, their blackhole entry. What stays is anonymous: actions keep their page,
//! time, source and status with no person and no custom fields (page counts and goal
//! progress still add up); orders keep amount, currency, status and dates with no person,
//! card digits or shipping address (totals per day still add up).
//! Forget erases, then keeps only the SHA-256 of the email (and of the user id) so that
//! nothing is collected for them again.

use chrono::NaiveDateTime;
use serde_json::json;

use super::{forget_hash, store, Actor};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::people::{self, Email, UserId};
use crate::{engine, mail, orders, privacy, receipts};

/// Erases one person; the counts by table (no personal data), for the audit and the caller.
pub fn erase(
    conn: &mut DbConnection,
    user: UserId,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<serde_json::Value, AppError> {
    let profile = people::store::find_by_id(conn, user)?.ok_or_else(|| AppError::NotFound("No such user.".into()))?;
    let counts = erase_rows(conn, user, &profile.email, now)?;
    store::audit(conn, actor, "erase", Some(("user", user.0)), &counts, now)?;
    Ok(counts)
}

fn erase_rows(
    conn: &mut DbConnection,
    user: UserId,
    email: &str,
    now: NaiveDateTime,
) -> Result<serde_json::Value, AppError> {
    let mut counts = serde_json::Map::new();
    counts.insert("core_privacyrecord".into(), privacy::store::erase_for_user(conn, user.0, now)?.into());
    counts.insert("core_consentreceipt".into(), receipts::store::erase_for_user(conn, user.0)?.into());
    counts.insert("core_outbox".into(), mail::store::erase_for(conn, Some(user.0), email)?.into());
    for (table, n) in engine::store::anonymize_for_user(conn, user.0)?
        .into_iter()
        .chain(orders::store::anonymize_for_user(conn, user.0)?)
        .chain(people::store::erase(conn, user, email)?)
    {
        counts.insert(table.into(), n.into());
    }
    Ok(serde_json::Value::Object(counts))
}

/// Forgets an email: erases the person if they exist, then records the hashes. A forget
/// of an unknown email still records its hash: the person asked never to be collected.
pub fn forget_email(
    conn: &mut DbConnection,
    email: &Email,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<serde_json::Value, AppError> {
    let existing = people::store::find_by_email(conn, email)?;
    let counts = match &existing {
        Some(user) => erase_rows(conn, user.user_id(), &user.email, now)?,
        None => json!({}),
    };
    store::add_forgotten(conn, store::EMAIL, &forget_hash(email.as_str()), now)?;
    if let Some(user) = &existing {
        store::add_forgotten(conn, store::USER_ID, &forget_hash(&user.id.to_string()), now)?;
    }
    let details = json!({"existed": existing.is_some(), "removed": counts});
    store::audit(conn, actor, "forget", existing.as_ref().map(|u| ("user", u.id)), &details, now)?;
    Ok(details)
}

/// Forgets by user id (Iterable's `userId`): erase, then both hashes.
pub fn forget_user(
    conn: &mut DbConnection,
    user: UserId,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<serde_json::Value, AppError> {
    let profile = people::store::find_by_id(conn, user)?;
    let counts = match &profile {
        Some(p) => erase_rows(conn, user, &p.email, now)?,
        None => json!({}),
    };
    store::add_forgotten(conn, store::USER_ID, &forget_hash(&user.0.to_string()), now)?;
    if let Some(p) = &profile {
        store::add_forgotten(conn, store::EMAIL, &forget_hash(&p.email), now)?;
    }
    let details = json!({"existed": profile.is_some(), "removed": counts});
    store::audit(conn, actor, "forget", Some(("user", user.0)), &details, now)?;
    Ok(details)
}

/// Removes the hash; nothing of the old data comes back (G5). `true` if it was listed.
pub fn unforget(
    conn: &mut DbConnection,
    kind: &str,
    identifier: &str,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<bool, AppError> {
    let removed = store::remove_forgotten(conn, kind, &forget_hash(identifier))? > 0;
    store::audit(conn, actor, "unforget", None, &json!({"kind": kind, "was_listed": removed}), now)?;
    Ok(removed)
}

/// Whether an email may not be collected (G3); the one check the engine makes.
pub fn is_forgotten_email(conn: &mut DbConnection, email: &Email) -> Result<bool, AppError> {
    Ok(store::is_forgotten(conn, store::EMAIL, &forget_hash(email.as_str()))?)
}
