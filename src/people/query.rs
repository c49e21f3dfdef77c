//! Reads of people's tables for the REST resources (SPEC R1, R2): a [`Listing`] applied to
//! users, phones, lists and subscriptions — one page of rows and how many match in all —
//! plus what a user's resource shows beside its row (phone ids, custom fields), loaded
//! for a whole page at once.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{List, User};
use crate::db::schema::{core_list, core_phone, core_subscription, core_user, core_userfield};
use crate::db::DbConnection;
use crate::listing::Listing;

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_phone)]
pub struct Phone {
    pub id: i64,
    pub user_id: i64,
    #[diesel(column_name = type_)]
    pub phone_type: String,
    pub phone: String,
    pub normalized_phone: String,
    pub source: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_subscription)]
pub struct Subscription {
    pub id: i64,
    pub user_id: i64,
    pub list_id: i64,
    pub created_at: NaiveDateTime,
}

/// A list with its times, as the list resource shows it.
#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_list)]
pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl From<ListRow> for List {
    fn from(row: ListRow) -> Self {
        Self { id: row.id, name: row.name, description: row.description, is_default: row.is_default }
    }
}

/// `(total matching, this page)`.
pub type Page<T> = (i64, Vec<T>);

pub fn users(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Page<User>> {
    let total = core_user::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_user::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(User::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn phones(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Page<Phone>> {
    let total = core_phone::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_phone::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(Phone::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn lists(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Page<ListRow>> {
    let total = core_list::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_list::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(ListRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}

pub fn subscriptions(conn: &mut DbConnection, listing: &Listing) -> QueryResult<Page<Subscription>> {
    let total = core_subscription::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_subscription::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(Subscription::as_select())
        .load(conn)?;
    Ok((total, rows))
}

/// Phone ids by user, oldest first, for the users in `users`.
pub fn phone_ids_of(conn: &mut DbConnection, users: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = core_phone::table
        .filter(core_phone::user_id.eq_any(users))
        .order(core_phone::id.asc())
        .select((core_phone::user_id, core_phone::id))
        .load(conn)?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, id) in rows {
        out.entry(user).or_default().push(id);
    }
    Ok(out)
}

/// Custom user fields by user, for the users in `users`.
pub fn fields_of(conn: &mut DbConnection, users: &[i64]) -> QueryResult<HashMap<i64, BTreeMap<String, String>>> {
    let rows: Vec<(i64, String, String)> = core_userfield::table
        .filter(core_userfield::parent_id.eq_any(users))
        .select((core_userfield::parent_id, core_userfield::name, core_userfield::value))
        .load(conn)?;
    let mut out: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (user, name, value) in rows {
        out.entry(user).or_default().insert(name, value);
    }
    Ok(out)
}

pub fn find_phone(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Phone>> {
    core_phone::table.find(id).select(Phone::as_select()).first(conn).optional()
}

/// The user's phone of `phone_type` (one per type, SPEC A5).
pub fn phone_of_type(conn: &mut DbConnection, user: i64, phone_type: &str) -> QueryResult<Option<Phone>> {
    core_phone::table
        .filter(core_phone::user_id.eq(user))
        .filter(core_phone::type_.eq(phone_type))
        .select(Phone::as_select())
        .first(conn)
        .optional()
}

pub fn list_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<ListRow>> {
    core_list::table.filter(core_list::name.eq(name)).select(ListRow::as_select()).first(conn).optional()
}
