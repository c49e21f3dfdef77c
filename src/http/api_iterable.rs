//! Iterable-style data-subject endpoints under `/api/` (SPEC G1, G3–G5, R3), authenticated
//! by an `Api-Key` header. Answers `{"msg", "code": "Success", "params"}`; errors are JSON.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::json;

use crate::app::AppState;
use crate::error::{ApiError, AppError};
use crate::gdpr::{self, store as forgotten, Actor};
use crate::http::api_v1::resource::Method;
use crate::http::body::json_after_auth;
use crate::http::catalog::{Auth, Body, Catalog, Doc};
use crate::people::{self, Email, UserId};
use crate::staff::apikeys;

pub fn routes(cfg: &mut web::ServiceConfig) {
    catalog().register(cfg);
}

/// The Iterable-style endpoints, in routing order (fixed paths before `{email}`).
pub fn catalog() -> Catalog {
    let doc = |summary, body, responses| Doc { summary, auth: Auth::ApiKey, body, responses, tag: "iterable" };
    Catalog::new("")
        .route(
            Method::Post,
            "/api/users/forget",
            forget,
            doc(
                "Forget a user by `email` or `userId`: erase now, refuse them ever after.",
                Body::Json("ForgetRequest"),
                ANSWERED,
            ),
        )
        .route(
            Method::Post,
            "/api/users/unforget",
            unforget,
            doc("Stop refusing an email or user id; brings nothing back.", Body::Json("ForgetRequest"), ANSWERED),
        )
        .route(
            Method::Get,
            "/api/users/forgotten",
            forgotten_emails,
            doc("SHA-256 hashes of forgotten emails.", Body::None, ANSWERED),
        )
        .route(
            Method::Get,
            "/api/users/forgottenUserIds",
            forgotten_user_ids,
            doc("SHA-256 hashes of forgotten user ids.", Body::None, ANSWERED),
        )
        .route(Method::Get, "/api/users/byUserId/{id}", get_by_id, doc("A user by id, or `{}`.", Body::None, ANSWERED))
        .route(
            Method::Delete,
            "/api/users/byUserId/{id}",
            delete_by_id,
            doc("Erase a user by id.", Body::None, ANSWERED_OR_UNKNOWN),
        )
        .route(
            Method::Get,
            "/api/export/userEvents",
            user_events,
            doc("A user's actions as events (`?email=`).", Body::None, ANSWERED_OR_UNKNOWN),
        )
        .route(
            Method::Get,
            "/api/users/{email}",
            get_by_email,
            doc("A user by email (percent-decoded), or `{}`.", Body::None, ANSWERED),
        )
        .route(
            Method::Delete,
            "/api/users/{email}",
            delete_by_email,
            doc("Erase a user by email.", Body::None, ANSWERED_OR_UNKNOWN),
        )
}

const ANSWERED: &[(u16, &str)] = &[(200, "Success."), (400, "Bad input."), (401, "No or wrong `Api-Key`.")];
const ANSWERED_OR_UNKNOWN: &[(u16, &str)] =
    &[(200, "Success."), (400, "Bad input."), (401, "No or wrong `Api-Key`."), (404, "No such user.")];

/// The key's name as the audit actor, or 401.
async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<Actor, AppError> {
    let key =
        req.headers().get("Api-Key").and_then(|v| v.to_str().ok()).map(str::to_owned).ok_or(AppError::Unauthorized)?;
    let name = state.db.read(move |conn| Ok(apikeys::authenticate(conn, &key)?)).await?;
    let name = name.ok_or(AppError::Unauthorized)?;
    Ok(Actor { who: format!("apikey:{name}"), via: "iterable_api".into() })
}

fn success(msg: &str, params: &serde_json::Value) -> HttpResponse {
    HttpResponse::Ok().json(json!({"msg": msg, "code": "Success", "params": params}))
}

#[derive(serde::Deserialize)]
pub struct Identifier {
    email: Option<String>,
    #[serde(rename = "userId")]
    user_id: Option<String>,
}

fn parse_email(raw: &str) -> Result<Email, AppError> {
    Email::parse(raw).ok_or_else(|| AppError::BadRequest("email is not a valid email address.".into()))
}

fn parse_user_id(raw: &str) -> Result<UserId, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(UserId)
        .ok_or_else(|| AppError::BadRequest("userId must be a positive number.".into()))
}

pub async fn forget(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    let body: Identifier = json_after_auth(&req, body, state.config.max_body_bytes).await?;
    let now = Utc::now().naive_utc();
    match (&body.email, &body.user_id) {
        (Some(email), _) => {
            let email = parse_email(email)?;
            state.db.writer.submit(move |conn| gdpr::erase::forget_email(conn, &email, &actor, now)).await?;
        }
        (None, Some(id)) => {
            let id = parse_user_id(id)?;
            state.db.writer.submit(move |conn| gdpr::erase::forget_user(conn, id, &actor, now)).await?;
        }
        (None, None) => return Err(AppError::BadRequest("Send email or userId.".into()).into()),
    }
    Ok(success("Forgotten", &json!({})))
}

pub async fn unforget(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    let body: Identifier = json_after_auth(&req, body, state.config.max_body_bytes).await?;
    let now = Utc::now().naive_utc();
    let (kind, identifier) = match (&body.email, &body.user_id) {
        (Some(email), _) => (forgotten::EMAIL, parse_email(email)?.to_string()),
        (None, Some(id)) => (forgotten::USER_ID, parse_user_id(id)?.0.to_string()),
        (None, None) => return Err(AppError::BadRequest("Send email or userId.".into()).into()),
    };
    state.db.writer.submit(move |conn| gdpr::erase::unforget(conn, kind, &identifier, &actor, now)).await?;
    Ok(success("Unforgotten", &json!({})))
}

async fn list(req: &HttpRequest, state: &AppState, kind: &'static str, field: &str) -> Result<HttpResponse, ApiError> {
    authenticate(req, state).await?;
    let hashes = state.db.read(move |conn| Ok(forgotten::forgotten(conn, kind)?)).await?;
    Ok(HttpResponse::Ok().json(json!({ field: hashes })))
}

pub async fn forgotten_emails(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    list(&req, &state, forgotten::EMAIL, "hashedEmails").await
}

pub async fn forgotten_user_ids(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    list(&req, &state, forgotten::USER_ID, "hashedUserIds").await
}

/// `GET /api/users/{email}`: `{"user": {...}}`, or `{}` when unknown (R3).
async fn user_document(state: &AppState, actor: Actor, user: Option<UserId>) -> Result<HttpResponse, ApiError> {
    let Some(user) = user else { return Ok(HttpResponse::Ok().json(json!({}))) };
    let now = Utc::now().naive_utc();
    let doc = state
        .db
        .writer
        .submit(move |conn| {
            let doc = gdpr::export::export(conn, user)?;
            if doc.is_some() {
                forgotten::audit(conn, &actor, "export", Some(("user", user.0)), &json!({}), now)?;
            }
            Ok(doc)
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc.map_or_else(|| json!({}), |d| json!({ "user": d }))))
}

async fn user_id_of(state: &AppState, email: Email) -> Result<Option<UserId>, AppError> {
    state.db.read(move |conn| Ok(people::store::find_by_email(conn, &email)?.map(|u| u.user_id()))).await
}

pub async fn get_by_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    let user = user_id_of(&state, parse_email(&path.into_inner())?).await?;
    user_document(&state, actor, user).await
}

pub async fn get_by_id(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    user_document(&state, actor, Some(parse_user_id(&path.into_inner())?)).await
}

#[derive(serde::Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
}

/// `GET /api/export/userEvents?email=`: the person's actions as events.
pub async fn user_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<EmailQuery>,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    let email = query.email.as_deref().ok_or_else(|| AppError::BadRequest("Send ?email=.".into()))?;
    let Some(user) = user_id_of(&state, parse_email(email)?).await? else {
        return Ok(HttpResponse::Ok().json(json!({"events": []})));
    };
    let now = Utc::now().naive_utc();
    let events = state
        .db
        .writer
        .submit(move |conn| {
            forgotten::audit(conn, &actor, "export", Some(("user", user.0)), &json!({"what": "events"}), now)?;
            Ok(crate::engine::store::export_for_user(conn, user.0)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "events": events })))
}

async fn erase(state: &AppState, actor: Actor, user: Option<UserId>) -> Result<HttpResponse, ApiError> {
    let user = user.ok_or_else(|| AppError::NotFound("No user with that identifier.".into()))?;
    let now = Utc::now().naive_utc();
    state.db.writer.submit(move |conn| gdpr::erase::erase(conn, user, &actor, now)).await?;
    Ok(success("User deleted", &json!({})))
}

pub async fn delete_by_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    let user = user_id_of(&state, parse_email(&path.into_inner())?).await?;
    erase(&state, actor, user).await
}

pub async fn delete_by_id(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = authenticate(&req, &state).await?;
    erase(&state, actor, Some(parse_user_id(&path.into_inner())?)).await
}
