//! Language strings: the built-in texts in `locales/<lang>/placard.ftl` (fluent, embedded
//! in the binary) and the staff strings of `core_languagestring`, resolved by one rule
//! (DESIGN.md): staff string (lang) → built-in (lang) → staff string (en) → built-in (en).
//!
//! Staff strings are held in memory (`StaffStrings`) so rendering never queries the
//! database; the admin reloads them after a save. What renders derive from them per
//! language (`I18n::memo`: the `ui` strings, privacy texts) is kept beside that snapshot, so
//! a reload drops it with the strings it was built from.

pub mod store;
pub mod strings;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
use include_dir::{include_dir, Dir};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use unic_langid::LanguageIdentifier;

use crate::shared::Shared;

static LOCALES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/locales");

/// The fallback language of every chain.
pub const DEFAULT_LANG: &str = "en";

type Bundle = FluentBundle<FluentResource>;

pub struct I18n {
    builtin: HashMap<String, Bundle>,
    staff: Shared<StaffStrings>,
}

/// `(lang, key) → text` written by staff.
#[derive(Debug, Default)]
pub struct StaffStrings {
    texts: HashMap<(String, String), String>,
    /// Every key in any language, sorted: computed once per load, read on every render.
    keys: Vec<String>,
    /// Values derived from these strings (and the built-in texts), by key: see `I18n::memo`.
    memo: RwLock<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

/// Beyond this many memoized values (keys include page fields, so they are not bounded by
/// the languages alone) values are computed per call instead of kept.
const MEMO_LIMIT: usize = 4096;

impl StaffStrings {
    pub fn from_rows(rows: impl IntoIterator<Item = (String, String, String)>) -> Self {
        let texts: HashMap<(String, String), String> =
            rows.into_iter().map(|(lang, key, text)| ((lang, key), text)).collect();
        let mut keys: Vec<String> = texts.keys().map(|(_, k)| k.clone()).collect();
        keys.sort();
        keys.dedup();
        Self { texts, keys, memo: RwLock::default() }
    }

    fn get(&self, lang: &str, key: &str) -> Option<&str> {
        self.texts.get(&(lang.to_owned(), key.to_owned())).map(String::as_str).filter(|t| !t.trim().is_empty())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("locales/{lang}/placard.ftl: {message}")]
pub struct LocaleError {
    lang: String,
    message: String,
}

impl I18n {
    /// Loads every embedded locale; a broken `.ftl` file is an error, not a silent gap.
    pub fn load() -> Result<Self, LocaleError> {
        let mut builtin = HashMap::new();
        for dir in LOCALES.dirs() {
            let lang = dir.path().to_string_lossy().to_string();
            let err = |message: String| LocaleError { lang: lang.clone(), message };
            let langid: LanguageIdentifier = lang.parse().map_err(|e| err(format!("bad language tag: {e}")))?;
            let mut bundle = Bundle::new_concurrent(vec![langid]);
            // Texts land in HTML and mail; Unicode isolation marks would show up as noise.
            bundle.set_use_isolating(false);
            for file in dir.files() {
                let source = file.contents_utf8().ok_or_else(|| err("not UTF-8".into()))?.to_owned();
                let resource = FluentResource::try_new(source).map_err(|(_, errors)| err(format!("{errors:?}")))?;
                bundle.add_resource(resource).map_err(|errors| err(format!("{errors:?}")))?;
            }
            builtin.insert(lang, bundle);
        }
        Ok(Self { builtin, staff: Shared::default() })
    }

    /// Replaces the staff strings (after start-up and after every admin save).
    pub fn set_staff_strings(&self, strings: StaffStrings) {
        self.staff.set(strings);
    }

    fn staff(&self) -> Arc<StaffStrings> {
        self.staff.get()
    }

    /// `build()`'s value, computed once per `key` for the staff strings in use: the next
    /// `set_staff_strings` starts afresh. `key` names everything the value depends on besides
    /// the strings (the language, page fields) and is unique to its type `T`.
    pub fn memo<T: Any + Send + Sync>(&self, key: &str, build: impl FnOnce() -> T) -> Arc<T> {
        // The snapshot's own memo: a value built while a reload swaps the strings lands in
        // the memo of the replaced snapshot, which no later render reads.
        let staff = self.staff();
        let found = staff.memo.read().ok().and_then(|memo| memo.get(key).cloned());
        if let Some(value) = found.and_then(|v| v.downcast::<T>().ok()) {
            return value;
        }
        let value = Arc::new(build());
        if let Ok(mut memo) = staff.memo.write() {
            if memo.len() < MEMO_LIMIT {
                memo.insert(key.to_owned(), Arc::clone(&value) as Arc<dyn Any + Send + Sync>);
            }
        }
        value
    }

    /// The languages with built-in texts.
    pub fn languages(&self) -> Vec<String> {
        let mut langs: Vec<String> = self.builtin.keys().cloned().collect();
        langs.sort();
        langs
    }

    fn builtin_text(&self, lang: &str, key: &str) -> Option<String> {
        let bundle = self.builtin.get(lang)?;
        let pattern = bundle.get_message(&key.replace(':', "-"))?.value()?;
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, None, &mut errors).to_string();
        errors.is_empty().then_some(text)
    }

    /// A staff string alone (no built-in fallback), non-blank: privacy texts have no default.
    pub fn staff_string(&self, lang: &str, key: &str) -> Option<String> {
        self.staff().get(lang, key).map(str::to_owned)
    }

    /// Every key staff defined in any language.
    pub fn staff_keys(&self) -> Vec<String> {
        self.staff().keys.clone()
    }

    /// The resolver of DESIGN.md; `None` when no layer has the key.
    pub fn lookup(&self, lang: &str, key: &str) -> Option<String> {
        let staff = self.staff();
        staff
            .get(lang, key)
            .map(str::to_owned)
            .or_else(|| self.builtin_text(lang, key))
            .or_else(|| staff.get(DEFAULT_LANG, key).map(str::to_owned))
            .or_else(|| self.builtin_text(DEFAULT_LANG, key))
    }

    /// Like `lookup`, but shows the key itself when nothing defines it, so a gap is visible.
    pub fn text(&self, lang: &str, key: &str) -> String {
        self.lookup(lang, key).unwrap_or_else(|| key.to_owned())
    }

    /// The message for a validation error (SPEC P4): `error_<field>:<code>`, then the
    /// generic `error_<code>`, then `error_default`.
    pub fn error_message(&self, lang: &str, field: &str, code: &str) -> String {
        self.lookup(lang, &format!("error_{field}:{code}"))
            .or_else(|| self.lookup(lang, &format!("error_{code}")))
            .unwrap_or_else(|| self.text(lang, "error_default"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn p4_staff_strings_override_builtins_and_fall_back_to_english() {
        let i18n = I18n::load().expect("locales load");
        assert_eq!(i18n.error_message("en", "email", "invalid"), "E-mail address is invalid.");
        assert_eq!(i18n.error_message("de", "email", "invalid"), "Die E-Mail-Adresse ist ungültig.");
        assert_eq!(i18n.error_message("de", "first_name", "missing"), "Dieses Feld ist erforderlich.");
        assert_eq!(i18n.text("xx", "submit_petition"), "Sign the petition");
        i18n.set_staff_strings(StaffStrings::from_rows([
            ("en".into(), "error_privacy:missing".into(), "Tell us how we may use your data.".into()),
            ("en".into(), "privacy_notice".into(), "We keep your data safe.".into()),
        ]));
        assert_eq!(
            i18n.error_message("de", "privacy", "missing"),
            "Wir benötigen weitere Angaben, um Ihre Daten zu verarbeiten."
        );
        assert_eq!(i18n.error_message("en", "privacy", "missing"), "Tell us how we may use your data.");
        assert_eq!(i18n.lookup("de", "privacy_notice").as_deref(), Some("We keep your data safe."));
        assert_eq!(i18n.lookup("en", "no_such_key"), None);
    }

    #[test]
    fn t3_memoized_values_are_rebuilt_after_staff_strings_change() {
        let i18n = I18n::load().expect("locales load");
        let heading = |i18n: &I18n| i18n.memo("heading:en", || i18n.text("en", "thanks_heading"));
        let builtin = heading(&i18n);
        assert!(Arc::ptr_eq(&builtin, &heading(&i18n)), "built once");
        i18n.set_staff_strings(StaffStrings::from_rows([("en".into(), "thanks_heading".into(), "Merci".into())]));
        assert_eq!(heading(&i18n).as_str(), "Merci", "a reload drops what was built from the old strings");
        assert_ne!(*builtin, "Merci");
    }
}
