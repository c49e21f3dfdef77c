//! Oversized bodies (SPEC O1, A1): every route that takes a body answers 413 to one larger
//! than `PLACARD_MAX_BODY_BYTES` (or, for CSV uploads, a form part over its own limit),
//! whether its length is announced or it comes chunked, and stores nothing.
//!
//! The routes are enumerated, not listed by hand: the API's from the catalog the router is
//! built from (`http::openapi::endpoints`, every operation with a body), the public,
//! self-service and receipt forms and every admin form from the `.route("…", web::post()…`
//! lines of the files that wire them (`src/http/{public,me,receipts}.rs`,
//! `src/admin/mod.rs`), read at compile time, so a new POST route is covered here too.

use crate::admin::{add_staff, csrf_of, Admin};
use crate::attacks_support::{body_endpoints, concrete, credentials, send, stored_rows};
use crate::helpers::{both_backends, TestApp};
use placard::http::api_v1::resource::Method;
use placard::http::catalog::Body;

const ADMIN_EMAIL: &str = "bodies-admin@example.org";
/// `tests/app/admin.rs`'s password for accounts made with `add_staff`.
const ADMIN_PASSWORD: &str = "a long staff password";

/// The POST paths a wiring file registers, with `prefix` in front.
fn post_routes(source: &str, prefix: &str) -> Vec<String> {
    source
        .lines()
        .filter(|l| l.contains("web::post()"))
        .filter_map(|l| l.split(".route(\"").nth(1).and_then(|rest| rest.split('"').next()))
        .map(|path| format!("{prefix}{path}").replace("{id}", "1").replace("{verb}", "erase").replace("{lang}", "en"))
        .collect()
}

fn public_post_routes() -> Vec<String> {
    let mut routes = post_routes(include_str!("../../src/http/public.rs"), "");
    routes.extend(post_routes(include_str!("../../src/http/me.rs"), ""));
    routes.extend(post_routes(include_str!("../../src/http/receipts.rs"), ""));
    assert!(routes.len() >= 6, "/act/, /me/… and /receipts/verify: {routes:?}");
    routes
}

fn admin_post_routes() -> Vec<String> {
    let routes = post_routes(include_str!("../../src/admin/mod.rs"), "/admin");
    assert!(routes.len() >= 25, "every admin form: {routes:?}");
    routes
}

/// A form body of `size` bytes that would otherwise be a valid action.
fn big_form(size: usize) -> Vec<u8> {
    // `filler` is no field the engine knows, in short values (each is length-checked):
    // only the total size matters.
    let mut body = b"page=stay-informed&email=big%40example.org&first_name=Big".to_vec();
    while body.len() < size {
        body.extend_from_slice(b"&filler=");
        body.extend(std::iter::repeat_n(b'x', 100));
    }
    body.truncate(size);
    body
}

/// A JSON object of `size` bytes that would otherwise be a valid action.
fn big_json(size: usize) -> Vec<u8> {
    let head = r#"{"page": "stay-informed", "email": "big@example.org", "name": "x", "comment": ""#;
    let mut body = head.as_bytes().to_vec();
    body.resize(size - 2, b'x');
    body.extend_from_slice(b"\"}");
    body
}

const BOUNDARY: &str = "attacksboundary";

/// A CSV upload whose non-file part is over `MAX_FIELD_BYTES`.
fn big_multipart() -> Vec<u8> {
    let long = "x".repeat(placard::http::multipart::MAX_FIELD_BYTES + 1000);
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\n{long}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nemail\r\nbig@example.org\r\n--{BOUNDARY}--\r\n"
    )
    .into_bytes()
}

fn no_big_user(app: &TestApp) -> bool {
    use diesel::prelude::*;
    use placard::db::schema::core_user;
    app.query(|c| core_user::table.filter(core_user::email.eq("big@example.org")).count().get_result::<i64>(c)) == 0
}

both_backends!(o1_oversized_bodies_to_every_api_route_are_413_and_store_nothing, |app| {
    let limit = app.state.config.max_body_bytes;
    let headers = credentials(&app);
    let before = stored_rows(&app);
    for e in body_endpoints() {
        let path = concrete(&e.path);
        let (content_type, body) = match e.body {
            Body::ActionFields => ("application/x-www-form-urlencoded".to_owned(), big_form(limit + 1)),
            Body::Multipart => (format!("multipart/form-data; boundary={BOUNDARY}"), big_multipart()),
            Body::Json(_) | Body::Resource | Body::None => ("application/json".to_owned(), big_json(limit + 1)),
        };
        let (status, text) = send(&app, e.method, &path, &headers, &content_type, body).await;
        assert_eq!(status, 413, "{} {path} ({:?}): {text}", e.method.name(), e.body);
        if e.body == Body::ActionFields {
            let (status, text) = send(&app, e.method, &path, &headers, "application/json", big_json(limit + 1)).await;
            assert_eq!(status, 413, "{} {path} as JSON: {text}", e.method.name());
            let (status, text) = send(&app, e.method, &path, &headers, "application/xml", big_form(limit + 1)).await;
            assert_eq!(status, 413, "{} {path} as XML: {text}", e.method.name());
        }
    }
    assert_eq!(stored_rows(&app), before, "nothing was stored");
    assert!(no_big_user(&app));
});

both_backends!(o1_oversized_bodies_to_public_and_self_service_forms_are_413_and_store_nothing, |app| {
    let limit = app.state.config.max_body_bytes;
    let before = stored_rows(&app);
    for path in public_post_routes() {
        // The receipt verifier takes JSON; every other route here a form.
        let (content_type, big) = if path.starts_with("/receipts/") {
            ("application/json", big_json(limit + 1))
        } else {
            ("application/x-www-form-urlencoded", big_form(limit + 1))
        };
        let (status, text) = send(&app, Method::Post, &path, &[], content_type, big.clone()).await;
        assert_eq!(status, 413, "POST {path}: {text}");
        // Chunked, with no length announced: refused as it streams.
        let chunks: Vec<Result<actix_web::web::Bytes, std::io::Error>> =
            big.chunks(8192).map(|c| Ok(actix_web::web::Bytes::copy_from_slice(c))).collect();
        let res = app
            .client
            .post(app.url(&path))
            .insert_header(("Content-Type", content_type))
            .send_stream(futures_util::stream::iter(chunks))
            .await;
        if let Ok(res) = res {
            assert_eq!(res.status().as_u16(), 413, "POST {path}, chunked");
        }
    }
    // A body just within the limit is still taken.
    let (status, text) =
        send(&app, Method::Post, "/act/", &[], "application/x-www-form-urlencoded", big_form(limit)).await;
    assert_eq!(status, 302, "a body of exactly the limit is accepted: {text}");
    let after = stored_rows(&app);
    assert_eq!(after[0].1, before[0].1 + 1, "only that action stored a supporter");
});

both_backends!(o1_oversized_bodies_to_every_admin_form_are_413_and_change_nothing, |app| {
    let limit = app.state.config.max_body_bytes;
    add_staff(&app, ADMIN_EMAIL, placard::staff::Role::Admin);
    let mut admin = Admin::new(&app);
    let (status, _, _) = admin.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(status, 303, "signed in");
    let (_, page, _) = admin.get("/admin/lists/").await;
    let token = csrf_of(&page);
    let before = stored_rows(&app);
    let routes = admin_post_routes();
    for path in &routes {
        let mut body = format!("csrf_token={token}&name=").into_bytes();
        body.resize(limit + 1, b'x');
        let (status, text, _) = admin.post(path, &String::from_utf8(body).expect("ASCII")).await;
        assert_eq!(status, 413, "POST {path}: {text}");
    }
    // The import form is multipart: its non-file parts have their own limit.
    let mut req = app
        .client
        .post(app.url(&format!("/admin/imports/?csrf_token={token}")))
        .insert_header(("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")));
    if let Some(cookie) = admin.set_cookies.last().and_then(|c| c.split(';').next()) {
        req = req.insert_header(("Cookie", cookie.to_owned()));
    }
    let mut res = req.send_body(big_multipart()).await.expect("answered");
    let text = res.body().await.unwrap_or_default();
    assert_eq!(res.status().as_u16(), 413, "the import form's oversized part: {}", String::from_utf8_lossy(&text));
    assert_eq!(stored_rows(&app), before, "nothing was stored or changed");
    let (status, _, _) = admin.get("/admin/").await;
    assert_eq!(status, 200, "still signed in: the refusals did not end the session");
});

/// An upload body: `extra` small parts before the file part, and the file part `files` times.
fn multipart_with(extra: usize, files: usize) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut body = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\nmembers\r\n");
    for n in 0..extra {
        let _ = write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x{n}\"\r\n\r\nx\r\n");
    }
    for _ in 0..files {
        let _ = write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nemail\r\nbig@example.org\r\n"
        );
    }
    let _ = write!(body, "--{BOUNDARY}--\r\n");
    body.into_bytes()
}

// However small each part, a body cannot make the server hold many of them, nor more than
// one file: both are refused with a 400 naming the reason, and nothing is stored.
both_backends!(o1_uploads_with_too_many_parts_or_two_files_are_400_and_store_nothing, |app| {
    let headers = credentials(&app);
    let before = stored_rows(&app);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let many = multipart_with(placard::http::multipart::MAX_PARTS, 1);
    let (status, text) = send(&app, Method::Post, "/rest/v1/upload/", &headers, &content_type, many).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("more than 32 parts"), "{text}");
    let two = multipart_with(0, 2);
    let (status, text) = send(&app, Method::Post, "/rest/v1/upload/", &headers, &content_type, two).await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("more than one upload part"), "{text}");
    assert_eq!(stored_rows(&app), before, "nothing was stored");
});
