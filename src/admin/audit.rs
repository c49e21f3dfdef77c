//! The audit log (SPEC G6, S3): who did what, when, through which path — newest first,
//! paged. Entries hold ids and counts, never personal data. Admin role only; read-only.

use actix_web::{web, HttpResponse};
use minijinja::context;

use super::{queries, views, AdminError, AdminOnly};
use crate::app::AppState;

pub const PER_PAGE: i64 = 50;

#[derive(serde::Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

pub async fn list(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, AdminError> {
    let page = query.page.unwrap_or(1).max(1);
    let offset = (page - 1).saturating_mul(PER_PAGE);
    let (entries, total) = state.db.read(move |conn| Ok(queries::audit_page(conn, offset, PER_PAGE)?)).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let ctx = context! { entries => entries, total => total, page => page, pages => pages };
    views::render(&staff, "admin/audit.html", "audit", ctx)
}
