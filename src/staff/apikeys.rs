//! API keys for the Iterable-style endpoints (SPEC S1): `Api-Key: <key>`. Only the
//! SHA-256 of a key is stored; the key itself is shown once when it is created.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use crate::db::schema::core_apikey;
use crate::db::DbConnection;

fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.trim().as_bytes()))
}

/// Creates a key named `name`; returns the key (to print once).
pub fn create(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<String> {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let key = format!("plk_{}", hex::encode(bytes));
    diesel::insert_into(core_apikey::table)
        .values((
            core_apikey::name.eq(name),
            core_apikey::key_prefix.eq(&key[..8]),
            core_apikey::key_hash.eq(digest(&key)),
            core_apikey::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(key)
}

/// The name of the key, if it is one of ours. The candidates are found by the key's
/// public prefix and the digest compared in constant time, so no timing of the lookup
/// depends on how much of a stored digest a guess matches.
pub fn authenticate(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
    let key = key.trim();
    let Some(prefix) = key.get(..8) else { return Ok(None) };
    let sent = digest(key);
    let candidates: Vec<(String, String)> = core_apikey::table
        .filter(core_apikey::key_prefix.eq(prefix))
        .select((core_apikey::name, core_apikey::key_hash))
        .load(conn)?;
    Ok(candidates.into_iter().find(|(_, stored)| bool::from(stored.as_bytes().ct_eq(sent.as_bytes()))).map(|(n, _)| n))
}
