//! Allowed custom user field names (`core_alloweduserfield`, SPEC A6) as the REST
//! resource reads and adds them: a `user_<name>` field is stored only for an allowed name.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::core_alloweduserfield;
use crate::db::DbConnection;
use crate::listing::Listing;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_alloweduserfield)]
pub struct AllowedUserField {
    pub id: i64,
    pub name: String,
    pub always_show: bool,
    pub created_at: NaiveDateTime,
}

/// `(total matching, this page)`.
pub fn list(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<AllowedUserField>)> {
    let total = core_alloweduserfield::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_alloweduserfield::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(AllowedUserField::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<AllowedUserField>> {
    core_alloweduserfield::table
        .filter(core_alloweduserfield::name.eq(name))
        .select(AllowedUserField::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConnection, name: &str, always_show: bool, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_alloweduserfield::table)
        .values((
            core_alloweduserfield::name.eq(name),
            core_alloweduserfield::always_show.eq(always_show),
            core_alloweduserfield::created_at.eq(now),
        ))
        .returning(core_alloweduserfield::id)
        .get_result(conn)
}
