//! The outbox (SPEC S2): mail queued, being sent, sent, failed or skipped, with counts by
//! status, filtered by one status, newest first, fifty to a page. Read-only (the mail
//! worker owns the rows); admin role only, since it shows addresses.

use actix_web::{web, HttpResponse};
use minijinja::context;

use super::{views, AdminError, AdminOnly};
use crate::app::AppState;
use crate::error::AppError;
use crate::mail::{outbox_query, store};

const PER_PAGE: i64 = 50;
const STATUSES: [&str; 5] = [store::QUEUED, store::SENDING, store::SENT, store::FAILED, store::SKIPPED];

#[derive(serde::Deserialize)]
pub struct Query {
    status: Option<String>,
    #[serde(default)]
    offset: i64,
}

pub async fn list(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Query>,
) -> Result<HttpResponse, AdminError> {
    let Query { status, offset } = query.into_inner();
    let status = status.filter(|s| !s.is_empty());
    if let Some(s) = status.as_deref() {
        if !STATUSES.contains(&s) {
            return Err(AppError::BadRequest(format!("status must be one of {}.", STATUSES.join(", "))).into());
        }
    }
    let offset = offset.max(0);
    let wanted = status.clone();
    let (counts, (total, mail)) = state
        .db
        .read(move |conn| {
            Ok((outbox_query::counts(conn)?, outbox_query::page(conn, wanted.as_deref(), PER_PAGE, offset)?))
        })
        .await?;
    let counts: Vec<_> = STATUSES
        .iter()
        .map(|s| context! { status => *s, count => counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n) })
        .collect();
    let ctx = context! {
        counts => counts,
        status => status,
        mail => mail,
        total => total,
        offset => offset,
        per_page => PER_PAGE,
    };
    views::render(&staff, "admin/outbox.html", "outbox", ctx)
}
