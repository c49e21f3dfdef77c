//! HTTP: thin handlers that parse, call the engine or a domain module, and render. Every
//! route is wired here, in one place.

pub mod api_v1;
pub mod auth;
pub mod body;
pub mod errors;
pub mod health;
pub mod negotiate;
pub mod public;
pub mod static_files;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/static/{file:.*}", web::get().to(static_files::serve))
        .service(web::scope("/rest/v1").configure(api_v1::routes))
        .configure(public::routes)
        .default_service(web::to(public::not_found));
}
