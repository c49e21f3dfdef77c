//! Public pages (SPEC §1 URLs): the home page listing public pages, action pages at
//! `/<kind>/<name>/` and `/cms/<type>/<name>/`, the HTML form path `POST /act/` (redirect
//! to thanks, or the page re-rendered with inline errors), and `/cms/thanks/<name>/`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::app::AppState;
use crate::engine::{self, ActionInput, Source};
use crate::error::{AppError, PageError, ValidationErrors};
use crate::http::body::read_limited;
use crate::pages::cache::CachedPage;
use crate::pages::{Page, PageType};
use crate::render::context::{lang_context, ui_strings, ActionPageContext, ReceiptLink, RenderInput};
use crate::render::ORIGINAL;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/act/", web::post().to(act))
        .route("/act", web::post().to(act))
        .route("/cms/thanks/{name}/", web::get().to(thanks))
        .route("/cms/{type}/{name}/", web::get().to(canonical_page))
        .route("/{kind}/{name}/", web::get().to(page_by_kind));
}

pub async fn home(state: web::Data<AppState>) -> Result<HttpResponse, PageError> {
    let listed = state.pages.public_pages(&state.db).await?;
    let cards: Vec<_> = listed
        .iter()
        .map(|p| minijinja::context! { name => p.name, title => p.title, type => p.kind().as_str(), url => p.url() })
        .collect();
    let lang = crate::i18n::DEFAULT_LANG;
    let ctx = minijinja::context! {
        client_name => state.config.client_name,
        page => minijinja::context! { title => state.config.client_name, lang => lang_context(lang) },
        pages => cards,
        ui => ui_strings(&state.i18n, lang),
    };
    Ok(html(StatusCode::OK, state.renderer.render(ORIGINAL, "home.html", &ctx)?))
}

pub async fn page_by_kind(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (kind, name) = path.into_inner();
    let wanted = PageType::from_url_kind(&kind).ok_or_else(not_found_error)?;
    show_page(&req, &state, &name, |page| page.kind() == wanted).await
}

pub async fn canonical_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (type_name, name) = path.into_inner();
    show_page(&req, &state, &name, |page| page.kind().privacy_name() == type_name.to_ascii_lowercase()).await
}

async fn show_page(
    req: &HttpRequest,
    state: &AppState,
    name: &str,
    kind_matches: impl Fn(&Page) -> bool,
) -> Result<HttpResponse, PageError> {
    let loaded = load_page(state, name).await?;
    if !kind_matches(&loaded.page) {
        return Ok(HttpResponse::MovedPermanently().insert_header((header::LOCATION, loaded.page.url())).finish());
    }
    let file = loaded.page.kind().template();
    let no_errors = ValidationErrors::default();
    let extras = Extras { user: recognized_user(req, state).await?, ..Extras::default() };
    render_page_with(req, state, &loaded, file, BTreeMap::new(), &no_errors, StatusCode::OK, extras)
}

/// The supporter named by a valid `akid` in the query string, as templates see them:
/// profile fields and `privacyrecord_set` with each record's `version.type`,
/// `version.hash` and `status` (SPEC T3, P15).
async fn recognized_user(req: &HttpRequest, state: &AppState) -> Result<Option<serde_json::Value>, AppError> {
    let Some(akid) = query_args(req).get("akid").and_then(|a| state.engine.akid_key.parse(a)) else { return Ok(None) };
    state
        .db
        .read(move |conn| {
            let Some(user) = crate::people::store::find_by_id(conn, akid.user_id)? else { return Ok(None) };
            let records: Vec<serde_json::Value> = crate::privacy::store::records_of_user(conn, user.id)?
                .into_iter()
                .map(|r| serde_json::json!({"status": r.status, "version": {"type": r.text_type, "hash": r.hash, "text": r.text}}))
                .collect();
            Ok(Some(serde_json::json!({
                "id": user.id, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
                "city": user.city, "state": user.state, "zip": user.zip, "postal": user.postal, "country": user.country,
                "subscription_status": user.subscription_status, "privacyrecord_set": records,
            })))
        })
        .await
}

/// The HTML form path into the engine.
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let input = ActionInput::from_form(&body, Source::Website)?.with_evidence(crate::http::evidence(&req));
    let deps = state.engine.clone();
    let job_input = input.clone();
    match state.db.writer.submit(move |conn| engine::process(conn, &deps, &job_input)).await {
        Ok(outcome) if outcome.failure.is_none() => {
            state.mail.wake();
            Ok(HttpResponse::Found().insert_header((header::LOCATION, outcome.redirect_url)).finish())
        }
        Ok(_declined) => {
            // A declined donation is stored as failed (A9); the donor sees the form again.
            let loaded = load_page(&state, input.get("page").unwrap_or_default()).await?;
            let message = state.i18n.error_message(&loaded.page.lang, "card_num", "declined");
            let errors = ValidationErrors(vec![crate::error::FieldError {
                field: "card_num".into(),
                code: "declined".into(),
                message,
            }]);
            let file = loaded.page.kind().template();
            render_page(&req, &state, &loaded, file, input.first_values(), &errors, StatusCode::PAYMENT_REQUIRED)
        }
        Err(AppError::Validation(errors)) => {
            let Ok(loaded) = load_page(&state, input.get("page").unwrap_or_default()).await else {
                // Only a missing page name fails validation before a page is found.
                return Err(AppError::BadRequest("A page name is required.".into()).into());
            };
            let file = loaded.page.kind().template();
            render_page(&req, &state, &loaded, file, input.first_values(), &errors, StatusCode::BAD_REQUEST)
        }
        // Nothing was stored; the page thanks them like anyone else, leaking nothing.
        Err(AppError::Forgotten { redirect_url }) => {
            Ok(HttpResponse::Found().insert_header((header::LOCATION, redirect_url)).finish())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn thanks(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let loaded = load_page(&state, &path.into_inner()).await?;
    let extras = Extras { receipts: receipts_for(&req, &state).await?, user: recognized_user(&req, &state).await? };
    let no_errors = ValidationErrors::default();
    render_page_with(&req, &state, &loaded, "thanks.html", BTreeMap::new(), &no_errors, StatusCode::OK, extras)
}

/// The action's receipts, when the akid in the thanks URL is the action's supporter's.
async fn receipts_for(req: &HttpRequest, state: &AppState) -> Result<Vec<ReceiptLink>, AppError> {
    let args = query_args(req);
    let action_id = args.get("action_id").and_then(|a| a.parse::<i64>().ok());
    let akid = args.get("akid").and_then(|a| state.engine.akid_key.parse(a));
    let (Some(action_id), Some(akid)) = (action_id, akid) else { return Ok(vec![]) };
    let found = state
        .db
        .read(move |conn| {
            let owner = engine::store::find(conn, action_id)?.and_then(|a| a.user_id);
            if owner != Some(akid.user_id.0) {
                return Ok(vec![]);
            }
            Ok(crate::receipts::store::of_action(conn, action_id)?)
        })
        .await?;
    Ok(found.into_iter().map(|(id, kind)| ReceiptLink { url: format!("/receipts/{id}/"), kind }).collect())
}

/// Anything unrouted: a trailing-slash redirect for page-like paths, else the 404 page.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, PageError> {
    let path = req.path();
    let last = path.rsplit('/').next().unwrap_or_default();
    if req.method() == actix_web::http::Method::GET && !path.ends_with('/') && !last.contains('.') {
        let query = if req.query_string().is_empty() { String::new() } else { format!("?{}", req.query_string()) };
        return Ok(HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, format!("{path}/{query}")))
            .finish());
    }
    Err(not_found_error().into())
}

fn not_found_error() -> AppError {
    AppError::NotFound("We could not find that page.".into())
}

/// A public page as GETs need it: held in the page cache, so a warm GET reads nothing
/// from the database.
async fn load_page(state: &AppState, name: &str) -> Result<Arc<CachedPage>, AppError> {
    let found = state.pages.page(&state.db, name).await?;
    found.filter(|l| l.page.kind().is_public() && l.page.is_active()).ok_or_else(not_found_error)
}

fn render_page(
    req: &HttpRequest,
    state: &AppState,
    loaded: &CachedPage,
    file: &str,
    values: BTreeMap<String, String>,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    render_page_with(req, state, loaded, file, values, errors, status, Extras::default())
}

/// What only some pages show: receipts on thanks pages, the recognized supporter.
#[derive(Default)]
struct Extras {
    receipts: Vec<ReceiptLink>,
    user: Option<serde_json::Value>,
}

#[allow(clippy::too_many_arguments)] // the page, what to show on it, and how to answer
fn render_page_with(
    req: &HttpRequest,
    state: &AppState,
    loaded: &CachedPage,
    file: &str,
    values: BTreeMap<String, String>,
    errors: &ValidationErrors,
    status: StatusCode,
    extras: Extras,
) -> Result<HttpResponse, PageError> {
    let sources = state.renderer.sources();
    let set = loaded.page.templateset_id.and_then(|id| sources.set_by_id(id)).map_or(ORIGINAL, |s| s.name.as_str());
    let privacy = state.privacy.get();
    let mut ctx = ActionPageContext::new(
        &loaded.page,
        RenderInput {
            client_name: &state.config.client_name,
            i18n: &state.i18n,
            privacy: &privacy,
            page_fields: &loaded.fields,
            templateset: set,
            values,
            errors,
            args: query_args(req),
            path: req.path(),
        },
    );
    ctx.receipts = extras.receipts;
    ctx.actionkit_user.clone_from(&extras.user);
    ctx.user = extras.user;
    let body = state.renderer.render(set, file, &minijinja::Value::from_serialize(&ctx))?;
    Ok(html(status, body))
}

/// The query string's first value for each name.
fn query_args(req: &HttpRequest) -> BTreeMap<String, String> {
    let mut args = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        args.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    args
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}
