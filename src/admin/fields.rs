//! Allowed fields (SPEC S2, A6): the names of custom user fields (`user_<name>` on actions)
//! and of custom page fields that may be stored; list and add. Admins manage user fields
//! (they hold supporter data); editors and admins manage page fields. Writes are
//! `people::allowed_fields::insert` and `pages::edit::allow_field`, as the REST resources
//! (S3), with an audit entry naming the account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde_json::json;

use super::{views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::gdpr;
use crate::people::allowed_fields;

#[derive(serde::Deserialize)]
pub struct Done {
    added: Option<String>,
}

pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, AdminError> {
    let notice = match query.added.as_deref() {
        Some("user") => Some("The user field was allowed."),
        Some("page") => Some("The page field was allowed."),
        _ => None,
    };
    screen(&staff, &state, notice, None, StatusCode::OK).await
}

/// A failed add: which form (`user` or `page`), what was typed, why.
struct Failed {
    form: &'static str,
    name: String,
    message: String,
}

async fn screen(
    staff: &Staff,
    state: &AppState,
    notice: Option<&str>,
    failed: Option<Failed>,
    status: StatusCode,
) -> Result<HttpResponse, AdminError> {
    let admin = staff.is_admin();
    let users = super::pages::everything(state, "core_alloweduserfield.name");
    let pages = super::pages::everything(state, "core_allowedpagefield.name");
    let (user_fields, page_fields) = state
        .db
        .read(move |conn| {
            let user_fields: Vec<_> = if admin {
                allowed_fields::list(conn, &users)?
                    .1
                    .into_iter()
                    .map(|f| context! { name => f.name, always_show => f.always_show, created_at => f.created_at })
                    .collect()
            } else {
                vec![]
            };
            let page_fields: Vec<_> = crate::pages::query::allowed_fields(conn, &pages)?
                .1
                .into_iter()
                .map(|f| context! { name => f.name, created_at => f.created_at })
                .collect();
            Ok((user_fields, page_fields))
        })
        .await?;
    let ctx = context! {
        admin => admin,
        user_fields => user_fields,
        page_fields => page_fields,
        notice => notice,
        failed => failed.as_ref().map(|f| context! { form => f.form, name => f.name, message => f.message }),
    };
    let mut res = views::render(staff, "admin/fields.html", "fields", ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(serde::Deserialize)]
pub struct FieldForm {
    #[serde(default)]
    name: String,
    always_show: Option<String>,
}

/// A field name as stored: lowercase letters, digits and `_`, as the REST resources check.
fn checked_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty()
        || name.len() > 64
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(invalid("Use 1 to 64 lowercase letters, digits or _."));
    }
    Ok(name.to_owned())
}

fn invalid(message: &str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError {
        field: "name".into(),
        code: "invalid".into(),
        message: message.into(),
    }]))
}

async fn answer(
    staff: &Staff,
    state: &AppState,
    form: &'static str,
    typed: String,
    result: Result<(), AppError>,
) -> Result<HttpResponse, AdminError> {
    match result {
        Ok(()) => Ok(views::see_other(&format!("/admin/fields/?added={form}"))),
        Err(AppError::Validation(errors)) => {
            let message = errors.0.first().map(|e| e.message.clone()).unwrap_or_default();
            let failed = Failed { form, name: typed, message };
            screen(staff, state, None, Some(failed), StatusCode::BAD_REQUEST).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn add_user_field(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<FieldForm>,
) -> Result<HttpResponse, AdminError> {
    let FieldForm { name: typed, always_show } = form.into_inner();
    let raw = typed.clone();
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let name = checked_name(&raw)?;
            if allowed_fields::find_by_name(conn, &name)?.is_some() {
                return Err(invalid("This user field is already allowed."));
            }
            let id = allowed_fields::insert(conn, &name, always_show.is_some(), now)?;
            gdpr::store::audit(conn, &actor, "create", Some(("alloweduserfield", id)), &json!({"name": name}), now)?;
            Ok(())
        })
        .await;
    answer(&staff, &state, "user", typed, result).await
}

pub async fn add_page_field(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<FieldForm>,
) -> Result<HttpResponse, AdminError> {
    let typed = form.into_inner().name;
    let raw = typed.clone();
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let name = checked_name(&raw)?;
            if crate::pages::query::allowed_field_names(conn)?.contains(&name) {
                return Err(invalid("This page field is already allowed."));
            }
            let id = crate::pages::edit::allow_field(conn, &name, now)?;
            gdpr::store::audit(conn, &actor, "create", Some(("allowedpagefield", id)), &json!({"name": name}), now)?;
            Ok(())
        })
        .await;
    answer(&staff, &state, "page", typed, result).await
}
