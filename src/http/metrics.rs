//! `GET /metrics` (SPEC O5): the Prometheus exposition of `crate::metrics`, plus the mail
//! outbox by status read from the database at scrape time.
//!
//! Who may read it: with `PLACARD_METRICS_TOKEN` set, only a caller sending it as
//! `Authorization: Bearer …` (compared in constant time); without it, only a client
//! connected directly over loopback — a request that carries `Forwarded` or
//! `X-Forwarded-For` came through a proxy and is refused, since behind a reverse proxy on
//! the same host every peer is loopback. The text holds no personal data (route patterns,
//! never paths), but traffic volumes are the organization's business.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::app::AppState;
use crate::error::ApiError;

pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let allowed = match &state.config.metrics_token {
        Some(token) => bearer_matches(&req, token),
        None => direct_loopback(&req),
    };
    if !allowed {
        return Ok(if state.config.metrics_token.is_some() {
            HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                .content_type("text/plain")
                .body("metrics: send the PLACARD_METRICS_TOKEN as a bearer token")
        } else {
            HttpResponse::Forbidden()
                .content_type("text/plain")
                .body("metrics are served to loopback clients only; set PLACARD_METRICS_TOKEN to scrape from elsewhere")
        });
    }
    let outbox = state.db.read(|conn| Ok(crate::mail::store::counts_by_status(conn)?)).await?;
    Ok(HttpResponse::Ok().content_type(crate::metrics::CONTENT_TYPE).body(crate::metrics::render(&outbox)))
}

fn bearer_matches(req: &HttpRequest, token: &str) -> bool {
    let sent = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Digests, so that neither the token's bytes nor its length show in the timing.
    bool::from(Sha256::digest(sent.as_bytes()).ct_eq(&Sha256::digest(token.as_bytes())))
}

fn direct_loopback(req: &HttpRequest) -> bool {
    let proxied = req.headers().contains_key(header::FORWARDED) || req.headers().contains_key("x-forwarded-for");
    !proxied && req.peer_addr().is_some_and(|a| a.ip().is_loopback())
}
