//! HTTP: thin handlers that parse, call the engine or a domain module, and render. Every
//! route is wired here, in one place.

pub mod api_iterable;
pub mod api_v1;
pub mod auth;
pub mod body;
pub mod catalog;
pub mod context;
pub mod errors;
pub mod health;
pub mod me;
pub mod metrics;
pub mod multipart;
pub mod negotiate;
pub mod openapi;
pub mod public;
pub mod receipts;
pub mod static_files;

use actix_web::web;

/// `scheme://host` of the request, for absolute `Location` headers as ActionKit sends them.
pub fn origin(req: &actix_web::HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

/// What a request tells about where an action came from (SPEC B2): the user agent and the
/// peer's IP (hashed with a key before it is stored; never kept raw).
pub fn evidence(req: &actix_web::HttpRequest) -> crate::privacy::evidence::Evidence {
    crate::privacy::evidence::Evidence {
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        ip: req.peer_addr().map(|a| a.ip().to_string()),
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(metrics::metrics))
        .route("/static/{file:.*}", web::get().to(static_files::serve))
        .service(web::scope("/rest/v1").configure(api_v1::routes))
        .configure(receipts::routes)
        .configure(api_iterable::routes)
        .configure(context::routes)
        .configure(me::routes)
        .configure(public::routes)
        .default_service(web::to(public::not_found));
}
