//! The dashboard (SPEC S2): totals, and charts of actions per day and new users per day
//! over the last 30 days and of privacy records by type and status. Read-only.

use actix_web::{web, HttpResponse};
use chrono::{Duration, Utc};
use minijinja::context;

use super::queries::{self, Daily};
use super::{charts, views, AdminError, Staff};
use crate::app::AppState;
use crate::privacy;

/// Days the per-day charts cover, today included.
pub const DAYS: i64 = 30;

pub async fn redirect_to_slash() -> HttpResponse {
    views::see_other("/admin/")
}

pub async fn show(staff: Staff, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let until = Utc::now().date_naive();
    let since = until - Duration::days(DAYS - 1);
    let (totals, actions, users, records) = state
        .db
        .read(move |conn| {
            Ok((
                queries::totals(conn)?,
                queries::per_day(conn, Daily::Actions, since, until)?,
                queries::per_day(conn, Daily::NewUsers, since, until)?,
                privacy::reports::by_type_and_status(conn)?,
            ))
        })
        .await?;
    let bars: Vec<(String, i64, bool)> =
        records.iter().map(|r| (format!("{} · {}", r.text_type, r.status), r.records, r.status == "active")).collect();
    let ctx = context! {
        totals => totals,
        days => DAYS,
        actions_svg => charts::daily_line("Actions per day, last 30 days", &actions)?,
        users_svg => charts::daily_line("New users per day, last 30 days", &users)?,
        records_svg => if bars.is_empty() { String::new() } else { charts::bars("Privacy records by type and status", &bars)? },
        actions_total => actions.iter().map(|p| p.1).sum::<i64>(),
        users_total => users.iter().map(|p| p.1).sum::<i64>(),
        daily => actions.iter().zip(&users).rev().map(|(a, u)| (a.0.to_string(), a.1, u.1)).collect::<Vec<_>>(),
        records => records,
    };
    views::render(&staff, "admin/dashboard.html", "dashboard", ctx)
}
