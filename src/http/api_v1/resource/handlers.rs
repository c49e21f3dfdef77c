//! The [`Resource`] trait and the generic handlers every resource shares (SPEC R1–R3):
//! staff authentication (401), method checks (405 with `Allow`), the list envelope, one
//! object (404 for an unknown id), create (201 + `Location`, empty body as ActionKit),
//! update (202, empty body), delete (204) and `schema/`, in JSON or XML by `Accept` (or
//! `?format=`). Writes run in one writer transaction: a failed update changes nothing.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDateTime, Utc};
use serde_json::{json, Map, Value};

use super::descriptor::{Descriptor, Method};
use super::input::{self, Input};
use super::{params, schema};
use crate::app::AppState;
use crate::db::DbConnection;
use crate::engine::EngineDeps;
use crate::error::AppError;
use crate::http::auth::basic_staff;
use crate::http::body::read_limited;
use crate::http::negotiate::Format;
use crate::listing::Listing;

/// What a write knows besides its input.
#[derive(Clone)]
pub struct WriteCtx {
    pub now: NaiveDateTime,
    /// The staff account making the call, for audit entries.
    pub staff_id: i64,
    /// For language strings (error messages in the engine's words).
    pub deps: EngineDeps,
}

/// A REST resource: a descriptor, a query, and a row's JSON; writes are optional (the
/// descriptor's methods say which exist, and only those are ever called).
pub trait Resource: 'static {
    const DESCRIPTOR: &'static Descriptor;
    type Row: Send + 'static;

    /// The rows matching `listing` (one page of them) and how many match in all.
    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<Self::Row>), AppError>;

    fn id(row: &Self::Row) -> i64;

    /// The row's fields; references as URIs. `resource_uri` is added by the framework.
    fn to_json(row: &Self::Row) -> Map<String, Value>;

    /// Stores a new object from a checked input; returns its id.
    fn create(_conn: &mut DbConnection, _ctx: &WriteCtx, _input: &Input) -> Result<i64, AppError> {
        Err(AppError::MethodNotAllowed(format!("{} objects cannot be created.", Self::DESCRIPTOR.name)))
    }

    /// Changes the existing object `id` (its existence is already checked).
    fn update(_conn: &mut DbConnection, _ctx: &WriteCtx, _id: i64, _input: &Input) -> Result<(), AppError> {
        Err(AppError::MethodNotAllowed(format!("{} objects cannot be changed.", Self::DESCRIPTOR.name)))
    }

    /// Deletes the existing object `id` (its existence is already checked).
    fn delete(_conn: &mut DbConnection, _ctx: &WriteCtx, _id: i64) -> Result<(), AppError> {
        Err(AppError::MethodNotAllowed(format!("{} objects cannot be deleted.", Self::DESCRIPTOR.name)))
    }
}

/// Wires `/<name>/`, `/<name>/schema/` and `/<name>/<id>/` for `R`.
pub fn register<R: Resource>(cfg: &mut web::ServiceConfig) {
    let name = R::DESCRIPTOR.name;
    cfg.service(web::resource(format!("/{name}/schema/")).to(schema_handler::<R>))
        .service(web::resource(format!("/{name}/{{id}}/")).to(detail::<R>))
        .service(web::resource(format!("/{name}/")).to(collection::<R>));
}

/// A successful answer.
enum Reply {
    Body(&'static str, Value),
    Created(String),
    Accepted,
    Deleted,
}

fn format_of(req: &HttpRequest) -> Format {
    let asked = form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "format").map(|(_, v)| v);
    match asked.as_deref() {
        Some("xml") => Format::Xml,
        Some("json") => Format::Json,
        _ => Format::of(req),
    }
}

fn answer(req: &HttpRequest, result: Result<Reply, AppError>, allowed: &[Method]) -> HttpResponse {
    let format = format_of(req);
    match result {
        Ok(Reply::Body(root, body)) => format.respond(StatusCode::OK, root, &body),
        Ok(Reply::Created(location)) => HttpResponse::Created().insert_header((header::LOCATION, location)).finish(),
        Ok(Reply::Accepted) => HttpResponse::Accepted().finish(),
        Ok(Reply::Deleted) => HttpResponse::NoContent().finish(),
        Err(e) => {
            let mut res = format.error(&e);
            if res.status() == StatusCode::METHOD_NOT_ALLOWED {
                let allow = allowed.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
                if let Ok(value) = header::HeaderValue::from_str(&allow) {
                    res.headers_mut().insert(header::ALLOW, value);
                }
            }
            res
        }
    }
}

/// The calling staff account's id: 401 without credentials; 403 for an editor outside the
/// page resources (SPEC S1: editors work on pages, languages and templates, not people).
async fn staff_id(req: &HttpRequest, state: &AppState, desc: &Descriptor) -> Result<i64, AppError> {
    let account = basic_staff(req, state).await?.ok_or(AppError::Unauthorized)?;
    if !editor_may(desc) {
        crate::http::auth::require_admin(&account)?;
    }
    Ok(account.id)
}

fn editor_may(desc: &Descriptor) -> bool {
    desc.name.ends_with("page") || desc.name == "allowedpagefield"
}

fn allow(method: Option<Method>, allowed: &[Method], path: &str) -> Result<Method, AppError> {
    method.filter(|m| allowed.contains(m)).ok_or_else(|| {
        let names = allowed.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ");
        // Typed action resources are read-only in ActionKit too; say where actions go.
        let hint = if path.ends_with("action/") && !path.ends_with("/action/") {
            " Actions are created by POST to /rest/v1/action/."
        } else {
            ""
        };
        AppError::MethodNotAllowed(format!("{path} answers {names} only.{hint}"))
    })
}

async fn collection<R: Resource>(req: HttpRequest, state: web::Data<AppState>, payload: web::Payload) -> HttpResponse {
    let result = collection_inner::<R>(&req, &state, payload).await;
    answer(&req, result, R::DESCRIPTOR.list_methods)
}

async fn collection_inner<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
) -> Result<Reply, AppError> {
    let desc = R::DESCRIPTOR;
    // tastypie's order: the method first, then the credentials.
    let method = allow(Method::of(req.method()), desc.list_methods, req.path())?;
    let staff = staff_id(req, state, desc).await?;
    if method == Method::Post {
        let input = read_input(req, state, payload, desc, true).await?;
        let ctx = write_ctx(state, staff);
        let id = state.db.writer.submit(move |conn| R::create(conn, &ctx, &input)).await?;
        return Ok(Reply::Created(format!("{}{}", crate::http::origin(req), desc.uri(id))));
    }
    let request = params::parse(desc, req.query_string(), state.db.backend())?;
    let listing = request.listing.clone();
    let (total, rows) = state.db.read(move |conn| R::list(conn, &listing)).await?;
    let (limit, offset) = (request.listing.limit, request.listing.offset);
    // Saturating: `_offset` may be as large as an i64 holds.
    let next = (offset.saturating_add(limit) < total)
        .then(|| params::link(req.path(), &request.kept, limit, offset.saturating_add(limit)));
    let previous = (offset > 0).then(|| params::link(req.path(), &request.kept, limit, (offset - limit).max(0)));
    let objects: Vec<Value> = rows.iter().map(render::<R>).collect();
    Ok(Reply::Body(
        "response",
        json!({
            "meta": {"limit": limit, "offset": offset, "total_count": total, "next": next, "previous": previous},
            "objects": objects,
        }),
    ))
}

async fn detail<R: Resource>(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let result = detail_inner::<R>(&req, &state, &path.into_inner(), payload).await;
    answer(&req, result, R::DESCRIPTOR.detail_methods)
}

async fn detail_inner<R: Resource>(
    req: &HttpRequest,
    state: &AppState,
    raw_id: &str,
    payload: web::Payload,
) -> Result<Reply, AppError> {
    let desc = R::DESCRIPTOR;
    let method = allow(Method::of(req.method()), desc.detail_methods, req.path())?;
    let staff = staff_id(req, state, desc).await?;
    let not_found = || AppError::NotFound(format!("No {} with id {raw_id}.", desc.name));
    let id: i64 = raw_id.parse().ok().filter(|id| *id > 0).ok_or_else(not_found)?;
    let by_id = Listing::by_id(state.db.backend(), desc.key, id);
    let ctx = write_ctx(state, staff);
    match method {
        Method::Put | Method::Patch => {
            let input = read_input(req, state, payload, desc, false).await?;
            state
                .db
                .writer
                .submit(move |conn| {
                    ensure_exists::<R>(conn, &by_id, id)?;
                    R::update(conn, &ctx, id, &input)
                })
                .await?;
            Ok(Reply::Accepted)
        }
        Method::Delete => {
            state
                .db
                .writer
                .submit(move |conn| {
                    ensure_exists::<R>(conn, &by_id, id)?;
                    R::delete(conn, &ctx, id)
                })
                .await?;
            Ok(Reply::Deleted)
        }
        _ => {
            let (_, rows) = state.db.read(move |conn| R::list(conn, &by_id)).await?;
            let row = rows.first().ok_or_else(not_found)?;
            Ok(Reply::Body("object", render::<R>(row)))
        }
    }
}

/// A write's first step: the object exists (404 otherwise), read in the write's own
/// transaction so that nothing can delete it in between.
fn ensure_exists<R: Resource>(conn: &mut DbConnection, by_id: &Listing, id: i64) -> Result<(), AppError> {
    match R::list(conn, by_id)?.0 {
        0 => Err(AppError::NotFound(format!("No {} with id {id}.", R::DESCRIPTOR.name))),
        _ => Ok(()),
    }
}

async fn schema_handler<R: Resource>(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let result = async {
        allow(Method::of(req.method()), &[Method::Get], req.path())?;
        staff_id(&req, &state, R::DESCRIPTOR).await?;
        Ok(Reply::Body("response", schema::schema(R::DESCRIPTOR)))
    }
    .await;
    answer(&req, result, &[Method::Get])
}

fn render<R: Resource>(row: &R::Row) -> Value {
    let mut map = R::to_json(row);
    map.insert("resource_uri".into(), R::DESCRIPTOR.uri(R::id(row)).into());
    Value::Object(map)
}

fn write_ctx(state: &AppState, staff_id: i64) -> WriteCtx {
    WriteCtx { now: Utc::now().naive_utc(), staff_id, deps: state.engine.clone() }
}

async fn read_input(
    req: &HttpRequest,
    state: &AppState,
    payload: web::Payload,
    desc: &'static Descriptor,
    creating: bool,
) -> Result<Input, AppError> {
    let body = read_limited(payload, state.config.max_body_bytes).await?;
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
        .unwrap_or_default();
    input::parse(desc, &content_type, &body, creating)
}

/// A `json!({...})` object literal as the map [`Resource::to_json`] returns.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// ActionKit's time format: `2012-03-09T11:42:53.147877`.
pub fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}
