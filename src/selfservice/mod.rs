//! Supporter self-service (SPEC U1, U2, G1, G3): the built-in page behind `/me/update/`,
//! the signed, expiring links that let a supporter forget themselves, and the mails that
//! carry links to `/me/` and to that confirmation. Owns no table: the update page is a
//! `core_page` row written through `pages::store`, mail goes through `mail::store`, the
//! forget itself through `gdpr::erase`. Never reveals anything about a person to someone
//! who only knows their email: links are only ever mailed to the address they are for.

pub mod links;
pub mod mail;

use std::collections::BTreeMap;

use chrono::Utc;

use crate::db::DbConnection;
use crate::error::AppError;
use crate::pages::{self, NewPage, Page, PageType};
use crate::people::{self, User, UserId};

pub use links::{ForgetToken, LinkKey};

/// The name of the built-in `update` page every `/me/update/` action is stored against.
pub const UPDATE_PAGE: &str = "user_update";

/// A page and its custom fields by name.
pub type PageWithFields = (Page, BTreeMap<String, String>);

/// The update page and its custom fields (staff may set `privacy_<type>` there, P6), once
/// stored by [`ensure_update_page`].
pub fn update_page(conn: &mut DbConnection) -> Result<Option<PageWithFields>, AppError> {
    let Some(page) = pages::store::find_by_name(conn, UPDATE_PAGE)? else { return Ok(None) };
    let fields = pages::store::fields(conn, page.id)?;
    Ok(Some((page, fields)))
}

/// Stores the update page on first use (the first `/me/update/` shown or posted), so that
/// its actions have a page as every action does, and `/context/` answers for its form.
pub fn ensure_update_page(conn: &mut DbConnection) -> Result<Page, AppError> {
    if let Some(page) = pages::store::find_by_name(conn, UPDATE_PAGE)? {
        return Ok(page);
    }
    let list = people::store::default_list(conn)?
        .ok_or_else(|| AppError::NotFound("There is nothing to update on this site yet.".into()))?;
    let new = NewPage {
        name: UPDATE_PAGE.to_owned(),
        title: "Update your details".to_owned(),
        page_type: Some(PageType::Update),
        lang: crate::i18n::DEFAULT_LANG.to_owned(),
        list_id: list.0,
        ..NewPage::default()
    };
    pages::store::insert(conn, &new, Utc::now().naive_utc())?;
    pages::store::find_by_name(conn, UPDATE_PAGE)?.ok_or_else(|| AppError::internal("update page not stored"))
}

/// The default list (SPEC §1: the one marked default, else the lowest id).
pub fn default_list(conn: &mut DbConnection) -> Result<Option<i64>, AppError> {
    Ok(people::store::default_list(conn)?.map(|l| l.0))
}

/// What the update form shows for a recognized supporter: their stored values by form
/// field name, the first phone included.
pub fn stored_values(conn: &mut DbConnection, user: &User) -> Result<BTreeMap<String, String>, AppError> {
    let mut values: BTreeMap<String, String> = std::iter::once("email")
        .chain(crate::people::UserChanges::FIELDS)
        .filter_map(|name| user.field(name).map(|v| (name.to_owned(), v.to_owned())))
        .collect();
    let held = people::store::export(conn, user.user_id())?;
    if let Some(phone) = held["phones"].get(0).and_then(|p| p["phone"].as_str()) {
        values.insert("phone".into(), phone.to_owned());
    }
    Ok(values)
}

/// The supporter with this id, if they still exist.
pub fn find_user(conn: &mut DbConnection, user: UserId) -> Result<Option<User>, AppError> {
    Ok(people::store::find_by_id(conn, user)?)
}

/// The first public unsubscribe page's URL with the supporter's akid (SPEC U2).
pub fn unsubscribe_url(conn: &mut DbConnection, akid: &str) -> Result<Option<String>, AppError> {
    let page = pages::store::list_public(conn)?.into_iter().find(|p| p.kind() == PageType::Unsubscribe);
    Ok(page.map(|p| format!("{}?akid={akid}", p.url())))
}

/// The language strings of the self-service pages and mails (`locales/*/placard.ftl`),
/// given to templates as `me_text` beside the shared `ui` strings.
pub const TEXT_KEYS: &[&str] = &[
    "me_heading",
    "me_intro",
    "me_profile_heading",
    "me_edit",
    "me_download",
    "me_subscriptions_heading",
    "me_no_subscriptions",
    "me_since",
    "me_actions_heading",
    "me_no_actions",
    "me_privacy_heading",
    "me_no_privacy",
    "me_status_active",
    "me_status_withdrawn",
    "me_custom_heading",
    "me_orders_heading",
    "me_receipts_heading",
    "me_unsubscribe",
    "me_forget",
    "me_ask_heading",
    "me_ask_intro",
    "me_ask_submit",
    "me_sent_heading",
    "me_sent_text",
    "me_update_done",
    "me_back",
    "me_email_fixed",
    "me_forget_heading",
    "me_forget_intro",
    "me_forget_known",
    "me_forget_send",
    "me_forget_ask_intro",
    "me_forget_sent",
    "me_forget_confirm_intro",
    "me_forget_confirm",
    "me_forget_done_heading",
    "me_forget_done",
    "me_forget_expired",
    "me_forget_again",
    "me_mail_access_subject",
    "me_mail_access_text",
    "me_mail_access_button",
    "me_mail_forget_subject",
    "me_mail_forget_text",
    "me_mail_forget_button",
    "me_mail_ignore",
];

pub fn texts(i18n: &crate::i18n::I18n, lang: &str) -> BTreeMap<&'static str, String> {
    TEXT_KEYS.iter().map(|k| (*k, i18n.text(lang, k))).collect()
}

/// The language to speak to a supporter in: theirs when we have strings for it.
pub fn lang_of(i18n: &crate::i18n::I18n, user: Option<&User>) -> String {
    user.map(|u| u.lang.trim().to_lowercase())
        .filter(|l| i18n.languages().iter().any(|known| known == l))
        .unwrap_or_else(|| crate::i18n::DEFAULT_LANG.to_owned())
}

/// Who may see and act on their own data here: `self`, through `/me/` (SPEC G6 audit).
pub fn actor() -> crate::gdpr::Actor {
    crate::gdpr::Actor { who: "self".into(), via: "me".into() }
}

/// Everything held on `user` (the G1 document) for `/me/`, each action with its page's
/// title beside its name.
pub fn held(conn: &mut DbConnection, user: UserId) -> Result<Option<serde_json::Value>, AppError> {
    let Some(mut doc) = crate::gdpr::export::export(conn, user)? else { return Ok(None) };
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    if let Some(actions) = doc.get_mut("actions").and_then(serde_json::Value::as_array_mut) {
        for action in actions {
            let name = action["page"].as_str().unwrap_or_default().to_owned();
            if !titles.contains_key(&name) {
                let title = pages::store::find_by_name(conn, &name)?.map(|p| p.title).unwrap_or_default();
                titles.insert(name.clone(), title);
            }
            action["title"] = titles[&name].clone().into();
        }
    }
    Ok(Some(doc))
}

/// The G1 document as the supporter downloads it, audited as an export by `self`.
pub fn export_for_self(
    conn: &mut DbConnection,
    user: UserId,
    now: chrono::NaiveDateTime,
) -> Result<Option<serde_json::Value>, AppError> {
    let Some(doc) = crate::gdpr::export::export(conn, user)? else { return Ok(None) };
    crate::gdpr::store::audit(conn, &actor(), "export", Some(("user", user.0)), &serde_json::json!({}), now)?;
    Ok(Some(doc))
}

/// `/me/` asked for by email: mails that address its private link when it is a
/// supporter's; nothing otherwise (the caller answers the same either way).
pub fn mail_access_link(
    conn: &mut DbConnection,
    deps: &crate::engine::EngineDeps,
    email: &people::Email,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let Some(user) = people::store::find_by_email(conn, email)? else { return Ok(()) };
    let akid = deps.akid_key.format(people::Akid { mailing_id: None, user_id: user.user_id() });
    mail::queue(conn, deps, &user, mail::LinkMail::Access, &format!("/me/?akid={akid}"), now)?;
    Ok(())
}

/// A forget request: mails `user` a signed link to confirm it. Only ever to their address.
pub fn mail_forget_link(
    conn: &mut DbConnection,
    deps: &crate::engine::EngineDeps,
    user: &User,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let token = deps.link_key.sign(user.user_id(), &user.email, now);
    mail::queue(conn, deps, user, mail::LinkMail::Forget, &format!("/me/forget/confirm/?token={token}"), now)?;
    Ok(())
}

/// The supporter a forget link is good for at `now`, if it is.
pub fn forget_link_user(
    conn: &mut DbConnection,
    deps: &crate::engine::EngineDeps,
    token: &str,
    now: chrono::NaiveDateTime,
) -> Result<Option<User>, AppError> {
    let Some(token) = LinkKey::parse(token) else { return Ok(None) };
    let Some(user) = people::store::find_by_id(conn, token.user_id)? else { return Ok(None) };
    Ok(deps.link_key.verify(&token, &user.email, now).then_some(user))
}

/// Forgets the supporter a valid link names (SPEC G3: erase, then the hashes), audited
/// as asked by `self` via `me`; `false` for a link that is not (or no longer) good.
pub fn forget_by_link(
    conn: &mut DbConnection,
    deps: &crate::engine::EngineDeps,
    token: &str,
    now: chrono::NaiveDateTime,
) -> Result<bool, AppError> {
    let Some(user) = forget_link_user(conn, deps, token, now)? else { return Ok(false) };
    crate::gdpr::erase::forget_user(conn, user.user_id(), &actor(), now)?;
    Ok(true)
}
