//! Public pages (SPEC §1 URLs): the home page listing public pages, action pages at
//! `/<kind>/<name>/` and `/cms/<type>/<name>/`, the HTML form path `POST /act/` (redirect
//! to thanks, or the page re-rendered with inline errors), and `/cms/thanks/<name>/`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

use crate::app::AppState;
use crate::engine::{self, ActionInput, Source};
use crate::error::{AppError, PageError, ValidationErrors};
use crate::http::body::read_limited;
use crate::pages::{self, Page, PageType};
use crate::render::context::{lang_context, ui_strings, ActionPageContext};
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
    let listed = state.db.read(|conn| Ok(pages::store::list_public(conn)?)).await?;
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
    Ok(html(StatusCode::OK, state.renderer.render(ORIGINAL, "home.html", &minijinja::Value::from_serialize(&ctx))?))
}

pub async fn page_by_kind(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (kind, name) = path.into_inner();
    let wanted = PageType::from_url_kind(&kind).ok_or_else(not_found_error)?;
    show_page(&state, &name, |page| page.kind() == wanted).await
}

pub async fn canonical_page(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (type_name, name) = path.into_inner();
    show_page(&state, &name, |page| page.kind().privacy_name() == type_name.to_ascii_lowercase()).await
}

async fn show_page(
    state: &AppState,
    name: &str,
    kind_matches: impl Fn(&Page) -> bool,
) -> Result<HttpResponse, PageError> {
    let page = load_page(state, name).await?;
    if !kind_matches(&page) {
        return Ok(HttpResponse::MovedPermanently().insert_header((header::LOCATION, page.url())).finish());
    }
    render_action_page(state, &page, BTreeMap::new(), &ValidationErrors::default(), StatusCode::OK)
}

/// The HTML form path into the engine.
pub async fn act(state: web::Data<AppState>, payload: web::Payload) -> Result<HttpResponse, PageError> {
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let input = ActionInput::from_form(&body, Source::Website)?;
    let deps = state.engine.clone();
    let job_input = input.clone();
    match state.db.writer.submit(move |conn| engine::process(conn, &deps, &job_input)).await {
        Ok(outcome) => Ok(HttpResponse::Found().insert_header((header::LOCATION, outcome.redirect_url)).finish()),
        Err(AppError::Validation(errors)) => {
            // Validation only fails after the page was found, so it exists.
            let page = load_page(&state, input.get("page").unwrap_or_default()).await;
            match page {
                Ok(page) => render_action_page(&state, &page, input.first_values(), &errors, StatusCode::BAD_REQUEST),
                Err(_) => Err(AppError::BadRequest("A page name is required.".into()).into()),
            }
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn thanks(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let page = load_page(&state, &path.into_inner()).await?;
    let ctx = ActionPageContext::new(
        &state.config.client_name,
        &page,
        &state.i18n,
        BTreeMap::new(),
        &ValidationErrors::default(),
    );
    Ok(html(StatusCode::OK, state.renderer.render(ORIGINAL, "thanks.html", &minijinja::Value::from_serialize(&ctx))?))
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

async fn load_page(state: &AppState, name: &str) -> Result<Page, AppError> {
    let name = name.to_owned();
    let page = state.db.read(move |conn| Ok(pages::store::find_by_name(conn, &name)?)).await?;
    page.filter(|p| p.kind().is_public() && p.is_active()).ok_or_else(not_found_error)
}

fn render_action_page(
    state: &AppState,
    page: &Page,
    values: BTreeMap<String, String>,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let ctx = ActionPageContext::new(&state.config.client_name, page, &state.i18n, values, errors);
    let body = state.renderer.render(ORIGINAL, page.kind().template(), &minijinja::Value::from_serialize(&ctx))?;
    Ok(html(status, body))
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}
