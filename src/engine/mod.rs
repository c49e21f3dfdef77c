//! The action engine (SPEC A1–A10): the one write path for supporter data. Every form
//! post, REST action, /me/update, unsubscribe, import row and user-API update becomes an
//! `ActionInput` and goes through `process`, inside one transaction run by `db::Writer`.
//!
//! Steps: find the page → validate → resolve the user → store the action and its fields →
//! subscriptions → outcome. Privacy, donations, mail and the forgotten check plug in as
//! further steps here, never beside it.

pub mod bulk;
pub mod donation;
pub mod input;
pub mod notes;
pub mod privacy;
pub mod process;
pub mod query;
pub mod store;
pub mod validate;
mod xml;

pub use input::{ActionInput, Source};
pub use process::{process, ActionOutcome};

use crate::i18n::I18n;
use crate::people::AkidKey;

/// What the engine needs besides the connection; cheap to clone into a writer job.
#[derive(Clone)]
pub struct EngineDeps {
    pub i18n: std::sync::Arc<I18n>,
    pub akid_key: AkidKey,
    /// For follow-up mail rendered inside the action's transaction.
    pub renderer: std::sync::Arc<crate::render::Renderer>,
    pub client_name: String,
    pub ip_key: crate::privacy::evidence::IpKey,
    pub receipt_key: crate::receipts::ReceiptKey,
    /// `PLACARD_BASE_URL`, for absolute links in mail.
    pub base_url: Option<String>,
    /// Signs the forget links of `/me/forget/` (SPEC G3), mailed from the same writer jobs.
    pub link_key: crate::selfservice::LinkKey,
}
