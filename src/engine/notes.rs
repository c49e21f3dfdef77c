//! Privacy notes on updates that are not actions (SPEC P14): import pages (`import_notes`,
//! and an upload's `privacy` column naming a version by hash), user admin edits
//! (`admin_notes`) and the user API (`api_notes`: a hash names the text, other text is
//! the note). Placeholder values are refused so that integrators cannot wave the
//! requirement through with `privacy=1`. The importer, admin and user API call these steps.

use chrono::NaiveDateTime;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::privacy::store::{self as privacy, NewRecord};
use crate::privacy::{PrivacyHash, PrivacySettings};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteContext {
    Import,
    Admin,
    UserApi,
}

impl NoteContext {
    /// The text type (and record context) of a note made here.
    pub fn text_type(self) -> &'static str {
        match self {
            Self::Import => "import_notes",
            Self::Admin => "admin_notes",
            Self::UserApi => "api_notes",
        }
    }
}

/// Values that say nothing: what someone sends only to get past a requirement.
const PLACEHOLDERS: [&str; 27] = [
    "1",
    "0",
    "true",
    "false",
    "yes",
    "no",
    "y",
    "n",
    "on",
    "off",
    "ok",
    "okay",
    "x",
    "agree",
    "agreed",
    "accept",
    "accepted",
    "consent",
    "consented",
    "none",
    "null",
    "nil",
    "undefined",
    "n/a",
    "na",
    "-",
    ".",
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteValue {
    Hash(PrivacyHash),
    Text(String),
}

/// Parses a submitted note; `Err` carries the error code (`placeholder`).
pub fn parse(raw: &str) -> Result<NoteValue, &'static str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || PLACEHOLDERS.contains(&trimmed.to_lowercase().as_str()) {
        return Err("placeholder");
    }
    Ok(PrivacyHash::parse(trimmed)
        .map_or_else(|| NoteValue::Text(trimmed.chars().take(2000).collect()), NoteValue::Hash))
}

/// Whether this update must carry a note (the "require notes" switches of P1):
/// imports whenever the switch is on; admin edits when the country after the change is
/// listed; the user API when a listed country is submitted, or none is and the user's
/// stored one is listed.
pub fn required(
    context: NoteContext,
    settings: &PrivacySettings,
    submitted_country: Option<&str>,
    stored_country: &str,
) -> bool {
    if !settings.enabled {
        return false;
    }
    match context {
        NoteContext::Import => settings.require_notes_import,
        NoteContext::Admin => {
            settings.require_notes_user_admin && settings.is_listed(submitted_country.unwrap_or(stored_country))
        }
        NoteContext::UserApi => {
            settings.require_on_user_api
                && match submitted_country {
                    Some(country) => settings.is_listed(country),
                    None => settings.is_listed(stored_country),
                }
        }
    }
}

/// Records a note for `user_id`; an unknown hash is `privacy:invalid`.
pub fn record(
    conn: &mut DbConnection,
    user_id: i64,
    context: NoteContext,
    value: &NoteValue,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let invalid = || {
        AppError::Validation(crate::error::ValidationErrors(vec![crate::error::FieldError {
            field: "privacy".into(),
            code: "invalid".into(),
            message: "This privacy value names no known text.".into(),
        }]))
    };
    let (version, note) = match (context, value) {
        // An upload's `privacy` column records exactly the version it names.
        (NoteContext::Import, NoteValue::Hash(hash)) => {
            (privacy::version_by_hash(conn, hash)?.ok_or_else(invalid)?, String::new())
        }
        (_, NoteValue::Hash(hash)) => {
            let named = privacy::version_by_hash(conn, hash)?.ok_or_else(invalid)?;
            (privacy::ensure_version(conn, context.text_type(), &named.text, now)?, hash.to_string())
        }
        (_, NoteValue::Text(text)) => (privacy::ensure_version(conn, context.text_type(), text, now)?, text.clone()),
    };
    Ok(privacy::insert_record(
        conn,
        &NewRecord {
            user_id,
            action_id: None,
            version_id: version.id,
            context: context.text_type(),
            note: &note,
            page_id: None,
            templateset_id: None,
            templateset_revision: None,
            lang: "",
            country_submitted: "",
            user_agent: "",
            ip_hmac: "",
        },
        now,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p14_placeholders_are_refused_and_hashes_recognized() {
        for bad in ["1", "true", "YES", " on ", "ok", "x", "", "  ", "N/A"] {
            assert_eq!(parse(bad), Err("placeholder"), "{bad:?}");
        }
        let hash = PrivacyHash::of("optin", "Yes please");
        assert_eq!(parse(hash.as_str()), Ok(NoteValue::Hash(hash)));
        assert_eq!(
            parse("Consent given by phone on 3 May"),
            Ok(NoteValue::Text("Consent given by phone on 3 May".into()))
        );
    }

    #[test]
    fn p14_require_notes_switches_apply_in_their_context_only() {
        let mut s = PrivacySettings { enabled: true, countries: vec!["Germany".into()], ..PrivacySettings::default() };
        assert!(!required(NoteContext::Import, &s, None, ""));
        s.require_notes_import = true;
        assert!(required(NoteContext::Import, &s, None, ""), "every import once on");
        s.require_notes_user_admin = true;
        assert!(required(NoteContext::Admin, &s, Some("DE"), "United States"), "the country after the change");
        assert!(!required(NoteContext::Admin, &s, Some("France"), "Germany"));
        s.require_on_user_api = true;
        assert!(required(NoteContext::UserApi, &s, None, "Germany"), "no country sent, a listed one stored");
        assert!(required(NoteContext::UserApi, &s, Some("Deutschland"), "United States"));
        assert!(!required(NoteContext::UserApi, &s, Some("United States"), "Germany"), "the submitted country decides");
        s.enabled = false;
        assert!(!required(NoteContext::Import, &s, None, ""), "nothing while the feature is off");
    }
}
