//! Imports (SPEC S2, P14, G3): upload a CSV to an import page with an optional privacy note
//! (a note used before, a one-off note, or a privacy text's hash), the list of uploads, and
//! an upload's page with its progress bar, counts (forgotten rows too) and per-row errors.
//! Admin role only. The upload goes through `imports::create` exactly as the REST upload
//! resource does, so every refusal (not an import page, placeholder note, notes required,
//! columns that are not allowed user fields, no email column) is the same clear message,
//! shown again on the form with a 400; the worker (`imports::worker`) then processes it and
//! resumes after a restart. The progress bar is server-rendered; `static/admin/
//! upload-progress.js` polls [`status`] and moves it without a reload (progressive
//! enhancement: without JavaScript the page offers a reload link).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::context;
use serde_json::json;

use super::{views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::error::AppError;
use crate::gdpr;
use crate::http::multipart;
use crate::imports::{self, admin_list, store, UploadRequest, UploadRow};

/// Uploads listed on the imports screen.
const RECENT: i64 = 50;
/// Errors shown per page of an upload's errors.
const ERRORS_PER_PAGE: i64 = 200;

/// The form's state when it is shown again after a refusal.
#[derive(Default, serde::Serialize)]
struct Submitted {
    page: String,
    privacy_note: String,
}

async fn screen(
    staff: &Staff,
    state: &AppState,
    submitted: &Submitted,
    error: Option<String>,
) -> Result<HttpResponse, AdminError> {
    let (pages, uploads, notes) = state
        .db
        .read(|conn| {
            Ok((admin_list::import_pages(conn)?, admin_list::recent(conn, RECENT)?, admin_list::used_notes(conn, 20)?))
        })
        .await?;
    let uploads: Vec<_> =
        uploads.into_iter().map(|(u, page)| context! { page => page, percent => percent(&u), u => u }).collect();
    let failed = error.is_some();
    let ctx = context! { pages => pages, uploads => uploads, notes => notes, form => submitted, error => error };
    let mut res = views::render(staff, "admin/imports.html", "imports", ctx)?;
    if failed {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

pub async fn list(AdminOnly(staff): AdminOnly, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    screen(&staff, &state, &Submitted::default(), None).await
}

/// What the multipart form sent.
#[derive(Default)]
struct Parts {
    form: Submitted,
    filename: String,
    file: Option<Vec<u8>>,
}

fn malformed(e: &str) -> AppError {
    AppError::BadRequest(format!("The form could not be read ({e}). Choose the file again and resend."))
}

async fn read_parts(body: Multipart) -> Result<Parts, AppError> {
    let mut parts = Parts::default();
    for part in multipart::read_parts(body, "upload", malformed).await? {
        let text = || part.text(malformed);
        match part.name.as_str() {
            "upload" => {
                parts.filename = part.filename.clone().unwrap_or_default();
                // A file input left empty still sends the part, with no name and no bytes.
                if !(parts.filename.is_empty() && part.bytes.is_empty()) {
                    parts.file = Some(part.bytes);
                }
            }
            "page" => parts.form.page = text()?,
            "privacy_note" => parts.form.privacy_note = text()?,
            _ => {}
        }
    }
    Ok(parts)
}

/// The upload form's POST (multipart; the CSRF token rides in the action URL's query).
pub async fn create(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    body: Multipart,
) -> Result<HttpResponse, AdminError> {
    let parts = match read_parts(body).await {
        Ok(parts) => parts,
        Err(e) => {
            let mut res = screen(&staff, &state, &Submitted::default(), Some(e.public_message())).await?;
            // The form again, with the error's own status (413 for an oversized part).
            *res.status_mut() = e.status();
            return Ok(res);
        }
    };
    let refuse = |message: &str| Some(message.to_owned());
    let error = if parts.form.page.trim().is_empty() {
        refuse("Choose the import page these people are added to.")
    } else if parts.file.is_none() {
        refuse("Choose the CSV file to upload.")
    } else {
        None
    };
    if error.is_some() {
        return screen(&staff, &state, &parts.form, error).await;
    }
    let request = UploadRequest {
        page: parts.form.page.clone(),
        original_filename: parts.filename,
        privacy_note: parts.form.privacy_note.clone(),
        created_by_id: Some(staff.id),
    };
    let file = parts.file.unwrap_or_default();
    let id = match imports::create::create(&state.db, request, file).await {
        Ok(id) => id,
        Err(e @ (AppError::BadRequest(_) | AppError::NotFound(_) | AppError::PayloadTooLarge { .. })) => {
            return screen(&staff, &state, &parts.form, Some(e.public_message())).await;
        }
        Err(e) => return Err(e.into()),
    };
    let actor = staff.actor();
    let now = chrono::Utc::now().naive_utc();
    state
        .db
        .writer
        .submit(move |conn| Ok(gdpr::store::audit(conn, &actor, "upload", Some(("upload", id)), &json!({}), now)?))
        .await?;
    state.imports.wake();
    Ok(views::see_other(&format!("/admin/imports/{id}/")))
}

fn percent(u: &UploadRow) -> i64 {
    if u.is_completed || u.total_rows == 0 {
        100
    } else {
        (u.processed_rows * 100 / u.total_rows).clamp(0, 100)
    }
}

async fn find(state: &AppState, id: i64) -> Result<(UploadRow, String, i64), AdminError> {
    let found = state
        .db
        .read(move |conn| {
            let Some(upload) = store::find(conn, id)? else { return Ok(None) };
            let page = store::page_name(conn, upload.page_id)?;
            Ok(Some((upload, page, store::error_count(conn, id)?)))
        })
        .await?;
    found.ok_or_else(|| AppError::NotFound(format!("There is no upload #{id}.")).into())
}

#[derive(serde::Deserialize)]
pub struct ErrorsPage {
    #[serde(default)]
    offset: i64,
}

pub async fn show(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<ErrorsPage>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let offset = query.offset.max(0);
    let (upload, page, error_count) = find(&state, id).await?;
    let errors = state.db.read(move |conn| Ok(store::errors(conn, id, ERRORS_PER_PAGE, offset)?)).await?;
    let ctx = context! {
        percent => percent(&upload),
        u => upload,
        page => page,
        error_count => error_count,
        errors => errors,
        offset => offset,
        per_page => ERRORS_PER_PAGE,
    };
    views::render(&staff, "admin/import.html", "imports", ctx)
}

/// The upload's progress as JSON, for the progress script.
pub async fn status(
    AdminOnly(_staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AdminError> {
    let (u, _, error_count) = find(&state, path.into_inner()).await?;
    let mut res = HttpResponse::Ok().json(json!({
        "id": u.id,
        "status": u.status,
        "is_completed": u.is_completed,
        "total_rows": u.total_rows,
        "processed_rows": u.processed_rows,
        "ok_rows": u.ok_rows,
        "error_rows": u.error_rows,
        "forgotten_rows": u.forgotten_rows,
        "error_count": error_count,
        "percent": percent(&u),
    }));
    super::error::harden(&mut res);
    Ok(res)
}
