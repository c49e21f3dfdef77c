//! HTTP Basic authentication of staff accounts for the REST API (SPEC S1, A2). No header:
//! anonymous. A header with wrong credentials: 401, never silently anonymous.

use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::app::AppState;
use crate::error::AppError;
use crate::people::Email;
use crate::staff::{self, Role, StaffAccount};

/// The staff account named by `Authorization: Basic …`, `None` without the header.
pub async fn basic_staff(req: &HttpRequest, state: &AppState) -> Result<Option<StaffAccount>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else { return Ok(None) };
    let encoded = value.to_str().ok().and_then(|v| v.strip_prefix("Basic ")).ok_or(AppError::Unauthorized)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| AppError::Unauthorized)?;
    let decoded = String::from_utf8(decoded).map_err(|_| AppError::Unauthorized)?;
    let (user, password) = decoded.split_once(':').ok_or(AppError::Unauthorized)?;
    let email = Email::parse(user).ok_or(AppError::Unauthorized)?;
    let password = password.to_owned();
    let account = state.db.read(move |conn| Ok(staff::find_active(conn, &email)?)).await?;
    // An unknown account is checked against a decoy hash, so the answer takes as long as
    // for a known one and the timing does not tell which staff addresses exist.
    let hash = account.as_ref().map_or_else(|| crate::admin::login::DECOY_HASH.clone(), |a| a.password_hash.clone());
    // argon2 is deliberately slow: off the async workers.
    let ok = crate::telemetry::run_blocking(move || Ok(staff::verify_password(&hash, &password))).await?;
    match account {
        Some(account) if ok => Ok(Some(account)),
        _ => Err(AppError::Unauthorized),
    }
}

/// SPEC S1: supporter data is for admins; editors work on pages, languages and templates.
pub fn require_admin(account: &StaffAccount) -> Result<(), AppError> {
    if account.role == Role::Admin.as_str() {
        Ok(())
    } else {
        Err(AppError::Forbidden("This needs an admin account: editors work on pages, languages and templates.".into()))
    }
}

/// The admin named by `Authorization: Basic …`: 401 without credentials, 403 for an editor.
pub async fn admin_staff(req: &HttpRequest, state: &AppState) -> Result<StaffAccount, AppError> {
    let account = basic_staff(req, state).await?.ok_or(AppError::Unauthorized)?;
    require_admin(&account)?;
    Ok(account)
}
