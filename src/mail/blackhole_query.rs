//! The blackhole list (`core_blackholedemail`) as the REST resource reads and edits it
//! (SPEC R1): a [`Listing`] of addresses, adding one (stored trimmed and lowercased, as
//! `mail::store` compares them) and removing one. Mail to a listed address is never sent.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::core_blackholedemail;
use crate::db::DbConnection;
use crate::listing::Listing;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_blackholedemail)]
pub struct Blackholed {
    pub id: i64,
    pub email: String,
    pub created_at: NaiveDateTime,
}

/// `(total matching, this page)`.
pub fn blackholed(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<Blackholed>)> {
    let total = core_blackholedemail::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_blackholedemail::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(Blackholed::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn normalize(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<Blackholed>> {
    core_blackholedemail::table
        .filter(core_blackholedemail::email.eq(normalize(email)))
        .select(Blackholed::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, email: &str, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_blackholedemail::table)
        .values((core_blackholedemail::email.eq(normalize(email)), core_blackholedemail::created_at.eq(now)))
        .returning(core_blackholedemail::id)
        .get_result(conn)
}

pub fn set_email(conn: &mut DbConnection, id: i64, email: &str) -> QueryResult<()> {
    diesel::update(core_blackholedemail::table.find(id))
        .set(core_blackholedemail::email.eq(normalize(email)))
        .execute(conn)
        .map(|_| ())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(core_blackholedemail::table.find(id)).execute(conn).map(|_| ())
}
