//! Blackholed emails (SPEC S2): addresses no mail is ever sent to — search, add, remove.
//! Admin role only. Writes go through `mail::blackhole_query` (the same functions as the
//! REST resource) in one transaction with an audit entry naming the staff account; the
//! entry holds the row's id, not the address (G6: no personal data in the audit log).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde_json::json;

use super::{views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::error::AppError;
use crate::gdpr;
use crate::listing::{Condition, Listing, Lookup, OrderBy, SqlValue, Where};
use crate::mail::blackhole_query;
use crate::people::Email;

const PER_PAGE: i64 = 100;

#[derive(serde::Deserialize)]
pub struct Query {
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: i64,
    /// Set after a write, to say what was done.
    done: Option<String>,
}

async fn screen(
    staff: &Staff,
    state: &AppState,
    q: &str,
    offset: i64,
    notice: Option<&str>,
    error: Option<(&str, &str)>,
) -> Result<HttpResponse, AdminError> {
    let mut filter = Where::new(state.db.backend());
    let term = q.trim().to_lowercase();
    if !term.is_empty() {
        filter.and(Condition::Compare {
            column: "core_blackholedemail.email",
            lookup: Lookup::IContains,
            values: vec![SqlValue::Text(term)],
        });
    }
    let listing = Listing {
        filter,
        order: OrderBy(vec![("core_blackholedemail.id", true)]),
        limit: PER_PAGE,
        offset: offset.max(0),
    };
    let (total, rows) = state.db.read(move |conn| Ok(blackhole_query::blackholed(conn, &listing)?)).await?;
    let rows: Vec<_> =
        rows.into_iter().map(|r| context! { id => r.id, email => r.email, created_at => r.created_at }).collect();
    let ctx = context! {
        q => q,
        rows => rows,
        total => total,
        offset => offset.max(0),
        per_page => PER_PAGE,
        notice => notice,
        error => error.map(|(_, message)| message),
        email => error.map_or("", |(email, _)| email),
    };
    let mut res = views::render(staff, "admin/blackholed.html", "blackholed", ctx)?;
    if error.is_some() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

pub async fn list(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AdminError> {
    let notice = match query.done.as_deref() {
        Some("added") => Some("Added: no mail will be sent to this address."),
        Some("removed") => Some("Removed: mail to this address is sent again."),
        _ => None,
    };
    screen(&staff, &state, &query.q, query.offset, notice, None).await
}

#[derive(serde::Deserialize)]
pub struct AddForm {
    #[serde(default)]
    email: String,
}

pub async fn add(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AdminError> {
    let raw = form.into_inner().email;
    let Some(email) = Email::parse(&raw) else {
        return screen(&staff, &state, "", 0, None, Some((&raw, "Enter a valid email address."))).await;
    };
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let added = state
        .db
        .writer
        .submit(move |conn| {
            if blackhole_query::find_by_email(conn, email.as_str())?.is_some() {
                return Ok(false);
            }
            let id = blackhole_query::insert(conn, email.as_str(), now)?;
            gdpr::store::audit(conn, &actor, "blackhole_add", Some(("blackholedemail", id)), &json!({}), now)?;
            Ok(true)
        })
        .await?;
    if !added {
        return screen(&staff, &state, "", 0, None, Some((&raw, "This address is already blackholed."))).await;
    }
    Ok(views::see_other("/admin/blackholed/?done=added"))
}

#[derive(serde::Deserialize)]
pub struct RemoveForm {
    id: i64,
}

pub async fn remove(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<RemoveForm>,
) -> Result<HttpResponse, AdminError> {
    let id = form.id;
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let one = Listing::by_id(state.db.backend(), "core_blackholedemail.id", id);
    state
        .db
        .writer
        .submit(move |conn| {
            let exists = blackhole_query::blackholed(conn, &one)?.0 > 0;
            if !exists {
                return Err(AppError::NotFound("This address is not blackholed (any more).".into()));
            }
            blackhole_query::delete(conn, id)?;
            gdpr::store::audit(conn, &actor, "blackhole_remove", Some(("blackholedemail", id)), &json!({}), now)?;
            Ok(())
        })
        .await?;
    Ok(views::see_other("/admin/blackholed/?done=removed"))
}
