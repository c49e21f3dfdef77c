//! The forgotten list (SPEC G3–G5): hashes only — the emails themselves are never stored —
//! with a form to forget an email (erasing the person if they exist) and one to unforget an
//! email or a user id (which brings nothing back). Admin role only; audited by `gdpr`.

use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::{context, Value};

use super::{queries, views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::gdpr::{self, store};
use crate::people::Email;

/// Hashes shown per kind (newest first).
const SHOWN: i64 = 500;

#[derive(serde::Deserialize)]
pub struct ListQuery {
    /// The user id just forgotten through the user screen.
    forgot: Option<i64>,
    /// What the last form did, to say so.
    done: Option<String>,
}

async fn page(
    staff: &Staff,
    state: &AppState,
    status: u16,
    notice: Value,
    error: Option<&str>,
) -> Result<HttpResponse, AdminError> {
    let (emails, user_ids) = state
        .db
        .read(|conn| {
            Ok((queries::forgotten(conn, store::EMAIL, SHOWN)?, queries::forgotten(conn, store::USER_ID, SHOWN)?))
        })
        .await?;
    let ctx = context! { emails => emails, user_ids => user_ids, shown => SHOWN, notice => notice, error => error };
    let mut res = views::render(staff, "admin/forgotten.html", "forgotten", ctx)?;
    *res.status_mut() = actix_web::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok(res)
}

pub async fn list(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AdminError> {
    let notice = match (query.forgot, query.done.as_deref()) {
        (Some(id), _) => Value::from(format!("User #{id} was erased and forgotten.")),
        (None, Some("forgot")) => Value::from("The email was forgotten (and its person erased, if there was one)."),
        (None, Some("unforgot")) => Value::from("Removed from the forgotten list. Nothing of the old data comes back."),
        (None, Some("not-listed")) => Value::from("That identifier was not on the forgotten list."),
        _ => Value::from(()),
    };
    page(&staff, &state, 200, notice, None).await
}

#[derive(serde::Deserialize)]
pub struct ForgetForm {
    #[serde(default)]
    email: String,
}

pub async fn forget(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<ForgetForm>,
) -> Result<HttpResponse, AdminError> {
    let Some(email) = Email::parse(&form.email) else {
        return page(&staff, &state, 400, Value::from(()), Some("That is not a valid email address.")).await;
    };
    let (actor, now) = (staff.actor(), Utc::now().naive_utc());
    state.db.writer.submit(move |conn| gdpr::erase::forget_email(conn, &email, &actor, now)).await?;
    Ok(views::see_other("/admin/forgotten/?done=forgot"))
}

#[derive(serde::Deserialize)]
pub struct UnforgetForm {
    #[serde(default)]
    identifier: String,
}

pub async fn unforget(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<UnforgetForm>,
) -> Result<HttpResponse, AdminError> {
    let raw = form.identifier.trim();
    let (kind, identifier) = if let Ok(id) = raw.trim_start_matches('#').parse::<i64>() {
        (store::USER_ID, id.to_string())
    } else if let Some(email) = Email::parse(raw) {
        (store::EMAIL, email.to_string())
    } else {
        let error = "Give an email address or a user id.";
        return page(&staff, &state, 400, Value::from(()), Some(error)).await;
    };
    let (actor, now) = (staff.actor(), Utc::now().naive_utc());
    let was_listed =
        state.db.writer.submit(move |conn| gdpr::erase::unforget(conn, kind, &identifier, &actor, now)).await?;
    Ok(views::see_other(if was_listed {
        "/admin/forgotten/?done=unforgot"
    } else {
        "/admin/forgotten/?done=not-listed"
    }))
}
