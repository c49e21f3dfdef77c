//! Retention (SPEC B6): when `PLACARD_RETENTION_MONTHS` (or the `retention_months`
//! setting) is set, the worker erases supporters who have been unsubscribed from every
//! list for that long and whose only basis was consent (no orders). Each erase is its own
//! transaction and audit entry (actor `retention`, via `worker`).

use chrono::{Months, NaiveDateTime};

use super::{erase, Actor};
use crate::db::Database;
use crate::error::AppError;
use crate::{orders, people};

/// Supporters erased per pass at most, so a first pass on a large list stays short.
const PER_PASS: i64 = 500;

/// One pass: erases who qualifies at `now`; returns how many were erased.
pub fn run_pass(db: &Database, months: u32, now: NaiveDateTime) -> Result<usize, AppError> {
    let Some(cutoff) = now.checked_sub_months(Months::new(months)) else { return Ok(0) };
    let candidates = db.read_now(|conn| Ok(people::store::unsubscribed_before(conn, cutoff, PER_PASS)?))?;
    let actor = Actor { who: "retention".into(), via: "worker".into() };
    let mut erased = 0;
    for user in candidates {
        let done = db.writer.submit_now(|conn| {
            // Checked again inside the transaction: an order may have arrived since.
            if orders::store::has_orders(conn, user.0)? {
                return Ok(false);
            }
            erase::erase(conn, user, &actor, now).map(|_| true)
        })?;
        erased += usize::from(done);
    }
    Ok(erased)
}

/// Runs a pass now and then every hour on the running actix system, when configured.
pub fn start(state: actix_web::web::Data<crate::app::AppState>) {
    let Some(months) = state.config.retention_months else { return };
    actix_web::rt::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let db = state.db.clone();
            let now = chrono::Utc::now().naive_utc();
            match crate::telemetry::run_blocking(move || run_pass(&db, months, now)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(erased = n, "retention pass"),
                Err(e) => e.log_if_internal(),
            }
        }
    });
}
