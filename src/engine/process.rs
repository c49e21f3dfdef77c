//! `process`: one action, start to finish, on the connection of the transaction the writer
//! opened. Every check, including those that read the database, runs before the first
//! write, so a rejected action stores nothing; an error after that rolls everything back.

use chrono::{NaiveDateTime, Utc};
use serde::Serialize;

use super::donation::{self, DonationPlan};
use super::privacy::{self as privacy_step, PrivacyPlan};
use super::store::{self as actions, NewAction};
use super::validate::{self, Checked, Complaints};
use super::{ActionInput, EngineDeps};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::i18n::DEFAULT_LANG;
use crate::pages::{self, Page, PageType};
use crate::people::store::{self as people, Cause};
use crate::people::{phones, Akid, ListId, User};

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
    /// `complete`, or `failed` for a declined donation.
    pub status: &'static str,
    /// Why a donation was declined.
    pub failure: Option<&'static str>,
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
    let (checked, mut complaints) = validate::check(input, &page.required(), known_user.as_ref(), &allowed);

    // Checks that read the database, still before any write.
    let existing = match &checked.email {
        Some(email) => people::find_by_email(conn, email)?,
        None => known_user,
    };
    if !people::missing_lists(conn, &checked.lists)?.is_empty() {
        complaints.push(("lists".into(), "invalid"));
    }
    let settings = crate::privacy::store::load_settings(conn)?;
    // P1: while the feature is off, privacy inputs are ignored and nothing is required.
    let privacy_plan = if settings.enabled {
        Some(privacy_step::plan(conn, deps, input, &page, &settings, &mut complaints)?)
    } else {
        None
    };
    let donation = match page.kind() {
        PageType::Donation => {
            donation::plan(conn, input, &page, existing.is_none())?.map_err(|c| complaints.extend(c)).ok()
        }
        _ => None,
    };
    if !complaints.is_empty() {
        return Err(localized(deps, &page.lang, complaints));
    }
    // G3: the one place that refuses a forgotten person, whatever path they came by.
    if let Some(email) = &checked.email {
        if crate::gdpr::erase::is_forgotten_email(conn, email)? {
            return Err(AppError::Forgotten { redirect_url: format!("/cms/thanks/{}/", page.name) });
        }
    }

    let now = Utc::now().naive_utc();
    let (user, created_user) = resolve_user(conn, input, &checked, existing, now)?;
    let action_id = store_action(conn, deps, input, &page, &user, created_user, &checked, now)?;
    let donated = match &donation {
        Some(plan) => Some(record_donation(conn, plan, &user, action_id, now)?),
        None => None,
    };
    let lists = subscriptions(conn, input, &checked, &page, &user, action_id, privacy_plan.as_ref(), now)?;
    if lists.subscribed {
        actions::set_subscribed_user(conn, action_id)?;
    }
    if let Some(plan) = &privacy_plan {
        privacy_step::apply(conn, deps, plan, input, &page, user.id, action_id, lists.left_all_lists, now)?;
    }

    let failed = donated.as_ref().is_some_and(|d| d.failure.is_some());
    let skip = failed
        || input.get("skip_confirmation").is_some_and(truthy)
        || privacy_plan.as_ref().is_some_and(|p| p.skip_thanks);
    crate::mail::queue_thank_you(conn, deps, &crate::mail::ThankYou { page: &page, user: &user, action_id, skip })?;
    if !checked.taf_emails.is_empty() {
        let taf = crate::mail::TellAFriend {
            page: &page,
            sender: &user,
            action_id,
            emails: &checked.taf_emails,
            subject: input.get("taf_subject").unwrap_or_default(),
            note: input.get("taf_note").unwrap_or_default(),
        };
        crate::mail::queue_tell_a_friend(conn, deps, &taf)?;
    }

    crate::metrics::action_stored(input.source.as_str());
    let akid = deps.akid_key.format(Akid { mailing_id: None, user_id: user.user_id() });
    let redirect_url = match &donated {
        Some(d) => format!("/cms/thanks/{}/?action_id={action_id}&akid={akid}&ar=1&rd=1&total={}", page.name, d.total),
        None => format!("/cms/thanks/{}/?action_id={action_id}&akid={akid}&rd=1", page.name),
    };
    Ok(ActionOutcome {
        action_id,
        user_id: user.id,
        page_type: page.kind().as_str(),
        page_name: page.name,
        akid,
        created_user,
        subscribed_user: lists.subscribed,
        status: donated.as_ref().map_or("complete", |d| d.status),
        failure: donated.and_then(|d| d.failure),
        redirect_url,
    })
}

/// The email decides who this is; an akid alone identifies a stored supporter. Stores
/// the submitted user fields, custom fields and phones.
fn resolve_user(
    conn: &mut DbConnection,
    input: &ActionInput,
    checked: &Checked,
    existing: Option<User>,
    now: NaiveDateTime,
) -> Result<(User, bool), AppError> {
    let source = input.source.as_str();
    let (user, created) = match (existing, &checked.email) {
        (Some(user), _) => {
            people::update(conn, user.user_id(), &checked.changes, now)?;
            (user, false)
        }
        (None, Some(email)) => (people::insert(conn, email, &checked.changes, source, now)?, true),
        (None, None) => return Err(AppError::internal("validation passed without email or akid")),
    };
    people::set_user_fields(conn, user.user_id(), &checked.user_fields)?;
    for (phone_type, number) in &checked.phones {
        phones::set(conn, user.user_id(), phone_type, number, source, now)?;
    }
    Ok((user, created))
}

#[allow(clippy::too_many_arguments)] // each is one fact about the action being stored
fn store_action(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    input: &ActionInput,
    page: &Page,
    user: &User,
    created_user: bool,
    checked: &Checked,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let referring = input.get("referring_akid").and_then(|a| deps.akid_key.parse(a));
    let action_id = actions::insert(
        conn,
        &NewAction {
            user_id: user.id,
            page_id: page.id,
            source: input.get("source").unwrap_or(input.source.as_str()).into(),
            created_user,
            referring_user_id: referring.map(|r| r.user_id.0),
            referring_mailing_id: referring.and_then(|r| r.mailing_id),
            mailing_id: input.get("akid").and_then(|a| deps.akid_key.parse(a)).and_then(|a| a.mailing_id),
        },
        now,
    )?;
    actions::insert_fields(conn, user.id, action_id, &checked.action_fields)?;
    Ok(action_id)
}

fn record_donation(
    conn: &mut DbConnection,
    plan: &DonationPlan,
    user: &User,
    action_id: i64,
    now: NaiveDateTime,
) -> Result<donation::DonationResult, AppError> {
    let result = donation::record(conn, plan, user.id, action_id, now)?;
    if result.failure.is_some() {
        actions::set_status(conn, action_id, "failed")?;
    }
    if let Some(at) = plan.created_at {
        actions::set_created_at(conn, action_id, at)?;
    }
    Ok(result)
}

/// What an action did to the supporter's lists.
struct ListChanges {
    /// Joined a list they were not on (`subscribed_user`).
    subscribed: bool,
    /// Asked to leave lists and is now on none (P13's trigger for withdrawal).
    left_all_lists: bool,
}

/// SPEC A7, P10 and U2: unsubscribe pages leave lists; otherwise `lists` (or, unless
/// `opt_in`, the page's list) are joined, plus `privacy_optin_lists` with an opt-in;
/// `unsub_all`, or an opt-out that unsubscribes, leaves everything.
#[allow(clippy::too_many_arguments)] // each is one fact about the action
fn subscriptions(
    conn: &mut DbConnection,
    input: &ActionInput,
    checked: &Checked,
    page: &Page,
    user: &User,
    action_id: i64,
    privacy: Option<&PrivacyPlan>,
    now: NaiveDateTime,
) -> Result<ListChanges, AppError> {
    let uid = user.user_id();
    let mut asked_to_leave = false;
    let mut subscribed = false;
    if page.kind() == PageType::Unsubscribe {
        let only = (!page.unsubscribe_all).then_some(ListId(page.list_id));
        people::unsubscribe(conn, uid, only, Cause::Action(action_id), now)?;
        asked_to_leave = true;
    } else {
        let mut targets: Vec<ListId> = if !checked.lists.is_empty() {
            checked.lists.iter().copied().map(ListId).collect()
        } else if input.get("opt_in").is_some_and(truthy) || matches!(page.kind(), PageType::Import | PageType::Update)
        {
            // Imports name their lists; a profile update (U1) joins a list only by opting in.
            vec![]
        } else {
            vec![ListId(page.list_id)]
        };
        if let Some(plan) = privacy.filter(|p| p.main_type() == Some("optin")) {
            targets.extend(plan.optin_lists.iter().copied().map(ListId));
        }
        for list in targets {
            subscribed |= people::subscribe(conn, uid, list, Cause::Action(action_id), now)?;
        }
    }
    if input.get("unsub_all").is_some_and(truthy) || privacy.is_some_and(|p| p.optout_unsubscribes) {
        people::unsubscribe(conn, uid, None, Cause::UnsubscribeAll(action_id), now)?;
        asked_to_leave = true;
        subscribed = false;
    }
    let left_all_lists = asked_to_leave && people::subscription_count(conn, uid)? == 0;
    Ok(ListChanges { subscribed, left_all_lists })
}

/// Form and JSON spellings of yes.
pub fn truthy(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on" | "y" | "t")
}

fn find_page(conn: &mut DbConnection, deps: &EngineDeps, input: &ActionInput) -> Result<Page, AppError> {
    let Some(name) = input.get("page") else {
        return Err(localized(deps, DEFAULT_LANG, vec![("page".into(), "missing")]));
    };
    match pages::store::find_by_name(conn, name)? {
        // Import pages take rows of uploads only, never a form or API post.
        Some(page) if page.kind().is_public() || input.source == super::Source::Import => Ok(page),
        _ => Err(AppError::NotFound(format!("No page named {name:?} exists."))),
    }
}

/// Complaints with their messages in the page's language (SPEC P4).
pub(super) fn localized(deps: &EngineDeps, lang: &str, complaints: Complaints) -> AppError {
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
