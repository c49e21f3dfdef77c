//! Languages (SPEC S2, P3, P4): per language, the staff strings beside the built-in
//! defaults (key, built-in text, the override, editable), saving or clearing an override,
//! and "translate another piece of text": an override for any key in any language. Editors
//! and admins. Writes are `i18n::store::set_string` / `i18n::strings::clear_string`, audited
//! as `staff:<id>` and followed by [`AppState::reload_staff_edits`], so the next page GET
//! shows them.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{views, AdminError, Staff};
use crate::app::AppState;
use crate::error::AppError;
use crate::gdpr;
use crate::i18n::{self, strings};

const NAV: &str = "languages";

fn lang_url(lang: &str) -> String {
    format!("/admin/languages/{}/", form_urlencoded::byte_serialize(lang.as_bytes()).collect::<String>())
}

/// One row of a language's table.
#[derive(Serialize)]
struct Row {
    key: String,
    /// The built-in text in this language; `None` when only English has the key.
    builtin: Option<String>,
    /// English's built-in text, shown when this language has none.
    english: Option<String>,
    /// The staff override in this language.
    staff: Option<String>,
    updated_at: Option<chrono::NaiveDateTime>,
}

impl Row {
    fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || [Some(&self.key), self.builtin.as_ref(), self.english.as_ref(), self.staff.as_ref()]
                .into_iter()
                .flatten()
                .any(|text| text.to_lowercase().contains(needle))
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AdminError> {
    render_list(&staff, &state, query.saved.as_deref(), None, &AddForm::default(), StatusCode::OK).await
}

async fn render_list(
    staff: &Staff,
    state: &web::Data<AppState>,
    saved: Option<&str>,
    error: Option<&str>,
    form: &AddForm,
    status: StatusCode,
) -> Result<HttpResponse, AdminError> {
    let i18n = std::sync::Arc::clone(&state.i18n);
    let (languages, counts) = state
        .db
        .read(move |conn| {
            let languages = strings::languages(conn, &i18n)?;
            let mut counts = BTreeMap::new();
            for l in &languages {
                counts.insert(l.iso_code.clone(), strings::staff_strings(conn, &l.iso_code)?.len());
            }
            Ok((languages, counts))
        })
        .await?;
    let keys: Vec<String> = state.i18n.builtin_entries(i18n::DEFAULT_LANG).into_iter().map(|(k, _)| k).collect();
    let ctx = context! {
        languages => languages,
        counts => counts,
        keys => keys,
        saved => saved,
        error => error,
        form => form,
    };
    let mut res = views::render(staff, "admin/languages.html", NAV, ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Deserialize)]
pub struct LangQuery {
    /// Shows only the keys whose name or texts contain this (case-insensitive).
    #[serde(default)]
    q: String,
    saved: Option<String>,
    cleared: Option<String>,
}

pub async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, AdminError> {
    let lang = strings::valid_lang(&path.into_inner())
        .map(str::to_owned)
        .map_err(|m| AdminError::from(AppError::NotFound(m.into())))?;
    let i18n = std::sync::Arc::clone(&state.i18n);
    let (languages, staff_strings) = {
        let lang = lang.clone();
        state.db.read(move |conn| Ok((strings::languages(conn, &i18n)?, strings::staff_strings(conn, &lang)?))).await?
    };
    let language = languages.into_iter().find(|l| l.iso_code == lang);
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let english: BTreeMap<String, Option<String>> =
        state.i18n.builtin_entries(i18n::DEFAULT_LANG).into_iter().collect();
    for (key, builtin) in state.i18n.builtin_entries(&lang) {
        let english = if builtin.is_none() { english.get(&key).cloned().flatten() } else { None };
        rows.insert(key.clone(), Row { key, builtin, english, staff: None, updated_at: None });
    }
    // Keys staff defined that no locale has (privacy texts, custom types) come first.
    let mut own: Vec<Row> = vec![];
    for s in staff_strings {
        if let Some(row) = rows.get_mut(&s.name) {
            row.staff = Some(s.text);
            row.updated_at = Some(s.updated_at);
        } else {
            own.push(Row {
                key: s.name,
                builtin: None,
                english: None,
                staff: Some(s.text),
                updated_at: Some(s.updated_at),
            });
        }
    }
    let needle = query.q.trim().to_lowercase();
    let ctx = context! {
        lang => lang,
        language => language,
        rows => own.into_iter().chain(rows.into_values()).filter(|r| r.matches(&needle)).collect::<Vec<_>>(),
        q => query.q.trim(),
        saved => query.saved.clone(),
        cleared => query.cleared.clone(),
    };
    views::render(&staff, "admin/language.html", NAV, ctx)
}

#[derive(Default, Deserialize, Serialize)]
pub struct AddForm {
    #[serde(default)]
    lang: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    text: String,
    /// `clear` removes the override; anything else saves `text`.
    #[serde(default)]
    action: String,
}

/// Saves (or clears) one override from a language's page.
pub async fn save(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AdminError> {
    let mut form = form.into_inner();
    form.lang = path.into_inner();
    let lang = strings::valid_lang(&form.lang).map_err(|m| AdminError::from(AppError::BadRequest(m.into())))?;
    let key = strings::valid_key(&form.key).map_err(|m| AdminError::from(AppError::BadRequest(m.into())))?;
    let clear = form.action == "clear" || form.text.trim().is_empty();
    write(&staff, &state, lang, key, &form.text, clear).await?;
    let verb = if clear { "cleared" } else { "saved" };
    Ok(views::see_other(&format!(
        "{}?{verb}={}#key-{key}",
        lang_url(lang),
        form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>()
    )))
}

/// "Translate another piece of text": any key, any language.
pub async fn add(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AdminError> {
    let form = form.into_inner();
    let checked = strings::valid_lang(&form.lang).and_then(|lang| {
        let key = strings::valid_key(&form.key)?;
        if form.text.trim().is_empty() {
            return Err("Write the text for this key.");
        }
        Ok((lang, key))
    });
    let (lang, key) = match checked {
        Ok(found) => found,
        Err(message) => return render_list(&staff, &state, None, Some(message), &form, StatusCode::BAD_REQUEST).await,
    };
    write(&staff, &state, lang, key, &form.text, false).await?;
    Ok(views::see_other(&format!(
        "{}?saved={}#key-{key}",
        lang_url(lang),
        form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>()
    )))
}

/// One transaction: the string set or cleared, and its audit entry; then the reload.
async fn write(
    staff: &Staff,
    state: &AppState,
    lang: &str,
    key: &str,
    text: &str,
    clear: bool,
) -> Result<(), AdminError> {
    let (actor, now) = (staff.actor(), Utc::now().naive_utc());
    let (lang, key, text) = (lang.to_owned(), key.to_owned(), text.replace("\r\n", "\n"));
    state
        .db
        .writer
        .submit(move |conn| {
            let verb = if clear {
                if !strings::clear_string(conn, &lang, &key)? {
                    return Ok(());
                }
                "language_string_clear"
            } else {
                i18n::store::set_string(conn, &lang, &key, &text, now)?;
                "language_string_set"
            };
            gdpr::store::audit(conn, &actor, verb, None, &json!({ "lang": lang, "key": key }), now)?;
            Ok(())
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(())
}
