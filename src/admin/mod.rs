//! The staff admin under `/admin/` (SPEC S1–S3, the admin parts of G1–G6 and B1):
//! server-rendered screens, usable without JavaScript, on their own templates
//! (`templates/admin/`, embedded; never the staff-editable templatesets) and a vendored CSS
//! base (`static/admin/pico.min.css`, MIT, licence beside it) plus `static/admin/admin.css`.
//!
//! What holds for every screen, whatever it is:
//! - **Sessions**: signed and encrypted cookies (actix-session's cookie store, a key derived
//!   from the instance secret), `HttpOnly`, `SameSite=Lax`, `Secure` when PLACARD_BASE_URL is
//!   https, eight hours at most; each request re-checks the account (still active, same role,
//!   same password), so deactivating or resetting an account ends its sessions ([`session`]).
//! - **CSRF**: every POST under `/admin/` must carry the session's token (form field
//!   `csrf_token`, or the `X-CSRF-Token` header; multipart forms put it in the action URL's
//!   query, as `?csrf_token=`), or it is refused with the 403 page before any handler runs
//!   ([`csrf`]). Templates get the token as `csrf_token`; `{{ csrf() }}` writes the field.
//! - **Roles**: the [`Staff`] extractor admits any signed-in account, [`AdminOnly`] only the
//!   role `admin`; editors get the 403 page on supporter data. Not signed in → the login page.
//! - **One write path (S3)**: handlers call the domain (`gdpr`, `people`, the engine …)
//!   inside `state.db.writer.submit`, with an [`crate::gdpr::Actor`] from [`Staff::actor`]
//!   (`staff:<id>`, via `admin`) so the audit entry names the account. Reads use
//!   `state.db.read`; the few read-only queries no domain module offers yet live in
//!   [`queries`].
//!
//! ## Adding a screen
//! 1. Write `src/admin/<screen>.rs` with thin handlers taking [`Staff`] or [`AdminOnly`],
//!    returning `Result<HttpResponse, AdminError>` and rendering with
//!    [`views::render`]`(&staff, "admin/<screen>.html", "<nav id>", ctx)`; after a write,
//!    answer [`views::see_other`] (POST → redirect → GET).
//! 2. Add `templates/admin/<screen>.html` starting with `{% extends "admin/layout.html" %}`
//!    and filling `{% block content %}`; put `{{ csrf() }}` in every `<form method="post">`;
//!    `{{ t|when }}` shows a stored timestamp to the minute.
//! 3. Wire its routes in [`routes`] below and give its [`views::NAV`] entry a path.
//!
//! The login throttle is kept in memory, per server process (see [`throttle`]).

pub mod audit;
pub mod charts;
pub mod consent;
pub mod csrf;
pub mod dashboard;
pub mod error;
pub mod forgotten;
pub mod login;
pub mod queries;
pub mod session;
pub mod throttle;
pub mod users;
pub mod views;

use actix_session::config::{CookieContentSecurity, PersistentSession, TtlExtensionPolicy};
use actix_session::storage::CookieSessionStore;
use actix_session::SessionMiddleware;
use actix_web::cookie::{Key, SameSite};
use actix_web::{middleware, web};

use crate::app::AppState;
use crate::crypto::subkey;
use crate::error::AppError;

pub use error::AdminError;
pub use session::{AdminOnly, Staff};

/// Name of the session cookie.
pub const COOKIE: &str = "placard_admin";
/// How long a session lasts from sign-in, at most (cookie max age and the server-side check).
pub const SESSION_HOURS: i64 = 8;

/// What the admin keeps for the process: the session key and the login throttle.
pub struct AdminState {
    session_key: Key,
    pub throttle: throttle::LoginThrottle,
}

impl AdminState {
    /// Derives the session key from the instance secret: two 32-byte subkeys, one to sign
    /// and one to encrypt, so no other use of the secret shares them.
    pub fn new(secret: &str) -> Result<Self, AppError> {
        // The admin's own templates compile now: a broken one stops start-up, not a request.
        views::check().map_err(|e| AppError::internal(format!("admin templates: {e}")))?;
        let mut key = subkey(secret, "admin session signing");
        key.extend(subkey(secret, "admin session encryption"));
        Ok(Self { session_key: Key::from(&key), throttle: throttle::LoginThrottle::default() })
    }
}

/// The `/admin` scope with its session and CSRF middleware; wired once in `app.rs`.
pub fn scope(
    state: &web::Data<AppState>,
) -> actix_web::Scope<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let secure = state.config.base_url.as_deref().is_some_and(|u| u.starts_with("https://"));
    let sessions = SessionMiddleware::builder(CookieSessionStore::default(), state.admin.session_key.clone())
        .cookie_name(COOKIE.to_owned())
        .cookie_path("/admin".to_owned())
        .cookie_secure(secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(
            PersistentSession::default()
                .session_ttl(actix_web::cookie::time::Duration::hours(SESSION_HOURS))
                .session_ttl_extension_policy(TtlExtensionPolicy::OnStateChanges),
        )
        .build();
    // Registered last = runs first: the session is loaded before the CSRF check reads it.
    web::scope("/admin").wrap(middleware::from_fn(csrf::check)).wrap(sessions).configure(routes)
}

/// Every admin route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("", web::get().to(dashboard::redirect_to_slash))
        .route("/", web::get().to(dashboard::show))
        .route("/login/", web::get().to(login::form))
        .route("/login/", web::post().to(login::submit))
        .route("/logout/", web::post().to(login::logout))
        .route("/users/", web::get().to(users::search))
        .route("/users/{id}/", web::get().to(users::show))
        .route("/users/{id}/export/", web::post().to(users::export))
        .route("/users/{id}/{verb}/", web::get().to(users::confirm))
        .route("/users/{id}/{verb}/", web::post().to(users::perform))
        .route("/forgotten/", web::get().to(forgotten::list))
        .route("/forgotten/forget/", web::post().to(forgotten::forget))
        .route("/forgotten/unforget/", web::post().to(forgotten::unforget))
        .route("/audit/", web::get().to(audit::list))
        .route("/consent-log/", web::get().to(consent::show))
        .route("/consent-log/", web::post().to(consent::verify))
        .default_service(web::to(error::not_found));
}
