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
    /// Whether `country` requires privacy records; both sides are compared by standard
    /// English name (P2), so `DE`, `Deutschland` and `Germany` are one country.
    pub fn is_listed(&self, country: &str) -> bool {
        let canonical = |s: &str| {
            super::countries::Country::parse(s).map_or_else(|| s.trim().to_lowercase(), |c| c.name().to_lowercase())
        };
        let wanted = canonical(country);
        self.enabled && !wanted.is_empty() && self.countries.iter().any(|c| canonical(c) == wanted)
    }

    /// One country per line; known names are stored in their standard form, unknown ones as
    /// typed (the settings screen warns about those).
    pub fn parse_countries(text: &str) -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                super::countries::Country::parse(l).map_or_else(|| l.to_owned(), super::countries::Country::into_string)
            })
            .collect()
    }
}
