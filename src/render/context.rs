//! The context a page template sees (SPEC T3): `page`, `form`, `values`, `errors`,
//! `required`, `countries`, `list_id`, `privacy_text`, `ui`, `client_name`; and
//! `country_options`, the country `<option>`s Original's select writes (`cached.rs`).

use minijinja::Value;
use serde::Serialize;
use std::collections::BTreeMap;

use super::cached;

use crate::error::ValidationErrors;
use crate::i18n::I18n;
use crate::pages::Page;
use crate::privacy::texts::TextScope;
use crate::privacy::PrivacySettings;

/// Interface strings every Original template may use, resolved in the page's language.
pub(crate) const UI_KEYS: &[&str] = &[
    "label_email",
    "label_first_name",
    "label_last_name",
    "label_address1",
    "label_city",
    "label_state",
    "label_zip",
    "label_postal",
    "label_country",
    "label_phone",
    "label_comment",
    "label_amount",
    "label_amount_other",
    "label_card_num",
    "label_card_code",
    "submit_petition",
    "submit_signup",
    "submit_letter",
    "submit_donation",
    "submit_unsubscribe",
    "required_marker_text",
    "errors_heading",
    "thanks_heading",
    "powered_by",
    "home_heading",
    "home_intro",
    "open_page",
    "privacy_choice_legend",
    "submit_survey",
    "submit_call",
    "submit_update",
    "label_call_notes",
    "call_script_heading",
    "call_targets_heading",
    "call_target",
    "update_heading",
    "update_intro",
    "update_known_user",
    "update_not_you",
    "email_greeting",
    "email_receipt_link",
    "email_footer_mailing",
    "email_unsubscribe",
    "receipt_download",
    "receipt_download_withdrawal",
];

#[derive(Serialize)]
pub struct LangContext {
    pub iso_code: String,
    pub is_rtl: bool,
}

#[derive(Serialize)]
pub struct PageContext {
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub page_type: &'static str,
    pub kind: &'static str,
    pub lang: LangContext,
    pub goal: Option<i64>,
    pub custom_fields: BTreeMap<String, String>,
}

#[derive(Serialize)]
pub struct FormTexts {
    pub introduction_text: String,
    pub statement_leadin: String,
    pub statement_text: String,
    pub about_text: String,
    pub thank_you_text: String,
    pub survey_question_text: String,
    pub ground_rules: String,
}

/// Everything an action page or its thanks page renders from (SPEC T3).
#[derive(Serialize)]
pub struct ActionPageContext {
    pub client_name: String,
    pub page: PageContext,
    pub form: FormTexts,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, Vec<String>>,
    pub error_messages: Vec<String>,
    pub required: Vec<String>,
    /// ActionKit's name for the same: `context.required`.
    pub context: RequiredContext,
    /// Every country name (a shared list).
    pub countries: Value,
    /// `countries` as `<option>` elements, the form's country selected: safe HTML, shared
    /// unless a country is selected.
    pub country_options: Value,
    pub list_id: i64,
    /// `<type>`, `<type>_hash` and the flags (P7), shared per language and page type.
    pub privacy_text: Value,
    /// The `UI_KEYS` strings in the page's language, shared per language.
    pub ui: Value,
    pub args: BTreeMap<String, String>,
    pub request: RequestContext,
    pub templateset: TemplatesetContext,
    pub akid: Option<String>,
    /// Consent receipts of the action on its thanks page (B3): `{url, kind}`.
    pub receipts: Vec<ReceiptLink>,
    /// The supporter recognized by the akid in the URL (T3), with
    /// `privacyrecord_set` (P15); `actionkit_user` is the same.
    pub user: Option<serde_json::Value>,
    pub actionkit_user: Option<serde_json::Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReceiptLink {
    pub url: String,
    pub kind: String,
}

#[derive(Serialize)]
pub struct RequiredContext {
    pub required: Vec<String>,
}

#[derive(Serialize)]
pub struct RequestContext {
    #[serde(rename = "GET")]
    pub get: BTreeMap<String, String>,
    pub path: String,
}

#[derive(Serialize)]
pub struct TemplatesetContext {
    pub name: String,
    pub lang: TemplatesetLang,
}

#[derive(Serialize)]
pub struct TemplatesetLang {
    pub country_names_us_first: Value,
}

/// What a page render needs besides the page itself.
pub struct RenderInput<'a> {
    pub client_name: &'a str,
    pub i18n: &'a I18n,
    pub privacy: &'a PrivacySettings,
    pub page_fields: &'a BTreeMap<String, String>,
    pub templateset: &'a str,
    pub values: BTreeMap<String, String>,
    pub errors: &'a ValidationErrors,
    pub args: BTreeMap<String, String>,
    pub path: &'a str,
}

pub fn ui_strings(i18n: &I18n, lang: &str) -> BTreeMap<&'static str, String> {
    UI_KEYS.iter().map(|k| (*k, i18n.text(lang, k))).collect()
}

pub fn lang_context(lang: &str) -> LangContext {
    LangContext { iso_code: lang.to_owned(), is_rtl: matches!(lang, "ar" | "he" | "fa" | "ur") }
}

impl ActionPageContext {
    /// `values` pre-fill the form after a failed post; `errors` are already localized.
    pub fn new(page: &Page, input: RenderInput<'_>) -> Self {
        let kind = page.kind();
        let i18n = input.i18n;
        let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in &input.errors.0 {
            by_field.entry(e.field.clone()).or_default().push(e.message.clone());
        }
        let privacy_text = if input.privacy.enabled {
            let scope = TextScope { page_fields: input.page_fields, page_type: kind.privacy_name(), lang: &page.lang };
            cached::privacy_text(i18n, &scope)
        } else {
            Value::from(BTreeMap::<String, String>::new())
        };
        let country_options = cached::country_options(input.values.get("country").map(String::as_str));
        Self {
            client_name: input.client_name.to_owned(),
            page: PageContext {
                name: page.name.clone(),
                title: page.title.clone(),
                page_type: kind.as_str(),
                kind: kind.url_kind(),
                lang: lang_context(&page.lang),
                goal: page.goal,
                custom_fields: input.page_fields.clone(),
            },
            form: FormTexts {
                introduction_text: page.introduction_text.clone(),
                statement_leadin: page.statement_leadin.clone(),
                statement_text: page.statement_text.clone(),
                about_text: page.about_text.clone(),
                thank_you_text: page.thank_you_text.clone(),
                survey_question_text: page.survey_question_text.clone(),
                ground_rules: page.ground_rules.clone(),
            },
            values: input.values,
            error_messages: input
                .errors
                .0
                .iter()
                .map(|e| summary_line(i18n, &page.lang, &e.field, &e.message))
                .collect(),
            errors: by_field,
            required: page.required(),
            context: RequiredContext { required: page.required() },
            countries: cached::countries(),
            country_options,
            list_id: page.list_id,
            privacy_text,
            ui: cached::ui(i18n, &page.lang),
            akid: input.args.get("akid").cloned(),
            receipts: vec![],
            user: None,
            actionkit_user: None,
            request: RequestContext { get: input.args.clone(), path: input.path.to_owned() },
            args: input.args,
            templateset: TemplatesetContext {
                name: input.templateset.to_owned(),
                lang: TemplatesetLang { country_names_us_first: cached::countries() },
            },
        }
    }
}

/// A line of the error summary: the field's label, then the message, so that two
/// "This field is required." lines say which fields they mean.
fn summary_line(i18n: &I18n, lang: &str, field: &str, message: &str) -> String {
    match i18n.lookup(lang, &format!("label_{field}")) {
        Some(label) => format!("{label}: {message}"),
        None => message.to_owned(),
    }
}
