//! The consent log verification (SPEC B1): walks the hash chain of `core_consentlog` and
//! checks every privacy record against its latest entry (`privacy::chain::verify`, the same
//! check as `placard verify-consent-log`), then shows what it found. Read-only; it reads
//! the whole log, so it runs when asked (a POST), not on every visit.

use actix_web::{web, HttpResponse};
use minijinja::context;

use super::{views, AdminError, Staff};
use crate::app::AppState;
use crate::privacy::chain;

pub async fn show(staff: Staff) -> Result<HttpResponse, AdminError> {
    views::render(&staff, "admin/consent.html", "consent-log", context! { result => None::<()> })
}

pub async fn verify(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let result = state.db.read(|conn| Ok(chain::verify(conn)?)).await?;
    let intact = result.problems.is_empty();
    let ctx = context! { result => result, intact => intact };
    views::render(&staff, "admin/consent.html", "consent-log", ctx)
}
