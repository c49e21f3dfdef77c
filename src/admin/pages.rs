//! Pages (SPEC S2, S3, §1): the list with search by name or title, a type filter and paging;
//! create and edit every field staff set (columns, texts, custom page fields, the
//! follow-up); delete — or hide, when supporters' history points at the page; and a
//! preview as a visitor from a chosen country in a chosen language. Editors and admins.
//!
//! Writes go through `pages::staff_form` (checks, then `pages::store`/`edit`/`followup`,
//! the REST page resources' functions) in one transaction with an audit entry naming the
//! account. A bad form is shown again with each message beside its field (400), nothing
//! stored.
//!
//! The preview renders the page's template as the public URL does, but from the page row
//! whatever its status, in the language picked, and shows the privacy block as a visitor
//! from the picked country sees it (P9: only for a listed country). It stores nothing, and
//! its answer forbids scripts and form posts, so even a click on its button cannot act.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use minijinja::context;
use serde::Serialize;
use serde_json::json;

use super::{views, AdminError, Staff};
use crate::app::AppState;
use crate::error::{AppError, ValidationErrors};
use crate::gdpr;
use crate::pages::followup::{self, FollowupChanges};
use crate::pages::staff_form::{self, PageInput, HTML_TEXTS};
use crate::pages::{self, Page, PageType};
use crate::render::context::{ActionPageContext, RenderInput};
use crate::render::ORIGINAL;

const PER_PAGE: i64 = 25;
/// The privacy texts a page may override (SPEC P6 step 1), always offered on the form.
const PRIVACY_FIELDS: [&str; 4] = ["privacy_notice", "privacy_optin", "privacy_optout", "privacy_really_optout"];
/// Form names of the custom page fields: `field:<name>`.
const FIELD_PREFIX: &str = "field:";

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    page: Option<i64>,
    /// Set after a delete or hide, to say so.
    done: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    title: String,
    kind: &'static str,
    lang: String,
    status: String,
    url: Option<String>,
    updated_at: chrono::NaiveDateTime,
}

fn public_url(page: &Page) -> Option<String> {
    let kind = page.kind();
    (kind.is_public() && kind != PageType::Update).then(|| page.url())
}

pub async fn list(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AdminError> {
    let ListQuery { q, kind, page, done } = query.into_inner();
    let wanted = PageType::parse(kind.trim());
    let number = page.unwrap_or(1).max(1);
    let term = q.clone();
    let (total, found) = state
        .db
        .read(move |conn| Ok(pages::admin_query::search(conn, &term, wanted, (number - 1) * PER_PAGE, PER_PAGE)?))
        .await?;
    let rows: Vec<Row> = found
        .iter()
        .map(|p| Row {
            id: p.id,
            name: p.name.clone(),
            title: p.title.clone(),
            kind: p.kind().as_str(),
            lang: p.lang.clone(),
            status: p.status.clone(),
            url: public_url(p),
            updated_at: p.updated_at,
        })
        .collect();
    let pages_count = (total + PER_PAGE - 1) / PER_PAGE;
    let link = |n: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            s.append_pair("q", &q);
        }
        if let Some(w) = wanted {
            s.append_pair("type", w.as_str());
        }
        s.append_pair("page", &n.to_string());
        format!("/admin/pages/?{}", s.finish())
    };
    let ctx = context! {
        q => q,
        kind => wanted.map(PageType::as_str),
        types => PageType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        rows => rows,
        total => total,
        number => number,
        pages_count => pages_count,
        prev => (number > 1).then(|| link(number - 1)),
        next => (number < pages_count).then(|| link(number + 1)),
        done => done,
    };
    views::render(&staff, "admin/pages.html", "pages", ctx)
}

#[derive(serde::Deserialize)]
pub struct NewQuery {
    #[serde(default, rename = "type")]
    kind: String,
}

/// The blank form; `?type=` picks the kind.
pub async fn new_form(
    staff: Staff,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AdminError> {
    let mut values = BTreeMap::new();
    values.insert("type".to_owned(), PageType::parse(&query.kind).unwrap_or(PageType::Petition).as_str().to_owned());
    values.insert("lang".to_owned(), crate::i18n::DEFAULT_LANG.to_owned());
    form_page(&staff, &state, None, values, &ValidationErrors::default(), StatusCode::OK, None).await
}

/// The form's fields by name (first value of each).
fn form_map(pairs: Vec<(String, String)>) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.entry(k).or_insert(v);
    }
    map
}

fn input_of(v: &BTreeMap<String, String>) -> PageInput {
    let text = |k: &str| v.get(k).cloned().unwrap_or_default();
    let ticked = |k: &str| v.get(k).is_some_and(|x| !x.is_empty());
    let mut fields: BTreeMap<String, String> = v
        .iter()
        .filter_map(|(k, val)| k.strip_prefix(FIELD_PREFIX).map(|name| (name.to_owned(), val.clone())))
        .collect();
    let new_name = text("new_field_name");
    if !new_name.trim().is_empty() || !text("new_field_value").trim().is_empty() {
        fields.insert(new_name.trim().to_owned(), text("new_field_value"));
    }
    PageInput {
        page_type: text("type"),
        name: text("name"),
        title: text("title"),
        lang: text("lang"),
        list_id: text("list"),
        templateset_id: text("templateset"),
        payment_account_id: text("payment_account"),
        hidden: ticked("hidden"),
        required_fields: text("required_fields"),
        goal: text("goal"),
        unsubscribe_all: ticked("unsubscribe_all"),
        allow_taf: ticked("allow_taf"),
        texts: HTML_TEXTS.iter().map(|t| ((*t).to_owned(), text(t))).collect(),
        fields,
        followup: FollowupChanges {
            redirect_url: text("redirect_url"),
            send_email: ticked("send_email"),
            email_subject: text("email_subject"),
            email_body: text("email_body"),
            send_taf: ticked("send_taf"),
            taf_subject: text("taf_subject"),
            taf_body: text("taf_body"),
            send_receipt: ticked("send_receipt"),
        },
    }
}

fn templateset_ids(state: &AppState) -> Vec<i64> {
    state.renderer.sources().sets().map(|s| s.id).collect()
}

pub async fn create(
    staff: Staff,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AdminError> {
    let values = form_map(form.into_inner());
    let input = input_of(&values);
    let sets = templateset_ids(&state);
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let plan = staff_form::check(conn, &input, None, &sets)?;
            let id = staff_form::create(conn, &plan, now)?;
            let details = json!({"name": input.name.trim(), "type": plan.page_type.as_str()});
            gdpr::store::audit(conn, &actor, "create", Some(("page", id)), &details, now)?;
            Ok(id)
        })
        .await;
    match result {
        Ok(id) => Ok(views::see_other(&format!("/admin/pages/{id}/?saved=created"))),
        Err(AppError::Validation(errors)) => {
            form_page(&staff, &state, None, values, &errors, StatusCode::BAD_REQUEST, None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn load(state: &AppState, id: i64) -> Result<Page, AdminError> {
    let found = state.db.read(move |conn| Ok(pages::query::find(conn, id)?)).await?;
    found.ok_or_else(|| AppError::NotFound("There is no such page.".into()).into())
}

#[derive(serde::Deserialize)]
pub struct EditQuery {
    saved: Option<String>,
}

pub async fn edit_form(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AdminError> {
    let page = load(&state, path.into_inner()).await?;
    let id = page.id;
    let (fields, follow) =
        state.db.read(move |conn| Ok((pages::store::fields(conn, id)?, followup::find(conn, id)?))).await?;
    let values = stored_values(&page, &fields, follow.as_ref());
    let notice = match query.saved.as_deref() {
        Some("created") => Some("The page was created."),
        Some("saved") => Some("Your changes were saved."),
        Some("unconfirmed") => Some("Nothing was deleted: tick the box to confirm first."),
        _ => None,
    };
    form_page(&staff, &state, Some(&page), values, &ValidationErrors::default(), StatusCode::OK, notice).await
}

/// What the edit form shows for a stored page, by form field name.
fn stored_values(
    page: &Page,
    fields: &BTreeMap<String, String>,
    follow: Option<&followup::Followup>,
) -> BTreeMap<String, String> {
    let mut v: BTreeMap<String, String> = [
        ("type", page.page_type.clone()),
        ("name", page.name.clone()),
        ("title", page.title.clone()),
        ("lang", page.lang.clone()),
        ("list", page.list_id.to_string()),
        ("templateset", page.templateset_id.map(|i| i.to_string()).unwrap_or_default()),
        ("payment_account", page.payment_account_id.map(|i| i.to_string()).unwrap_or_default()),
        ("required_fields", page.required_fields.clone()),
        ("goal", page.goal.map(|g| g.to_string()).unwrap_or_default()),
        ("introduction_text", page.introduction_text.clone()),
        ("statement_leadin", page.statement_leadin.clone()),
        ("statement_text", page.statement_text.clone()),
        ("about_text", page.about_text.clone()),
        ("thank_you_text", page.thank_you_text.clone()),
        ("survey_question_text", page.survey_question_text.clone()),
        ("ground_rules", page.ground_rules.clone()),
    ]
    .into_iter()
    .map(|(k, val)| (k.to_owned(), val))
    .collect();
    let tick = |on: bool| if on { "1".to_owned() } else { String::new() };
    v.insert("hidden".into(), tick(!page.is_active()));
    v.insert("unsubscribe_all".into(), tick(page.unsubscribe_all));
    v.insert("allow_taf".into(), tick(page.allow_taf));
    for (name, value) in fields {
        v.insert(format!("{FIELD_PREFIX}{name}"), value.clone());
    }
    if let Some(f) = follow {
        v.insert("redirect_url".into(), f.redirect_url.clone());
        v.insert("send_email".into(), tick(f.send_email));
        v.insert("email_subject".into(), f.email_subject.clone());
        v.insert("email_body".into(), f.email_body.clone());
        v.insert("send_taf".into(), tick(f.send_taf));
        v.insert("taf_subject".into(), f.taf_subject.clone());
        v.insert("taf_body".into(), f.taf_body.clone());
        v.insert("send_receipt".into(), tick(f.send_receipt));
    }
    v
}

pub async fn update(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AdminError> {
    let page = load(&state, path.into_inner()).await?;
    let values = form_map(form.into_inner());
    let input = input_of(&values);
    let sets = templateset_ids(&state);
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let stored = page.clone();
    let result = state
        .db
        .writer
        .submit(move |conn| {
            let plan = staff_form::check(conn, &input, Some(&stored), &sets)?;
            staff_form::save(conn, stored.id, &plan, now)?;
            let details = json!({"name": input.name.trim(), "type": plan.page_type.as_str()});
            gdpr::store::audit(conn, &actor, "update", Some(("page", stored.id)), &details, now)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(views::see_other(&format!("/admin/pages/{}/?saved=saved", page.id))),
        Err(AppError::Validation(errors)) => {
            form_page(&staff, &state, Some(&page), values, &errors, StatusCode::BAD_REQUEST, None).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct DeleteForm {
    confirm: Option<String>,
}

/// Deletes the page, or hides it when supporters acted on it.
pub async fn delete(
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AdminError> {
    let page = load(&state, path.into_inner()).await?;
    if form.confirm.as_deref() != Some("yes") {
        return Ok(views::see_other(&format!("/admin/pages/{}/?saved=unconfirmed#delete", page.id)));
    }
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let (id, name) = (page.id, page.name.clone());
    let hidden = state
        .db
        .writer
        .submit(move |conn| {
            let hidden = staff_form::remove(conn, id, now)?;
            let verb = if hidden { "hide" } else { "delete" };
            gdpr::store::audit(conn, &actor, verb, Some(("page", id)), &json!({"name": name}), now)?;
            Ok(hidden)
        })
        .await?;
    let done = if hidden { "hidden" } else { "deleted" };
    Ok(views::see_other(&format!("/admin/pages/?done={done}")))
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
}

/// The create/edit form with `values` and `errors`.
async fn form_page(
    staff: &Staff,
    state: &AppState,
    page: Option<&Page>,
    values: BTreeMap<String, String>,
    errors: &ValidationErrors,
    status: StatusCode,
    notice: Option<&str>,
) -> Result<HttpResponse, AdminError> {
    let listing = everything(state, "core_list.name");
    let (lists, allowed) = state
        .db
        .read(move |conn| {
            let (_, lists) = crate::people::query::lists(conn, &listing)?;
            Ok((lists, pages::query::allowed_field_names(conn)?))
        })
        .await?;
    let lists: Vec<Choice> = lists
        .into_iter()
        .map(|l| Choice {
            value: l.id.to_string(),
            label: format!("{}{}", l.name, if l.is_default { " (default)" } else { "" }),
        })
        .collect();
    let mut sets: Vec<Choice> =
        state.renderer.sources().sets().map(|s| Choice { value: s.id.to_string(), label: s.name.clone() }).collect();
    sets.sort_by(|a, b| a.label.cmp(&b.label));
    let mut langs = state.i18n.languages();
    if let Some(l) = values.get("lang").filter(|l| !l.trim().is_empty() && !langs.contains(l)) {
        langs.push(l.clone());
    }
    // Custom fields offered: privacy overrides, every allowed name, and whatever the page
    // (or the posted form) already has.
    let mut names: Vec<String> = PRIVACY_FIELDS.iter().map(|n| (*n).to_owned()).collect();
    for n in
        allowed.iter().cloned().chain(values.keys().filter_map(|k| k.strip_prefix(FIELD_PREFIX).map(str::to_owned)))
    {
        if !n.is_empty() && !names.contains(&n) {
            names.push(n);
        }
    }
    let custom: Vec<_> = names
        .iter()
        .map(
            |n| context! { name => n, value => values.get(&format!("{FIELD_PREFIX}{n}")).cloned().unwrap_or_default() },
        )
        .collect();
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in &errors.0 {
        by_field.entry(e.field.clone()).or_default().push(e.message.clone());
    }
    let privacy = state.privacy.get();
    let listed = privacy.countries.first().cloned();
    let ctx = context! {
        page => page.map(|p| context! {
            id => p.id, name => p.name, title => p.title, kind => p.kind().as_str(), status => p.status,
            url => public_url(p), previewable => previewable(p.kind()),
        }),
        v => values,
        errors => by_field,
        has_errors => !errors.is_empty(),
        notice => notice,
        types => PageType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        lists => lists,
        sets => sets,
        langs => langs,
        custom => custom,
        html_texts => HTML_TEXTS,
        privacy_enabled => privacy.enabled,
        listed_country => listed,
        other_country => other_country(&privacy),
        countries => crate::privacy::countries::all_names_us_first(),
    };
    let current = "pages";
    let mut res = views::render(staff, "admin/page.html", current, ctx)?;
    *res.status_mut() = status;
    Ok(res)
}

/// A listing of every row of a small staff-made table (lists, allowed fields) by `order`.
pub(super) fn everything(state: &AppState, order: &'static str) -> crate::listing::Listing {
    crate::listing::Listing {
        filter: crate::listing::Where::new(state.db.backend()),
        order: crate::listing::OrderBy(vec![(order, false)]),
        limit: 100_000,
        offset: 0,
    }
}

/// The first country (US first) that does not require privacy records.
fn other_country(privacy: &crate::privacy::PrivacySettings) -> Option<&'static str> {
    crate::privacy::countries::all_names_us_first().into_iter().find(|c| !privacy.is_listed(c))
}

fn previewable(kind: PageType) -> bool {
    kind.is_public() && kind != PageType::Update
}

#[derive(serde::Deserialize)]
pub struct PreviewQuery {
    #[serde(default)]
    country: String,
    #[serde(default)]
    lang: String,
}

/// The page as a visitor from `country` sees it, in `lang` (the page's own by default).
pub async fn preview(
    _staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<PreviewQuery>,
) -> Result<HttpResponse, AdminError> {
    let mut page = load(&state, path.into_inner()).await?;
    if !previewable(page.kind()) {
        return Err(AppError::NotFound("This kind of page has no public form to preview.".into()).into());
    }
    let lang = query.lang.trim();
    if !lang.is_empty() {
        if !lang.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch)) || lang.len() > 16 {
            return Err(AppError::BadRequest("lang must be a language code like en or pt-BR.".into()).into());
        }
        lang.clone_into(&mut page.lang);
    }
    let country = crate::privacy::countries::Country::parse(&query.country)
        .map_or_else(|| query.country.trim().to_owned(), crate::privacy::countries::Country::into_string);
    let id = page.id;
    let fields = state.db.read(move |conn| Ok(pages::store::fields(conn, id)?)).await?;
    let privacy = state.privacy.get();
    let listed = privacy.is_listed(&country);
    let sources = state.renderer.sources();
    let set = page.templateset_id.and_then(|id| sources.set_by_id(id)).map_or(ORIGINAL, |s| s.name.as_str());
    let mut values = BTreeMap::new();
    if !country.is_empty() {
        values.insert("country".to_owned(), country.clone());
    }
    let no_errors = ValidationErrors::default();
    let public_path = page.url();
    let mut ctx = ActionPageContext::new(
        &page,
        RenderInput {
            client_name: &state.config.client_name,
            i18n: &state.i18n,
            privacy: &privacy,
            page_fields: &fields,
            templateset: set,
            values,
            errors: &no_errors,
            args: BTreeMap::new(),
            path: &public_path,
        },
    );
    if !listed {
        // P9: outside the listed countries the block is hidden (and its inputs disabled).
        ctx.privacy_text = minijinja::Value::from(BTreeMap::<String, String>::new());
    }
    let body = state.renderer.render(set, page.kind().template(), &minijinja::Value::from_serialize(&ctx))?;
    let what = if country.is_empty() {
        "a visitor who has not chosen a country".to_owned()
    } else if listed {
        format!("a visitor from {country} (privacy records required: the privacy block is shown)")
    } else {
        format!("a visitor from {country} (not a listed country: no privacy block)")
    };
    let banner = views::render_html(
        "admin/preview_banner.html",
        context! { what => what, lang => page.lang, id => page.id, name => page.name },
    )?;
    Ok(preview_response(&insert_after_body(&body, &banner)))
}

/// `banner` right after the `<body …>` tag (at the start when there is none).
fn insert_after_body(html: &str, banner: &str) -> String {
    let at = html.find("<body").and_then(|b| html[b..].find('>').map(|e| b + e + 1)).unwrap_or(0);
    format!("{}{banner}{}", &html[..at], &html[at..])
}

/// The preview's answer: never cached, framable by the admin only, no scripts, no posts.
fn preview_response(html: &str) -> HttpResponse {
    let mut res = views::page(200, html);
    let h = res.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("SAMEORIGIN"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'none'",
        ),
    );
    res
}
