//! The staff admin over HTTP (SPEC S1, S2, S3, G1, G3, G6, B1): sign-in, throttling, the
//! session cookie, CSRF on every POST, roles, the dashboard's charts, and the data-subject
//! screens going through `gdpr` with audit entries naming the staff account.

use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_privacyrecord, core_user};
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "boss@example.org";
const EDITOR: &str = "writer@example.org";
const PASSWORD: &str = "a long staff password";
const SUPPORTER: &str = "ada.lovelace@example.org";

/// A browser-like client of the admin: keeps the session cookie, reads CSRF tokens.
pub struct Admin<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
    /// Every `Set-Cookie` for the session seen so far.
    pub set_cookies: Vec<String>,
}

pub type Answer = (u16, String, awc::http::header::HeaderMap);

pub fn add_staff(app: &TestApp, email: &str, role: Role) {
    let parsed = placard::people::Email::parse(email).unwrap();
    app.state.db.writer.submit_now(|c| placard::staff::add_or_reset(c, &parsed, PASSWORD, role)).unwrap();
}

pub fn staff_id(app: &TestApp, email: &str) -> i64 {
    use placard::db::schema::auth_staff;
    let email = email.to_owned();
    app.query(move |c| auth_staff::table.filter(auth_staff::email.eq(email)).select(auth_staff::id).first(c))
}

/// The value of the first `csrf_token` field on the page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf_token\" value=\"").expect("a CSRF field on the page");
    let rest = &html[at + "name=\"csrf_token\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl<'a> Admin<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None, set_cookies: vec![] }
    }

    fn keep_cookie(&mut self, headers: &awc::http::header::HeaderMap) {
        for value in headers.get_all("set-cookie") {
            let value = value.to_str().unwrap().to_owned();
            if let Some(pair) = value.split(';').next().filter(|p| p.starts_with("placard_admin=")) {
                self.cookie = Some(pair.to_owned());
                self.set_cookies.push(value);
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let mut req = self.app.client.get(self.app.url(path));
        if let Some(c) = &self.cookie {
            req = req.insert_header(("Cookie", c.clone()));
        }
        let mut res = req.send().await.expect("GET is answered");
        let body = res.body().limit(8 << 20).await.expect("body");
        let headers = res.headers().clone();
        self.keep_cookie(&headers);
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), headers)
    }

    pub async fn post(&mut self, path: &str, body: &str) -> Answer {
        let mut req = self
            .app
            .client
            .post(self.app.url(path))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"));
        if let Some(c) = &self.cookie {
            req = req.insert_header(("Cookie", c.clone()));
        }
        let mut res = req.send_body(body.to_owned()).await.expect("POST is answered");
        let body = res.body().limit(8 << 20).await.expect("body");
        let headers = res.headers().clone();
        self.keep_cookie(&headers);
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), headers)
    }

    /// GETs `page` for its CSRF token, then POSTs `fields` with it.
    pub async fn submit(&mut self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let (status, html, _) = self.get(page).await;
        assert_eq!(status, 200, "{page}: {html}");
        let mut body = format!("csrf_token={}", enc(&csrf_of(&html)));
        for (k, v) in fields {
            body.push('&');
            body.push_str(k);
            body.push('=');
            body.push_str(&enc(v));
        }
        self.post(action, &body).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Answer {
        self.submit("/admin/login/", "/admin/login/", &[("email", email), ("password", password)]).await
    }
}

fn location(headers: &awc::http::header::HeaderMap) -> String {
    headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// A supporter through the REST action API; returns their user id.
async fn supporter(app: &TestApp) -> i64 {
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": SUPPORTER, "first_name": "Ada", "last_name": "Lovelace"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.query(|c| core_user::table.filter(core_user::email.eq(SUPPORTER)).select(core_user::id).first(c))
}

fn user_exists(app: &TestApp, id: i64) -> bool {
    app.query(move |c| core_user::table.find(id).count().get_result::<i64>(c)) > 0
}

/// `(actor, via, verb, object_id)` of every audit entry, oldest first.
fn audit(app: &TestApp) -> Vec<(String, String, String, Option<i64>)> {
    app.query(|c| {
        core_auditlog::table
            .order(core_auditlog::id.asc())
            .select((core_auditlog::actor, core_auditlog::via, core_auditlog::verb, core_auditlog::object_id))
            .load(c)
    })
}

both_backends!(s1_admin_login_accepts_right_password_and_refuses_wrong, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let mut admin = Admin::new(&app);
    let (status, _, headers) = admin.get("/admin/users/").await;
    assert_eq!(status, 303, "not signed in: to the login page");
    assert_eq!(location(&headers), "/admin/login/?next=%2Fadmin%2Fusers%2F");

    let (status, body, _) = admin.login(ADMIN, "not the password").await;
    assert_eq!(status, 401);
    assert!(body.contains("The email or the password is wrong."), "{body}");
    let (status, _, _) = admin.get("/admin/").await;
    assert_eq!(status, 303, "still not signed in");

    let (status, body, _) = admin.login("nobody@example.org", PASSWORD).await;
    assert_eq!(status, 401, "an unknown email gets the same answer: {body}");

    let (status, _, headers) = admin.login(ADMIN, PASSWORD).await;
    assert_eq!(status, 303);
    assert_eq!(location(&headers), "/admin/");
    let (status, body, _) = admin.get("/admin/").await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Dashboard</h1>") && body.contains(ADMIN), "signed in: {body}");

    let (status, html, _) = admin.get("/admin/").await;
    assert_eq!(status, 200);
    let (status, _, headers) = admin.post("/admin/logout/", &format!("csrf_token={}", enc(&csrf_of(&html)))).await;
    assert_eq!((status, location(&headers)), (303, "/admin/login/".to_owned()));
    let (status, _, _) = admin.get("/admin/").await;
    assert_eq!(status, 303, "signed out");
});

both_backends!(s1_admin_login_throttled_after_repeated_failures, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let mut admin = Admin::new(&app);
    for attempt in 1..=placard::admin::throttle::MAX_PER_EMAIL {
        let (status, _, _) = admin.login(ADMIN, "guess").await;
        assert_eq!(status, 401, "attempt {attempt}");
    }
    let (status, body, _) = admin.login(ADMIN, PASSWORD).await;
    assert_eq!(status, 429, "the right password no longer helps: {body}");
    assert!(body.contains("Too many failed sign-ins. Try again in 15 minutes."), "{body}");
    let (status, _, _) = admin.get("/admin/").await;
    assert_eq!(status, 303, "not signed in");

    // Another account (from the same address) is not blocked by this one's failures.
    add_staff(&app, EDITOR, Role::Editor);
    let (status, _, _) = Admin::new(&app).login(EDITOR, PASSWORD).await;
    assert_eq!(status, 303);
});

both_backends!(s1_admin_session_cookie_is_httponly_and_samesite_lax, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let mut admin = Admin::new(&app);
    admin.login(ADMIN, PASSWORD).await;
    let cookie = admin.set_cookies.last().expect("a session cookie").to_lowercase();
    for flag in ["httponly", "samesite=lax", "path=/admin", "max-age=28800"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("secure"), "plain http (no https base URL): not Secure: {cookie}");
    let value = cookie.split(';').next().unwrap();
    assert!(!value.contains("boss") && !value.contains("admin%22"), "the content is encrypted: {value}");
});

both_backends!(s1_admin_post_without_csrf_token_is_refused, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let id = supporter(&app).await;
    let mut admin = Admin::new(&app);
    admin.login(ADMIN, PASSWORD).await;
    let audit_before = audit(&app).len();

    let (status, body, _) = admin.post(&format!("/admin/users/{id}/forget/"), "confirm=yes").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("This form has expired or did not come from this admin."), "{body}");
    let (status, _, _) = admin.post(&format!("/admin/users/{id}/forget/"), "confirm=yes&csrf_token=forged").await;
    assert_eq!(status, 403, "a wrong token is refused too");
    let (status, _, _) = admin.post("/admin/forgotten/forget/", &format!("email={}", enc(SUPPORTER))).await;
    assert_eq!(status, 403);

    // A token from another session does not pass either.
    let mut other = Admin::new(&app);
    let (_, html, _) = other.get("/admin/login/").await;
    let theirs = csrf_of(&html);
    let (status, _, _) =
        admin.post(&format!("/admin/users/{id}/erase/"), &format!("confirm=yes&csrf_token={}", enc(&theirs))).await;
    assert_eq!(status, 403);

    assert!(user_exists(&app, id), "nothing changed");
    assert_eq!(audit(&app).len(), audit_before, "nothing audited");
    let (status, _, _) = Admin::new(&app).post("/admin/login/", &format!("email={ADMIN}&password=x")).await;
    assert_eq!(status, 403, "the login form carries a token too");
});

both_backends!(s1_editor_gets_403_on_user_data, |app| {
    add_staff(&app, EDITOR, Role::Editor);
    let id = supporter(&app).await;
    let mut editor = Admin::new(&app);
    let (status, _, _) = editor.login(EDITOR, PASSWORD).await;
    assert_eq!(status, 303);
    for path in [
        "/admin/users/",
        &format!("/admin/users/{id}/"),
        &format!("/admin/users/{id}/forget/"),
        "/admin/forgotten/",
        "/admin/audit/",
    ] {
        let (status, body, _) = editor.get(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(body.contains("for the admin role only"), "{path}: {body}");
    }
    let (status, html, _) = editor.get("/admin/").await;
    assert_eq!(status, 200, "the dashboard is for every role");
    assert!(!html.contains("href=\"/admin/users/\""), "no Users link for an editor");
    let (status, _, _) =
        editor.post(&format!("/admin/users/{id}/export/"), &format!("csrf_token={}", enc(&csrf_of(&html)))).await;
    assert_eq!(status, 403, "no export either");
    assert!(audit(&app).is_empty());
});

both_backends!(g3_admin_forgets_user_through_confirmation_form, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let staff = staff_id(&app, ADMIN);
    let id = supporter(&app).await;
    let mut admin = Admin::new(&app);
    admin.login(ADMIN, PASSWORD).await;

    let (status, html, _) = admin.get("/admin/users/?q=lovelace").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/admin/users/{id}/\"")), "found by name: {html}");
    let (_, html, _) = admin.get(&format!("/admin/users/?q={id}")).await;
    assert!(html.contains(SUPPORTER), "found by id");
    let (_, html, _) = admin.get(&format!("/admin/users/{id}/")).await;
    assert!(html.contains(SUPPORTER) && html.contains(&format!("href=\"/admin/users/{id}/forget/\"")), "{html}");

    // Without the tick the confirmation step refuses and nothing happens.
    let confirm = format!("/admin/users/{id}/forget/");
    let (status, html, _) = admin.submit(&confirm, &confirm, &[]).await;
    assert_eq!(status, 400);
    assert!(html.contains("Tick the box to confirm"), "{html}");
    assert!(user_exists(&app, id));

    let (status, _, headers) = admin.submit(&confirm, &confirm, &[("confirm", "yes")]).await;
    assert_eq!((status, location(&headers)), (303, format!("/admin/forgotten/?forgot={id}")));
    assert!(!user_exists(&app, id), "the person is gone");
    let (status, html, _) = admin.get(&location(&headers)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&placard::gdpr::forget_hash(SUPPORTER)), "the email's hash is listed");
    assert!(!html.contains(SUPPORTER), "the email itself is not");
    assert_eq!(audit(&app), vec![(format!("staff:{staff}"), "admin".to_owned(), "forget".to_owned(), Some(id))]);

    // The audit screen shows it, naming the account.
    let (_, html, _) = admin.get("/admin/audit/").await;
    assert!(html.contains(&format!("staff:{staff}")) && html.contains("forget"), "{html}");

    // Unforget through the list's form: the hash goes, audited.
    let (status, _, headers) =
        admin.submit("/admin/forgotten/", "/admin/forgotten/unforget/", &[("identifier", SUPPORTER)]).await;
    assert_eq!((status, location(&headers)), (303, "/admin/forgotten/?done=unforgot".to_owned()));
    let (_, html, _) = admin.get("/admin/forgotten/").await;
    assert!(!html.contains(&placard::gdpr::forget_hash(SUPPORTER)));
    assert_eq!(audit(&app).last().unwrap().2, "unforget");
});

both_backends!(g1_admin_export_download_is_the_g1_document, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let staff = staff_id(&app, ADMIN);
    let id = supporter(&app).await;
    let mut admin = Admin::new(&app);
    admin.login(ADMIN, PASSWORD).await;
    let page = format!("/admin/users/{id}/");
    let (status, body, headers) = admin.submit(&page, &format!("/admin/users/{id}/export/"), &[]).await;
    assert_eq!(status, 200, "{body}");
    let disposition = headers.get("content-disposition").unwrap().to_str().unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"placard-user-{id}.json\""));
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let expected = app.query(move |c| placard::gdpr::export::export(c, placard::people::UserId(id))).unwrap();
    assert_eq!(doc, expected, "the same document as every other export path");
    assert_eq!(doc["format"], "placard-export/1");
    assert_eq!(doc["user"]["email"], SUPPORTER);
    assert_eq!(doc["actions"][0]["page"], "stay-informed");
    assert_eq!(audit(&app), vec![(format!("staff:{staff}"), "admin".to_owned(), "export".to_owned(), Some(id))]);
});

both_backends!(s2_dashboard_renders_svg_charts, |app| {
    add_staff(&app, ADMIN, Role::Admin);
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": SUPPORTER, "country": "Germany", "privacy": privacy_optin_hash()}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut admin = Admin::new(&app);
    admin.login(ADMIN, PASSWORD).await;
    let (status, html, headers) = admin.get("/admin/").await;
    assert_eq!(status, 200);
    assert_eq!(headers.get("cache-control").unwrap(), "no-store");
    for id in ["chart-actions", "chart-users", "chart-records"] {
        let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} on the page"));
        let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
        assert!(figure.contains("<svg role=\"img\" aria-label="), "{id} is an inline SVG picture");
        assert!(figure.contains("<polyline") || figure.contains("<rect"), "{id} draws something");
    }
    let records = &html[html.find("id=\"chart-records\"").unwrap()..];
    assert!(records.contains("\noptin · active\n</text>"), "a bar labelled by type and status: {records}");
    assert!(html.contains("Actions per day <small>(last 30 days: 1)"), "today's action is counted");
    assert!(html.contains("New users per day <small>(last 30 days: 1)"));
    assert!(html.contains("href=\"/static/admin/pico.min.css\""));
    let (status, css, _) = app.get("/static/admin/pico.min.css").await;
    assert_eq!(status, 200);
    assert!(css.contains("Pico CSS"));
});

both_backends!(b1_admin_consent_log_verification_screen, |app| {
    add_staff(&app, EDITOR, Role::Editor);
    let mut staff = Admin::new(&app);
    staff.login(EDITOR, PASSWORD).await;
    let (status, html, _) = staff.submit("/admin/consent-log/", "/admin/consent-log/", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h2>Intact</h2>"), "{html}");

    // A record row edited behind Placard's back is found.
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": SUPPORTER, "country": "Germany",
                   "privacy": privacy_optin_hash()}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::update(core_privacyrecord::table).set(core_privacyrecord::status.eq("withdrawn")).execute(c)?)
        })
        .unwrap();
    let (_, html, _) = staff.submit("/admin/consent-log/", "/admin/consent-log/", &[]).await;
    assert!(html.contains("<h2>Problems found</h2>") && html.contains("the row was edited outside Placard"), "{html}");
});

/// The hash of the demo's English opt-in text.
fn privacy_optin_hash() -> String {
    const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";
    placard::privacy::PrivacyHash::of("optin", OPTIN).to_string()
}

/// Behind https (PLACARD_BASE_URL), the session cookie is `Secure` as well.
#[actix_web::test]
async fn s1_admin_session_cookie_is_secure_behind_https() {
    use crate::helpers::{test_config, Backend, TestDb};
    placard::telemetry::init();
    let (_db, url) = TestDb::create(Backend::Sqlite).unwrap();
    let config = placard::Config { base_url: Some("https://act.example.org".into()), ..test_config(url) };
    let state = actix_web::web::Data::new(placard::AppState::open(config).unwrap());
    let server = placard::Application::serve(state).unwrap();
    let address = format!("http://127.0.0.1:{}", server.port());
    actix_web::rt::spawn(server.run_until_stopped());
    let res = awc::Client::new().get(format!("{address}/admin/login/")).send().await.unwrap();
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_lowercase();
    assert!(cookie.starts_with("placard_admin="), "{cookie}");
    for flag in ["secure", "httponly", "samesite=lax"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
}
