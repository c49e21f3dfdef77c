//! The parts of a page's context that are the same for many renders, built once and shared
//! (issue 4: a GET renders in well under a millisecond): the country list as a template
//! value, its `<option>` elements pre-escaped (`country_options`), and per language the `ui`
//! strings and the privacy texts (kept in `I18n::memo`, so a staff-string reload drops
//! them). Each is a `minijinja::Value`, which `Value::from_serialize` passes through
//! without copying.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Bound;
use std::sync::LazyLock;

use minijinja::Value;

use super::context::{ui_strings, UI_KEYS};
use crate::i18n::I18n;
use crate::privacy::texts::TextScope;

/// `countries`: every country name, United States first.
pub fn countries() -> Value {
    static COUNTRIES: LazyLock<Value> = LazyLock::new(|| Value::from(crate::privacy::countries::all_names_us_first()));
    COUNTRIES.clone()
}

/// The `<option>` of every country as Original's `country_select.html` loop writes them
/// (each name escaped as Django escapes it, each option followed by the loop's `\n  `),
/// none selected.
fn option_list() -> &'static str {
    static OPTIONS: LazyLock<String> = LazyLock::new(|| {
        let mut out = String::new();
        for name in crate::privacy::countries::all_names_us_first() {
            let mut escaped = String::new();
            let _ = super::django_escape(&mut escaped, name);
            let _ = write!(out, "<option value=\"{escaped}\">{escaped}</option>\n  ");
        }
        out
    });
    &OPTIONS
}

/// `country_options`: the country `<option>`s as safe HTML, `selected` (the form's country
/// value after a failed post) marked as the loop's `{% if c == values.country %}` would.
pub fn country_options(selected: Option<&str>) -> Value {
    static NONE_SELECTED: LazyLock<Value> = LazyLock::new(|| Value::from_safe_string(option_list().to_owned()));
    let list = option_list();
    let Some(selected) = selected.filter(|s| !s.is_empty()) else { return NONE_SELECTED.clone() };
    let mut open = String::from("<option value=\"");
    let _ = super::django_escape(&mut open, selected);
    open.push('"');
    match list.find(&format!("{open}>")) {
        Some(at) => {
            let end = at + open.len();
            Value::from_safe_string(format!("{} selected{}", &list[..end], &list[end..]))
        }
        None => NONE_SELECTED.clone(),
    }
}

/// `ui`: the interface strings in `lang`, built once per language and staff-string load.
pub fn ui(i18n: &I18n, lang: &str) -> Value {
    let ui = i18n.memo(&format!("render.ui\0{lang}"), || Value::from(ui_strings(i18n, lang)));
    debug_assert_eq!(ui.len(), Some(UI_KEYS.len()));
    Value::clone(&ui)
}

/// `privacy_text` (P7) for a page: built once per language, page type and the page's own
/// `privacy_*` fields (the only fields the texts read) per staff-string load.
pub fn privacy_text(i18n: &I18n, scope: &TextScope<'_>) -> Value {
    let mut key = format!("render.privacy_text\0{}\0{}", scope.lang, scope.page_type);
    for (field, text) in scope
        .page_fields
        .range::<str, _>((Bound::Included("privacy_"), Bound::Unbounded))
        .take_while(|(f, _)| f.starts_with("privacy_"))
    {
        let _ = write!(key, "\0{field}\0{text}");
    }
    let map = i18n.memo(&key, || {
        let map: BTreeMap<String, String> = crate::privacy::texts::template_map(i18n, scope);
        Value::from(map)
    });
    Value::clone(&map)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn t3_country_options_mark_the_selected_country_only() {
        let none = country_options(None).to_string();
        assert!(none.starts_with("<option value=\"United States\">United States</option>\n  "), "{none}");
        assert!(!none.contains("selected"));
        assert!(
            none.contains("<option value=\"Côte d&#x27;Ivoire\">Côte d&#x27;Ivoire</option>"),
            "escaped as Django escapes"
        );
        let ivory = country_options(Some("Côte d'Ivoire")).to_string();
        assert!(ivory.contains("<option value=\"Côte d&#x27;Ivoire\" selected>"), "a name that needs escaping");
        let fr = country_options(Some("France")).to_string();
        assert!(fr.contains("<option value=\"France\" selected>France</option>"), "France selected");
        assert_eq!(fr.matches("selected").count(), 1);
        assert_eq!(country_options(Some("Atlantis")).to_string(), none, "an unknown country selects nothing");
        assert_eq!(country_options(Some("")).to_string(), none);
        assert!(country_options(None).is_safe());
    }

    #[test]
    fn t3_original_select_renders_the_same_with_and_without_country_options() {
        let renderer = super::super::Renderer::new(crate::templatesets::Sources::default());
        for selected in [None, Some("France"), Some("Côte d'Ivoire"), Some("Atlantis")] {
            let values: BTreeMap<&str, &str> = selected.map(|c| ("country", c)).into_iter().collect();
            let with = Value::from_serialize(serde_json::json!({
                "countries": countries(), "values": values, "country_options": country_options(selected),
            }));
            let without = Value::from_serialize(serde_json::json!({"countries": countries(), "values": values}));
            let render = |ctx: &Value| renderer.render(super::super::ORIGINAL, "country_select.html", ctx).unwrap();
            let html = render(&with);
            assert_eq!(html, render(&without), "{selected:?}");
            assert_eq!(html.matches(" selected>").count(), usize::from(selected.is_some_and(|c| c != "Atlantis")));
        }
    }
}
