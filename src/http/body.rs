//! Reading request bodies within the configured size limit, so an oversized body is a
//! clear 413 in the caller's format rather than a dropped connection.

use actix_web::dev::JsonBody;
use actix_web::error::{JsonPayloadError, PayloadError};
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;

use crate::error::AppError;

/// What a JSON body that cannot be read answers, wherever actix read it (the app's
/// `JsonConfig` and [`json_after_auth`]): an oversized body is a 413, as on every other
/// route; a wrong content type or malformed JSON a 400 with the reason.
pub fn json_error(err: JsonPayloadError, limit: usize) -> AppError {
    match err {
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => {
            AppError::PayloadTooLarge { limit }
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => AppError::PayloadTooLarge { limit },
        other => AppError::BadRequest(format!("The JSON body is not valid: {other}")),
    }
}

/// A JSON body read after the caller is authenticated, so a caller without credentials
/// hears 401 whatever they sent, not a 400 about a body nobody was going to read. It is
/// actix's own `Json` reading (content type, size `limit`, parsing), run late.
pub async fn json_after_auth<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, AppError> {
    JsonBody::new(req, &mut payload.into_inner(), None, true).limit(limit).await.map_err(|e| json_error(e, limit))
}

pub async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, AppError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("The request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Slowest average a request body may arrive at, once the client timeout's grace has run.
const MIN_BODY_BYTES_PER_SEC: u64 = 1024;

/// Middleware (slow clients): a request body that stalls for longer than the configured
/// client timeout, or trickles in slower than [`MIN_BODY_BYTES_PER_SEC`] on average after
/// that grace, ends in a read error, so such a client cannot hold a connection and a
/// handler open. actix's own `client_request_timeout` covers only the head.
pub async fn cut_stalled_bodies(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    use actix_web::http::header;
    let has_body =
        req.headers().contains_key(header::CONTENT_LENGTH) || req.headers().contains_key(header::TRANSFER_ENCODING);
    let grace = req.app_data::<web::Data<crate::app::AppState>>().map(|s| s.config.client_timeout);
    let req = match grace.filter(|_| has_body) {
        Some(grace) => {
            let (head, payload) = req.into_parts();
            actix_web::dev::ServiceRequest::from_parts(head, paced(payload, grace))
        }
        None => req,
    };
    next.call(req).await
}

/// `payload`, ending with a `TimedOut` error when no chunk arrives within `grace`, or when
/// the body falls behind `grace` plus one second per [`MIN_BODY_BYTES_PER_SEC`] received.
fn paced(payload: actix_web::dev::Payload, grace: std::time::Duration) -> actix_web::dev::Payload {
    use actix_web::error::PayloadError;
    use actix_web::rt::time::{timeout, Instant};
    let start = Instant::now();
    let stream = futures_util::stream::unfold(Some((payload, 0u64)), move |state| async move {
        let (mut payload, received) = state?;
        let earned = std::time::Duration::from_secs(received / MIN_BODY_BYTES_PER_SEC);
        let wait = grace.min((start + grace + earned).saturating_duration_since(Instant::now()));
        match timeout(wait, payload.next()).await {
            Ok(Some(Ok(chunk))) => {
                let received = received + chunk.len() as u64;
                Some((Ok(chunk), Some((payload, received))))
            }
            Ok(Some(Err(e))) => Some((Err(e), None)),
            Ok(None) => None,
            Err(_) => {
                let slow = std::io::Error::new(std::io::ErrorKind::TimedOut, "the request body arrived too slowly");
                Some((Err(PayloadError::Io(slow)), None))
            }
        }
    });
    // Fused: extractors may poll again after the end (or after a cut-off).
    actix_web::dev::Payload::Stream { payload: Box::pin(stream.fuse()) }
}
