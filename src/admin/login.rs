//! Sign-in and sign-out at `/admin/login/` and `/admin/logout/` (SPEC S1): the password is
//! checked with argon2 off the async workers, failures are throttled per email and per IP
//! ([`super::throttle`]), and a success starts a fresh session.

use std::sync::LazyLock;
use std::time::Instant;

use actix_session::Session;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;

use super::{csrf, session, throttle, views, AdminError};
use crate::app::AppState;
use crate::people::Email;
use crate::staff;

/// Verified against when the email has no account, so a wrong email costs the same time
/// as a wrong password and the answer does not tell which accounts exist.
pub(crate) static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| staff::hash_password("decoy password, never valid").unwrap_or_default());

#[derive(serde::Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Only admin paths on this site: no open redirect through `next`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin/") && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/admin/".to_owned(),
    }
}

fn login_page(
    session: &Session,
    status: u16,
    email: &str,
    next: &str,
    error: Option<&str>,
) -> Result<HttpResponse, AdminError> {
    let ctx = context! { email => email, next => next, error => error, csrf_token => csrf::token(session)? };
    Ok(views::page(status, &views::render_html("admin/login.html", ctx)?))
}

pub async fn form(
    req: HttpRequest,
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AdminError> {
    let next = safe_next(query.next.as_deref());
    if session::has_session(&req) {
        return Ok(views::see_other(&next));
    }
    login_page(&session, 200, "", &next, None)
}

pub async fn submit(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AdminError> {
    let LoginForm { email, password, next } = form.into_inner();
    let next = safe_next(next.as_deref());
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    let keys = throttle::keys(&email, ip.as_deref());
    if let Err(wait) = state.admin.throttle.check(&keys, Instant::now()) {
        return Err(AdminError::TooManyAttempts { minutes: wait.as_secs().div_ceil(60).max(1) });
    }
    let account = match Email::parse(&email) {
        Some(parsed) => state.db.read(move |conn| Ok(staff::find_active(conn, &parsed)?)).await?,
        None => None,
    };
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    // argon2 is deliberately slow: off the async workers (the decoy's first hashing too).
    let verified = crate::telemetry::run_blocking(move || {
        Ok(staff::verify_password(hash.as_deref().unwrap_or(DECOY_HASH.as_str()), &password))
    })
    .await?;
    match account {
        Some(account) if verified => {
            state.admin.throttle.record_success(&keys[0].0);
            session::sign_in(&session, &account)?;
            tracing::info!(staff_id = account.id, "admin sign-in");
            Ok(views::see_other(&next))
        }
        _ => {
            state.admin.throttle.record_failure(&keys, Instant::now());
            tracing::warn!("admin sign-in failed");
            login_page(&session, 401, &email, &next, Some("The email or the password is wrong."))
        }
    }
}

pub async fn logout(session: Session) -> HttpResponse {
    session::sign_out(&session);
    views::see_other("/admin/login/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn s1_login_sends_on_only_to_admin_paths() {
        assert_eq!(super::safe_next(Some("/admin/users/?q=ann")), "/admin/users/?q=ann");
        for bad in ["https://evil.example/", "//evil.example/admin/", "/admin", "/sign/x/", "/admin/\\evil"] {
            assert_eq!(super::safe_next(Some(bad)), "/admin/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/admin/");
    }
}
