//! The HTML error page: any response carrying an [`ErrorPage`] (set by `PageError`) gets
//! its body rendered from the Original `error.html`. API errors (JSON) pass untouched.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
use actix_web::web;

use crate::app::AppState;
use crate::error::ErrorPage;
use crate::render::ORIGINAL;

pub fn html_error_pages<B: MessageBody + 'static>() -> ErrorHandlers<B> {
    ErrorHandlers::new().default_handler(render_error_page)
}

// actix's ErrorHandlers wants a Result even from a handler that cannot fail.
#[allow(clippy::unnecessary_wraps)]
fn render_error_page<B: MessageBody + 'static>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let Some(page) = res.response().extensions().get::<ErrorPage>().cloned() else {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    };
    let status = res.status();
    let html = res
        .request()
        .app_data::<web::Data<AppState>>()
        .and_then(|state| {
            let ctx = minijinja::context! {
                status => status.as_u16(),
                title => status.canonical_reason().unwrap_or("Error"),
                message => page.message.clone(),
                client_name => state.config.client_name.clone(),
            };
            state.renderer.render(ORIGINAL, "error.html", &ctx).ok()
        })
        // If even the error template fails, a bare page still tells the user something.
        .unwrap_or_else(|| format!("<!doctype html><title>{status}</title><p>{status}</p>"));
    let (req, mut res) = res.into_parts();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    let res = res.set_body(BoxBody::new(html));
    Ok(ErrorHandlerResponse::Response(ServiceResponse::new(req, res).map_body(|_, b| EitherBody::right(b))))
}
