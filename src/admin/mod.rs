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
pub mod blackholed;
pub mod charts;
pub mod consent;
pub mod csrf;
pub mod dashboard;
pub mod error;
pub mod fields;
pub mod forgotten;
pub mod imports;
pub mod languages;
pub mod lists;
pub mod login;
pub mod notices;
pub mod outbox;
pub mod pages;
pub mod privacy;
pub mod queries;
pub mod reports;
pub mod session;
pub mod templatesets;
pub mod throttle;
pub mod user_edit;
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
        .route("/users/{id}/edit/", web::get().to(user_edit::form))
        .route("/users/{id}/edit/", web::post().to(user_edit::save))
        .route("/users/{id}/subscribe/", web::post().to(user_edit::subscribe))
        .route("/users/{id}/unsubscribe/", web::post().to(user_edit::unsubscribe))
        .route("/users/{id}/{verb}/", web::get().to(users::confirm))
        .route("/users/{id}/{verb}/", web::post().to(users::perform))
        .route("/forgotten/", web::get().to(forgotten::list))
        .route("/forgotten/forget/", web::post().to(forgotten::forget))
        .route("/forgotten/unforget/", web::post().to(forgotten::unforget))
        .route("/audit/", web::get().to(audit::list))
        .route("/imports/", web::get().to(imports::list))
        .route("/imports/", web::post().to(imports::create))
        .route("/imports/{id}/", web::get().to(imports::show))
        .route("/imports/{id}/status/", web::get().to(imports::status))
        .route("/outbox/", web::get().to(outbox::list))
        .route("/blackholed/", web::get().to(blackholed::list))
        .route("/blackholed/add/", web::post().to(blackholed::add))
        .route("/blackholed/remove/", web::post().to(blackholed::remove))
        .route("/privacy/", web::get().to(privacy::show))
        .route("/privacy/", web::post().to(privacy::save))
        .route("/privacy/texts/", web::post().to(privacy::save_texts))
        .route("/privacy/notices/", web::get().to(notices::show))
        .route("/privacy/notices/diff/", web::get().to(notices::diff))
        .route("/reports/", web::get().to(reports::index))
        .route("/reports/records/", web::get().to(reports::records))
        .route("/reports/stragglers/", web::get().to(reports::stragglers))
        .route("/reports/actions-per-page/", web::get().to(reports::actions_per_page))
        .route("/templatesets/", web::get().to(templatesets::list))
        .route("/templatesets/", web::post().to(templatesets::create))
        .route("/templatesets/{id}/", web::get().to(templatesets::show))
        .route("/templatesets/{id}/edit/", web::get().to(templatesets::edit))
        .route("/templatesets/{id}/save/", web::post().to(templatesets::save))
        .route("/templatesets/{id}/preview/", web::post().to(templatesets::preview))
        .route("/templatesets/{id}/revisions/", web::get().to(templatesets::revisions))
        .route("/templatesets/{id}/restore/", web::post().to(templatesets::restore))
        .route("/templatesets/{id}/revert/", web::post().to(templatesets::revert))
        .route("/languages/", web::get().to(languages::list))
        .route("/languages/strings/", web::post().to(languages::add))
        .route("/languages/{lang}/", web::get().to(languages::show))
        .route("/languages/{lang}/", web::post().to(languages::save))
        .route("/pages/", web::get().to(pages::list))
        .route("/pages/new/", web::get().to(pages::new_form))
        .route("/pages/new/", web::post().to(pages::create))
        .route("/pages/{id}/", web::get().to(pages::edit_form))
        .route("/pages/{id}/", web::post().to(pages::update))
        .route("/pages/{id}/delete/", web::post().to(pages::delete))
        .route("/pages/{id}/preview/", web::get().to(pages::preview))
        .route("/lists/", web::get().to(lists::list))
        .route("/lists/", web::post().to(lists::create))
        .route("/lists/{id}/", web::post().to(lists::rename))
        .route("/lists/{id}/default/", web::post().to(lists::make_default))
        .route("/fields/", web::get().to(fields::list))
        .route("/fields/user/", web::post().to(fields::add_user_field))
        .route("/fields/page/", web::post().to(fields::add_page_field))
        .route("/consent-log/", web::get().to(consent::show))
        .route("/consent-log/", web::post().to(consent::verify))
        .default_service(web::to(error::not_found));
}
