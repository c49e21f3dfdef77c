//! `POST /rest/v1/action/` (SPEC A1, A2, A8): JSON, XML or form-urlencoded bodies into the
//! engine. Anonymous callers get 201 with `Location` and `{action_id, akid, rd,
//! redirect_url}`; staff (HTTP Basic) get the full action resource. Answers in JSON or
//! XML by `Accept`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use super::uri;
use crate::app::AppState;
use crate::engine::{self, ActionInput, ActionOutcome, Source};
use crate::error::AppError;
use crate::http::auth::{basic_staff, require_admin};
use crate::http::body::read_limited;
use crate::http::negotiate::Format;
use crate::pages::PageType;

pub async fn create(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> HttpResponse {
    let format = Format::of(&req);
    match create_inner(&req, &state, payload).await {
        Ok((location, root, body)) => {
            let mut res = format.respond(StatusCode::CREATED, root, &body);
            if location.is_empty() {
                return res;
            }
            if let Ok(value) = header::HeaderValue::from_str(&location) {
                res.headers_mut().insert(header::LOCATION, value);
            }
            res
        }
        Err(e) => format.error(&e),
    }
}

async fn create_inner(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
) -> Result<(String, &'static str, serde_json::Value), AppError> {
    let staff = basic_staff(req, state).await?;
    if let Some(account) = &staff {
        require_admin(account)?;
    }
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let input = parse_body(req, &body)?.with_evidence(crate::http::evidence(req));
    let deps = state.engine.clone();
    let outcome = match state.db.writer.submit(move |conn| engine::process(conn, &deps, &input)).await {
        // Anonymous callers are public forms: the same short answer, nothing to identify.
        Err(AppError::Forgotten { redirect_url }) if staff.is_none() => {
            let short = json!({"action_id": null, "akid": null, "rd": 1, "redirect_url": redirect_url});
            return Ok((String::new(), "response", short));
        }
        other => other?,
    };
    state.mail.wake();
    let location = format!("{}{}", crate::http::origin(req), uri::action(outcome.action_id));
    if staff.is_none() {
        let short = json!({
            "action_id": outcome.action_id,
            "akid": outcome.akid,
            "rd": 1,
            "redirect_url": outcome.redirect_url,
        });
        return Ok((location, "response", short));
    }
    let resource = action_resource(state, outcome).await?;
    Ok((location, "object", resource))
}

/// The full action resource an authenticated caller sees.
async fn action_resource(state: &AppState, outcome: ActionOutcome) -> Result<serde_json::Value, AppError> {
    let id = outcome.action_id;
    let (row, fields) = state
        .db
        .read(move |conn| {
            let row = engine::store::find(conn, id)?.ok_or_else(|| AppError::internal("stored action not found"))?;
            Ok((row, engine::store::fields(conn, id)?))
        })
        .await?;
    let kind = PageType::parse(outcome.page_type).unwrap_or(PageType::Signup);
    let time = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    let fields: serde_json::Map<String, serde_json::Value> = fields.into_iter().map(|(k, v)| (k, json!(v))).collect();
    Ok(json!({
        "akid": outcome.akid,
        "created_at": time(row.created_at),
        "created_user": row.created_user,
        "fields": fields,
        "id": row.id,
        "link": null,
        "mailing": row.mailing_id.map(uri::mailing),
        "opq_id": "",
        "page": uri::page(kind, row.page_id),
        "redirect_url": outcome.redirect_url,
        "referring_mailing": row.referring_mailing_id.map(uri::mailing),
        "referring_user": row.referring_user_id.map(uri::user),
        "resource_uri": uri::action(row.id),
        "source": row.source,
        "status": row.status,
        "subscribed_user": row.subscribed_user,
        "taf_emails_sent": null,
        "type": kind.as_str(),
        "updated_at": time(row.updated_at),
        "user": row.user_id.map(uri::user),
    }))
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
        "application/xml" | "text/xml" => ActionInput::from_xml(body, Source::RestfulApi),
        "application/x-www-form-urlencoded" => ActionInput::from_form(body, Source::RestfulApi),
        other => Err(AppError::UnsupportedMediaType(format!(
            "Send the action as application/json, application/xml or application/x-www-form-urlencoded (got {}).",
            if other.is_empty() { "no content type" } else { other }
        ))),
    }
}
