//! Instance settings (`core_setting`, name → value), among them the instance secret that
//! keys akid MACs and IP hashes when `PLACARD_SECRET` is not configured.

use diesel::prelude::*;
use rand::RngCore;

use crate::db::schema::core_setting;
use crate::db::DbConnection;

const INSTANCE_SECRET: &str = "instance_secret";

pub fn get(conn: &mut DbConnection, name: &str) -> QueryResult<Option<String>> {
    core_setting::table.find(name).select(core_setting::value).first(conn).optional()
}

/// Inserts `value` unless the setting exists; returns the stored value either way, so two
/// servers starting at once agree on one.
pub fn get_or_insert(conn: &mut DbConnection, name: &str, value: &str) -> QueryResult<String> {
    let insert = diesel::insert_into(core_setting::table)
        .values((core_setting::name.eq(name), core_setting::value.eq(value)))
        .on_conflict_do_nothing();
    crate::db::execute_on_backend(conn, insert)?;
    core_setting::table.find(name).select(core_setting::value).first(conn)
}

/// The configured secret, else the one kept in the database (generated on first start).
pub fn instance_secret(conn: &mut DbConnection, configured: Option<&str>) -> QueryResult<String> {
    if let Some(secret) = configured {
        return Ok(secret.to_owned());
    }
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    get_or_insert(conn, INSTANCE_SECRET, &hex::encode(bytes))
}
