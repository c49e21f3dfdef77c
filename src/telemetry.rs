//! Tracing set-up, the per-request root span (with a request id, method, path and status;
//! never query strings, bodies or other personal data), and `run_blocking`, which moves
//! blocking database work off the async workers while keeping the current span.
//!
//! Reads `RUST_LOG` (default `info`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

use crate::error::AppError;

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Logs go to stderr so that stdout carries only what the CLI means to print.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        // Colour codes only on a terminal: log files and journals get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Root span of every request: the path without its query string (akids and emails
/// travel in query strings, and logs must not hold them).
pub struct PlacardRootSpan;

impl RootSpanBuilder for PlacardRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id =
            request.extensions().get::<tracing_actix_web::RequestId>().map(ToString::to_string).unwrap_or_default();
        tracing::info_span!(
            "request",
            request_id = %request_id,
            method = %request.method(),
            path = %loggable_path(request.path()),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if let Ok(res) = outcome {
            span.record("status", res.status().as_u16());
        }
        // One line per request at debug level (its span carries the request id); silent at
        // the default `info`, so the hot path pays nothing for it.
        span.in_scope(|| tracing::debug!("answered"));
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// `path` with every segment that holds an email address (`/api/users/<email>`) replaced
/// by `{email}`, and the id of `/api/users/byUserId/<id>` by `{id}` (a forget may name a
/// person by that id): paths are logged, and logs must not hold personal data.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    let holds_email = |segment: &str| segment.contains('@') || segment.to_ascii_lowercase().contains("%40");
    let names_user = |previous: Option<&str>| previous.is_some_and(|p| p.eq_ignore_ascii_case("byUserId"));
    let segments: Vec<&str> = path.split('/').collect();
    let redact = |i: usize| holds_email(segments[i]) || (i > 0 && names_user(segments.get(i - 1).copied()));
    if !(0..segments.len()).any(redact) {
        return std::borrow::Cow::Borrowed(path);
    }
    let redacted: Vec<&str> = (0..segments.len())
        .map(|i| match segments[i] {
            s if holds_email(s) => "{email}",
            s if redact(i) && !s.is_empty() => "{id}",
            s => s,
        })
        .collect();
    std::borrow::Cow::Owned(redacted.join("/"))
}

/// `web::block` that carries the current span into the blocking thread pool and turns a
/// cancelled or panicked job into an `AppError` instead of a crash.
pub async fn run_blocking<T, F>(f: F) -> Result<T, AppError>
where
    F: FnOnce() -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let span = Span::current();
    actix_web::web::block(move || span.in_scope(f))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn o5_logged_paths_hold_no_email_or_user_id() {
        assert_eq!(loggable_path("/api/users/a%40x.org"), "/api/users/{email}");
        assert_eq!(loggable_path("/api/users/byUserId/42"), "/api/users/byUserId/{id}");
        assert_eq!(loggable_path("/sign/save-the-bees/"), "/sign/save-the-bees/");
    }
}
