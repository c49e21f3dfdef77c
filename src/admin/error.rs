//! `AdminError`: how the admin says no. Not signed in → a redirect to the login page;
//! forbidden, a refused CSRF token, too many sign-ins, not found, bad input and failures →
//! the admin's own error page (`templates/admin/error.html`) with the right status, never
//! the supporter-facing templateset. Internal causes are logged, not shown.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use super::views;
use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("sign in first")]
    LoginRequired { next: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("This form has expired or did not come from this admin. Go back, reload the page and try again.")]
    CsrfRejected,
    #[error("Too many failed sign-ins. Try again in {minutes} minutes.")]
    TooManyAttempts { minutes: u64 },
    #[error(transparent)]
    App(#[from] AppError),
}

impl AdminError {
    pub fn internal(context: impl std::fmt::Display) -> Self {
        Self::App(AppError::internal(context))
    }

    fn message(&self) -> String {
        match self {
            Self::App(e) => e.public_message(),
            other => other.to_string(),
        }
    }
}

/// Security headers for every admin page: never cached, never framed, no third-party
/// anything (the admin loads only its own CSS; charts are inline SVG).
pub fn harden(res: &mut HttpResponse) {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
}

impl ResponseError for AdminError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
            Self::Forbidden(_) | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::App(e) => e.status(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::LoginRequired { next } = self {
            let location =
                format!("/admin/login/?next={}", form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>());
            let mut res = HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish();
            harden(&mut res);
            return res;
        }
        if let Self::App(e) = self {
            e.log_if_internal();
        }
        let status = self.status_code();
        let ctx = minijinja::context! {
            status => status.as_u16(),
            title => status.canonical_reason().unwrap_or("Error"),
            message => self.message(),
        };
        let html = views::render_html("admin/error.html", ctx)
            .unwrap_or_else(|_| format!("<!doctype html><title>{status}</title><p>{status}</p>"));
        let mut res = HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html);
        harden(&mut res);
        res
    }
}

/// Unknown admin paths: the admin's 404 page.
pub async fn not_found(_req: HttpRequest) -> Result<HttpResponse, AdminError> {
    Err(AdminError::App(AppError::NotFound("There is no such admin page.".into())))
}
