//! The demo petition (`/sign/save-the-bees/`) without a database, for `benches/render.rs`
//! (issue 4): the same page texts, privacy texts and settings `demo::seed_if_empty` writes,
//! in English, turned into the context `http::public` renders it with.

use std::collections::BTreeMap;

use super::check::sample_page;
use super::context::{ActionPageContext, RenderInput};
use super::ORIGINAL;
use crate::error::ValidationErrors;
use crate::i18n::{I18n, StaffStrings};
use crate::pages::{Page, PageType};
use crate::privacy::PrivacySettings;

/// The English privacy texts of the demo (a copy of `demo::seed_privacy`'s rows).
const DEMO_PRIVACY_EN: [(&str, &str); 4] = [
    ("privacy_notice", "<p>We process your data as described in our <a href=\"/privacy/\">privacy policy</a>.</p>"),
    ("privacy_optin", "Yes, keep me informed by email about this and related campaigns."),
    ("privacy_optout", "No, only use my details for this action."),
    ("privacy_really_optout", "Are you sure? We won't be able to tell you how this campaign goes."),
];

/// Everything the demo petition's context is built from.
pub struct DemoPetition {
    pub i18n: I18n,
    pub privacy: PrivacySettings,
    pub page: Page,
    pub fields: BTreeMap<String, String>,
    pub path: String,
}

impl DemoPetition {
    pub fn new() -> Result<Self, crate::i18n::LocaleError> {
        let i18n = I18n::load()?;
        i18n.set_staff_strings(StaffStrings::from_rows(
            DEMO_PRIVACY_EN.iter().map(|(k, t)| ("en".to_owned(), (*k).to_owned(), (*t).to_owned())),
        ));
        let privacy = PrivacySettings {
            enabled: true,
            countries: crate::demo::EU_AND_UK.iter().map(|c| (*c).to_owned()).collect(),
            require_on_actions: true,
            ..PrivacySettings::default()
        };
        let mut page = sample_page(PageType::Petition);
        page.id = 1;
        page.name = "save-the-bees".into();
        page.title = "Save the bees: ban neonicotinoids".into();
        page.goal = Some(10_000);
        page.required_fields = "first_name,last_name".into();
        page.introduction_text =
            "<p>Bees and other pollinators feed the world. Neonicotinoid pesticides are killing them.</p>".into();
        page.statement_leadin = "To the Minister of Agriculture:".into();
        page.statement_text =
            "<p>Ban neonicotinoid pesticides now, and fund farmers to switch to safer practices.</p>".into();
        page.about_text = "<p>Over 40% of insect pollinator species face extinction.</p>".into();
        page.thank_you_text = "<p>Thank you for signing! Now share the petition with three friends.</p>".into();
        let path = page.url();
        Ok(Self { i18n, privacy, page, fields: BTreeMap::new(), path })
    }

    /// The context of a GET of the page: no values, no errors, no query string.
    pub fn context(&self) -> ActionPageContext {
        ActionPageContext::new(
            &self.page,
            RenderInput {
                client_name: "Placard",
                i18n: &self.i18n,
                privacy: &self.privacy,
                page_fields: &self.fields,
                templateset: ORIGINAL,
                values: BTreeMap::new(),
                errors: &ValidationErrors::default(),
                args: BTreeMap::new(),
                path: &self.path,
            },
        )
    }

    /// The context as the template sees it, serialized as a render does.
    pub fn value(&self) -> minijinja::Value {
        minijinja::Value::from_serialize(self.context())
    }
}
