//! Mail (SPEC P16, A7 tell-a-friend): follow-up mail rendered through the page's
//! templateset and written to the outbox (`core_outbox`) inside the action's transaction;
//! delivered after commit by the worker over SMTP. Blackholed and forgotten addresses are
//! never delivered. Only `mail::store` touches `core_outbox` and `core_blackholedemail`.
//!
//! `thanks` and `taf` queue mail (called by the engine, on its connection); `compose`
//! renders; `smtp` builds and sends a message; `worker` claims due rows and delivers them.
//! Nothing here logs an address or a body: ids and counts only.

pub mod blackhole_query;
pub mod compose;
pub mod outbox_query;
pub mod smtp;
pub mod store;
mod taf;
pub mod text;
mod thanks;
pub mod worker;

pub use taf::{queue_tell_a_friend, TellAFriend, MAX_TAF_RECIPIENTS};
pub use thanks::{queue_thank_you, ThankYou};
