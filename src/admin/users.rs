//! Users (SPEC S2, G1–G3, G6): search by email, name or id; a person's page (profile,
//! custom fields, phones, subscriptions, actions, privacy records with their texts, orders —
//! the G1 export document, so the screen shows exactly what an access request returns);
//! export as a download; erase and forget after a confirmation step. Admin role only. The
//! writes are `gdpr`'s own functions (S3), audited as `staff:<id>` via `admin`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde_json::json;

use super::{queries, views, AdminError, AdminOnly};
use crate::app::AppState;
use crate::error::AppError;
use crate::gdpr;
use crate::people::UserId;

const SEARCH_LIMIT: i64 = 50;

#[derive(serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    /// Set after an erase, to say it was done.
    erased: Option<i64>,
}

pub async fn search(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, AdminError> {
    let SearchQuery { q, erased } = query.into_inner();
    let term = q.clone();
    let users = state.db.read(move |conn| Ok(queries::search_users(conn, &term, SEARCH_LIMIT)?)).await?;
    let ctx = context! { q => q, users => users, limit => SEARCH_LIMIT, erased => erased };
    views::render(&staff, "admin/users.html", "users", ctx)
}

fn user_id(raw: i64) -> Result<UserId, AdminError> {
    if raw > 0 {
        Ok(UserId(raw))
    } else {
        Err(AppError::NotFound("No such user.".into()).into())
    }
}

async fn document(state: &AppState, user: UserId) -> Result<serde_json::Value, AdminError> {
    let doc = state.db.read(move |conn| Ok(gdpr::export::export(conn, user)?)).await?;
    doc.ok_or_else(|| AppError::NotFound("No such user: they may have been erased.".into()).into())
}

pub async fn show(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let doc = document(&state, user).await?;
    views::render(&staff, "admin/user.html", "users", context! { id => user.0, doc => doc })
}

/// The G1 document as a download; the export is audited.
pub async fn export(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let actor = staff.actor();
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
    let body = serde_json::to_string_pretty(&doc).map_err(AdminError::internal)?;
    let mut res = HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"placard-user-{}.json\"", user.0)))
        .body(body);
    super::error::harden(&mut res);
    Ok(res)
}

/// Erase or forget: the two irreversible verbs.
#[derive(Clone, Copy)]
enum Verb {
    Erase,
    Forget,
}

impl Verb {
    fn parse(raw: &str) -> Result<Self, AdminError> {
        match raw {
            "erase" => Ok(Self::Erase),
            "forget" => Ok(Self::Forget),
            _ => Err(AppError::NotFound("There is no such admin page.".into()).into()),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Erase => "erase",
            Self::Forget => "forget",
        }
    }
}

/// The confirmation step: what will go, and a form that must be ticked.
pub async fn confirm(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AdminError> {
    let (id, verb) = path.into_inner();
    let (user, verb) = (user_id(id)?, Verb::parse(&verb)?);
    let doc = document(&state, user).await?;
    let ctx = context! { id => user.0, verb => verb.as_str(), doc => doc, error => None::<String> };
    views::render(&staff, "admin/confirm.html", "users", ctx)
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    confirm: Option<String>,
}

pub async fn perform(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, AdminError> {
    let (id, verb) = path.into_inner();
    let (user, verb) = (user_id(id)?, Verb::parse(&verb)?);
    if form.confirm.as_deref() != Some("yes") {
        let doc = document(&state, user).await?;
        let error = "Tick the box to confirm: this cannot be undone.";
        let ctx = context! { id => user.0, verb => verb.as_str(), doc => doc, error => error };
        let mut res = views::render(&staff, "admin/confirm.html", "users", ctx)?;
        *res.status_mut() = actix_web::http::StatusCode::BAD_REQUEST;
        return Ok(res);
    }
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    match verb {
        Verb::Erase => {
            state.db.writer.submit(move |conn| gdpr::erase::erase(conn, user, &actor, now)).await?;
            Ok(views::see_other(&format!("/admin/users/?erased={}", user.0)))
        }
        Verb::Forget => {
            state.db.writer.submit(move |conn| gdpr::erase::forget_user(conn, user, &actor, now)).await?;
            Ok(views::see_other(&format!("/admin/forgotten/?forgot={}", user.0)))
        }
    }
}
