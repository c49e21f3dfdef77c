//! SQL for `core_consentreceipt`, and issuing a receipt inside the action's transaction.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;

use super::{ReceiptKey, ReceiptText};
use crate::db::schema::core_consentreceipt;
use crate::db::DbConnection;

/// What a receipt is about.
pub struct Issue<'a> {
    pub kind: &'a str,
    pub user_id: i64,
    pub action_id: Option<i64>,
    pub controller: &'a str,
    pub service: &'a str,
    pub lang: &'a str,
    pub texts: Vec<ReceiptText>,
}

/// Builds, signs and stores a receipt; returns its id (random, 128 bits: the link is the
/// capability to read it).
pub fn issue(conn: &mut DbConnection, key: &ReceiptKey, issue: &Issue<'_>, now: NaiveDateTime) -> QueryResult<String> {
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    let receipt_id = hex::encode(id);
    let purposes: Vec<_> = issue
        .texts
        .iter()
        .map(|t| serde_json::json!({"purpose": t.text_type, "consentType": "EXPLICIT", "termination": "withdrawal or unsubscribe", "thirdPartyDisclosure": false}))
        .collect();
    let receipt = serde_json::json!({
        "version": "KI-CR-v1.1.0",
        "consentReceiptID": receipt_id,
        "consentTimestamp": now.and_utc().timestamp(),
        "collectionMethod": "web form",
        "language": issue.lang,
        "jurisdiction": "",
        "piiPrincipalId": format!("user:{}", issue.user_id),
        "piiControllers": [{"piiController": issue.controller}],
        "services": [{"service": issue.service, "purposes": purposes}],
        "sensitive": false,
        "spiCat": [],
        "publicKey": key.key_id(),
        "placard": {"kind": issue.kind, "action_id": issue.action_id, "texts": issue.texts},
    });
    let (body, signature) = key.sign(&receipt);
    diesel::insert_into(core_consentreceipt::table)
        .values((
            core_consentreceipt::receipt_id.eq(&receipt_id),
            core_consentreceipt::user_id.eq(issue.user_id),
            core_consentreceipt::action_id.eq(issue.action_id),
            core_consentreceipt::kind.eq(issue.kind),
            core_consentreceipt::body.eq(&body),
            core_consentreceipt::signature.eq(&signature),
            core_consentreceipt::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(receipt_id)
}

/// `(body, signature)` of a receipt by its id.
pub fn find(conn: &mut DbConnection, receipt_id: &str) -> QueryResult<Option<(String, String)>> {
    core_consentreceipt::table
        .filter(core_consentreceipt::receipt_id.eq(receipt_id))
        .filter(core_consentreceipt::user_id.is_not_null())
        .select((core_consentreceipt::body, core_consentreceipt::signature))
        .first(conn)
        .optional()
}

/// `(receipt_id, kind)` of the receipts an action produced.
pub fn of_action(conn: &mut DbConnection, action_id: i64) -> QueryResult<Vec<(String, String)>> {
    core_consentreceipt::table
        .filter(core_consentreceipt::action_id.eq(action_id))
        .filter(core_consentreceipt::user_id.is_not_null())
        .order(core_consentreceipt::id.asc())
        .select((core_consentreceipt::receipt_id, core_consentreceipt::kind))
        .load(conn)
}

/// `(receipt_id, kind, created_at)` of a person's receipts, for the export.
pub fn of_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    core_consentreceipt::table
        .filter(core_consentreceipt::user_id.eq(user_id))
        .order(core_consentreceipt::id.asc())
        .select((core_consentreceipt::receipt_id, core_consentreceipt::kind, core_consentreceipt::created_at))
        .load(conn)
}

/// Erase (SPEC G2): scrubs a person's receipts in place. The row keeps its id, kind,
/// action and time; the person, the signed body (which names them) and its signature go,
/// and its link answers 404 like an unknown one. In place rather than deleted, so only the
/// table's pages are rewritten, not the `receipt_id` and action indexes (issue 7).
pub fn erase_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(core_consentreceipt::table.filter(core_consentreceipt::user_id.eq(user_id)))
        .set((
            core_consentreceipt::user_id.eq(None::<i64>),
            core_consentreceipt::body.eq(""),
            core_consentreceipt::signature.eq(""),
        ))
        .execute(conn)
}
