//! The ActionKit-compatible REST API under `/rest/v1/` (SPEC A1, A2, R1–R3). So far: the
//! action endpoint, and the refusal of typed action endpoints.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::engine::{self, ActionInput, Source};
use crate::error::{ApiError, AppError};
use crate::http::body::read_limited;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/action/", web::post().to(create_action)).route("/{typed}action/", web::post().to(typed_action_refused));
}

/// `POST /rest/v1/action/`: JSON or form-urlencoded into the engine; 201 with `Location`
/// and `{action_id, akid, rd, redirect_url}` (SPEC A2, unauthenticated).
pub async fn create_action(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let input = parse_body(&req, &body)?;
    let deps = state.engine.clone();
    let outcome = state.db.writer.submit(move |conn| engine::process(conn, &deps, &input)).await?;
    let location = format!("{}/rest/v1/action/{}/", origin(&req), outcome.action_id);
    Ok(HttpResponse::Created().insert_header((header::LOCATION, location)).json(serde_json::json!({
        "action_id": outcome.action_id,
        "akid": outcome.akid,
        "rd": 1,
        "redirect_url": outcome.redirect_url,
    })))
}

pub async fn typed_action_refused(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    Err(AppError::BadRequest(format!(
        "Actions are created by POST to /rest/v1/action/, not /rest/v1/{}action/.",
        path.into_inner()
    ))
    .into())
}

fn parse_body(req: &HttpRequest, body: &[u8]) -> Result<ActionInput, AppError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    match content_type.as_str() {
        "application/json" => ActionInput::from_json(body, Source::RestfulApi),
        "application/x-www-form-urlencoded" => ActionInput::from_form(body, Source::RestfulApi),
        other => Err(AppError::UnsupportedMediaType(format!(
            "Send the action as application/json or application/x-www-form-urlencoded (got {:?}).",
            if other.is_empty() { "no content type" } else { other }
        ))),
    }
}

/// `scheme://host` of the request, for absolute `Location` headers.
fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}
