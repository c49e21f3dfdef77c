//! The ActionKit-compatible REST API under `/rest/v1/` (SPEC A1, A2, R1–R3). So far: the
//! action endpoint, and the refusal of typed action endpoints.

mod actions;
mod gdpr;
pub mod uri;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/action/", web::post().to(actions::create))
        .route("/{typed}action/", web::post().to(actions::typed_refused))
        .route("/eraser/", web::post().to(gdpr::eraser))
        .route("/user/{id}/export/", web::get().to(gdpr::export));
}
