//! `/healthz` (the process answers) and `/readyz` (the database answers too) (SPEC O5).

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;

use crate::app::AppState;

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.read(|conn| Ok(conn.batch_execute("SELECT 1")?)).await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ready"),
        Err(e) => {
            e.log_if_internal();
            HttpResponse::ServiceUnavailable().content_type("text/plain").body("database unavailable")
        }
    }
}
