//! What the admin's languages screen reads and writes (SPEC S2, P3, P4): the languages
//! known (the `core_language` table and the built-in locales), every built-in key of a
//! language with its text, the staff strings of one language, and clearing an override.
//! Setting one stays `store::set_string`.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{I18n, LOCALES};
use crate::db::schema::{core_language, core_languagestring};
use crate::db::DbConnection;

#[derive(Clone, Debug, Serialize)]
pub struct Language {
    pub iso_code: String,
    pub name: String,
    /// Ships built-in texts (`locales/<iso_code>/`).
    pub builtin: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct StaffString {
    pub name: String,
    pub text: String,
    pub updated_at: NaiveDateTime,
}

/// The languages of `core_language` and of the built-in locales, by code.
pub fn languages(conn: &mut DbConnection, i18n: &I18n) -> QueryResult<Vec<Language>> {
    let rows: Vec<(String, String)> =
        core_language::table.select((core_language::iso_code, core_language::name)).load(conn)?;
    let builtin = i18n.languages();
    let mut out: BTreeMap<String, Language> = rows
        .into_iter()
        .map(|(iso_code, name)| {
            let has = builtin.contains(&iso_code);
            (iso_code.clone(), Language { iso_code, name, builtin: has })
        })
        .collect();
    for code in builtin {
        out.entry(code.clone()).or_insert_with(|| Language { name: code.clone(), iso_code: code, builtin: true });
    }
    Ok(out.into_values().collect())
}

/// The staff strings of `lang`, by key.
pub fn staff_strings(conn: &mut DbConnection, lang: &str) -> QueryResult<Vec<StaffString>> {
    let rows: Vec<(String, String, NaiveDateTime)> = core_languagestring::table
        .filter(core_languagestring::lang.eq(lang))
        .order(core_languagestring::name.asc())
        .select((core_languagestring::name, core_languagestring::text, core_languagestring::updated_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(name, text, updated_at)| StaffString { name, text, updated_at }).collect())
}

/// Removes the staff string of `lang` and `name`, so the built-in text shows again.
/// `true` when there was one.
pub fn clear_string(conn: &mut DbConnection, lang: &str, name: &str) -> QueryResult<bool> {
    diesel::delete(
        core_languagestring::table
            .filter(core_languagestring::lang.eq(lang))
            .filter(core_languagestring::name.eq(name)),
    )
    .execute(conn)
    .map(|n| n > 0)
}

/// A language code staff may use: `de`, `pt-BR`, `zh_Hant` — letters, digits, `-`, `_`,
/// at most 20 characters.
pub fn valid_lang(code: &str) -> Result<&str, &'static str> {
    let code = code.trim();
    let ok = !code.is_empty()
        && code.len() <= 20
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(code)
    } else {
        Err("A language code is letters, digits, '-' and '_', like de or pt-BR.")
    }
}

/// A string key: letters, digits, `_`, `-` and `:` (`error_email:invalid`), at most 100.
pub fn valid_key(key: &str) -> Result<&str, &'static str> {
    let key = key.trim();
    let ok = !key.is_empty()
        && key.len() <= 100
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':');
    if ok {
        Ok(key)
    } else {
        Err("A key is letters, digits, '_', '-' and ':', like privacy_notice or error_email:invalid.")
    }
}

impl I18n {
    /// Every built-in key of `lang` (as staff and templates name them: `error_email:invalid`)
    /// with its text there, sorted; English's keys are included for languages that lack them,
    /// with `None` text, so staff see what they can translate.
    pub fn builtin_entries(&self, lang: &str) -> Vec<(String, Option<String>)> {
        let mut keys: Vec<String> = builtin_keys(lang);
        keys.extend(builtin_keys(super::DEFAULT_LANG));
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|key| {
                let text = self.builtin_text(lang, &key);
                (key, text)
            })
            .collect()
    }
}

/// The message ids of `locales/<lang>/*.ftl`, `-` read back as `:` (fluent ids cannot hold
/// a colon, so `error_email:invalid` is stored as `error_email-invalid`).
fn builtin_keys(lang: &str) -> Vec<String> {
    let Some(dir) = LOCALES.get_dir(lang) else { return vec![] };
    dir.files()
        .filter_map(|f| f.contents_utf8())
        .flat_map(str::lines)
        .filter_map(|line| {
            let (id, _) = line.split_once('=')?;
            let id = id.trim_end();
            let starts = id.starts_with(|c: char| c.is_ascii_alphabetic());
            (starts && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .then(|| id.replace('-', ":"))
        })
        .collect()
}
