//! Stored XSS (SPEC S2, P7, U1): script payloads in everything a supporter or a staff
//! member can store, then every screen that shows it, checked for executable markup.
//!
//! How the lists were built, from the code rather than by hand:
//! - supporter fields: every profile field the engine stores (`UserChanges::FIELDS`, the
//!   list `/me`, the admin's user screen and the engine share), a custom user field
//!   (`user_*`, allowed first), an action field (`action_*`) and a comment, a phone, each
//!   through the public form (`/act/`) and the REST action API; plus a CSV import row;
//! - staff fields: what the templates print that staff write — every `form.*` text the
//!   Original templateset marks `|safe` (introduction, statement lead-in and text, about,
//!   thank-you), the page title, a page custom field, privacy texts (`privacy_text.*`,
//!   `r.text`, `r.resolved.text`), a list name, a language string shown as a label
//!   (`ui.label_city`), an import page title and an upload's file name, a templateset name;
//! - raw markup: [`every_safe_output_is_a_sanitized_source`] lists every `|safe` in
//!   `templates/` and `templatesets/` and every `from_safe_string` in `src/`, and fails
//!   when one appears that is not fed only sanitized or escaped text, so a new raw output
//!   cannot skip this test;
//! - screens: every admin screen that lists or shows supporters, pages, lists, imports,
//!   strings, privacy texts, reports and the audit log; the public page, thanks, `/me`
//!   and `/me/update/`; JSON (context, receipts) and CSV are checked for their content
//!   type, never HTML.
//!
//! "No executable markup" is checked with a small tag scanner: no element or attribute
//! the payloads would create (an `on…` handler or a `javascript:` URL carrying a payload
//! marker, a `<script>` whose code is a payload), wherever the marker appears.

use crate::admin::{csrf_of, Admin};
use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_page, core_user};
use placard::people::UserChanges;
use serde_json::json;
use std::fmt::Write as _;

const STAFF_EMAIL: &str = "xss-admin@example.org";
/// `tests/app/admin.rs`'s password, so its `Admin` client can sign in.
const STAFF_PASSWORD: &str = "a long staff password";
const BOUNDARY: &str = "xssboundary";

/// A payload whose every executable form carries `xss_<tag>`.
fn payload(tag: &str) -> String {
    format!(
        "<script>alert('xss_{tag}')</script><img src=x onerror=\"alert('xss_{tag}')\"><a href=\"javascript:alert('xss_{tag}')\">xss_{tag}</a>\"'><svg onload=alert('xss_{tag}')>"
    )
}

/// Payloads without `"` (they go where a quote would end the carrier, e.g. a file name).
fn payload_unquoted(tag: &str) -> String {
    format!(
        "<img src=x onerror=alert('xss_{tag}')><script>alert('xss_{tag}')</script>'><svg onload=alert('xss_{tag}')>"
    )
}

/// One tag of an HTML document: its name and attributes as written (values undecoded).
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    /// For `<script>`: the raw text up to `</script`.
    script: Option<String>,
}

/// The tags of `html`, quote-aware, skipping comments.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = vec![];
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(html.len(), |e| start + e + 3);
            continue;
        }
        // The tag's end: the first `>` outside quotes.
        let mut j = start + 1;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"' | b'\'') => quote = Some(bytes[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let inner = &html[start + 1..j.min(html.len())];
        let name_end = inner.find(|c: char| c.is_whitespace() || c == '/' && inner.len() > 1).unwrap_or(inner.len());
        let name = inner[..name_end].trim_end_matches('/').to_ascii_lowercase();
        let attrs = attributes(&inner[name_end..]);
        let mut script = None;
        i = (j + 1).min(html.len());
        if name == "script" {
            let end = html[i..].to_ascii_lowercase().find("</script").map_or(html.len(), |e| i + e);
            script = Some(html[i..end].to_owned());
            i = end;
        }
        if !name.is_empty() && !name.starts_with('/') && !name.starts_with('!') {
            out.push(Tag { name, attrs, script });
        }
    }
    out
}

fn attributes(s: &str) -> Vec<(String, String)> {
    let mut attrs = vec![];
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let name_end = rest.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                body[..end].clone_into(&mut value);
                rest = body.get(end + 1..).unwrap_or("");
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                after[..end].clone_into(&mut value);
                rest = &after[end..];
            }
        } else if name.is_empty() {
            rest = rest.get(1..).unwrap_or("");
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
        rest = rest.trim_start();
    }
    attrs
}

/// Every executable use of a payload marker in `html`.
fn executable(html: &str) -> Vec<String> {
    let mut found = vec![];
    for tag in tags(html) {
        if tag.name.contains("xss_") {
            found.push(format!("an element named {}", tag.name));
        }
        if let Some(code) = &tag.script {
            if code.trim_start().starts_with("alert(") && code.contains("xss_") {
                found.push(format!("a script element: {}", code.trim()));
            }
        }
        for (name, value) in &tag.attrs {
            let lower = value.to_ascii_lowercase();
            if name.contains("xss_") {
                found.push(format!("<{}> attribute {name}", tag.name));
            } else if name.starts_with("on") && lower.contains("xss_") {
                found.push(format!("<{}> handler {name}={value}", tag.name));
            } else if lower.trim_start().starts_with("javascript:") && lower.contains("xss_") {
                found.push(format!("<{}> {name}={value}", tag.name));
            }
        }
    }
    found
}

#[test]
fn s2_the_tag_scanner_finds_what_a_browser_would_run() {
    let p = payload("probe");
    assert!(executable(&p).len() >= 4, "the raw payload is found: {:?}", executable(&p));
    let escaped = p.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    assert!(executable(&format!("<p title=\"{escaped}\">{escaped}</p>")).is_empty());
    let breakout = format!("<input value=\"{p}\">");
    assert!(!executable(&breakout).is_empty(), "an attribute breakout is found");
    let json_in_script = r#"<script type="application/json">{"n": "\u003cscript\u003ealert('xss_a')"}</script>"#;
    assert!(executable(json_in_script).is_empty(), "escaped data in a script is not code");
}

/// Every `|safe` output in the templates and every `from_safe_string` in the code, with
/// why each is safe; a new one fails here until it is added with its reason.
#[test]
fn every_safe_output_is_a_sanitized_source() {
    const SANITIZED: &[(&str, &str)] = &[
        ("form.introduction_text", "staff HTML, sanitized on save (pages::staff_form, api_v1::pages)"),
        ("form.statement_leadin", "staff HTML, sanitized on save"),
        ("form.statement_text", "staff HTML, sanitized on save"),
        ("form.about_text", "staff HTML, sanitized on save"),
        ("form.thank_you_text", "staff HTML, sanitized on save"),
        ("form.survey_question_text", "staff HTML, sanitized on save"),
        ("followup.email_body", "staff HTML, sanitized on save (pages::staff_form)"),
        ("followup.taf_body", "staff HTML, sanitized on save (pages::staff_form)"),
        ("privacy_text.notice", "privacy::texts::resolve sanitizes"),
        ("privacy_text.optin", "privacy::texts::resolve sanitizes"),
        ("privacy_text.optout", "privacy::texts::resolve sanitizes"),
        ("privacy_text.really_optout", "privacy::texts::resolve sanitizes"),
        ("r.text", "/me's privacy texts, from privacy::texts (sanitized)"),
        ("r.resolved.text", "the notice tool's resolved texts (sanitized)"),
        ("country_options", "render::cached escapes the selected value"),
        ("actions_svg", "plotters escapes SVG text"),
        ("users_svg", "plotters escapes SVG text"),
        ("records_svg", "plotters escapes SVG text; the label is escaped by admin::charts"),
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    for dir in ["templates/admin", "templatesets/original"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("template folder") {
            files.push(entry.expect("entry").path());
        }
    }
    let mut seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).expect("template text");
        assert!(!text.contains("autoescape false"), "{}: autoescaping is never switched off", file.display());
        for (at, _) in text.match_indices("|safe") {
            let expr_start = text[..at].rfind("{{").map_or(0, |s| s + 2);
            let expr = text[expr_start..at].trim();
            assert!(
                SANITIZED.iter().any(|(name, _)| *name == expr),
                "{}: `{expr}|safe` prints raw markup from a source this test does not know is sanitized",
                file.display()
            );
            seen += 1;
        }
    }
    assert!(seen >= 20, "the templates' raw outputs were found ({seen})");
    // The code's own raw markup: only these places build it, each escaping what it inserts.
    let allowed_files =
        ["src/admin/views.rs", "src/render/cached.rs", "src/render/django/runtime.rs", "src/render/django/value.rs"];
    let mut stack = vec![root.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                let rel = path.strip_prefix(root).expect("under the crate").to_string_lossy().into_owned();
                if text.contains("from_safe_string") && !rel.contains("tests") {
                    assert!(
                        allowed_files.contains(&rel.as_str()),
                        "{rel} builds raw markup: check it escapes, then list it"
                    );
                }
            }
        }
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn rest(app: &TestApp, auth: &str, path: &str, body: serde_json::Value) -> (u16, String) {
    let (status, text, _) =
        app.post_with(path, &[("Authorization", auth), ("Content-Type", "application/json")], body.to_string()).await;
    (status, text)
}

/// Asserts no screen in `screens` (as `(path, status, body, content type)`) is HTML with
/// executable payload markup, and that every payload shown was escaped or sanitized.
fn assert_inert(path: &str, status: u16, body: &str, content_type: &str) {
    assert!(status < 500, "{path}: answered {status}: {body}");
    if content_type.starts_with("text/html") {
        let found = executable(body);
        assert!(found.is_empty(), "{path} runs injected code: {found:#?}");
    } else {
        assert!(!content_type.contains("html"), "{path}: data is never served as HTML ({content_type})");
    }
}

async fn fetch(admin: &mut Admin<'_>, path: &str) -> (u16, String, String) {
    let (status, body, headers) = admin.get(path).await;
    let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, body, ct)
}

both_backends!(s2_stored_xss_payloads_in_every_field_are_escaped_or_sanitized_on_every_screen, |app| {
    let auth = app.staff_basic_auth(STAFF_EMAIL, STAFF_PASSWORD);

    // ---- staff-entered content, through the REST API and the admin's forms
    let (s, t) = rest(&app, &auth, "/rest/v1/alloweduserfield/", json!({"name": "xss"})).await;
    assert_eq!(s, 201, "{t}");
    let (s, t) = rest(&app, &auth, "/rest/v1/allowedpagefield/", json!({"name": "xss"})).await;
    assert_eq!(s, 201, "{t}");
    let (s, t) = rest(&app, &auth, "/rest/v1/list/", json!({"name": payload("list_name")})).await;
    assert_eq!(s, 201, "{t}");
    let page_body = json!({
        "name": "xss-petition", "title": payload("page_title"), "lang": "en", "list": "/rest/v1/list/1/",
        "introduction_text": payload("intro"), "statement_leadin": payload("leadin"),
        "statement_text": payload("statement"), "about_text": payload("about"),
        "thank_you_text": payload("thanks"),
        "fields": {"xss": payload("page_field"), "privacy_notice": payload("page_privacy_notice")},
    });
    let (s, t) = rest(&app, &auth, "/rest/v1/petitionpage/", page_body).await;
    assert_eq!(s, 201, "{t}");
    let (s, t) =
        rest(&app, &auth, "/rest/v1/importpage/", json!({"name": "xss-import", "title": payload("import_title")}))
            .await;
    assert_eq!(s, 201, "{t}");

    let mut admin = Admin::new(&app);
    let (s, _, _) = admin.login(STAFF_EMAIL, STAFF_PASSWORD).await;
    assert_eq!(s, 303, "signed in");
    let (s, t, _) = admin
        .submit(
            "/admin/languages/",
            "/admin/languages/strings/",
            &[("lang", "en"), ("key", "label_city"), ("text", &payload("label"))],
        )
        .await;
    assert!(s < 400, "language string saved: {s} {t}");
    let (s, t, _) = admin
        .submit(
            "/admin/privacy/",
            "/admin/privacy/texts/",
            &[("lang", "en"), ("privacy_notice", &payload("privacy_notice"))],
        )
        .await;
    assert!(s < 400, "privacy text saved: {s} {t}");
    let (s, t, _) = admin
        .submit(
            "/admin/templatesets/",
            "/admin/templatesets/",
            &[("name", &payload("set_name")), ("description", &payload("set_description"))],
        )
        .await;
    assert!(s < 500, "templateset name: {s} {t}");

    // ---- supporter-entered content: REST action, public form, CSV import
    let mut fields: Vec<(String, String)> =
        UserChanges::FIELDS.iter().map(|f| ((*f).to_owned(), payload(&format!("rest_{f}")))).collect();
    fields.retain(|(f, _)| f != "lang");
    fields.push(("user_xss".into(), payload("rest_user_field")));
    fields.push(("action_xss".into(), payload("rest_action_field")));
    fields.push(("action_comment".into(), payload("rest_comment")));
    fields.push(("comment".into(), payload("rest_comment2")));
    let mut rest_action = serde_json::Map::new();
    for (k, v) in &fields {
        rest_action.insert(k.clone(), json!(v));
    }
    rest_action.insert("page".into(), json!("xss-petition"));
    rest_action.insert("email".into(), json!("xss-rest@example.org"));
    let (s, answer, _) = app.post_json("/rest/v1/action/", serde_json::Value::Object(rest_action)).await;
    assert_eq!(s, 201, "{answer}");
    let akid = answer["akid"].as_str().expect("akid").to_owned();

    let mut form = String::from("page=xss-petition&email=xss-form%40example.org");
    for f in UserChanges::FIELDS.iter().filter(|f| **f != "lang") {
        let _ = write!(form, "&{f}={}", enc(&payload(&format!("form_{f}"))));
    }
    let _ = write!(
        form,
        "&user_xss={}&action_xss={}",
        enc(&payload("form_user_field")),
        enc(&payload("form_action_field"))
    );
    let (s, t, _) = app.post_form("/act/", &form).await;
    assert!(s == 302 || s == 303, "form action stored: {s} {t}");

    let csv = format!(
        "email,first_name,city\nxss-csv@example.org,\"{}\",Town\nnot-an-email,\"{}\",Town\n",
        payload("csv_first_name").replace('"', "\"\""),
        payload("csv_bad_row").replace('"', "\"\"")
    );
    let upload = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\nxss-import\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n",
        payload_unquoted("file_name")
    );
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let (s, t, _) = app.post_with("/rest/v1/upload/", &[("Authorization", &auth), ("Content-Type", &ct)], upload).await;
    assert_eq!(s, 201, "{t}");

    // The payloads were stored as sent (they are data, not refused), so the screens below
    // really show them.
    let cities: Vec<String> = app.query(|c| core_user::table.select(core_user::city).load(c));
    assert!(cities.iter().any(|c| c.contains("<script>alert('xss_rest_city')")), "stored raw: {cities:?}");

    // ---- every screen that shows them
    let user_ids: Vec<i64> =
        app.query(|c| core_user::table.filter(core_user::email.like("xss-%")).select(core_user::id).load(c));
    let page_ids: Vec<i64> = app.query(|c| core_page::table.select(core_page::id).load(c));
    let mut screens: Vec<String> = [
        "/admin/",
        "/admin/users/?q=xss",
        "/admin/users/?q=%3Cscript%3E",
        "/admin/pages/",
        "/admin/lists/",
        "/admin/fields/",
        "/admin/imports/",
        "/admin/outbox/",
        "/admin/audit/",
        "/admin/privacy/",
        "/admin/privacy/notices/",
        "/admin/reports/",
        "/admin/reports/records/",
        "/admin/reports/stragglers/",
        "/admin/reports/actions-per-page/",
        "/admin/languages/",
        "/admin/languages/en/",
        "/admin/templatesets/",
        "/admin/forgotten/",
        "/admin/blackholed/",
        "/admin/consent-log/",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for id in &user_ids {
        screens.push(format!("/admin/users/{id}/"));
        screens.push(format!("/admin/users/{id}/edit/"));
        screens.push(format!("/admin/users/{id}/erase/"));
        screens.push(format!("/admin/users/{id}/forget/"));
    }
    for id in &page_ids {
        screens.push(format!("/admin/pages/{id}/"));
        screens.push(format!("/admin/pages/{id}/preview/"));
    }
    let imports: Vec<i64> = app.query(|c| {
        use placard::db::schema::core_upload;
        core_upload::table.select(core_upload::id).load(c)
    });
    for id in &imports {
        screens.push(format!("/admin/imports/{id}/"));
        screens.push(format!("/admin/imports/{id}/status/"));
    }
    let (_, sets, _) = admin.get("/admin/templatesets/").await;
    for (at, _) in sets.match_indices("href=\"/admin/templatesets/") {
        let rest = &sets[at + "href=\"".len()..];
        let link = &rest[..rest.find('"').unwrap_or(0)];
        if link.len() > "/admin/templatesets/".len() {
            screens.push(link.to_owned());
        }
    }
    for path in [
        "/".to_owned(),
        "/sign/xss-petition/".to_owned(),
        format!("/sign/xss-petition/?akid={}", enc(&akid)),
        format!("/cms/thanks/xss-petition/?akid={}", enc(&akid)),
        format!("/me/?akid={}", enc(&akid)),
        format!("/me/update/?akid={}", enc(&akid)),
        format!("/me/forget/?akid={}", enc(&akid)),
        format!("/context/xss-petition?akid={}&callback=cb", enc(&akid)),
        format!("/context/xss-petition?akid={}&callback=%3Cscript%3Ealert(1)%3C/script%3E", enc(&akid)),
        "/rest/v1/openapi.json".to_owned(),
    ] {
        screens.push(path);
    }
    let mut shown = 0;
    for path in &screens {
        let (status, body, ct) = fetch(&mut admin, path).await;
        assert_inert(path, status, &body, &ct);
        if body.contains("xss_") {
            shown += 1;
        }
        if path.starts_with("/context/") {
            assert!(!body.contains("<script>alert(1)"), "{path}: the JSONP callback is not echoed raw: {body}");
        }
    }
    assert!(shown >= 20, "the payloads were on the screens checked ({shown} of {})", screens.len());

    // The CSV downloads are CSV, not HTML, whatever they hold.
    let mut csvs = 0;
    for report in ["/admin/reports/records/", "/admin/reports/stragglers/", "/admin/reports/actions-per-page/"] {
        let (_, page, _) = admin.get(report).await;
        let Some(at) = page.find("\" id=\"csv\"") else { continue };
        let start = page[..at].rfind("href=\"").map_or(at, |h| h + "href=\"".len());
        let link = page[start..at].replace("&amp;", "&");
        let (status, body, ct) = fetch(&mut admin, &link).await;
        assert_eq!(status, 200, "{link}: {body}");
        assert!(ct.starts_with("text/csv"), "{link} is served as CSV: {ct}");
        csvs += 1;
    }
    assert_eq!(csvs, 3, "each report offers its CSV download");
    // The receipts a supporter can download are JSON.
    let (_, thanks, _) = app.get(&format!("/cms/thanks/xss-petition/?akid={}", enc(&akid))).await;
    for (at, _) in thanks.match_indices("href=\"/receipts/") {
        let rest = &thanks[at + "href=\"".len()..];
        let link = rest[..rest.find('"').unwrap_or(0)].replace("&amp;", "&");
        let (status, body, ct) = fetch(&mut admin, &link).await;
        assert_inert(&link, status, &body, &ct);
    }
    let _ = csrf_of;
});
