//! SQL for the privacy tables.

use diesel::prelude::*;

use super::PrivacySettings;
use crate::db::schema::core_privacysettings;
use crate::db::DbConnection;

/// The one settings row, or the defaults (off) when none was saved.
pub fn load_settings(conn: &mut DbConnection) -> QueryResult<PrivacySettings> {
    let row = core_privacysettings::table
        .order(core_privacysettings::id.asc())
        .select((
            core_privacysettings::enabled,
            core_privacysettings::countries,
            core_privacysettings::require_on_actions,
            core_privacysettings::require_notes_user_admin,
            core_privacysettings::require_notes_import,
            core_privacysettings::require_on_user_api,
        ))
        .first::<(bool, String, bool, bool, bool, bool)>(conn)
        .optional()?;
    Ok(row
        .map(|(enabled, countries, on_actions, notes_admin, notes_import, user_api)| PrivacySettings {
            enabled,
            countries: PrivacySettings::parse_countries(&countries),
            require_on_actions: on_actions,
            require_notes_user_admin: notes_admin,
            require_notes_import: notes_import,
            require_on_user_api: user_api,
        })
        .unwrap_or_default())
}
