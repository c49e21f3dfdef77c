//! SQL for `core_language` and `core_languagestring`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StaffStrings;
use crate::db::schema::{core_language, core_languagestring};
use crate::db::DbConnection;

pub fn load_staff_strings(conn: &mut DbConnection) -> QueryResult<StaffStrings> {
    let rows = core_languagestring::table
        .select((core_languagestring::lang, core_languagestring::name, core_languagestring::text))
        .load::<(String, String, String)>(conn)?;
    Ok(StaffStrings::from_rows(rows))
}

pub fn insert_language(conn: &mut DbConnection, iso_code: &str, name: &str) -> QueryResult<()> {
    diesel::insert_into(core_language::table)
        .values((core_language::iso_code.eq(iso_code), core_language::name.eq(name)))
        .execute(conn)
        .map(|_| ())
}

/// Sets a staff string, replacing any earlier text for the same language and key.
pub fn set_string(conn: &mut DbConnection, lang: &str, name: &str, text: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::delete(
        core_languagestring::table
            .filter(core_languagestring::lang.eq(lang))
            .filter(core_languagestring::name.eq(name)),
    )
    .execute(conn)?;
    diesel::insert_into(core_languagestring::table)
        .values((
            core_languagestring::lang.eq(lang),
            core_languagestring::name.eq(name),
            core_languagestring::text.eq(text),
            core_languagestring::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}
