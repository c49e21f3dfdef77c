//! Privacy settings (SPEC P1, P2, P3, P5; S2): the feature switch, the countries requiring
//! records with a warning for every name Placard does not know (and what each known one
//! was read as), the four "require" switches, and per language the texts of each privacy
//! type (the staff strings `privacy_<type>`) plus the English-only flags. Admin role only.
//!
//! Settings are written by `privacy::store`, texts by `i18n::store`, each save one
//! transaction with an audit entry naming the account (S3); then the in-memory copies are
//! reloaded so pages change at once. Texts are sanitized before they are stored (the same
//! sanitizer the pages use), so the box shows exactly what supporters will see; each saved
//! text is also stored as a privacy text version, so the notice tool can diff old and new.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde::Serialize;
use serde_json::json;

use super::{views, AdminError, AdminOnly};
use crate::app::AppState;
use crate::error::AppError;
use crate::i18n::DEFAULT_LANG;
use crate::privacy::countries::Country;
use crate::privacy::{texts, PrivacySettings};
use crate::{gdpr, i18n, privacy};

/// One line of the countries box and what it was read as (`None`: not a known country).
#[derive(Debug, Serialize)]
pub struct CountryLine {
    typed: String,
    known: Option<String>,
}

fn analyse(text: &str) -> Vec<CountryLine> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| CountryLine { typed: l.to_owned(), known: Country::parse(l).map(Country::into_string) })
        .collect()
}

/// The flags of P5 (English strings, not text types), with their form field names.
const FLAGS: [(&str, &str); 3] = [
    ("privacy_unsub_optouts", "An opt-out also unsubscribes from all lists (any text switches it on)"),
    ("privacy_show_if", "Show the block to recognized users: in_country or missing (blank: never)"),
    ("privacy_optouts_skip_thanks", "Skip the thank-you email for an opt-out (1 switches it on)"),
];

#[derive(serde::Deserialize)]
pub struct ShowQuery {
    lang: Option<String>,
    saved: Option<String>,
}

/// A language staff may write texts in: one with built-in texts.
fn language(state: &AppState, raw: Option<&str>) -> Result<String, AdminError> {
    let lang = raw.map(str::trim).filter(|l| !l.is_empty()).unwrap_or(DEFAULT_LANG).to_owned();
    if state.i18n.languages().contains(&lang) {
        Ok(lang)
    } else {
        Err(AppError::BadRequest(format!("lang: there is no language \"{lang}\".")).into())
    }
}

#[derive(Serialize)]
struct TextField {
    text_type: String,
    key: String,
    value: String,
}

fn text_fields(state: &AppState, lang: &str) -> Vec<TextField> {
    texts::text_types(&state.i18n)
        .into_iter()
        .map(|text_type| {
            let key = format!("privacy_{text_type}");
            let value = state.i18n.staff_string(lang, &key).unwrap_or_default();
            TextField { text_type, key, value }
        })
        .collect()
}

fn flag_fields(state: &AppState) -> Vec<serde_json::Value> {
    FLAGS
        .iter()
        .map(|(key, help)| {
            json!({"key": key, "help": help, "value": state.i18n.staff_string(DEFAULT_LANG, key).unwrap_or_default()})
        })
        .collect()
}

/// The settings form's values: the stored settings, or what was just posted.
#[derive(Serialize)]
// The switches of P1, one checkbox each (as in `PrivacySettings`).
#[allow(clippy::struct_excessive_bools)]
struct SettingsForm {
    enabled: bool,
    countries: String,
    require_on_actions: bool,
    require_notes_user_admin: bool,
    require_notes_import: bool,
    require_on_user_api: bool,
}

impl SettingsForm {
    fn of(s: &PrivacySettings) -> Self {
        Self {
            enabled: s.enabled,
            countries: s.countries.join("\n"),
            require_on_actions: s.require_on_actions,
            require_notes_user_admin: s.require_notes_user_admin,
            require_notes_import: s.require_notes_import,
            require_on_user_api: s.require_on_user_api,
        }
    }

    fn parse(fields: &[(String, String)]) -> Self {
        let on = |name: &str| fields.iter().any(|(k, v)| k == name && !v.is_empty());
        let countries = fields.iter().find(|(k, _)| k == "countries").map(|(_, v)| v.clone()).unwrap_or_default();
        Self {
            enabled: on("enabled"),
            countries,
            require_on_actions: on("require_on_actions"),
            require_notes_user_admin: on("require_notes_user_admin"),
            require_notes_import: on("require_notes_import"),
            require_on_user_api: on("require_on_user_api"),
        }
    }

    fn settings(&self) -> PrivacySettings {
        PrivacySettings {
            enabled: self.enabled,
            countries: PrivacySettings::parse_countries(&self.countries),
            require_on_actions: self.require_on_actions,
            require_notes_user_admin: self.require_notes_user_admin,
            require_notes_import: self.require_notes_import,
            require_on_user_api: self.require_on_user_api,
        }
    }
}

fn render(
    staff: &super::Staff,
    state: &AppState,
    form: &SettingsForm,
    lang: &str,
    saved: Option<&str>,
    checked: bool,
) -> Result<HttpResponse, AdminError> {
    let lines = analyse(&form.countries);
    let unknown: Vec<&str> = lines.iter().filter(|l| l.known.is_none()).map(|l| l.typed.as_str()).collect();
    let ctx = context! {
        form => form,
        lines => lines,
        unknown => unknown,
        lang => lang,
        languages => state.i18n.languages(),
        texts => text_fields(state, lang),
        flags => if lang == DEFAULT_LANG { flag_fields(state) } else { vec![] },
        saved => saved,
        checked => checked,
    };
    views::render(staff, "admin/privacy.html", "privacy", ctx)
}

pub async fn show(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AdminError> {
    let lang = language(&state, query.lang.as_deref())?;
    let form = SettingsForm::of(&state.privacy.get());
    let saved = query.saved.as_deref().filter(|s| matches!(*s, "settings" | "texts"));
    render(&staff, &state, &form, &lang, saved, false)
}

/// Saves the settings, or (the "Check names" button) only shows how the names read.
pub async fn save(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AdminError> {
    let fields = form.into_inner();
    let parsed = SettingsForm::parse(&fields);
    if fields.iter().any(|(k, v)| k == "op" && v == "check") {
        return render(&staff, &state, &parsed, DEFAULT_LANG, None, true);
    }
    let settings = parsed.settings();
    let unknown = privacy::countries::unknown_names(&parsed.countries).len();
    let (actor, now) = (staff.actor(), Utc::now().naive_utc());
    state
        .db
        .writer
        .submit(move |conn| {
            privacy::store::save_settings(conn, &settings, now)?;
            let details = json!({
                "enabled": settings.enabled,
                "countries": settings.countries.len(),
                "unknown_countries": unknown,
                "require_on_actions": settings.require_on_actions,
                "require_notes_user_admin": settings.require_notes_user_admin,
                "require_notes_import": settings.require_notes_import,
                "require_on_user_api": settings.require_on_user_api,
            });
            gdpr::store::audit(conn, &actor, "privacy_settings", None, &details, now)?;
            Ok(())
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(views::see_other("/admin/privacy/?saved=settings"))
}

/// The custom type the form adds (`new_type`, P7: `privacy_<X>` defines type X), checked:
/// lowercase letters, digits and `_`, not a flag, not already there, and not ending in a
/// page type (`privacy_sms_donation` would read as the donation variant of `sms`).
fn new_type(fields: &[(String, String)], types: &[String]) -> Result<Option<String>, AdminError> {
    let Some(raw) = fields.iter().find(|(k, _)| k == "new_type").map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    let name = raw.strip_prefix("privacy_").unwrap_or(raw).to_owned();
    let bad = |why: &str| Err(AppError::BadRequest(format!("new_type: {why}")).into());
    if name.len() > 40
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
        || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return bad("use lowercase letters, digits and _ (like sms_optin), at most 40.");
    }
    if FLAGS.iter().any(|(f, _)| f.strip_prefix("privacy_") == Some(name.as_str())) {
        return bad("that name is a flag, not a text type.");
    }
    if texts::PAGE_TYPE_NAMES.iter().any(|p| name.ends_with(&format!("_{p}"))) {
        return bad("a name ending in a page type is that page type's variant; edit it under Languages.");
    }
    if types.contains(&name) {
        return bad("that type is already on this screen.");
    }
    Ok(Some(name))
}

/// Saves one language's texts (and, in English, the flags): only the keys that changed.
pub async fn save_texts(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AdminError> {
    let fields = form.into_inner();
    let lang = language(&state, fields.iter().find(|(k, _)| k == "lang").map(|(_, v)| v.as_str()))?;
    let mut types = texts::text_types(&state.i18n);
    let mut fields = fields;
    if let Some(added) = new_type(&fields, &types)? {
        types.push(added.clone());
        let text = fields.iter().find(|(k, _)| k == "new_text").map(|(_, v)| v.clone()).unwrap_or_default();
        fields.push((format!("privacy_{added}"), text));
    }
    let mut changes: Vec<(String, String, Option<String>)> = vec![];
    for (key, raw) in &fields {
        let Some(text_type) = key.strip_prefix("privacy_") else { continue };
        let is_flag = FLAGS.iter().any(|(f, _)| f == key);
        if is_flag && lang != DEFAULT_LANG || !is_flag && !types.iter().any(|t| t == text_type) {
            return Err(AppError::BadRequest(format!("{key}: not a privacy text of this screen.")).into());
        }
        // Flags are plain values; texts are staff HTML, kept only in their sanitized form
        // (a stored text saved unchanged is no change, even if it was stored unsanitized).
        let before = state.i18n.staff_string(&lang, key).unwrap_or_default();
        let (value, before) = if is_flag {
            (raw.trim().to_owned(), before.trim().to_owned())
        } else {
            (texts::sanitize(raw.trim()), texts::sanitize(before.trim()))
        };
        if value != before {
            let version_type = (!is_flag).then(|| text_type.to_owned());
            changes.push((key.clone(), value, version_type));
        }
    }
    if changes.is_empty() {
        return Ok(views::see_other(&format!("/admin/privacy/?saved=texts&lang={lang}")));
    }
    let (actor, now, to) = (staff.actor(), Utc::now().naive_utc(), lang.clone());
    let previous: Vec<String> =
        changes.iter().map(|(k, _, _)| state.i18n.staff_string(&lang, k).unwrap_or_default()).collect();
    state
        .db
        .writer
        .submit(move |conn| {
            for ((key, value, version_type), before) in changes.iter().zip(&previous) {
                i18n::store::set_string(conn, &to, key, value, now)?;
                if let Some(text_type) = version_type {
                    // Old and new are both versions, so the notice tool can diff them.
                    for text in [texts::sanitize(before.trim()), value.clone()] {
                        if !text.trim().is_empty() {
                            privacy::store::ensure_version(conn, text_type, &text, now)?;
                        }
                    }
                }
            }
            let keys: Vec<&str> = changes.iter().map(|(k, _, _)| k.as_str()).collect();
            gdpr::store::audit(conn, &actor, "privacy_texts", None, &json!({"lang": to, "keys": keys}), now)?;
            Ok(())
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(views::see_other(&format!("/admin/privacy/?saved=texts&lang={lang}")))
}
