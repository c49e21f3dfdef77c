//! The two self-service mails: a private link to `/me/` (asked for with an email address
//! alone) and the forget confirmation link. Rendered through Original's email wrapper in
//! the supporter's language and queued in the caller's transaction; never sent to a
//! blackholed or forgotten address. Neither carries an unsubscribe link: `user` is absent.

use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::db::DbConnection;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::mail::store::{self, NewMail};
use crate::people::User;
use crate::render::context::{lang_context, ui_strings, LangContext};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkMail {
    /// `/me/?akid=…`
    Access,
    /// `/me/forget/confirm/?token=…`
    Forget,
}

impl LinkMail {
    fn kind(self) -> &'static str {
        match self {
            Self::Access => "me_access",
            Self::Forget => "me_forget",
        }
    }
}

#[derive(Serialize)]
struct MailPage {
    lang: LangContext,
}

#[derive(Serialize)]
struct LinkContext<'a> {
    client_name: &'a str,
    ui: BTreeMap<&'static str, String>,
    me_text: BTreeMap<&'static str, String>,
    page: MailPage,
    mailing_id: &'static str,
    kind: &'static str,
    link_url: String,
}

/// Queues `mail` to `user` with a link to `path`; the outbox id, or `None` when the
/// address may not be mailed.
pub fn queue(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    user: &User,
    mail: LinkMail,
    path: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, AppError> {
    if store::is_suppressed(conn, &user.email)? {
        return Ok(None);
    }
    let lang = super::lang_of(&deps.i18n, Some(user));
    let me_text = super::texts(&deps.i18n, &lang);
    let subject_key = match mail {
        LinkMail::Access => "me_mail_access_subject",
        LinkMail::Forget => "me_mail_forget_subject",
    };
    let subject = crate::mail::compose::subject_line(&me_text[subject_key], &deps.client_name);
    let ctx = LinkContext {
        client_name: &deps.client_name,
        ui: ui_strings(&deps.i18n, &lang),
        me_text,
        page: MailPage { lang: lang_context(&lang) },
        mailing_id: "",
        kind: mail.kind(),
        link_url: crate::mail::compose::link(deps, path),
    };
    let html =
        deps.renderer.render(crate::render::ORIGINAL, "me_email.html", &minijinja::Value::from_serialize(&ctx))?;
    let text = crate::mail::text::html_to_text(&html);
    let new = NewMail {
        kind: mail.kind(),
        to_email: &user.email,
        subject: &subject,
        body_text: &text,
        body_html: &html,
        user_id: Some(user.id),
        action_id: None,
    };
    Ok(Some(store::enqueue(conn, &new, now)?))
}
