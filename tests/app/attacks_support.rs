//! What the `attacks_*` tests share: the body-taking routes of the API catalog with a
//! concrete path for each, credentials that get a request past authentication to its
//! body, a raw request sender for any method and body, and a count of stored rows that a
//! refused request must leave unchanged.

use diesel::prelude::*;
use placard::db::schema::{
    core_action, core_allowedpagefield, core_alloweduserfield, core_list, core_page, core_phone, core_subscription,
    core_upload, core_user,
};
use placard::http::api_v1::resource::Method;
use placard::http::catalog::{Body, Endpoint};

use crate::helpers::TestApp;

pub const STAFF: &str = "attacks-staff@example.org";
pub const STAFF_PASSWORD: &str = "a long staff password for attacks";

/// A concrete path for a catalog template: ids that exist nowhere, an email nobody has.
pub fn concrete(path: &str) -> String {
    path.replace("{id}", "987654").replace("{email}", "nobody%40example.org").replace("{typed}", "petition")
}

/// Every operation of the API catalog (REST and Iterable-style) that takes a body.
pub fn body_endpoints() -> Vec<Endpoint> {
    let all: Vec<Endpoint> = placard::http::openapi::endpoints().into_iter().filter(|e| e.body != Body::None).collect();
    assert!(all.len() >= 10, "the catalog lists the API's body-taking routes: {}", all.len());
    all
}

/// `Authorization` (an admin over HTTP Basic) and `Api-Key` headers that pass every
/// route's authentication, so a request reaches the reading of its body.
pub fn credentials(app: &TestApp) -> Vec<(&'static str, String)> {
    let basic = app.staff_basic_auth(STAFF, STAFF_PASSWORD);
    let now = chrono::Utc::now().naive_utc();
    let key = app
        .state
        .db
        .writer
        .submit_now(move |c| Ok(placard::staff::apikeys::create(c, "attacks", now)?))
        .expect("an API key");
    vec![("Authorization", basic), ("Api-Key", key)]
}

/// Sends `body` with `method` to `path`; `(status, body text)`.
pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String) {
    let req = crate::openapi::request(app, method, path, headers);
    match req.insert_header(("Content-Type", content_type)).send_body(body).await {
        Ok(mut res) => {
            let text = res.body().limit(4 << 20).await.unwrap_or_default();
            (res.status().as_u16(), String::from_utf8_lossy(&text).into_owned())
        }
        // The server may answer and close before the whole body was sent.
        Err(e) => (0, format!("connection ended: {e}")),
    }
}

/// Rows in every table an API write can add to; a refused request leaves these equal.
pub fn stored_rows(app: &TestApp) -> Vec<(&'static str, i64)> {
    app.query(|c| {
        Ok(vec![
            ("core_user", core_user::table.count().get_result(c)?),
            ("core_action", core_action::table.count().get_result(c)?),
            ("core_subscription", core_subscription::table.count().get_result(c)?),
            ("core_phone", core_phone::table.count().get_result(c)?),
            ("core_page", core_page::table.count().get_result(c)?),
            ("core_list", core_list::table.count().get_result(c)?),
            ("core_upload", core_upload::table.count().get_result(c)?),
            ("core_alloweduserfield", core_alloweduserfield::table.count().get_result(c)?),
            ("core_allowedpagefield", core_allowedpagefield::table.count().get_result(c)?),
        ])
    })
}
