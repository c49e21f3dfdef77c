//! The thank-you mail (SPEC P16): sent after an action when the page's follow-up says so,
//! unless the action asked to skip it or the address may not be mailed.

use chrono::Utc;

use super::compose::{self, MailContext};
use super::store::{self, NewMail};
use crate::db::DbConnection;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::pages::{self, followup, Page, PageType};
use crate::people::{self, Akid, User};

/// What the engine knows when an action that may send a thank-you mail is stored.
pub struct ThankYou<'a> {
    pub page: &'a Page,
    pub user: &'a User,
    pub action_id: i64,
    /// `skip_confirmation=1` on the action (and opt-out skips, P10).
    pub skip: bool,
}

/// Queues the page's thank-you mail for this action when the page sends one; the id of the
/// outbox row, or `None` when nothing is to be sent. A template that does not render does
/// not lose the action: the row is stored as `failed` with the template error.
pub fn queue_thank_you(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    mail: &ThankYou<'_>,
) -> Result<Option<i64>, AppError> {
    if mail.skip {
        return Ok(None);
    }
    let Some(followup) = followup::find(conn, mail.page.id)?.filter(|f| f.send_email) else {
        return Ok(None);
    };
    if store::is_suppressed(conn, &mail.user.email)? {
        return Ok(None);
    }
    // Read again: this action may have just subscribed them (`subscription_status`).
    let user = people::store::find_by_id(conn, mail.user.user_id())?.unwrap_or_else(|| mail.user.clone());
    let akid = deps.akid_key.format(Akid { mailing_id: None, user_id: user.user_id() });
    let mut ctx = MailContext::new(deps, mail.page, &followup);
    ctx.user = Some(&user);
    ctx.unsubscribe_url = unsubscribe_url(conn, &akid)?.map(|path| compose::link(deps, &path)).unwrap_or_default();
    // B3: the receipt this action produced, when the page mails receipts.
    if followup.send_receipt {
        if let Some((id, _)) = crate::receipts::store::of_action(conn, mail.action_id)?.into_iter().next() {
            ctx.receipt_url = compose::link(deps, &format!("/receipts/{id}/"));
        }
    }
    let subject = compose::subject_line(&followup.email_subject, &mail.page.title);
    let now = Utc::now().naive_utc();
    let (body_text, body_html, error) = match compose::render(deps, mail.page, "email_thanks.html", &ctx) {
        Ok(rendered) => (rendered.text, rendered.html, None),
        Err(e) => {
            // The error stays in the outbox row: template errors may quote values.
            tracing::error!(
                page_id = mail.page.id,
                action_id = mail.action_id,
                "thank-you mail did not render; see the outbox row"
            );
            (String::new(), String::new(), Some(e.to_string()))
        }
    };
    let new = NewMail {
        kind: "thanks",
        to_email: &user.email,
        subject: &subject,
        body_text: &body_text,
        body_html: &body_html,
        user_id: Some(user.id),
        action_id: Some(mail.action_id),
    };
    let id = match error {
        None => store::enqueue(conn, &new, now)?,
        Some(e) => store::record_failed(conn, &new, &e, now)?,
    };
    Ok(Some(id))
}

/// The first public unsubscribe page with the supporter's akid, if there is one.
fn unsubscribe_url(conn: &mut DbConnection, akid: &str) -> Result<Option<String>, AppError> {
    let page = pages::store::list_public(conn)?.into_iter().find(|p| p.kind() == PageType::Unsubscribe);
    Ok(page.map(|p| format!("{}?akid={akid}", p.url())))
}
