//! `AppError`, the one error type, and the two ways it leaves the process: `ApiError`
//! (JSON body `{"errors": …}` or `{"error": …}`) and `PageError` (an HTML page rendered by
//! the error-page middleware in `http::errors`).
//!
//! Internal causes are logged with their chain and shown to nobody: a user sees a plain
//! message. Validation errors carry `(field, code)` plus the message already resolved in
//! the page's language.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// One field's complaint: `error_<field>:<code>` names its language string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Every field complaint of one request, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `{"field": ["message", …]}` in first-seen field order.
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for e in &self.0 {
            let slot = map.entry(e.field.clone()).or_insert_with(|| serde_json::Value::Array(vec![]));
            if let serde_json::Value::Array(list) = slot {
                list.push(serde_json::Value::String(e.message.clone()));
            }
        }
        serde_json::Value::Object(map)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(ValidationErrors),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Someone saved first (a second tab editing the same template).
    #[error("{0}")]
    Conflict(String),
    /// The person asked to be forgotten (SPEC G3): nothing was stored. Public forms show
    /// the normal thanks at `redirect_url`; authenticated callers are told.
    #[error("this person asked to be forgotten; nothing about them is collected")]
    Forgotten { redirect_url: String },
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the server is busy, try again shortly")]
    Unavailable,
    #[error("database error")]
    Database(#[from] diesel::result::Error),
    #[error("database connection unavailable")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(context: impl std::fmt::Display) -> Self {
        Self::Internal(context.to_string())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) | Self::Database(diesel::result::Error::NotFound) => StatusCode::NOT_FOUND,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::Forgotten { .. } => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable | Self::Pool(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(e) if connection_lost(e) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Database(_) | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a user may be told. Internal causes stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Self::Database(diesel::result::Error::NotFound) => "Not found.".to_owned(),
            Self::Database(e) if connection_lost(e) => "The server is busy, try again shortly.".to_owned(),
            Self::Database(_) | Self::Internal(_) => "Something went wrong on our side. Please try again.".to_owned(),
            Self::Pool(_) => "The server is busy, try again shortly.".to_owned(),
            Self::Validation(_) => "Please correct the errors below.".to_owned(),
            other => other.to_string(),
        }
    }

    /// Logs server-side failures once, with their cause, and never personal data: only
    /// the error's own text, which comes from the database driver or our code.
    pub fn log_if_internal(&self) {
        if self.status().is_server_error() {
            tracing::error!(error = %self, cause = ?std::error::Error::source(self), "request failed");
        }
    }
}

/// Whether the database went away under a query (PostgreSQL stopped, restarted, or the
/// network cut): the request failed for now, not for good, so it is a 503 like an empty
/// pool, and the client may retry.
fn connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match e {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => true,
        Error::RollbackErrorOnCommit { commit_error, .. } => connection_lost(commit_error),
        _ => false,
    }
}

/// An `AppError` on its way to an API client: JSON, ActionKit's shapes.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log_if_internal();
        let body = match &self.0 {
            AppError::Validation(errors) => serde_json::json!({ "errors": errors.to_json() }),
            other => serde_json::json!({ "error": other.public_message() }),
        };
        let mut res = HttpResponse::build(self.status_code()).json(body);
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from_static("1"));
        }
        res
    }
}

/// An `AppError` on its way to a browser: the status plus an [`ErrorPage`] extension
/// that `http::errors` renders with the Original `error.html`.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Carried on an error response for the HTML error-page middleware.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log_if_internal();
        let mut res = HttpResponse::build(self.status_code()).finish();
        if self.status_code() == StatusCode::SERVICE_UNAVAILABLE {
            // Overload sheds load: ask the browser to come back shortly.
            res.headers_mut()
                .insert(actix_web::http::header::RETRY_AFTER, actix_web::http::header::HeaderValue::from_static("1"));
        }
        res.extensions_mut().insert(ErrorPage { message: self.0.public_message() });
        res
    }
}
