//! `/context/<page>` (SPEC T4, P9): what ActionKit's browser script asks for — the
//! recognized user (by `akid`) and prefill, the required fields, the privacy settings the
//! privacy block needs, and progress toward the goal. JSON, or JSONP with `callback=`.
//! Also serves the script itself at `/resources/actionkit.js`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::json;

use crate::app::AppState;
use crate::error::{ApiError, AppError};
use crate::{engine, pages, people, privacy};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/context/{page}", web::get().to(context)).route("/resources/actionkit.js", web::get().to(script));
}

pub async fn script() -> HttpResponse {
    crate::http::static_files::file("actionkit.js")
}

pub async fn context(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = path.into_inner();
    let args: Vec<(String, String)> =
        form_urlencoded::parse(req.query_string().as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let arg = |k: &str| args.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let akid = arg("akid").and_then(|a| state.engine.akid_key.parse(&a));
    let settings = state.privacy.get();
    let body = state
        .db
        .read(move |conn| {
            let page = pages::store::find_by_name(conn, &name)?
                .filter(|p| p.kind().is_public())
                .ok_or_else(|| AppError::NotFound(format!("No page named {name:?} exists.")))?;
            let user = match akid {
                Some(akid) => people::store::find_by_id(conn, akid.user_id)?,
                None => None,
            };
            let has_record = match &user {
                Some(u) => privacy::store::has_active_record(conn, u.id)?,
                None => false,
            };
            let current = engine::store::count_for_page(conn, page.id)?;
            Ok((page, user, has_record, current))
        })
        .await?;
    let (page, user, has_record, current) = body;
    let flags = privacy::texts::flags(&state.i18n);
    let prefill = user.as_ref().map(|u| {
        json!({"email": u.email, "first_name": u.first_name, "last_name": u.last_name, "city": u.city, "state": u.state,
               "zip": u.zip, "postal": u.postal, "country": u.country})
    });
    let lang = page.lang.clone();
    let text = |key: &str| state.i18n.text(&lang, key);
    let messages = json!({
        "errors_heading": text("errors_heading"),
        "error_missing": state.i18n.error_message(&lang, "", "missing"),
        "error_email:missing": state.i18n.error_message(&lang, "email", "missing"),
        "error_email:invalid": state.i18n.error_message(&lang, "email", "invalid"),
        "error_privacy:missing": state.i18n.error_message(&lang, "privacy", "missing"),
    });
    let akid_text = user
        .as_ref()
        .map(|u| state.engine.akid_key.format(crate::people::Akid { mailing_id: None, user_id: u.user_id() }));
    let ctx = json!({
        "page": page.name,
        "akid": akid_text,
        "messages": messages,
        "user": user.as_ref().map(|u| json!({"first_name": u.first_name, "country": u.country})),
        "prefill": prefill.unwrap_or_else(|| json!({})),
        "required": page.required(),
        "privacy": {
            "enabled": settings.enabled,
            "countries": if settings.enabled { settings.countries.clone() } else { vec![] },
            "show_if": flags.show_if,
            "user_has_active_record": has_record,
        },
        "progress": {"goal": page.goal, "current": current},
    });
    // It carries a supporter's details: never cached by anyone.
    Ok(match arg("callback").filter(|c| is_js_identifier(c)) {
        Some(callback) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .content_type("text/javascript; charset=utf-8")
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .body(format!("/**/{callback}({ctx});")),
        None => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(ctx),
    })
}

/// A JSONP callback name: a dotted JavaScript identifier, nothing that could be code.
fn is_js_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.split('.').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn t4_jsonp_callbacks_must_be_identifiers() {
        for ok in ["cb", "actionkit.forms.onContextLoaded", "_x1", "$jq"] {
            assert!(super::is_js_identifier(ok), "{ok}");
        }
        for bad in ["", "alert(1)", "a;b", "a..b", "1x", "<script>", "a b"] {
            assert!(!super::is_js_identifier(bad), "{bad}");
        }
    }
}
