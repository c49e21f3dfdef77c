//! Tell-a-friend mail (SPEC A7): `taf_emails` / `taf_subject` / `taf_note` on an action
//! send the page's tell-a-friend mail to up to ten friends when the page's follow-up
//! allows it. Friends are only mailed: never stored as users, never subscribed.

use chrono::Utc;

use super::compose::{self, MailContext, Sender};
use super::store::{self, NewMail};
use crate::db::DbConnection;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::pages::{followup, Page};
use crate::people::{Akid, Email, User};

/// Friends mailed per action at most; further addresses are ignored.
pub const MAX_TAF_RECIPIENTS: usize = 10;
/// The sender's note keeps this many characters.
const MAX_NOTE_CHARS: usize = 2000;

/// One action's tell-a-friend request.
pub struct TellAFriend<'a> {
    pub page: &'a Page,
    pub sender: &'a User,
    pub action_id: i64,
    /// Parsed at the edge; duplicates and the sender's own address are dropped here.
    pub emails: &'a [Email],
    /// The sender's subject (`taf_subject`); the page's when blank.
    pub subject: &'a str,
    /// The sender's note (`taf_note`), plain text shown escaped.
    pub note: &'a str,
}

/// Queues the page's tell-a-friend mail to each friend; the outbox ids (empty when the page
/// does not allow it). Blackholed and forgotten addresses are skipped silently.
pub fn queue_tell_a_friend(
    conn: &mut DbConnection,
    deps: &EngineDeps,
    taf: &TellAFriend<'_>,
) -> Result<Vec<i64>, AppError> {
    let Some(followup) = followup::find(conn, taf.page.id)?.filter(|f| f.send_taf) else {
        return Ok(vec![]);
    };
    let mut friends: Vec<&Email> = Vec::new();
    for email in taf.emails {
        if email.as_str() != taf.sender.email && !friends.contains(&email) {
            friends.push(email);
        }
    }
    friends.truncate(MAX_TAF_RECIPIENTS);
    let mut deliverable = Vec::with_capacity(friends.len());
    for email in friends {
        if !store::is_suppressed(conn, email.as_str())? {
            deliverable.push(email);
        }
    }
    if deliverable.is_empty() {
        return Ok(vec![]);
    }

    let referring = deps.akid_key.format(Akid { mailing_id: None, user_id: taf.sender.user_id() });
    let mut ctx = MailContext::new(deps, taf.page, &followup);
    ctx.page_url = compose::link(deps, &format!("{}?referring_akid={referring}", taf.page.url()));
    ctx.taf_note = taf.note.trim().chars().take(MAX_NOTE_CHARS).collect();
    ctx.sender = Some(Sender { first_name: taf.sender.first_name.clone(), last_name: taf.sender.last_name.clone() });
    let fallback = if followup.taf_subject.trim().is_empty() { &taf.page.title } else { &followup.taf_subject };
    let subject = compose::subject_line(taf.subject, fallback);
    let now = Utc::now().naive_utc();
    // One rendering serves every friend: nothing in it is the recipient's.
    let rendered = compose::render(deps, taf.page, "taf_email.html", &ctx);
    let (body_text, body_html, error) = match rendered {
        Ok(r) => (r.text, r.html, None),
        Err(e) => {
            // The error stays in the outbox row: template errors may quote values.
            tracing::error!(
                page_id = taf.page.id,
                action_id = taf.action_id,
                "tell-a-friend mail did not render; see the outbox row"
            );
            (String::new(), String::new(), Some(e.to_string()))
        }
    };
    let mut ids = Vec::with_capacity(deliverable.len());
    for email in deliverable {
        let new = NewMail {
            kind: "taf",
            to_email: email.as_str(),
            subject: &subject,
            body_text: &body_text,
            body_html: &body_html,
            user_id: None,
            action_id: Some(taf.action_id),
        };
        ids.push(match &error {
            None => store::enqueue(conn, &new, now)?,
            Some(e) => store::record_failed(conn, &new, e, now)?,
        });
    }
    Ok(ids)
}
