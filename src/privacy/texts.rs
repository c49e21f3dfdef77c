//! Privacy text resolution (SPEC P3, P5, P6, P7). For text type T on page X of type P in
//! language L, the first non-blank of: (1) X's custom page field `privacy_T`; (2) L's
//! `privacy_T_P`; (3) L's `privacy_T`; (4) English `privacy_T_P`; (5) English `privacy_T`.
//! Only staff strings count: there is no default text. Texts are staff HTML, sanitized to
//! a safe subset; the hash is of the sanitized text, which is exactly what was shown.

use serde::Serialize;
use std::collections::BTreeMap;

use super::PrivacyHash;
use crate::i18n::{I18n, DEFAULT_LANG};

/// The four standard types; any staff string `privacy_<X>` defines a custom type X.
pub const STANDARD_TYPES: [&str; 4] = ["notice", "optin", "optout", "really_optout"];

/// Flag strings (P5): read from English only, never text types.
const FLAGS: [&str; 3] = ["unsub_optouts", "show_if", "optouts_skip_thanks"];

/// Lowercase page-type names that may suffix a key (`privacy_notice_donation`).
pub const PAGE_TYPE_NAMES: [&str; 12] = [
    "petition",
    "letter",
    "survey",
    "donation",
    "signup",
    "call",
    "whipcount",
    "lte",
    "unsubscribe",
    "eventcreate",
    "eventsignup",
    "update",
];

/// Which of P6's five steps a text came from (shown by the notice tool, B5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum TextSource {
    PageField,
    LanguageForPageType,
    Language,
    EnglishForPageType,
    English,
}

#[derive(Clone, Debug, Serialize)]
pub struct ResolvedText {
    pub text_type: String,
    pub text: String,
    pub hash: PrivacyHash,
    pub source: TextSource,
}

/// Where a text is wanted: the page's custom fields, its lowercase type name, a language.
pub struct TextScope<'a> {
    pub page_fields: &'a BTreeMap<String, String>,
    pub page_type: &'a str,
    pub lang: &'a str,
}

pub fn resolve(i18n: &I18n, scope: &TextScope<'_>, text_type: &str) -> Option<ResolvedText> {
    let key = format!("privacy_{text_type}");
    let typed = format!("{key}_{}", scope.page_type);
    let candidates = [
        (TextSource::PageField, scope.page_fields.get(&key).cloned()),
        (TextSource::LanguageForPageType, i18n.staff_string(scope.lang, &typed)),
        (TextSource::Language, i18n.staff_string(scope.lang, &key)),
        (TextSource::EnglishForPageType, i18n.staff_string(DEFAULT_LANG, &typed)),
        (TextSource::English, i18n.staff_string(DEFAULT_LANG, &key)),
    ];
    candidates.into_iter().find_map(|(source, text)| {
        let text = sanitize(text.as_deref()?.trim());
        (!text.trim().is_empty()).then(|| ResolvedText {
            hash: PrivacyHash::of(text_type, &text),
            text_type: text_type.to_owned(),
            text,
            source,
        })
    })
}

/// Every text type staff defined, standard ones first (P7: `privacy_<X>` defines X).
pub fn text_types(i18n: &I18n) -> Vec<String> {
    let mut types: Vec<String> = STANDARD_TYPES.iter().map(|t| (*t).to_owned()).collect();
    for key in i18n.staff_keys() {
        let Some(rest) = key.strip_prefix("privacy_") else { continue };
        let base = PAGE_TYPE_NAMES
            .iter()
            .find_map(|p| rest.strip_suffix(&format!("_{p}")).filter(|b| !b.is_empty()))
            .unwrap_or(rest);
        if !FLAGS.contains(&base) && !types.iter().any(|t| t == base) {
            types.push(base.to_owned());
        }
    }
    types
}

/// The English-only flags of P5.
#[derive(Clone, Debug, Default, Serialize)]
pub struct PrivacyFlags {
    pub unsub_optouts: bool,
    /// `in_country` or `missing` (empty when unset).
    pub show_if: String,
    pub optouts_skip_thanks: bool,
}

pub fn flags(i18n: &I18n) -> PrivacyFlags {
    let truthy = |key: &str| {
        i18n.staff_string(DEFAULT_LANG, key)
            .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    };
    PrivacyFlags {
        unsub_optouts: truthy("privacy_unsub_optouts"),
        show_if: i18n.staff_string(DEFAULT_LANG, "privacy_show_if").map(|s| s.trim().to_owned()).unwrap_or_default(),
        optouts_skip_thanks: truthy("privacy_optouts_skip_thanks"),
    }
}

/// Staff HTML cut down to what a consent text needs: text formatting and links.
pub fn sanitize(html: &str) -> String {
    // Building the policy costs more than cleaning a short text: build it once.
    static SANITIZER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    SANITIZER
        .get_or_init(|| {
            let mut builder = ammonia::Builder::default();
            builder.link_rel(Some("noopener noreferrer"));
            builder
        })
        .clean(html)
        .to_string()
}

/// `privacy_text` as templates see it (P7): `<type>`, `<type>_hash`, and the flags.
pub fn template_map(i18n: &I18n, scope: &TextScope<'_>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for text_type in text_types(i18n) {
        if let Some(resolved) = resolve(i18n, scope, &text_type) {
            map.insert(format!("{text_type}_hash"), resolved.hash.to_string());
            map.insert(text_type, resolved.text);
        }
    }
    if map.is_empty() {
        return map;
    }
    let flags = flags(i18n);
    map.insert("show_if".into(), flags.show_if);
    if flags.unsub_optouts {
        map.insert("unsub_optouts".into(), "1".into());
    }
    if flags.optouts_skip_thanks {
        map.insert("optouts_skip_thanks".into(), "1".into());
    }
    map
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::i18n::StaffStrings;

    fn i18n(rows: &[(&str, &str, &str)]) -> I18n {
        let i18n = I18n::load().unwrap();
        i18n.set_staff_strings(StaffStrings::from_rows(
            rows.iter().map(|(l, k, t)| ((*l).into(), (*k).into(), (*t).into())),
        ));
        i18n
    }

    fn source(i18n: &I18n, fields: &BTreeMap<String, String>, lang: &str, t: &str) -> Option<(String, TextSource)> {
        resolve(i18n, &TextScope { page_fields: fields, page_type: "donation", lang }, t).map(|r| (r.text, r.source))
    }

    #[test]
    fn p6_texts_resolve_through_the_five_steps_in_order() {
        let mut i = vec![("en", "privacy_notice", "EN"), ("en", "privacy_notice_donation", "EN donation")];
        let none = BTreeMap::new();
        assert_eq!(
            source(&i18n(&i), &none, "de", "notice"),
            Some(("EN donation".into(), TextSource::EnglishForPageType))
        );
        i.push(("de", "privacy_notice", "DE"));
        assert_eq!(source(&i18n(&i), &none, "de", "notice"), Some(("DE".into(), TextSource::Language)));
        i.push(("de", "privacy_notice_donation", "DE donation"));
        assert_eq!(
            source(&i18n(&i), &none, "de", "notice"),
            Some(("DE donation".into(), TextSource::LanguageForPageType))
        );
        let fields = BTreeMap::from([("privacy_notice".to_owned(), "Page's own".to_owned())]);
        assert_eq!(source(&i18n(&i), &fields, "de", "notice"), Some(("Page's own".into(), TextSource::PageField)));
        assert_eq!(
            source(&i18n(&[("en", "privacy_notice", "EN")]), &none, "fr", "notice").unwrap().1,
            TextSource::English
        );
    }

    #[test]
    fn p3_there_is_no_default_text_and_blanks_do_not_count() {
        let none = BTreeMap::new();
        assert_eq!(source(&i18n(&[]), &none, "en", "notice"), None);
        assert_eq!(
            source(&i18n(&[("de", "privacy_optin", "  "), ("en", "privacy_optin", "Yes")]), &none, "de", "optin")
                .unwrap()
                .0,
            "Yes"
        );
    }

    #[test]
    fn p7_custom_types_and_flags_reach_templates() {
        let i = i18n(&[
            ("en", "privacy_notice", "N"),
            ("en", "privacy_sms_optin", "Text me"),
            ("en", "privacy_optin_petition", "Petition only"),
            ("en", "privacy_unsub_optouts", "1"),
            ("en", "privacy_show_if", "missing"),
        ]);
        assert_eq!(text_types(&i), vec!["notice", "optin", "optout", "really_optout", "sms_optin"]);
        let none = BTreeMap::new();
        let map = template_map(&i, &TextScope { page_fields: &none, page_type: "signup", lang: "en" });
        assert_eq!(map.get("sms_optin").map(String::as_str), Some("Text me"));
        assert_eq!(map.get("sms_optin_hash"), Some(&PrivacyHash::of("sms_optin", "Text me").to_string()));
        assert_eq!(map.get("optin"), None, "petition-only text is not used on a signup page");
        assert_eq!(map.get("unsub_optouts").map(String::as_str), Some("1"));
        assert_eq!(map.get("show_if").map(String::as_str), Some("missing"));
    }

    #[test]
    fn p3_staff_html_is_sanitized_and_the_hash_is_of_what_is_shown() {
        let i =
            i18n(&[("en", "privacy_notice", "See <a href=\"/p\" onclick=\"x()\">policy</a><script>alert(1)</script>")]);
        let none = BTreeMap::new();
        let r = resolve(&i, &TextScope { page_fields: &none, page_type: "petition", lang: "en" }, "notice").unwrap();
        assert!(!r.text.contains("script") && !r.text.contains("onclick"), "{}", r.text);
        assert!(r.text.contains("<a href=\"/p\""), "{}", r.text);
        assert_eq!(r.hash, PrivacyHash::of("notice", &r.text));
    }
}
