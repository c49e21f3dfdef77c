//! `/static/…`: the stylesheet and scripts of `static/`, embedded in the binary.

use actix_web::{web, HttpResponse};
use include_dir::{include_dir, Dir};

static STATIC: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/static");

pub async fn serve(path: web::Path<String>) -> HttpResponse {
    file(&path.into_inner())
}

/// One embedded file with its content type, or a plain 404.
pub fn file(name: &str) -> HttpResponse {
    let Some(file) = STATIC.get_file(name) else {
        return HttpResponse::NotFound().content_type("text/plain").body("not found");
    };
    let content_type = match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    };
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(file.contents())
}
