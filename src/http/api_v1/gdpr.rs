//! ActionKit's data-subject endpoints (SPEC G1, G2): `POST /rest/v1/eraser/` and
//! `GET /rest/v1/user/<id>/export/`, for staff over HTTP Basic.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde_json::json;

use crate::app::AppState;
use crate::error::{ApiError, AppError};
use crate::gdpr::{self, Actor};
use crate::http::auth::admin_staff;
use crate::http::body::json_after_auth;
use crate::people::{self, Email, UserId};

async fn staff_actor(req: &HttpRequest, state: &AppState, via: &str) -> Result<Actor, AppError> {
    let staff = admin_staff(req, state).await?;
    Ok(Actor { who: format!("staff:{}", staff.id), via: via.into() })
}

#[derive(serde::Deserialize)]
pub struct EraseRequest {
    email: Option<String>,
    user_id: Option<serde_json::Value>,
}

pub async fn eraser(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = staff_actor(&req, &state, "rest_eraser").await?;
    let body: EraseRequest = json_after_auth(&req, body, state.config.max_body_bytes).await?;
    let user = match (&body.email, &body.user_id) {
        (Some(email), _) => {
            let email = Email::parse(email)
                .ok_or_else(|| AppError::BadRequest("email is not a valid email address.".into()))?;
            state.db.read(move |conn| Ok(people::store::find_by_email(conn, &email)?.map(|u| u.user_id()))).await?
        }
        (None, Some(id)) => {
            let id = id.as_i64().or_else(|| id.as_str().and_then(|s| s.parse().ok()));
            Some(UserId(id.filter(|i| *i > 0).ok_or_else(|| AppError::BadRequest("user_id must be a number.".into()))?))
        }
        (None, None) => return Err(AppError::BadRequest("Send email or user_id.".into()).into()),
    };
    let user = user.ok_or_else(|| AppError::NotFound("No user with that email.".into()))?;
    let now = Utc::now().naive_utc();
    let counts = state.db.writer.submit(move |conn| gdpr::erase::erase(conn, user, &actor, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{}/rest/v1/eraser/{}/", crate::http::origin(&req), user.0)))
        .json(json!({"user": format!("/rest/v1/user/{}/", user.0), "erased": counts})))
}

pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = staff_actor(&req, &state, "rest_export").await?;
    let user = UserId(path.into_inner());
    let now = Utc::now().naive_utc();
    let doc = state
        .db
        .writer
        .submit(move |conn| {
            let doc = gdpr::export::export(conn, user)?.ok_or_else(|| AppError::NotFound("No such user.".into()))?;
            gdpr::store::audit(conn, &actor, "export", Some(("user", user.0)), &json!({}), now)?;
            Ok(doc)
        })
        .await?;
    Ok(HttpResponse::Ok().json(doc))
}
