//! Pages: the action pages supporters fill in (`core_page`), their types and URL kinds,
//! custom page fields and follow-ups. Only `pages::store` touches these tables.

pub mod admin_query;
pub mod cache;
pub mod edit;
pub mod followup;
pub mod query;
pub mod staff_form;
pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::core_page;

/// Page types (SPEC §1). Event types are only known names for privacy strings.
/// `Update` is the built-in page behind `/me/update/` (SPEC U1): not one staff create, so
/// it is not in [`PageType::ALL`] (nor a URL kind or a typed REST resource).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PageType {
    Petition,
    Signup,
    Letter,
    Survey,
    Call,
    Whipcount,
    Lte,
    Donation,
    Unsubscribe,
    Import,
    Update,
}

impl PageType {
    pub const ALL: [Self; 10] = [
        Self::Petition,
        Self::Signup,
        Self::Letter,
        Self::Survey,
        Self::Call,
        Self::Whipcount,
        Self::Lte,
        Self::Donation,
        Self::Unsubscribe,
        Self::Import,
    ];

    /// The name stored in `core_page.type`, as ActionKit spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Petition => "Petition",
            Self::Signup => "Signup",
            Self::Letter => "Letter",
            Self::Survey => "Survey",
            Self::Call => "Call",
            Self::Whipcount => "Whipcount",
            Self::Lte => "LTE",
            Self::Donation => "Donation",
            Self::Unsubscribe => "Unsubscribe",
            Self::Import => "Import",
            Self::Update => "Update",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().chain([Self::Update]).find(|t| t.as_str().eq_ignore_ascii_case(name))
    }

    /// The public URL segment: `/sign/<name>/`, `/donate/<name>/` …
    pub fn url_kind(self) -> &'static str {
        match self {
            Self::Petition => "sign",
            Self::Signup => "signup",
            Self::Letter => "letter",
            Self::Survey => "survey",
            Self::Call => "call",
            Self::Whipcount => "whipcount",
            Self::Lte => "lte",
            Self::Donation => "donate",
            Self::Unsubscribe => "unsubscribe",
            Self::Import => "import",
            Self::Update => "update",
        }
    }

    pub fn from_url_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.url_kind() == kind)
    }

    /// The Original templateset file that renders this type.
    pub fn template(self) -> &'static str {
        match self {
            Self::Petition => "petition.html",
            Self::Letter => "letter.html",
            Self::Donation => "donate.html",
            Self::Unsubscribe => "unsubscribe.html",
            Self::Update => "user_update.html",
            // Until their own templates exist the others ask for the supporter's details only.
            Self::Signup | Self::Survey | Self::Call | Self::Whipcount | Self::Lte | Self::Import => "signup.html",
        }
    }

    /// Lowercase name used in privacy strings (`privacy_notice_donation`, SPEC §1).
    pub fn privacy_name(self) -> &'static str {
        match self {
            Self::Petition => "petition",
            Self::Signup => "signup",
            Self::Letter => "letter",
            Self::Survey => "survey",
            Self::Call => "call",
            Self::Whipcount => "whipcount",
            Self::Lte => "lte",
            Self::Donation => "donation",
            Self::Unsubscribe => "unsubscribe",
            Self::Import => "import",
            Self::Update => "update",
        }
    }

    /// Whether supporters reach it over the web (imports are staff-only).
    pub fn is_public(self) -> bool {
        self != Self::Import
    }
}

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_page)]
pub struct Page {
    pub id: i64,
    pub name: String,
    pub title: String,
    #[diesel(column_name = type_)]
    pub page_type: String,
    pub lang: String,
    pub list_id: i64,
    pub templateset_id: Option<i64>,
    pub payment_account_id: Option<i64>,
    pub status: String,
    pub required_fields: String,
    pub goal: Option<i64>,
    pub unsubscribe_all: bool,
    pub allow_taf: bool,
    pub introduction_text: String,
    pub statement_leadin: String,
    pub statement_text: String,
    pub about_text: String,
    pub thank_you_text: String,
    pub survey_question_text: String,
    pub ground_rules: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Page {
    /// The stored type; an unknown name in the table reads as a signup page.
    pub fn kind(&self) -> PageType {
        PageType::parse(&self.page_type).unwrap_or(PageType::Signup)
    }

    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The page's own required fields (stored comma-separated), email always first.
    pub fn required(&self) -> Vec<String> {
        let mut out = vec!["email".to_owned()];
        for f in self.required_fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            if !out.iter().any(|o| o == f) {
                out.push(f.to_owned());
            }
        }
        out
    }

    pub fn url(&self) -> String {
        format!("/{}/{}/", self.kind().url_kind(), self.name)
    }
}

/// What a new page needs; the rest takes column defaults.
#[derive(Clone, Debug, Default)]
pub struct NewPage {
    pub name: String,
    pub title: String,
    pub page_type: Option<PageType>,
    pub lang: String,
    pub list_id: i64,
    pub payment_account_id: Option<i64>,
    pub required_fields: String,
    pub goal: Option<i64>,
    pub introduction_text: String,
    pub statement_leadin: String,
    pub statement_text: String,
    pub about_text: String,
    pub thank_you_text: String,
}
