//! A page as staff write it in the admin (SPEC S2, S3): every column staff set, the custom
//! page fields and the follow-up, checked as a whole before anything is stored (so a bad
//! form stores nothing), then written through `pages::store`, `pages::edit` and
//! `pages::followup` — the functions the REST page resources call — plus the two columns
//! those do not change yet (templateset, payment account). Staff HTML is sanitized on the
//! way in: the page templates print these texts unescaped.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::edit::PageChanges;
use super::followup::FollowupChanges;
use super::{NewPage, Page, PageType};
use crate::db::schema::{core_page, core_paymentaccount};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::people::{self, ListId};

const MAX_NAME: usize = 128;

/// The page's texts that hold staff HTML, by column name.
pub const HTML_TEXTS: [&str; 7] = [
    "introduction_text",
    "statement_leadin",
    "statement_text",
    "about_text",
    "thank_you_text",
    "survey_question_text",
    "ground_rules",
];

/// What the form sends, as typed; parsed and checked by [`check`].
#[derive(Clone, Debug, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct PageInput {
    /// Only read when creating: a page keeps its type.
    pub page_type: String,
    pub name: String,
    pub title: String,
    pub lang: String,
    /// A list id; blank means the default list.
    pub list_id: String,
    /// A templateset id; blank means Original.
    pub templateset_id: String,
    /// A payment account id (donation pages); blank for none.
    pub payment_account_id: String,
    pub hidden: bool,
    /// Comma-separated field names besides email.
    pub required_fields: String,
    pub goal: String,
    pub unsubscribe_all: bool,
    pub allow_taf: bool,
    /// [`HTML_TEXTS`] by name.
    pub texts: BTreeMap<String, String>,
    /// Custom page fields; a blank value removes the field.
    pub fields: BTreeMap<String, String>,
    pub followup: FollowupChanges,
}

/// Everything a save stores, already checked.
#[derive(Clone, Debug)]
pub struct PagePlan {
    pub page_type: PageType,
    pub changes: PageChanges,
    pub templateset_id: Option<i64>,
    pub payment_account_id: Option<i64>,
    pub fields: Vec<(String, String)>,
    pub followup: FollowupChanges,
}

fn parse_id(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>().ok().filter(|id| *id > 0).map(Some).ok_or(())
}

/// Checks `input` for page `existing` (`None`: a new page). `templatesets` are the ids of
/// the staff templatesets there are. Every complaint is collected, by field.
#[allow(clippy::too_many_lines)] // one check per form field, in form order
pub fn check(
    conn: &mut DbConnection,
    input: &PageInput,
    existing: Option<&Page>,
    templatesets: &[i64],
) -> Result<PagePlan, AppError> {
    let mut errors: Vec<FieldError> = vec![];
    let mut complain = |field: &str, message: &str| {
        errors.push(FieldError { field: field.to_owned(), code: "invalid".into(), message: message.to_owned() });
    };
    let page_type = match existing {
        Some(page) => page.kind(),
        None => {
            if let Some(t) = PageType::parse(input.page_type.trim()).filter(|t| PageType::ALL.contains(t)) {
                t
            } else {
                complain("type", "Choose the kind of page.");
                PageType::Petition
            }
        }
    };
    let name = input.name.trim();
    if name.is_empty() {
        complain("name", "A short name is required.");
    } else if name.len() > MAX_NAME || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch)) {
        complain("name", &format!("Use 1 to {MAX_NAME} letters, digits, - or _ (no spaces)."));
    } else if super::store::find_by_name(conn, name)?.is_some_and(|p| Some(p.id) != existing.map(|e| e.id)) {
        complain("name", "A page with this name already exists.");
    }
    let title = input.title.trim();
    if title.is_empty() {
        complain("title", "A title is required.");
    }
    let lang = input.lang.trim();
    if lang.is_empty() || lang.len() > 16 || !lang.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch)) {
        complain("lang", "Use a language code like en or pt-BR.");
    }
    let list_id = match parse_id(&input.list_id) {
        Ok(Some(id)) if people::store::find_list(conn, ListId(id))?.is_some() => Some(id),
        Ok(None) => people::store::default_list(conn)?.map(|ListId(id)| id),
        _ => None,
    };
    if list_id.is_none() {
        complain("list", "Choose a list (create one under Lists first if there is none).");
    }
    let templateset_id = match parse_id(&input.templateset_id) {
        Ok(id) if id.is_none_or(|id| templatesets.contains(&id)) => id,
        _ => {
            complain("templateset", "Choose a templateset from the list.");
            None
        }
    };
    let payment_account_id = match parse_id(&input.payment_account_id) {
        Ok(None) => None,
        Ok(Some(id)) if payment_account_exists(conn, id)? => Some(id),
        _ => {
            complain("payment_account", "No payment account has this id.");
            None
        }
    };
    let required: Vec<&str> = input.required_fields.split(',').map(str::trim).filter(|f| !f.is_empty()).collect();
    if required.iter().any(|f| !f.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')) {
        complain("required_fields", "Field names are letters, digits and _, separated by commas.");
    }
    let goal = match input.goal.trim() {
        "" => None,
        raw => match raw.replace([',', '_', ' '], "").parse::<i64>() {
            Ok(goal) if goal >= 0 => Some(goal),
            _ => {
                complain("goal", "The goal is a whole number, 0 or more (blank for none).");
                None
            }
        },
    };
    let allowed = super::query::allowed_field_names(conn)?;
    let mut fields = vec![];
    for (field, value) in &input.fields {
        let field = field.trim();
        if field.is_empty() {
            if !value.trim().is_empty() {
                complain("fields", "Give the new field a name.");
            }
        } else if allowed.iter().any(|a| a == field) || field.starts_with("privacy_") {
            fields.push((field.to_owned(), crate::privacy::texts::sanitize(value.trim())));
        } else {
            complain(
                "fields",
                &format!(
                    "{field} is not an allowed page field: add it under Allowed fields first, or use privacy_<type>."
                ),
            );
        }
    }
    let redirect = input.followup.redirect_url.trim();
    if !(redirect.is_empty()
        || (redirect.starts_with('/') && !redirect.starts_with("//"))
        || redirect.starts_with("https://")
        || redirect.starts_with("http://"))
    {
        complain("redirect_url", "Use a path on this site (/thanks/) or a full http(s):// address.");
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(ValidationErrors(errors)));
    }
    let text = |name: &str| crate::privacy::texts::sanitize(input.texts.get(name).map_or("", |t| t.trim()));
    let changes = PageChanges {
        name: Some(name.to_owned()),
        title: Some(title.to_owned()),
        lang: Some(lang.to_owned()),
        list_id,
        status: Some(if input.hidden { "hidden" } else { "active" }.to_owned()),
        required_fields: Some(required.join(",")),
        goal: Some(goal),
        unsubscribe_all: Some(input.unsubscribe_all),
        allow_taf: Some(input.allow_taf),
        introduction_text: Some(text("introduction_text")),
        statement_leadin: Some(text("statement_leadin")),
        statement_text: Some(text("statement_text")),
        about_text: Some(text("about_text")),
        thank_you_text: Some(text("thank_you_text")),
        survey_question_text: Some(text("survey_question_text")),
        ground_rules: Some(text("ground_rules")),
    };
    let mut followup = input.followup.clone();
    redirect.clone_into(&mut followup.redirect_url);
    followup.email_body = crate::privacy::texts::sanitize(followup.email_body.trim());
    followup.taf_body = crate::privacy::texts::sanitize(followup.taf_body.trim());
    Ok(PagePlan { page_type, changes, templateset_id, payment_account_id, fields, followup })
}

fn payment_account_exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(core_paymentaccount::table.find(id))).get_result(conn)
}

/// Stores a new page from a checked plan; its id.
pub fn create(conn: &mut DbConnection, plan: &PagePlan, now: NaiveDateTime) -> QueryResult<i64> {
    let c = &plan.changes;
    let new = NewPage {
        name: c.name.clone().unwrap_or_default(),
        title: c.title.clone().unwrap_or_default(),
        page_type: Some(plan.page_type),
        lang: c.lang.clone().unwrap_or_default(),
        list_id: c.list_id.unwrap_or_default(),
        ..NewPage::default()
    };
    let id = super::store::insert(conn, &new, now)?;
    save(conn, id, plan, now)?;
    Ok(id)
}

/// Writes a checked plan over page `id`.
pub fn save(conn: &mut DbConnection, id: i64, plan: &PagePlan, now: NaiveDateTime) -> QueryResult<()> {
    super::edit::update(conn, id, &plan.changes, now)?;
    super::store::set_templateset(conn, id, plan.templateset_id)?;
    diesel::update(core_page::table.find(id))
        .set(core_page::payment_account_id.eq(plan.payment_account_id))
        .execute(conn)?;
    for (name, value) in &plan.fields {
        if value.is_empty() {
            super::edit::remove_field(conn, id, name)?;
        } else {
            super::store::set_field(conn, id, name, value)?;
        }
    }
    // A page without a follow-up row sends nothing; store one only once it says something.
    if super::followup::find(conn, id)?.is_some() || says_something(&plan.followup) {
        super::followup::upsert(conn, id, &plan.followup)?;
    }
    Ok(())
}

fn says_something(f: &FollowupChanges) -> bool {
    f.send_email
        || f.send_taf
        || f.send_receipt
        || [&f.redirect_url, &f.email_subject, &f.email_body, &f.taf_subject, &f.taf_body].iter().any(|t| !t.is_empty())
}

/// Deletes a page nobody has acted on, or hides one with supporters' history (as the REST
/// resource's DELETE does); `true` when it was hidden.
pub fn remove(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    if super::query::has_history(conn, id)? {
        let hide = PageChanges { status: Some("hidden".into()), ..PageChanges::default() };
        super::edit::update(conn, id, &hide, now)?;
        Ok(true)
    } else {
        super::edit::delete(conn, id)?;
        Ok(false)
    }
}
