//! Rendering a mail: the context the Original email templates read (SPEC P16: `mailing_id`
//! empty for transactional mail, `user.subscription_status`), rendered through the page's
//! templateset in the page's language; the text part is made from the HTML.

use serde::Serialize;
use std::collections::BTreeMap;

use super::text::html_to_text;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::pages::followup::Followup;
use crate::pages::Page;
use crate::people::User;
use crate::render::context::{lang_context, ui_strings, LangContext};

/// A rendered mail, ready for the outbox.
pub struct Rendered {
    pub html: String,
    pub text: String,
}

#[derive(Serialize)]
pub struct MailPage {
    pub name: String,
    pub title: String,
    #[serde(rename = "type")]
    pub page_type: &'static str,
    pub lang: LangContext,
}

/// The supporter who sent a tell-a-friend mail, as its templates may name them.
#[derive(Serialize)]
pub struct Sender {
    pub first_name: String,
    pub last_name: String,
}

/// What `email_wrapper.html` and the mails that extend it see.
#[derive(Serialize)]
pub struct MailContext<'a> {
    pub client_name: &'a str,
    pub ui: BTreeMap<&'static str, String>,
    pub page: MailPage,
    /// The recipient when they are a supporter; `None` for tell-a-friend mail (the friend
    /// is nobody's user and must not see the sender's unsubscribe link).
    pub user: Option<&'a User>,
    pub sender: Option<Sender>,
    pub followup: &'a Followup,
    /// Empty: follow-up mail is transactional, never a mailing.
    pub mailing_id: &'static str,
    pub unsubscribe_url: String,
    pub receipt_url: String,
    pub taf_note: String,
    pub page_url: String,
}

impl<'a> MailContext<'a> {
    /// The parts every mail of `page` shares; the caller fills in the rest.
    pub fn new(deps: &'a EngineDeps, page: &Page, followup: &'a Followup) -> Self {
        let kind = page.kind();
        Self {
            client_name: &deps.client_name,
            ui: ui_strings(&deps.i18n, &page.lang),
            page: MailPage {
                name: page.name.clone(),
                title: page.title.clone(),
                page_type: kind.as_str(),
                lang: lang_context(&page.lang),
            },
            user: None,
            sender: None,
            followup,
            mailing_id: "",
            unsubscribe_url: String::new(),
            receipt_url: String::new(),
            taf_note: String::new(),
            page_url: link(deps, &page.url()),
        }
    }
}

/// A link for a mail: `path` on the public base URL (`PLACARD_BASE_URL`), relative when
/// none is configured.
pub fn link(deps: &EngineDeps, path: &str) -> String {
    match &deps.base_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

/// The page's templateset: its own when it names one that exists, else Original.
pub fn templateset(deps: &EngineDeps, page: &Page) -> String {
    page.templateset_id
        .and_then(|id| deps.renderer.sources().set_by_id(id).map(|s| s.name.clone()))
        .unwrap_or_else(|| crate::render::ORIGINAL.to_owned())
}

/// Renders `file` (an HTML email template) of the page's templateset and its text part.
pub fn render(deps: &EngineDeps, page: &Page, file: &str, ctx: &MailContext<'_>) -> Result<Rendered, AppError> {
    let html = deps.renderer.render(&templateset(deps, page), file, &minijinja::Value::from_serialize(ctx))?;
    let text = html_to_text(&html);
    Ok(Rendered { html, text })
}

/// A subject for a header: one line, control characters out, at most 200 characters;
/// `fallback` when nothing is left.
pub fn subject_line(subject: &str, fallback: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(200)
            .collect()
    };
    let subject = clean(subject);
    if subject.is_empty() {
        clean(fallback)
    } else {
        subject
    }
}

#[cfg(test)]
mod tests {
    use super::subject_line;

    #[test]
    fn p16_subject_is_one_clean_line() {
        assert_eq!(subject_line(" Danke,\r\nBcc: x@example.org ", "T"), "Danke, Bcc: x@example.org");
        assert_eq!(subject_line(" \n ", "Rettet die Bienen"), "Rettet die Bienen");
        assert_eq!(subject_line(&"x".repeat(300), "").len(), 200);
    }
}
