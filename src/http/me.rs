//! Supporter self-service over HTTP (SPEC U1, G1, G3): `/me/` (what is held, the JSON
//! download, links to correct, unsubscribe and be forgotten), `/me/update/` (the profile
//! form, through the engine as an `update` action) and `/me/forget/` (a confirmation link
//! mailed to the supporter's own address; forgetting takes a POST from that link).
//!
//! A valid akid recognizes a supporter; a missing, forged or altered one is simply absent
//! (an anonymous visitor), never an error that says why. An email address alone shows
//! nothing: at most it sends that address a link. Answers are `no-store` and send no
//! `Referer` (the akid is in the URL).

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use minijinja::{context, Value};
use std::collections::BTreeMap;

use crate::app::AppState;
use crate::engine::{self, ActionInput, Source};
use crate::error::{AppError, FieldError, PageError, ValidationErrors};
use crate::http::body::read_limited;
use crate::people::{Akid, Email, User, UserChanges};
use crate::render::context::{lang_context, ui_strings, ActionPageContext, RenderInput};
use crate::render::ORIGINAL;
use crate::selfservice;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/me/", web::get().to(overview))
        .route("/me/", web::post().to(ask_for_link))
        .route("/me/export.json", web::get().to(export))
        .route("/me/update/", web::get().to(update_form))
        .route("/me/update/", web::post().to(update_submit))
        .route("/me/update/done/", web::get().to(updated))
        .route("/me/forget/", web::get().to(forget_form))
        .route("/me/forget/", web::post().to(forget_request))
        .route("/me/forget/confirm/", web::get().to(forget_confirm_page))
        .route("/me/forget/confirm/", web::post().to(forget_confirm));
}

/// A supporter recognized by their akid: the akid as given and who it names.
struct Recognized {
    akid: String,
    user: User,
}

pub async fn overview(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let Some(me) = recognized(&state, query_arg(&req, "akid").as_deref()).await? else {
        return render(&state, "me.html", None, StatusCode::OK, context! { state => "ask" });
    };
    let (user_id, akid) = (me.user.user_id(), me.akid.clone());
    let (held, unsubscribe_url) = state
        .db
        .read(move |conn| Ok((selfservice::held(conn, user_id)?, selfservice::unsubscribe_url(conn, &akid)?)))
        .await?;
    let lang = selfservice::lang_of(&state.i18n, Some(&me.user));
    let extra = context! {
        state => "overview", akid => me.akid, held => Value::from_serialize(&held),
        profile => profile_rows(&state, &lang, &me.user, held.as_ref()), unsubscribe_url,
    };
    render(&state, "me.html", Some(&me.user), StatusCode::OK, extra)
}

/// `/me/` asked for by email: the same answer whether or not the address is known.
pub async fn ask_for_link(state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let email = match parse_email(&state, &body) {
        Ok(email) => email,
        Err(errors) => return render_email_form(&state, "me.html", "ask", &body, &errors),
    };
    let deps = state.engine.clone();
    let now = Utc::now().naive_utc();
    state.db.writer.submit(move |conn| selfservice::mail_access_link(conn, &deps, &email, now)).await?;
    state.mail.wake();
    render(&state, "me.html", None, StatusCode::OK, context! { state => "sent" })
}

/// The G1 document as an attachment (audited); a 404 without a valid akid.
pub async fn export(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let akid = query_arg(&req, "akid").and_then(|a| state.engine.akid_key.parse(&a)).ok_or_else(not_found)?;
    let now = Utc::now().naive_utc();
    let doc = state.db.writer.submit(move |conn| selfservice::export_for_self(conn, akid.user_id, now)).await?;
    let doc = doc.ok_or_else(not_found)?;
    Ok(private(HttpResponse::Ok())
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"my-data.json\""))
        .json(doc))
}

pub async fn update_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let me = recognized(&state, query_arg(&req, "akid").as_deref()).await?;
    let values = match &me {
        Some(me) => {
            let user = me.user.clone();
            state.db.read(move |conn| selfservice::stored_values(conn, &user)).await?
        }
        None => BTreeMap::new(),
    };
    render_update(&req, &state, me.as_ref(), values, &ValidationErrors::default(), StatusCode::OK).await
}

/// The form through the engine as an `update` action on the built-in page (SPEC U1, A10):
/// stored at once, in one transaction, with the privacy records it brings.
pub async fn update_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let posted = ActionInput::from_form(&body, Source::Website)?;
    let me = recognized(&state, posted.get("akid")).await?;
    let input = update_input(posted, me.as_ref()).with_evidence(crate::http::evidence(&req));
    let deps = state.engine.clone();
    let job = input.clone();
    let done = state
        .db
        .writer
        .submit(move |conn| {
            selfservice::ensure_update_page(conn)?;
            engine::process(conn, &deps, &job)
        })
        .await;
    match done {
        Ok(_) => {
            state.mail.wake();
            // Only the supporter's own akid comes back: an email alone earns no link.
            let to = me.map_or_else(|| "/me/update/done/".to_owned(), |m| format!("/me/update/done/?akid={}", m.akid));
            Ok(private(HttpResponse::SeeOther()).insert_header((header::LOCATION, to)).finish())
        }
        Err(AppError::Forgotten { .. }) => {
            Ok(private(HttpResponse::SeeOther()).insert_header((header::LOCATION, "/me/update/done/")).finish())
        }
        Err(AppError::Validation(errors)) => {
            let lang = selfservice::lang_of(&state.i18n, me.as_ref().map(|m| &m.user));
            let errors = relocalize(&state, &lang, errors);
            render_update(&req, &state, me.as_ref(), input.first_values(), &errors, StatusCode::BAD_REQUEST).await
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn updated(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let me = recognized(&state, query_arg(&req, "akid").as_deref()).await?;
    let akid = me.as_ref().map(|m| m.akid.clone());
    render(&state, "me_updated.html", me.as_ref().map(|m| &m.user), StatusCode::OK, context! { akid })
}

pub async fn forget_form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    match recognized(&state, query_arg(&req, "akid").as_deref()).await? {
        Some(me) => {
            let extra = context! { state => "known", akid => me.akid, user => context! { email => me.user.email } };
            render(&state, "me_forget.html", Some(&me.user), StatusCode::OK, extra)
        }
        None => render(&state, "me_forget.html", None, StatusCode::OK, context! { state => "ask" }),
    }
}

/// Mails the confirmation link to the supporter's own address: the one the akid names,
/// or the one typed in (when it is a supporter's). The answer never says which.
pub async fn forget_request(state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let akid = form_value(&body, "akid").and_then(|a| state.engine.akid_key.parse(&a));
    let email = match akid {
        Some(_) => None,
        None => match parse_email(&state, &body) {
            Ok(email) => Some(email),
            Err(errors) => return render_email_form(&state, "me_forget.html", "ask", &body, &errors),
        },
    };
    let deps = state.engine.clone();
    let now = Utc::now().naive_utc();
    state
        .db
        .writer
        .submit(move |conn| {
            let user = match (akid, &email) {
                (Some(akid), _) => selfservice::find_user(conn, akid.user_id)?,
                (None, Some(email)) => crate::people::store::find_by_email(conn, email)?,
                (None, None) => None,
            };
            match user {
                Some(user) => selfservice::mail_forget_link(conn, &deps, &user, now),
                None => Ok(()),
            }
        })
        .await?;
    state.mail.wake();
    render(&state, "me_forget.html", None, StatusCode::OK, context! { state => "sent" })
}

/// The mailed link: a page with a POST button (a GET forgets nobody).
pub async fn forget_confirm_page(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let token = query_arg(&req, "token").unwrap_or_default();
    let deps = state.engine.clone();
    let now = Utc::now().naive_utc();
    let check = token.clone();
    let user = state.db.read(move |conn| selfservice::forget_link_user(conn, &deps, &check, now)).await?;
    match user {
        Some(user) => {
            render(&state, "me_forget.html", Some(&user), StatusCode::OK, context! { state => "confirm", token })
        }
        None => render(&state, "me_forget.html", None, StatusCode::OK, context! { state => "expired" }),
    }
}

pub async fn forget_confirm(state: web::Data<AppState>, body: web::Bytes) -> Result<HttpResponse, PageError> {
    let token = form_value(&body, "token").unwrap_or_default();
    let deps = state.engine.clone();
    let now = Utc::now().naive_utc();
    let forgot = state.db.writer.submit(move |conn| selfservice::forget_by_link(conn, &deps, &token, now)).await?;
    let shown = if forgot { "done" } else { "expired" };
    render(&state, "me_forget.html", None, StatusCode::OK, context! { state => shown })
}

// ------------------------------------------------------------------ helpers

async fn recognized(state: &AppState, raw: Option<&str>) -> Result<Option<Recognized>, AppError> {
    let Some(akid) = raw.and_then(|a| state.engine.akid_key.parse(a)) else { return Ok(None) };
    let user = state.db.read(move |conn| selfservice::find_user(conn, akid.user_id)).await?;
    // Re-formatted, not echoed: only a canonical, verified akid goes back into links.
    Ok(user.map(|user| Recognized {
        akid: state.engine.akid_key.format(Akid { mailing_id: akid.mailing_id, user_id: user.user_id() }),
        user,
    }))
}

/// What `/me/update/` passes to the engine: the profile fields, phones, allowed custom
/// user fields and privacy choices — nothing that acts on lists, pages or payments; the
/// built-in page; for a recognized supporter their akid instead of an email (the akid
/// says who they are; the address is not changed here).
fn update_input(posted: ActionInput, me: Option<&Recognized>) -> ActionInput {
    const OTHER: &[&str] = &[
        "name",
        "lang",
        "phone",
        "phone_type",
        "home_phone",
        "work_phone",
        "mobile_phone",
        "home_fax_phone",
        "work_fax_phone",
        "emergency_phone",
        "privacy",
        "privacy_extra",
        "privacy_hidden",
        "privacy_optin_lists",
        "privacy_optout_unsub_all",
        "privacy_optout_skip_confirmation",
        "required",
    ];
    let keep = |name: &str| {
        UserChanges::FIELDS.contains(&name)
            || OTHER.contains(&name)
            || name.starts_with("user_")
            || (name == "email" && me.is_none())
    };
    let mut input = posted;
    input.params.retain(|(name, _)| keep(name));
    input.params.push(("page".into(), selfservice::UPDATE_PAGE.into()));
    if let Some(me) = me {
        input.params.push(("akid".into(), me.akid.clone()));
    }
    input
}

async fn render_update(
    req: &HttpRequest,
    state: &AppState,
    me: Option<&Recognized>,
    values: BTreeMap<String, String>,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let (found, list_id) =
        state.db.read(|conn| Ok((selfservice::update_page(conn)?, selfservice::default_list(conn)?))).await?;
    let list_id = list_id.ok_or_else(not_found)?;
    let (mut page, fields) = match found {
        Some(found) => found,
        None => (state.db.writer.submit(selfservice::ensure_update_page).await?, BTreeMap::new()),
    };
    let lang = selfservice::lang_of(&state.i18n, me.map(|m| &m.user));
    page.lang.clone_from(&lang);
    let privacy = state.privacy.get();
    let mut args = BTreeMap::new();
    if let Some(me) = me {
        args.insert("akid".to_owned(), me.akid.clone());
    }
    let mut ctx = ActionPageContext::new(
        &page,
        RenderInput {
            client_name: &state.config.client_name,
            i18n: &state.i18n,
            privacy: &privacy,
            page_fields: &fields,
            templateset: ORIGINAL,
            values,
            errors,
            args,
            path: req.path(),
        },
    );
    // As on ActionKit, the update screen has no page type or title (`{% if not page.type %}`).
    ctx.page.page_type = "";
    ctx.page.title = String::new();
    ctx.list_id = list_id;
    ctx.user = me.map(|m| {
        serde_json::json!({"email": m.user.email, "first_name": m.user.first_name,
        "last_name": m.user.last_name, "country": m.user.country, "subscription_status": m.user.subscription_status})
    });
    ctx.actionkit_user.clone_from(&ctx.user);
    let me_text = selfservice::texts(&state.i18n, &lang);
    let full = context! { me_text, ..Value::from_serialize(&ctx) };
    let body = state.renderer.render(ORIGINAL, "user_update.html", &full)?;
    Ok(private(HttpResponse::build(status)).content_type("text/html; charset=utf-8").body(body))
}

/// The profile as `/me/` lists it: the non-blank stored fields with their labels, phones.
fn profile_rows(state: &AppState, lang: &str, user: &User, held: Option<&serde_json::Value>) -> Vec<Value> {
    let label =
        |name: &str| state.i18n.lookup(lang, &format!("label_{name}")).unwrap_or_else(|| name.replace('_', " "));
    let mut rows: Vec<Value> = std::iter::once("email")
        .chain(UserChanges::FIELDS)
        .filter_map(|name| user.field(name).filter(|v| !v.trim().is_empty()).map(|v| (name, v)))
        .map(|(name, value)| context! { label => label(name), value })
        .collect();
    for phone in held.and_then(|h| h["phones"].as_array()).into_iter().flatten() {
        let value =
            format!("{} ({})", phone["phone"].as_str().unwrap_or_default(), phone["type"].as_str().unwrap_or_default());
        rows.push(context! { label => label("phone"), value });
    }
    rows
}

fn render(
    state: &AppState,
    file: &str,
    user: Option<&User>,
    status: StatusCode,
    extra: Value,
) -> Result<HttpResponse, PageError> {
    let lang = selfservice::lang_of(&state.i18n, user);
    let ctx = context! {
        client_name => state.config.client_name,
        page => context! { lang => lang_context(&lang) },
        ui => ui_strings(&state.i18n, &lang),
        me_text => selfservice::texts(&state.i18n, &lang),
        ..extra
    };
    let body = state.renderer.render(ORIGINAL, file, &ctx)?;
    Ok(private(HttpResponse::build(status)).content_type("text/html; charset=utf-8").body(body))
}

/// An email form again, 400, with its field message.
fn render_email_form(
    state: &AppState,
    file: &str,
    shown: &str,
    body: &[u8],
    errors: &ValidationErrors,
) -> Result<HttpResponse, PageError> {
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &errors.0 {
        by_field.entry(e.field.clone()).or_default().push(e.message.clone());
    }
    let messages: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
    let values = context! { email => form_value(body, "email").unwrap_or_default() };
    let extra = context! { state => shown, errors => by_field, error_messages => messages, values };
    render(state, file, None, StatusCode::BAD_REQUEST, extra)
}

fn parse_email(state: &AppState, body: &[u8]) -> Result<Email, ValidationErrors> {
    let lang = crate::i18n::DEFAULT_LANG;
    let code = match form_value(body, "email") {
        Some(raw) if !raw.trim().is_empty() => match Email::parse(&raw) {
            Some(email) => return Ok(email),
            None => "invalid",
        },
        _ => "missing",
    };
    let message = state.i18n.error_message(lang, "email", code);
    Err(ValidationErrors(vec![FieldError { field: "email".into(), code: code.into(), message }]))
}

/// Messages in the supporter's language (the engine speaks the page's).
fn relocalize(state: &AppState, lang: &str, errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|e| FieldError { message: state.i18n.error_message(lang, &e.field, &e.code), ..e })
            .collect(),
    )
}

fn form_value(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn query_arg(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// Personal pages: never cached, and the akid in the URL is not sent on as a `Referer`.
fn private(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store")).insert_header(("Referrer-Policy", "no-referrer"));
    builder
}

fn not_found() -> AppError {
    AppError::NotFound("We could not find that page.".into())
}
