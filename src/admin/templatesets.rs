//! Templatesets (SPEC S2, T1): list the staff sets, create one (empty or a copy of
//! Original), a set's files (which override Original, which are inherited), edit one file in
//! a textarea, preview it on a chosen page without storing it, its revisions with restore,
//! and revert to Original. Editors and admins. Every save goes through
//! [`templatesets::save`] (compile check, stale-save conflict), is audited as `staff:<id>`
//! and is followed by [`AppState::reload_staff_edits`], so the next public GET shows it.
//! A template that does not compile re-renders the editor (400) with the line marked and
//! nothing stored.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::{context, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{views, AdminError, Staff};
use crate::app::AppState;
use crate::error::{AppError, ValidationErrors};
use crate::gdpr;
use crate::pages::{self, Page, PageType};
use crate::render::context::{ActionPageContext, RenderInput};
use crate::render::{self, Renderer, TemplateError};
use crate::templatesets::{self, browse, store};

const NAV: &str = "templatesets";

fn set_url(id: i64) -> String {
    format!("/admin/templatesets/{id}/")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn edit_url(id: i64, file: &str) -> String {
    format!("/admin/templatesets/{id}/edit/?file={}", enc(file))
}

fn not_found(what: &str) -> AdminError {
    AppError::NotFound(format!("No such {what}.")).into()
}

fn bad_request(message: &str) -> AdminError {
    AppError::BadRequest(message.to_owned()).into()
}

async fn find_set(state: &AppState, id: i64) -> Result<browse::SetRow, AdminError> {
    state.db.read(move |conn| Ok(browse::set(conn, id)?)).await?.ok_or_else(|| not_found("templateset"))
}

fn file_name(raw: &str) -> Result<String, AdminError> {
    templatesets::valid_file_name(raw.trim()).map(str::to_owned).map_err(bad_request)
}

// ---------------------------------------------------------------------------------------
// The list and creating a set

#[derive(Deserialize)]
pub struct ListQuery {
    created: Option<i64>,
}

pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AdminError> {
    render_list(&staff, &state, query.created, None, StatusCode::OK, &CreateForm::default()).await
}

async fn render_list(
    staff: &Staff,
    state: &AppState,
    created: Option<i64>,
    error: Option<&str>,
    status: StatusCode,
    form: &CreateForm,
) -> Result<HttpResponse, AdminError> {
    let sets = state.db.read(|conn| Ok(browse::sets(conn)?)).await?;
    let ctx = context! {
        sets => sets,
        original_files => render::original_files().len(),
        created => created,
        error => error,
        form => form,
    };
    let mut res = views::render(staff, "admin/templatesets.html", NAV, ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Default, Deserialize, Serialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// `original` copies every Original file into the new set; anything else starts empty.
    #[serde(default)]
    start: String,
}

pub async fn create(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<CreateForm>,
) -> Result<HttpResponse, AdminError> {
    let form = form.into_inner();
    let name = match templatesets::valid_set_name(&form.name) {
        Ok(name) => name.to_owned(),
        Err(message) => return render_list(&staff, &state, None, Some(message), StatusCode::BAD_REQUEST, &form).await,
    };
    // Names differ by more than case: pages and `{% extends "Set/x.html" %}` ignore it.
    let sets = state.db.read(|conn| Ok(browse::sets(conn)?)).await?;
    let taken = sets.iter().any(|s| s.name.to_lowercase() == name.to_lowercase());
    if taken {
        let message = "A templateset of that name exists already; choose another name.";
        return render_list(&staff, &state, None, Some(message), StatusCode::BAD_REQUEST, &form).await;
    }
    let copy = form.start == "original";
    let description = form.description.trim().to_owned();
    let (actor, staff_id, now) = (staff.actor(), staff.id, Utc::now().naive_utc());
    let sources = state.renderer.sources();
    let id = state
        .db
        .writer
        .submit(move |conn| {
            let id = store::create_set(conn, &name, &description, now)?;
            if copy {
                let mut files = render::original_files();
                files.sort();
                for file in &files {
                    let code = render::original_source(file).unwrap_or_default();
                    templatesets::save(conn, &sources, &name, file, code, None, Some(staff_id), now)?;
                }
            }
            let details = json!({ "name": name, "copy_of": if copy { Some("Original") } else { None } });
            gdpr::store::audit(conn, &actor, "templateset_create", Some(("templateset", id)), &details, now)?;
            Ok(id)
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(views::see_other(&format!("{}?created=1", set_url(id))))
}

// ---------------------------------------------------------------------------------------
// One set's files

#[derive(Serialize)]
struct FileEntry {
    filename: String,
    /// `override`, `reverted` (saved once, Original shows again) or `inherited`.
    status: &'static str,
    revision: Option<i64>,
    updated_at: Option<chrono::NaiveDateTime>,
    in_original: bool,
}

#[derive(Deserialize)]
pub struct SetQuery {
    created: Option<i64>,
    reverted: Option<String>,
}

pub async fn show(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<SetQuery>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let stored = state.db.read(move |conn| Ok(browse::files(conn, id)?)).await?;
    let originals = render::original_files();
    let mut entries: BTreeMap<String, FileEntry> = originals
        .iter()
        .map(|f| {
            let entry = FileEntry {
                filename: f.clone(),
                status: "inherited",
                revision: None,
                updated_at: None,
                in_original: true,
            };
            (f.clone(), entry)
        })
        .collect();
    for row in stored {
        let in_original = originals.contains(&row.filename);
        entries.insert(
            row.filename.clone(),
            FileEntry {
                status: if row.is_active { "override" } else { "reverted" },
                revision: Some(row.revision),
                updated_at: Some(row.updated_at),
                in_original,
                filename: row.filename,
            },
        );
    }
    let files: Vec<FileEntry> = entries.into_values().collect();
    let overrides = files.iter().filter(|f| f.status == "override").count();
    let ctx = context! {
        set => set,
        files => files,
        overrides => overrides,
        created => query.created.is_some(),
        reverted => query.reverted.clone(),
    };
    views::render(&staff, "admin/templateset.html", NAV, ctx)
}

// ---------------------------------------------------------------------------------------
// The editor

#[derive(Deserialize)]
pub struct EditQuery {
    file: String,
    saved: Option<i64>,
    restored: Option<i64>,
}

/// What the editor shows besides the set and file.
#[derive(Default, Serialize)]
struct Editor {
    code: String,
    /// The stored revision the text is based on (the stale-save guard); `None` when the set
    /// never saved this file.
    revision: Option<i64>,
    /// `override`, `reverted`, `inherited` (then the text shown is Original's) or `unsaved`
    /// (a refused save or preview shows the text posted).
    status: &'static str,
    in_original: bool,
    page: String,
    saved: Option<i64>,
    restored: Option<i64>,
    error: Option<EditorError>,
    conflict: Option<Conflict>,
}

#[derive(Serialize)]
struct EditorError {
    message: String,
    line: Option<usize>,
    /// The lines around the error, numbered, for the marked excerpt.
    excerpt: Vec<(usize, String)>,
}

#[derive(Serialize)]
struct Conflict {
    message: String,
    their_revision: Option<i64>,
    their_code: String,
}

impl EditorError {
    fn new(error: &TemplateError, code: &str, template: &str) -> Self {
        // The line is named in the message itself too, so it reads "line 12: …" however shown.
        let inner = if error.template == template { String::new() } else { format!(" (in {})", error.template) };
        let message = match error.line {
            Some(line) => format!("line {line}: {}{inner}", error.message),
            None => format!("{}{inner}", error.message),
        };
        let excerpt = error
            .line
            .map(|line| {
                code.lines()
                    .enumerate()
                    .map(|(i, text)| (i + 1, text.to_owned()))
                    .filter(|(n, _)| n + 3 >= line && *n <= line + 3)
                    .collect()
            })
            .unwrap_or_default();
        Self { message, line: error.line, excerpt }
    }
}

async fn pages_for_preview(state: &AppState) -> Result<Vec<(String, String)>, AdminError> {
    let pages = state.db.read(|conn| Ok(pages::store::list_public(conn)?)).await?;
    Ok(pages.into_iter().map(|p| (p.name.clone(), format!("{} ({}, {})", p.title, p.page_type, p.lang))).collect())
}

async fn render_editor(
    staff: &Staff,
    state: &AppState,
    set: &browse::SetRow,
    file: &str,
    editor: Editor,
    status: StatusCode,
) -> Result<HttpResponse, AdminError> {
    let pages = pages_for_preview(state).await?;
    let ctx = context! {
        set => set,
        file => file,
        editor => editor,
        pages => pages,
        set_url => set_url(set.id),
    };
    let mut res = views::render(staff, "admin/template_edit.html", NAV, ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn edit(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let file = file_name(&query.file)?;
    let stored = {
        let file = file.clone();
        state.db.read(move |conn| Ok(browse::file(conn, id, &file)?)).await?
    };
    let original = render::original_source(&file);
    let (code, status) = match &stored {
        Some(s) if s.is_active => (s.code.clone(), "override"),
        Some(_) => (original.unwrap_or_default().to_owned(), "reverted"),
        None => (original.unwrap_or_default().to_owned(), "inherited"),
    };
    let editor = Editor {
        code,
        revision: stored.map(|s| s.revision),
        status,
        in_original: original.is_some(),
        saved: query.saved,
        restored: query.restored,
        ..Editor::default()
    };
    render_editor(&staff, &state, &set, &file, editor, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct EditForm {
    file: String,
    #[serde(default)]
    code: String,
    /// The revision the text was opened at; empty when the set had no version of the file.
    #[serde(default)]
    revision: String,
    /// The page to preview on (its name).
    #[serde(default)]
    page: String,
}

impl EditForm {
    fn revision(&self) -> Result<Option<i64>, AdminError> {
        let raw = self.revision.trim();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse().map(Some).map_err(|_| bad_request("The revision field is not a number."))
    }

    /// Browsers send textarea lines with CRLF; store what staff typed with plain newlines.
    fn code(&self) -> String {
        self.code.replace("\r\n", "\n")
    }
}

pub async fn save(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let form = form.into_inner();
    let file = file_name(&form.file)?;
    let expected = form.revision()?;
    let code = form.code();
    let sources = state.renderer.sources();
    let template = format!("{}/{file}", set.name.to_lowercase());
    let editor = |error: Option<EditorError>, conflict: Option<Conflict>| Editor {
        code: code.clone(),
        revision: expected,
        status: "unsaved",
        in_original: render::original_source(&file).is_some(),
        page: form.page.clone(),
        error,
        conflict,
        ..Editor::default()
    };
    // Checked here first for the structured error (the line to mark); `save` checks again.
    if let Err(e) = Renderer::check_source(&sources, &set.name, &file, &code) {
        let editor = editor(Some(EditorError::new(&e, &code, &template)), None);
        return render_editor(&staff, &state, &set, &file, editor, StatusCode::BAD_REQUEST).await;
    }
    let (actor, staff_id, now) = (staff.actor(), staff.id, Utc::now().naive_utc());
    let (name, file_owned, code_owned) = (set.name.clone(), file.clone(), code.clone());
    let saved = state
        .db
        .writer
        .submit(move |conn| {
            // Opened as a file the set never saved, but someone saved it meanwhile: as stale
            // as an older revision (`save` compares revisions only when there is one).
            if expected.is_none() && browse::file(conn, id, &file_owned)?.is_some() {
                return Err(AppError::Conflict(format!(
                    "{file_owned} was saved by someone else since you opened it; reload to see their version."
                )));
            }
            let revision =
                templatesets::save(conn, &sources, &name, &file_owned, &code_owned, expected, Some(staff_id), now)?;
            let details = json!({ "file": file_owned, "revision": revision });
            gdpr::store::audit(conn, &actor, "template_save", Some(("templateset", id)), &details, now)?;
            Ok(revision)
        })
        .await;
    match saved {
        Ok(revision) => {
            state.reload_staff_edits()?;
            Ok(views::see_other(&format!("{}&saved={revision}", edit_url(id, &file))))
        }
        Err(AppError::Conflict(message)) => {
            let theirs = {
                let file = file.clone();
                state.db.read(move |conn| Ok(browse::file(conn, id, &file)?)).await?
            };
            let conflict = Conflict {
                message,
                their_revision: theirs.as_ref().map(|t| t.revision),
                their_code: theirs.map(|t| t.code).unwrap_or_default(),
            };
            render_editor(&staff, &state, &set, &file, editor(None, Some(conflict)), StatusCode::CONFLICT).await
        }
        Err(AppError::Validation(errors)) => {
            let error = EditorError { message: describe(&errors), line: None, excerpt: vec![] };
            render_editor(&staff, &state, &set, &file, editor(Some(error), None), StatusCode::BAD_REQUEST).await
        }
        Err(e) => Err(e.into()),
    }
}

fn describe(errors: &ValidationErrors) -> String {
    errors.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ")
}

/// Renders the page chosen with the edited text in place of the stored file; nothing is
/// stored. A page template or `thanks.html` previews itself; any other file (a wrapper, an
/// include) previews through the page's own template.
pub async fn preview(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let form = form.into_inner();
    let file = file_name(&form.file)?;
    let code = form.code();
    let template = format!("{}/{file}", set.name.to_lowercase());
    let page_name = form.page.trim().to_owned();
    let loaded = state
        .db
        .read(move |conn| {
            let Some(page) = pages::store::find_by_name(conn, &page_name)? else { return Ok(None) };
            let fields = pages::store::fields(conn, page.id)?;
            Ok(Some((page, fields)))
        })
        .await?;
    let Some((page, fields)) = loaded else {
        return Err(bad_request("Choose a page to preview on."));
    };
    let sources = state.renderer.sources().with_file(&set.name, &file, &code);
    let failed = |error: TemplateError| Editor {
        code: code.clone(),
        revision: form.revision().ok().flatten(),
        status: "unsaved",
        in_original: render::original_source(&file).is_some(),
        page: page.name.clone(),
        error: Some(EditorError::new(&error, &code, &template)),
        ..Editor::default()
    };
    if let Err(e) = Renderer::check_source(&state.renderer.sources(), &set.name, &file, &code) {
        return render_editor(&staff, &state, &set, &file, failed(e), StatusCode::BAD_REQUEST).await;
    }
    match render_page(&state, &Renderer::new(sources), &set.name, &file, &page, &fields) {
        Ok(html) => {
            let mut res = views::page(200, &html);
            // Staff-written HTML under /admin/: sandboxed (an opaque origin) so no script in
            // it can act with the admin's session; forms and links still work for a look.
            res.headers_mut().insert(
                actix_web::http::header::CONTENT_SECURITY_POLICY,
                actix_web::http::header::HeaderValue::from_static(
                    "sandbox allow-scripts allow-forms allow-popups; default-src 'self'; \
                     style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; frame-ancestors 'none'",
                ),
            );
            Ok(res)
        }
        Err(message) => {
            let error = TemplateError { template: template.clone(), line: None, message };
            render_editor(&staff, &state, &set, &file, failed(error), StatusCode::BAD_REQUEST).await
        }
    }
}

fn render_page(
    state: &AppState,
    renderer: &Renderer,
    set: &str,
    file: &str,
    page: &Page,
    fields: &BTreeMap<String, String>,
) -> Result<String, String> {
    let target = if file == "thanks.html" || PageType::ALL.iter().any(|k| k.template() == file) {
        file
    } else {
        page.kind().template()
    };
    let privacy = state.privacy.get();
    let path = page.url();
    let ctx = ActionPageContext::new(
        page,
        RenderInput {
            client_name: &state.config.client_name,
            i18n: &state.i18n,
            privacy: &privacy,
            page_fields: fields,
            templateset: set,
            values: BTreeMap::new(),
            errors: &ValidationErrors::default(),
            args: BTreeMap::new(),
            path: &path,
        },
    );
    renderer.render(set, target, &Value::from_serialize(&ctx)).map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// Revisions, restore, revert to Original

#[derive(Deserialize)]
pub struct FileQuery {
    file: String,
}

pub async fn revisions(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<FileQuery>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let file = file_name(&query.file)?;
    let (stored, revisions) = {
        let file = file.clone();
        state.db.read(move |conn| Ok((browse::file(conn, id, &file)?, browse::revisions(conn, id, &file)?))).await?
    };
    let ctx = context! {
        set => set,
        file => file,
        stored => stored,
        revisions => revisions,
        in_original => render::original_source(&file).is_some(),
        set_url => set_url(id),
    };
    views::render(&staff, "admin/template_revisions.html", NAV, ctx)
}

#[derive(Deserialize)]
pub struct RestoreForm {
    file: String,
    revision: i64,
}

/// Saves an earlier revision's text as the newest one (a save like any other: compiled,
/// audited, and the history keeps growing).
pub async fn restore(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<RestoreForm>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    let set = find_set(&state, id).await?;
    let file = file_name(&form.file)?;
    let wanted = form.revision;
    let sources = state.renderer.sources();
    let (actor, staff_id, now) = (staff.actor(), staff.id, Utc::now().naive_utc());
    let (name, file_owned) = (set.name.clone(), file.clone());
    let revision = state
        .db
        .writer
        .submit(move |conn| {
            let old = browse::revisions(conn, id, &file_owned)?
                .into_iter()
                .find(|r| r.revision == wanted)
                .ok_or_else(|| AppError::NotFound("No such revision.".into()))?;
            let current = browse::file(conn, id, &file_owned)?.map(|f| f.revision);
            let revision =
                templatesets::save(conn, &sources, &name, &file_owned, &old.code, current, Some(staff_id), now)?;
            let details = json!({ "file": file_owned, "restored": wanted, "revision": revision });
            gdpr::store::audit(conn, &actor, "template_restore", Some(("templateset", id)), &details, now)?;
            Ok(revision)
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(views::see_other(&format!("{}&restored={wanted}&saved={revision}", edit_url(id, &file))))
}

/// Drops the set's override of a file so Original's shows again; the revisions stay.
pub async fn revert(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<FileQuery>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    find_set(&state, id).await?;
    let file = file_name(&form.file)?;
    if render::original_source(&file).is_none() {
        return Err(bad_request("Original has no such file to revert to."));
    }
    let (actor, now) = (staff.actor(), Utc::now().naive_utc());
    let file_owned = file.clone();
    state
        .db
        .writer
        .submit(move |conn| {
            if store::revert_to_original(conn, id, &file_owned, now)? {
                let details = json!({ "file": file_owned });
                gdpr::store::audit(conn, &actor, "template_revert", Some(("templateset", id)), &details, now)?;
            }
            Ok(())
        })
        .await?;
    state.reload_staff_edits()?;
    Ok(views::see_other(&format!("{}?reverted={}", set_url(id), enc(&file))))
}
