//! Privacy settings (SPEC P1): the feature switch, the countries requiring records, and
//! the four "require" switches. Off by default; read once and kept in memory.

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
// The four switches are independent settings of P1, each a checkbox on the screen.
#[allow(clippy::struct_excessive_bools)]
pub struct PrivacySettings {
    pub enabled: bool,
    /// Standard English country names, one per line in the setting.
    pub countries: Vec<String>,
    pub require_on_actions: bool,
    pub require_notes_user_admin: bool,
    pub require_notes_import: bool,
    pub require_on_user_api: bool,
}

impl PrivacySettings {
    /// Whether `country` (a standard English name) requires privacy records.
    pub fn is_listed(&self, country: &str) -> bool {
        self.enabled && self.countries.iter().any(|c| c.eq_ignore_ascii_case(country.trim()))
    }

    pub fn parse_countries(text: &str) -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    }
}
