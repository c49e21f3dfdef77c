//! The ActionKit-compatible REST API under `/rest/v1/` (SPEC A1, A2, R1–R4): the action
//! endpoint, the data-subject endpoints, uploads, and the resources built on [`resource`]
//! (users, phones, lists, subscriptions, pages and typed pages, actions and typed actions,
//! allowed fields, privacy records and texts, orders, blackholed emails). Every endpoint is
//! listed once, in [`catalog`] (`routes.rs`), which both routes and documents it.

pub mod action_resources;
mod actions;
pub mod allowed_fields;
pub mod audit_log;
pub mod blackholed_emails;
mod gdpr;
pub mod lists;
pub mod orders;
pub mod pages;
pub mod phones;
pub mod privacy_records;
pub mod resource;
mod routes;
pub mod subscriptions;
mod uploads;
pub mod uri;
pub mod users;

use actix_web::web;

pub use routes::catalog;

/// Wires every endpoint of [`catalog`] under the `/rest/v1` scope; an unknown path under
/// it is a JSON 404, not the site's HTML page.
pub fn routes(cfg: &mut web::ServiceConfig) {
    catalog().register(cfg);
    cfg.default_service(web::to(not_found));
}

async fn not_found(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    let error = crate::error::AppError::NotFound(format!("{} is not part of this API.", req.path()));
    crate::http::negotiate::Format::of(&req).error(&error)
}
