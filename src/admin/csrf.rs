//! CSRF protection for every form of the admin (SPEC S1): one random token per session,
//! sent back in each POST, compared in constant time by a middleware on the whole `/admin`
//! scope — so a handler cannot forget it. A POST without the token, or with another
//! session's, gets the 403 page and no handler runs.
//!
//! The token is read from the form field `csrf_token` of a urlencoded body, from the
//! `X-CSRF-Token` header, or — for multipart bodies, which are not parsed here — from the
//! query string of the form's action URL.

use actix_session::{Session, SessionExt};
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::AdminError;

/// The form field (and query parameter) carrying the token.
pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "X-CSRF-Token";
const KEY: &str = "csrf";

fn fresh() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The session's token, made on first use.
pub fn token(session: &Session) -> Result<String, AdminError> {
    if let Some(t) = session.get::<String>(KEY).ok().flatten() {
        return Ok(t);
    }
    rotate(session)
}

/// A new token for the session (at sign-in).
pub fn rotate(session: &Session) -> Result<String, AdminError> {
    let t = fresh();
    session.insert(KEY, &t).map_err(|e| AdminError::internal(format!("session: {e}")))?;
    Ok(t)
}

fn field_of(query_or_body: &[u8]) -> Option<String> {
    form_urlencoded::parse(query_or_body).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned())
}

/// The token the request sends, leaving its body readable for the handler.
async fn sent_token(req: &mut ServiceRequest) -> Result<Option<String>, actix_web::Error> {
    if let Some(v) = req.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        return Ok(Some(v.to_owned()));
    }
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("multipart/") {
        return Ok(field_of(req.query_string().as_bytes()));
    }
    let body = req.extract::<web::Bytes>().await?;
    let token = field_of(&body);
    req.set_payload(actix_web::dev::Payload::from(body));
    Ok(token)
}

/// The middleware: POSTs pass only with the session's token.
pub async fn check<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if req.method() != Method::POST {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    let expected = req.get_session().get::<String>(KEY).ok().flatten();
    let sent = sent_token(&mut req).await?;
    let ok = match (expected, sent) {
        (Some(e), Some(s)) => bool::from(e.as_bytes().ct_eq(s.as_bytes())),
        _ => false,
    };
    if ok {
        next.call(req).await.map(ServiceResponse::map_into_left_body)
    } else {
        tracing::warn!("admin POST refused: missing or wrong CSRF token");
        let res = AdminError::CsrfRejected.error_response();
        Ok(req.into_response(res).map_into_right_body())
    }
}
