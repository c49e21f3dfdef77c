//! Lists (SPEC S2, §1): every mailing list with its default mark; create, rename (name and
//! description) and make one the default. Admins only: lists are where supporters are.
//! Writes are `people::store::insert_list` and `people::edit::update_list` — the REST list
//! resource's functions (S3) — with an audit entry naming the account.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde_json::json;

use super::{views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::gdpr;
use crate::people::edit::ListChanges;
use crate::people::{self, ListId};

#[derive(serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Done>,
) -> Result<HttpResponse, AdminError> {
    let notice = match query.done.as_deref() {
        Some("created") => Some("The list was created."),
        Some("renamed") => Some("The list was saved."),
        Some("default") => Some("The default list was changed."),
        _ => None,
    };
    screen(&staff, &state, notice, None, &ValidationErrors::default(), StatusCode::OK).await
}

/// The screen; `failed` names the form (`new` or a list id) whose `errors` are shown.
async fn screen(
    staff: &Staff,
    state: &AppState,
    notice: Option<&str>,
    failed: Option<(String, ListForm)>,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<HttpResponse, AdminError> {
    let listing = super::pages::everything(state, "core_list.name");
    let (_, lists) = state.db.read(move |conn| Ok(people::query::lists(conn, &listing)?)).await?;
    let (form, sent) = failed.map_or((None, None), |(f, s)| (Some(f), Some(s)));
    let messages: Vec<String> = errors.0.iter().map(|e| e.message.clone()).collect();
    let ctx = context! {
        lists => lists,
        notice => notice,
        failed => form,
        sent => sent.map(|s| context! { name => s.name, description => s.description, is_default => s.is_default.is_some() }),
        messages => messages,
    };
    let mut res = views::render(staff, "admin/lists.html", "lists", ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

#[derive(Clone, Debug, serde::Deserialize)]
pub struct ListForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    is_default: Option<String>,
}

/// The checked changes of a list form; a name used by another list is refused.
fn check(conn: &mut crate::db::DbConnection, form: &ListForm, id: Option<i64>) -> Result<ListChanges, AppError> {
    let name = form.name.trim();
    let complaint = if name.is_empty() {
        Some("A list needs a name.")
    } else if name.chars().count() > 255 {
        Some("A list name has at most 255 characters.")
    } else if people::query::list_by_name(conn, name)?.is_some_and(|l| Some(l.id) != id) {
        Some("A list with this name already exists.")
    } else {
        None
    };
    if let Some(message) = complaint {
        return Err(AppError::Validation(ValidationErrors(vec![FieldError {
            field: "name".into(),
            code: "invalid".into(),
            message: message.into(),
        }])));
    }
    Ok(ListChanges {
        name: Some(name.to_owned()),
        description: Some(form.description.trim().to_owned()),
        is_default: form.is_default.is_some().then_some(true),
    })
}

pub async fn create(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AdminError> {
    let sent = form.into_inner();
    let input = sent.clone();
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let changes = check(conn, &input, None)?;
            let name = changes.name.clone().unwrap_or_default();
            let ListId(id) = people::store::insert_list(conn, &name, false, now)?;
            people::edit::update_list(conn, id, &changes, now)?;
            gdpr::store::audit(conn, &actor, "create", Some(("list", id)), &json!({"name": name}), now)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(views::see_other("/admin/lists/?done=created")),
        Err(AppError::Validation(errors)) => {
            screen(&staff, &state, None, Some(("new".into(), sent)), &errors, StatusCode::BAD_REQUEST).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn exists(state: &AppState, id: i64) -> Result<(), AdminError> {
    let found = state.db.read(move |conn| Ok(people::store::find_list(conn, ListId(id))?)).await?;
    found.map(|_| ()).ok_or_else(|| AppError::NotFound("There is no such list.".into()).into())
}

/// Rename: the name and the description.
pub async fn rename(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    exists(&state, id).await?;
    let sent = form.into_inner();
    let input = ListForm { is_default: None, ..sent.clone() };
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let changes = check(conn, &input, Some(id))?;
            people::edit::update_list(conn, id, &changes, now)?;
            let details = json!({"name": changes.name});
            gdpr::store::audit(conn, &actor, "update", Some(("list", id)), &details, now)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(views::see_other("/admin/lists/?done=renamed")),
        Err(AppError::Validation(errors)) => {
            screen(&staff, &state, None, Some((id.to_string(), sent)), &errors, StatusCode::BAD_REQUEST).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Makes the list the default (the others lose the mark).
pub async fn make_default(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AdminError> {
    let id = path.into_inner();
    exists(&state, id).await?;
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    state
        .db
        .writer
        .submit(move |conn| {
            let changes = ListChanges { is_default: Some(true), ..ListChanges::default() };
            people::edit::update_list(conn, id, &changes, now)?;
            gdpr::store::audit(conn, &actor, "set_default", Some(("list", id)), &json!({}), now)?;
            Ok(())
        })
        .await?;
    Ok(views::see_other("/admin/lists/?done=default"))
}
