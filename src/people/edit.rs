//! Direct edits of people's rows that are not actions: what the REST resources (SPEC R1,
//! R3) change besides the user fields `store::insert`/`store::update` already write — a
//! user's email, phones by id, lists. Called inside the caller's transaction; the checks
//! (valid email, forgotten, privacy notes) are the caller's, before it calls here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Email, UserId};
use crate::db::schema::{core_list, core_phone, core_user};
use crate::db::DbConnection;

pub fn set_email(conn: &mut DbConnection, user: UserId, email: &Email, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(core_user::table.find(user.0))
        .set((core_user::email.eq(email.as_str()), core_user::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// New values for a phone; `None` keeps the stored one.
#[derive(Clone, Debug, Default)]
pub struct PhoneChanges {
    pub user_id: Option<i64>,
    pub phone_type: Option<String>,
    pub phone: Option<String>,
    pub source: Option<String>,
}

pub fn update_phone(conn: &mut DbConnection, id: i64, c: &PhoneChanges, now: NaiveDateTime) -> QueryResult<()> {
    let normalized = c.phone.as_deref().map(super::phones::normalize);
    diesel::update(core_phone::table.find(id))
        .set((
            c.user_id.map(|v| core_phone::user_id.eq(v)),
            c.phone_type.as_ref().map(|v| core_phone::type_.eq(v)),
            c.phone.as_ref().map(|v| core_phone::phone.eq(v)),
            normalized.map(|v| core_phone::normalized_phone.eq(v)),
            c.source.as_ref().map(|v| core_phone::source.eq(v)),
            core_phone::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn delete_phone(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(core_phone::table.find(id)).execute(conn)
}

/// New values for a list; `None` keeps the stored one.
#[derive(Clone, Debug, Default)]
pub struct ListChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub is_default: Option<bool>,
}

/// Applies `c`; a list made the default takes the mark from every other list (SPEC §1:
/// one default list).
pub fn update_list(conn: &mut DbConnection, id: i64, c: &ListChanges, now: NaiveDateTime) -> QueryResult<()> {
    if c.is_default == Some(true) {
        diesel::update(core_list::table.filter(core_list::id.ne(id)))
            .set(core_list::is_default.eq(false))
            .execute(conn)?;
    }
    diesel::update(core_list::table.find(id))
        .set((
            c.name.as_ref().map(|v| core_list::name.eq(v)),
            c.description.as_ref().map(|v| core_list::description.eq(v)),
            c.is_default.map(|v| core_list::is_default.eq(v)),
            core_list::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Deletes a list; a list still used by a page or a subscription is refused by the
/// database's foreign keys, which the caller reports.
pub fn delete_list(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(core_list::table.find(id)).execute(conn)
}
