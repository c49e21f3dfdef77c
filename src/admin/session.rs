//! Who is signed in (SPEC S1): what the session cookie holds about the staff account, the
//! [`Staff`] and [`AdminOnly`] extractors, sign-in and sign-out.
//!
//! The cookie holds the account's id, email and role, a short digest of its password hash
//! and an absolute expiry. Every request re-reads the account: a deactivated account, a
//! changed role or a reset password ends the session, and the expiry holds even against a
//! browser that ignores the cookie's max age.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{web, FromRequest, HttpRequest};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{csrf, AdminError, SESSION_HOURS};
use crate::app::AppState;
use crate::gdpr::Actor;
use crate::people::Email;
use crate::staff::{self, Role, StaffAccount};

const STAFF_KEY: &str = "staff";

/// What the session says about the signed-in account.
#[derive(Serialize, Deserialize)]
struct SessionStaff {
    id: i64,
    email: String,
    role: String,
    /// Digest of the password hash when signing in: a reset ends the session.
    pw: String,
    /// Unix seconds after which the session is void.
    exp: i64,
}

fn password_digest(hash: &str) -> String {
    hex::encode(&Sha256::digest(hash.as_bytes())[..12])
}

/// A signed-in staff account of any role, with the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Staff {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub csrf_token: String,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The audit actor for a write made through the admin (SPEC S3, G6).
    pub fn actor(&self) -> Actor {
        Actor { who: format!("staff:{}", self.id), via: "admin".into() }
    }
}

/// A signed-in account with the role `admin`: supporter data (users, exports, forgotten
/// list, audit log). Editors get the 403 page.
#[derive(Clone, Debug)]
pub struct AdminOnly(pub Staff);

fn role_of(name: &str) -> Role {
    // Anything but "admin" gets the lesser role.
    if name == Role::Admin.as_str() {
        Role::Admin
    } else {
        Role::Editor
    }
}

/// Starts a session for `account` (after its password was verified): a fresh session
/// state and a fresh CSRF token, so nothing from before sign-in carries over.
pub fn sign_in(session: &Session, account: &StaffAccount) -> Result<(), AdminError> {
    session.renew();
    session.clear();
    let exp = Utc::now().timestamp() + SESSION_HOURS * 3600;
    let staff = SessionStaff {
        id: account.id,
        email: account.email.clone(),
        role: account.role.clone(),
        pw: password_digest(&account.password_hash),
        exp,
    };
    session.insert(STAFF_KEY, staff).map_err(|e| AdminError::internal(format!("session: {e}")))?;
    csrf::rotate(session)?;
    Ok(())
}

pub fn sign_out(session: &Session) {
    session.purge();
}

/// Where to come back to after signing in: this request's path, for GETs only.
fn next_of(req: &HttpRequest) -> String {
    if req.method() == actix_web::http::Method::GET {
        req.uri().path_and_query().map_or_else(|| "/admin/".to_owned(), ToString::to_string)
    } else {
        "/admin/".to_owned()
    }
}

/// The signed-in account, re-checked against the database.
async fn current(req: HttpRequest) -> Result<Staff, AdminError> {
    let session = req.get_session();
    let login = || AdminError::LoginRequired { next: next_of(&req) };
    let Some(stored) = session.get::<SessionStaff>(STAFF_KEY).ok().flatten() else { return Err(login()) };
    let Some(email) = Email::parse(&stored.email) else { return Err(login()) };
    if stored.exp <= Utc::now().timestamp() {
        sign_out(&session);
        return Err(login());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AdminError::internal("application state missing"))?;
    let account = state.db.read(move |conn| Ok(staff::find_active(conn, &email)?)).await?;
    let valid = account
        .as_ref()
        .is_some_and(|a| a.id == stored.id && a.role == stored.role && password_digest(&a.password_hash) == stored.pw);
    if !valid {
        sign_out(&session);
        return Err(login());
    }
    let csrf_token = csrf::token(&session)?;
    Ok(Staff { id: stored.id, email: stored.email, role: role_of(&stored.role), csrf_token })
}

/// Whether the request carries a live session (the login page sends those on).
pub fn has_session(req: &HttpRequest) -> bool {
    req.get_session().get::<SessionStaff>(STAFF_KEY).ok().flatten().is_some_and(|s| s.exp > Utc::now().timestamp())
}

impl FromRequest for Staff {
    type Error = AdminError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AdminError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        Box::pin(current(req.clone()))
    }
}

impl FromRequest for AdminOnly {
    type Error = AdminError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AdminError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let staff = current(req).await?;
            if staff.is_admin() {
                Ok(Self(staff))
            } else {
                Err(AdminError::Forbidden("This screen shows supporter data: it is for the admin role only.".into()))
            }
        })
    }
}
