//! `process`: one action, start to finish, on the connection of the transaction the writer
//! opened. Returns the outcome, or an error after which the writer rolls everything back.

use chrono::Utc;
use serde::Serialize;

use super::store::{self as actions, NewAction};
use super::validate;
use super::{ActionInput, EngineDeps};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::i18n::DEFAULT_LANG;
use crate::pages::{self, Page, PageType};
use crate::people::store::{self as people, Cause};
use crate::people::{Akid, ListId, User};

/// What a stored action tells its caller (SPEC A2, A8).
#[derive(Clone, Debug, Serialize)]
pub struct ActionOutcome {
    pub action_id: i64,
    pub user_id: i64,
    pub page_name: String,
    pub page_type: &'static str,
    pub akid: String,
    pub created_user: bool,
    pub subscribed_user: bool,
    pub redirect_url: String,
}

pub fn process(conn: &mut DbConnection, deps: &EngineDeps, input: &ActionInput) -> Result<ActionOutcome, AppError> {
    let page = find_page(conn, deps, input)?;
    let known_user = match input.get("akid").and_then(|a| deps.akid_key.parse(a)) {
        Some(akid) => people::find_by_id(conn, akid.user_id)?,
        None => None,
    };
    let allowed = if input.params.iter().any(|(n, _)| n.starts_with("user_")) {
        people::allowed_user_fields(conn)?
    } else {
        vec![]
    };
    let checked = validate::check(input, &page.required(), known_user.as_ref(), &allowed)
        .map_err(|c| localized(deps, &page.lang, c))?;
    let now = Utc::now().naive_utc();

    // The email decides who this is; an akid alone identifies a stored supporter.
    let (user, created_user): (User, bool) = match (&checked.email, known_user) {
        (Some(email), _) => match people::find_by_email(conn, email)? {
            Some(user) => (user, false),
            None => (people::insert(conn, email, &checked.changes, input.source.as_str(), now)?, true),
        },
        (None, Some(user)) => (user, false),
        (None, None) => return Err(AppError::internal("validation passed without email or akid")),
    };
    if !created_user {
        people::update(conn, user.user_id(), &checked.changes, now)?;
    }
    people::set_user_fields(conn, user.user_id(), &checked.user_fields)?;

    let referring = input.get("referring_akid").and_then(|a| deps.akid_key.parse(a));
    let action_id = actions::insert(
        conn,
        &NewAction {
            user_id: user.id,
            page_id: page.id,
            source: input.get("source").unwrap_or(input.source.as_str()),
            created_user,
            referring_user_id: referring.map(|r| r.user_id.0),
            referring_mailing_id: referring.and_then(|r| r.mailing_id),
            mailing_id: input.get("akid").and_then(|a| deps.akid_key.parse(a)).and_then(|a| a.mailing_id),
        },
        now,
    )?;
    actions::insert_fields(conn, action_id, &checked.action_fields)?;

    let subscribed_user = match page.kind() {
        PageType::Unsubscribe => {
            let only = (!page.unsubscribe_all).then_some(ListId(page.list_id));
            people::unsubscribe(conn, user.user_id(), only, Cause::Action(action_id), now)?;
            false
        }
        _ => people::subscribe(conn, user.user_id(), ListId(page.list_id), Cause::Action(action_id), now)?,
    };
    if subscribed_user {
        actions::set_subscribed_user(conn, action_id)?;
    }

    let skip = input.get("skip_confirmation").is_some_and(|v| v != "0");
    crate::mail::queue_thank_you(conn, deps, &crate::mail::ThankYou { page: &page, user: &user, action_id, skip })?;

    let akid = deps.akid_key.format(Akid { mailing_id: None, user_id: user.user_id() });
    let redirect_url = format!("/cms/thanks/{}/?action_id={action_id}&akid={akid}&rd=1", page.name);
    Ok(ActionOutcome {
        action_id,
        user_id: user.id,
        page_type: page.kind().as_str(),
        page_name: page.name,
        akid,
        created_user,
        subscribed_user,
        redirect_url,
    })
}

fn find_page(conn: &mut DbConnection, deps: &EngineDeps, input: &ActionInput) -> Result<Page, AppError> {
    let Some(name) = input.get("page") else {
        return Err(localized(deps, DEFAULT_LANG, vec![("page".into(), "missing")]));
    };
    match pages::store::find_by_name(conn, name)? {
        Some(page) if page.kind().is_public() => Ok(page),
        _ => Err(AppError::NotFound(format!("No page named {name:?} exists."))),
    }
}

/// Complaints with their messages in the page's language (SPEC P4).
fn localized(deps: &EngineDeps, lang: &str, complaints: validate::Complaints) -> AppError {
    AppError::Validation(ValidationErrors(
        complaints
            .into_iter()
            .map(|(field, code)| {
                let message = deps.i18n.error_message(lang, &field, code);
                FieldError { field, code: code.to_owned(), message }
            })
            .collect(),
    ))
}
