//! Access and portability (SPEC G1): one JSON document of everything held on a person.
//! Format `placard-export/1`: `user` (profile), `custom_fields`, `phones`,
//! `subscriptions`, `subscription_history`, `actions` (with their fields), `privacy_records`
//! (with the exact texts), `orders`, `receipts`.

use diesel::QueryResult;

use crate::db::DbConnection;
use crate::people::{self, UserId};
use crate::{engine, orders, privacy, receipts};

pub fn export(conn: &mut DbConnection, user: UserId) -> QueryResult<Option<serde_json::Value>> {
    let Some(profile) = people::store::find_by_id(conn, user)? else { return Ok(None) };
    let mut doc = people::store::export(conn, user)?;
    let records: Vec<serde_json::Value> = privacy::store::records_of_user(conn, user.0)?
        .into_iter()
        .map(|r| serde_json::json!({"type": r.text_type, "hash": r.hash, "status": r.status, "text": r.text}))
        .collect();
    let receipts: Vec<serde_json::Value> = receipts::store::of_user(conn, user.0)?
        .into_iter()
        .map(|(id, kind, at)| serde_json::json!({"kind": kind, "url": format!("/receipts/{id}/"), "created_at": at}))
        .collect();
    if let Some(map) = doc.as_object_mut() {
        map.insert("format".into(), "placard-export/1".into());
        map.insert("user".into(), serde_json::to_value(&profile).unwrap_or_default());
        map.insert("actions".into(), engine::store::export_for_user(conn, user.0)?.into());
        map.insert("privacy_records".into(), records.into());
        map.insert("orders".into(), orders::store::export_for_user(conn, user.0)?.into());
        map.insert("receipts".into(), receipts.into());
    }
    Ok(Some(doc))
}
