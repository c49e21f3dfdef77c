//! ActionKit's upload resources (SPEC R1, R3, P14): `POST /rest/v1/upload/` takes a
//! multipart body (`page` as a name or URI, the CSV file as `upload`, optional
//! `privacy_note`) and answers 201 with `Location`; the worker then processes it.
//! `GET /rest/v1/upload/<id>/` reports progress, `is_completed` and the error count in
//! `has_errors`; `GET /rest/v1/uploaderror/?upload=<id>` lists per-row errors in the list
//! envelope. Staff over HTTP Basic only. The envelope helper is local until the generic
//! resource framework takes these over.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::app::AppState;
use crate::error::{ApiError, AppError};
use crate::http::multipart;
use crate::imports::{self, store, UploadErrorRow, UploadRequest, UploadRow};

fn upload_uri(id: i64) -> String {
    format!("/rest/v1/upload/{id}/")
}

fn timestamp(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

async fn staff_id(req: &HttpRequest, state: &AppState) -> Result<i64, AppError> {
    Ok(crate::http::auth::admin_staff(req, state).await?.id)
}

fn malformed(e: &str) -> AppError {
    AppError::BadRequest(format!(
        "Send a multipart/form-data body with the CSV file in the field \"upload\" and the page in \"page\" ({e})."
    ))
}

/// The parts of a multipart upload body that Placard reads.
#[derive(Default)]
struct Parts {
    request: UploadRequest,
    file: Option<Vec<u8>>,
}

async fn read_parts(body: Multipart) -> Result<Parts, AppError> {
    let mut parts = Parts::default();
    for part in multipart::read_parts(body, "upload", malformed).await? {
        let text = || part.text(malformed);
        match part.name.as_str() {
            "upload" => {
                parts.request.original_filename = part.filename.clone().unwrap_or_default();
                parts.file = Some(part.bytes);
            }
            "page" => parts.request.page = text()?,
            "privacy_note" | "privacy" => parts.request.privacy_note = text()?,
            "user_fields_only" if crate::engine::process::truthy(&text()?) => {
                return Err(AppError::BadRequest("user_fields_only is not supported: every row is an action.".into()))
            }
            "autocreate_user_fields" if crate::engine::process::truthy(&text()?) => {
                return Err(AppError::BadRequest(
                    "autocreate_user_fields is not supported: add the allowed user fields first.".into(),
                ))
            }
            // Known ActionKit fields with their default values, and anything else, change nothing.
            _ => {}
        }
    }
    Ok(parts)
}

pub async fn create(req: HttpRequest, state: web::Data<AppState>, body: Multipart) -> Result<HttpResponse, ApiError> {
    let staff = staff_id(&req, &state).await?;
    let parts = read_parts(body).await?;
    let Some(file) = parts.file else {
        return Err(AppError::BadRequest("The CSV file is missing: send it in the field \"upload\".".into()).into());
    };
    if parts.request.page.trim().is_empty() {
        return Err(AppError::BadRequest("page is missing: name the import page or give its URI.".into()).into());
    }
    let request = UploadRequest { created_by_id: Some(staff), ..parts.request };
    let id = imports::create::create(&state.db, request, file).await?;
    state.imports.wake();
    let upload = state.db.read(move |c| Ok(store::find(c, id)?)).await?.ok_or(AppError::internal("upload vanished"))?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("{}{}", crate::http::origin(&req), upload_uri(id))))
        .json(upload_json(&upload, 0)))
}

fn upload_json(u: &UploadRow, errors: i64) -> Value {
    json!({
        "id": u.id,
        "resource_uri": upload_uri(u.id),
        "page": format!("/rest/v1/importpage/{}/", u.page_id),
        "original_filename": u.original_filename,
        "status": u.status,
        "is_completed": u.is_completed,
        "has_errors": errors,
        "total_rows": u.total_rows,
        "processed_rows": u.processed_rows,
        "ok_rows": u.ok_rows,
        "error_rows": u.error_rows,
        "forgotten_rows": u.forgotten_rows,
        "privacy_note": u.privacy_note,
        "created_by": u.created_by_id.map(|id| format!("/rest/v1/staff/{id}/")),
        "created_at": timestamp(u.created_at),
        "updated_at": timestamp(u.updated_at),
    })
}

pub async fn detail(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    staff_id(&req, &state).await?;
    let id = path.into_inner();
    let (upload, errors) = state
        .db
        .read(move |c| {
            let upload = store::find(c, id)?.ok_or_else(|| AppError::NotFound(format!("No upload {id} exists.")))?;
            Ok((upload, store::error_count(c, id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(upload_json(&upload, errors)))
}

#[derive(serde::Deserialize)]
pub struct ErrorQuery {
    upload: Option<String>,
    #[serde(rename = "_limit")]
    limit: Option<String>,
    #[serde(rename = "_offset")]
    offset: Option<String>,
}

fn number(name: &str, raw: Option<&str>, default: i64, max: i64) -> Result<i64, AppError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| AppError::BadRequest(format!("{name} must be a number from 0 to {max}."))),
    }
}

/// An upload named by id or URI.
fn upload_id(raw: &str) -> Result<i64, AppError> {
    let raw = raw.trim();
    let id = raw.strip_prefix("/rest/v1/upload/").map_or(raw, |rest| rest.trim_end_matches('/'));
    id.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::BadRequest("upload must be an upload's id or URI.".into()))
}

pub async fn errors(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ErrorQuery>,
) -> Result<HttpResponse, ApiError> {
    staff_id(&req, &state).await?;
    let Some(raw) = query.upload.as_deref() else {
        return Err(AppError::BadRequest("Name the upload: ?upload=<id>.".into()).into());
    };
    let id = upload_id(raw)?;
    let limit = number("_limit", query.limit.as_deref(), 20, 100)?;
    let offset = number("_offset", query.offset.as_deref(), 0, i64::MAX)?;
    let (total, rows) = state
        .db
        .read(move |c| {
            store::find(c, id)?.ok_or_else(|| AppError::NotFound(format!("No upload {id} exists.")))?;
            Ok((store::error_count(c, id)?, store::errors(c, id, limit, offset)?))
        })
        .await?;
    let page = |at: i64| format!("/rest/v1/uploaderror/?upload={id}&_limit={limit}&_offset={at}");
    Ok(HttpResponse::Ok().json(json!({
        "meta": {
            "limit": limit,
            "offset": offset,
            "total_count": total,
            "next": (offset.saturating_add(limit) < total).then(|| page(offset + limit)),
            "previous": (offset > 0).then(|| page((offset - limit).max(0))),
        },
        "objects": rows.iter().map(error_json).collect::<Vec<_>>(),
    })))
}

fn error_json(e: &UploadErrorRow) -> Value {
    json!({
        "id": e.id,
        "resource_uri": format!("/rest/v1/uploaderror/{}/", e.id),
        "upload": upload_uri(e.upload_id),
        "row_number": e.row_number,
        "field": e.field,
        "message": e.message,
        "created_at": timestamp(e.created_at),
    })
}
