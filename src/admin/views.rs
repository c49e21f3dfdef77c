//! The admin's templates (`templates/admin/`, embedded in the binary, compiled once) and
//! the navigation. Separate from the supporter-facing templatesets on purpose: staff edit
//! those, and a broken templateset must never lock staff out of the admin that fixes it.
//! Autoescaping is on for every `.html` template.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use include_dir::{include_dir, Dir};
use minijinja::{context, Environment, State, Value};
use serde::Serialize;

use super::error::harden;
use super::{csrf, AdminError, Staff};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/admin");

/// One entry of the navigation; `path: None` is a screen not built yet ("not yet").
#[derive(Clone, Copy, Debug, Serialize)]
pub struct NavItem {
    pub id: &'static str,
    pub label: &'static str,
    pub path: Option<&'static str>,
    /// Shows supporter data: hidden from editors (and refused to them by `AdminOnly`).
    pub admin_only: bool,
}

const fn item(id: &'static str, label: &'static str, path: Option<&'static str>, admin_only: bool) -> NavItem {
    NavItem { id, label, path, admin_only }
}

/// The navigation, in order. A new screen gives its entry a path.
pub const NAV: &[NavItem] = &[
    item("dashboard", "Dashboard", Some("/admin/"), false),
    item("pages", "Pages", Some("/admin/pages/"), false),
    item("languages", "Languages", Some("/admin/languages/"), false),
    item("templatesets", "Templatesets", Some("/admin/templatesets/"), false),
    item("privacy", "Privacy", Some("/admin/privacy/"), true),
    item("users", "Users", Some("/admin/users/"), true),
    item("lists", "Lists", Some("/admin/lists/"), true),
    item("fields", "Allowed fields", Some("/admin/fields/"), false),
    item("imports", "Imports", Some("/admin/imports/"), true),
    item("reports", "Reports", Some("/admin/reports/"), true),
    item("outbox", "Outbox", Some("/admin/outbox/"), true),
    item("blackholed", "Blackholed", Some("/admin/blackholed/"), true),
    item("forgotten", "Forgotten", Some("/admin/forgotten/"), true),
    item("audit", "Audit log", Some("/admin/audit/"), true),
    item("consent-log", "Consent log", Some("/admin/consent-log/"), false),
];

static ENV: LazyLock<Result<Environment<'static>, String>> = LazyLock::new(build);

fn build() -> Result<Environment<'static>, String> {
    let mut env = Environment::new();
    for file in TEMPLATES.files() {
        let name = format!("admin/{}", file.path().display());
        let source = file.contents_utf8().ok_or_else(|| format!("{name} is not UTF-8"))?;
        env.add_template_owned(name.clone(), source.to_owned()).map_err(|e| format!("{name}: {e}"))?;
    }
    env.add_function("csrf", csrf_field);
    env.add_filter("when", when);
    Ok(env)
}

/// `{{ csrf() }}`: the hidden field every admin form carries.
fn csrf_field(state: &State) -> Value {
    let token = state.lookup(csrf::FIELD).map(|v| v.to_string()).unwrap_or_default();
    let token: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    Value::from_safe_string(format!("<input type=\"hidden\" name=\"{}\" value=\"{token}\">", csrf::FIELD))
}

/// `{{ t|when }}`: a stored UTC timestamp (`2026-11-24T06:04:03.2129`) to the minute,
/// `2026-11-24 06:04 UTC`; anything else as it is.
fn when(value: &Value) -> String {
    let text = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
    match chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f") {
        Ok(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        Err(_) => text,
    }
}

/// Compiles every admin template now (start-up), so a broken one fails loudly at once.
pub fn check() -> Result<(), String> {
    ENV.as_ref().map(|_| ()).map_err(Clone::clone)
}

/// Renders one template to a string.
pub fn render_html(name: &str, ctx: Value) -> Result<String, AdminError> {
    let env = ENV.as_ref().map_err(|e| AdminError::internal(format!("admin templates: {e}")))?;
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| AdminError::internal(format!("admin template {name}: {e:#}")))
}

/// A page for a signed-in account: the layout with the navigation it may see, the CSRF
/// token, and `ctx`.
pub fn render(staff: &Staff, name: &str, current: &str, ctx: Value) -> Result<HttpResponse, AdminError> {
    let nav: Vec<NavItem> = NAV.iter().filter(|i| staff.is_admin() || !i.admin_only).copied().collect();
    let full = context! {
        staff => context! { id => staff.id, email => staff.email.clone(), role => staff.role.as_str() },
        nav => nav,
        current => current,
        csrf_token => staff.csrf_token.clone(),
        ..ctx
    };
    Ok(page(200, &render_html(name, full)?))
}

/// An HTML response with the admin's security headers.
pub fn page(status: u16, html: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status).unwrap_or(actix_web::http::StatusCode::OK);
    let mut res = HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html.to_owned());
    harden(&mut res);
    res
}

/// A 303 to `location` with the admin's security headers (after a POST).
pub fn see_other(location: &str) -> HttpResponse {
    let mut res =
        HttpResponse::SeeOther().insert_header((actix_web::http::header::LOCATION, location.to_owned())).finish();
    harden(&mut res);
    res
}
