//! SPEC R4 and S1: the OpenAPI document matches the router — every routed operation is
//! documented, every documented operation reaches its handler, and nothing else answers
//! at a documented path — and every non-public API route refuses a caller without
//! credentials. The routes are enumerated from the catalog the router is built from.

use std::collections::BTreeSet;

use placard::http::api_v1::resource::Method;
use placard::http::catalog::{Auth, Endpoint};
use serde_json::Value;

use crate::helpers::{both_backends, TestApp};

const ALL_METHODS: [Method; 5] = [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete];

/// A concrete path for a template: ids that exist nowhere, an email nobody has.
fn concrete(path: &str) -> String {
    path.replace("{id}", "987654").replace("{email}", "nobody%40example.org").replace("{typed}", "petition")
}

/// A request for `method` and `path` with `headers` set.
pub(crate) fn request(app: &TestApp, method: Method, path: &str, headers: &[(&str, String)]) -> awc::ClientRequest {
    let url = app.url(path);
    let mut req = match method {
        Method::Get => app.client.get(url),
        Method::Post => app.client.post(url),
        Method::Put => app.client.put(url),
        Method::Patch => app.client.patch(url),
        Method::Delete => app.client.delete(url),
    };
    for (name, value) in headers {
        req = req.insert_header((*name, value.as_str()));
    }
    req
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
) -> (u16, String, awc::http::header::HeaderMap) {
    let req = request(app, method, path, headers);
    let mut res = if method == Method::Get || method == Method::Delete {
        req.send().await.expect("answered")
    } else {
        req.insert_header(("Content-Type", "application/json")).send_body("{}").await.expect("answered")
    };
    let body = res.body().limit(4 << 20).await.expect("body");
    (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), res.headers().clone())
}

fn documented_operations(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    ops
}

fn routed_operations(endpoints: &[Endpoint]) -> BTreeSet<(String, String)> {
    endpoints.iter().map(|e| (e.method.name().to_owned(), e.path.clone())).collect()
}

fn is_json(headers: &awc::http::header::HeaderMap) -> bool {
    headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"))
}

both_backends!(r4_openapi_document_lists_exactly_the_routed_operations, |app| {
    let (status, body, headers) = app.get("/rest/v1/openapi.json").await;
    assert_eq!(status, 200, "{body}");
    assert!(is_json(&headers));
    let doc: Value = serde_json::from_str(&body).expect("JSON");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "an OpenAPI 3 document");
    let documented = documented_operations(&doc);
    let routed = routed_operations(&placard::http::openapi::endpoints());
    assert_eq!(documented, routed, "the document and the router list the same operations");
    for (method, path) in [
        ("POST", "/rest/v1/action/"),
        ("GET", "/rest/v1/user/"),
        ("POST", "/rest/v1/user/"),
        ("PATCH", "/rest/v1/user/{id}/"),
        ("GET", "/rest/v1/user/schema/"),
        ("POST", "/rest/v1/eraser/"),
        ("POST", "/rest/v1/upload/"),
        ("POST", "/api/users/forget"),
        ("GET", "/api/users/{email}"),
    ] {
        assert!(documented.contains(&(method.into(), path.into())), "{method} {path} is documented");
    }
    // Every `$ref` resolves inside the document.
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for reference in body.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap_or_default();
        assert!(schemas.contains_key(name), "schema {name} is defined");
    }
});

both_backends!(r4_every_documented_operation_reaches_its_handler_and_nothing_else_answers_there, |app| {
    let staff = app.staff_basic_auth("api@example.org", "correct horse battery");
    let key = app
        .state
        .db
        .writer
        .submit_now(|c| Ok(placard::staff::apikeys::create(c, "openapi test", chrono::Utc::now().naive_utc())?))
        .expect("api key");
    let credentials = [("Authorization", staff), ("Api-Key", key)];
    let (_, body, _) = app.get("/rest/v1/openapi.json").await;
    let doc: Value = serde_json::from_str(&body).expect("JSON");
    let documented = documented_operations(&doc);
    let paths: BTreeSet<&String> = documented.iter().map(|(_, p)| p).collect();
    for path in paths {
        for method in ALL_METHODS {
            let (status, body, headers) = send(&app, method, &concrete(path), &credentials).await;
            let described = documented.contains(&(method.name().to_owned(), path.clone()));
            if described {
                assert_ne!(status, 405, "{} {path} is routed: {body}", method.name());
                assert!(
                    status != 404 || is_json(&headers),
                    "{} {path} reaches an API handler, not the site's not-found page",
                    method.name()
                );
                assert!(status < 500, "{} {path} answered {status}: {body}", method.name());
            } else {
                assert_eq!(status, 405, "{} {path} is not documented, so it is not answered: {body}", method.name());
                assert!(headers.get("allow").is_some(), "a 405 names the allowed methods");
            }
        }
    }
});

both_backends!(s1_every_non_public_api_route_refuses_a_caller_without_credentials, |app| {
    let endpoints = placard::http::openapi::endpoints();
    assert!(endpoints.len() > 30, "the catalog enumerates the whole API");
    for e in endpoints.iter().filter(|e| matches!(e.auth, Auth::Staff | Auth::ApiKey)) {
        let (status, body, headers) = send(&app, e.method, &concrete(&e.path), &[]).await;
        assert_eq!(status, 401, "{} {} refuses without credentials: {body}", e.method.name(), e.path);
        assert!(is_json(&headers), "{} {} refuses in JSON", e.method.name(), e.path);
        let wrong =
            [("Authorization", "Basic bm9ib2R5QGV4YW1wbGUub3JnOndyb25n".to_owned()), ("Api-Key", "wrong".to_owned())];
        let (status, _, _) = send(&app, e.method, &concrete(&e.path), &wrong).await;
        assert_eq!(status, 401, "{} {} refuses wrong credentials", e.method.name(), e.path);
    }
});

both_backends!(s1_an_editor_reaches_page_resources_but_no_supporter_data, |app| {
    use base64::Engine as _;
    let email = placard::people::Email::parse("editor@example.org").expect("email");
    app.state
        .db
        .writer
        .submit_now(move |c| placard::staff::add_or_reset(c, &email, "editor password", placard::staff::Role::Editor))
        .expect("editor account");
    let basic = base64::engine::general_purpose::STANDARD.encode("editor@example.org:editor password");
    let editor = [("Authorization", format!("Basic {basic}"))];
    let endpoints = placard::http::openapi::endpoints();
    let mut refused = 0;
    for e in endpoints.iter().filter(|e| matches!(e.auth, Auth::Staff | Auth::StaffOptional)) {
        let (status, body, _) = send(&app, e.method, &concrete(&e.path), &editor).await;
        let pages = e.resource.is_some_and(|(desc, _)| desc.name.ends_with("page") || desc.name == "allowedpagefield");
        if pages {
            assert_ne!(status, 403, "{} {} is open to editors: {body}", e.method.name(), e.path);
            assert_ne!(status, 401, "{} {} accepts the editor's credentials", e.method.name(), e.path);
        } else {
            assert_eq!(status, 403, "{} {} is refused to an editor: {body}", e.method.name(), e.path);
            refused += 1;
        }
    }
    assert!(refused > 20, "users, phones, actions, privacy records, orders, uploads, eraser … are refused");
    let (status, body, _) = send(&app, Method::Get, "/rest/v1/petitionpage/", &editor).await;
    assert_eq!(status, 200, "{body}");
});
