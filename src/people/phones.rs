//! Phones (SPEC A5): `phone` + `phone_type`, or typed fields (`home_phone`, `work_phone`,
//! `mobile_phone`, `home_fax_phone`, `work_fax_phone`, `emergency_phone`). One number per
//! type per user: a new number of a type replaces the old one.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::UserId;
use crate::db::schema::core_phone;
use crate::db::DbConnection;

pub const TYPES: [&str; 6] = ["home", "work", "mobile", "home_fax", "work_fax", "emergency"];

/// A submitted number: printable phone characters with at least three digits.
pub fn is_valid(number: &str) -> bool {
    let digits = number.chars().filter(char::is_ascii_digit).count();
    (3..=20).contains(&digits)
        && number.len() <= 40
        && number.chars().all(|c| c.is_ascii_digit() || " +-().x/#*".contains(c))
}

pub fn normalize(number: &str) -> String {
    number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
}

/// Stores `number` as the user's phone of `phone_type`.
pub fn set(
    conn: &mut DbConnection,
    user: UserId,
    phone_type: &str,
    number: &str,
    source: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let existing: Option<(i64, String)> = core_phone::table
        .filter(core_phone::user_id.eq(user.0))
        .filter(core_phone::type_.eq(phone_type))
        .select((core_phone::id, core_phone::normalized_phone))
        .first(conn)
        .optional()?;
    let normalized = normalize(number);
    match existing {
        Some((_, same)) if same == normalized => Ok(()),
        Some((id, _)) => diesel::update(core_phone::table.find(id))
            .set((
                core_phone::phone.eq(number),
                core_phone::normalized_phone.eq(&normalized),
                core_phone::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ()),
        None => diesel::insert_into(core_phone::table)
            .values((
                core_phone::user_id.eq(user.0),
                core_phone::type_.eq(phone_type),
                core_phone::phone.eq(number),
                core_phone::normalized_phone.eq(&normalized),
                core_phone::source.eq(source),
                core_phone::created_at.eq(now),
                core_phone::updated_at.eq(now),
            ))
            .execute(conn)
            .map(|_| ()),
    }
}
