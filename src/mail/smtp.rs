//! SMTP delivery with lettre on tokio: the transport from `PLACARD_SMTP_URL` and one
//! outbox row turned into a message (text and HTML alternatives, `From:` from
//! `PLACARD_MAIL_FROM`).
//!
//! URLs: `smtp://host:port` (plain, e.g. a local relay), `smtp+starttls://user:pass@host:587`
//! (STARTTLS required), `smtps://user:pass@host:465` (TLS from the start). TLS is rustls
//! with the Mozilla roots.

use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

use super::store::OutboxRow;

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A configured SMTP transport and sender; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// Why a delivery failed: `permanent` when retrying cannot help (a 5xx refusal, an
/// address lettre cannot write). The message names no address.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    /// The SMTP reply code, when the server answered.
    pub code: Option<String>,
    pub message: String,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("PLACARD_SMTP_URL is not usable: {0}")]
    Url(String),
    #[error("PLACARD_MAIL_FROM is not an address: {0}")]
    From(String),
}

impl Mailer {
    pub fn new(smtp_url: &str, from: &str) -> Result<Self, MailerError> {
        let from = from.parse::<Mailbox>().map_err(|e| MailerError::From(e.to_string()))?;
        let url = match smtp_url.strip_prefix("smtp+starttls://") {
            Some(rest) => format!("smtp://{rest}{}tls=required", if rest.contains('?') { '&' } else { '?' }),
            None => smtp_url.to_owned(),
        };
        // lettre's messages may quote the URL, password included: say only what kind of problem.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|e| {
                MailerError::Url(if e.is_client() { "bad URL".into() } else { "unsupported scheme or TLS".into() })
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }

    /// Delivers one outbox row.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendError> {
        let message = self.message(row)?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| SendError {
            permanent: e.is_permanent(),
            code: e.status().map(|c| c.to_string()),
            message: e.to_string(),
        })
    }

    fn message(&self, row: &OutboxRow) -> Result<Message, SendError> {
        let invalid = |what: &str| SendError {
            permanent: true,
            code: None,
            message: format!("cannot build the message: {what}"),
        };
        let to = row.to_email.parse::<Mailbox>().map_err(|_| invalid("the recipient is not an address"))?;
        // The same id on every attempt, so a receiver can drop a copy sent twice.
        let message_id =
            format!("<placard.{}.{}@{}>", row.id, row.created_at.and_utc().timestamp(), self.from.email.domain());
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(message_id))
            .header(AutoSubmitted);
        let built = if row.body_html.is_empty() {
            builder.singlepart(SinglePart::plain(row.body_text.clone()))
        } else {
            builder.multipart(MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone()))
        };
        built.map_err(|e| invalid(&e.to_string()))
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): out-of-office replies stay away.
#[derive(Clone, Copy)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{Mailer, MailerError};

    #[test]
    fn p16_smtp_urls_plain_starttls_and_tls() {
        let from = "Placard <no-reply@example.org>";
        for url in [
            "smtp://127.0.0.1:2525",
            "smtp+starttls://user:p%40ss@mail.example.org:587",
            "smtp+starttls://mail.example.org?tls=required",
            "smtps://user:pass@mail.example.org:465",
        ] {
            assert!(Mailer::new(url, from).is_ok(), "{url}");
        }
        for url in ["http://mail.example.org", "smtp://", "mail.example.org:25"] {
            assert!(matches!(Mailer::new(url, from), Err(MailerError::Url(_))), "{url}");
        }
        assert!(matches!(Mailer::new("smtp://127.0.0.1:25", "not an address"), Err(MailerError::From(_))));
    }
}
