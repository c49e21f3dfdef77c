//! The `page` resource and one typed resource per page type (SPEC R1, §1): `page` lists
//! every page read-only (`?name=` is how integrators find one) and shows its typed URI
//! in `typed_resource_uri`; `petitionpage`, `signuppage`, … `importpage` (and
//! `whipcountpage`, `ltepage`, which `uri::page` names too) hold only their type and take
//! POST (201), PUT/PATCH (202) and DELETE (204).
//!
//! DELETE removes a page nobody has acted on. A page with supporters' history (actions,
//! privacy records, uploads) is hidden instead — `status` becomes `hidden`, its public URL
//! answers 404 and it stays readable here — because actions and consent records must keep
//! the page they were taken on (ActionKit's staff also hide used pages rather than delete).

use serde_json::{json, Map, Value};

use super::resource::{
    invalid, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, WriteValue, DETAIL_WRITE, LIST_CREATE, READ,
};
use super::{action_resources, lists};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::listing::{Condition, Listing, Lookup, SqlValue};
use crate::pages::edit::PageChanges;
use crate::pages::{self, NewPage, Page, PageType};
use crate::people::{self, ListId};

const fn text(name: &'static str, column: &'static str) -> Field {
    Field::new(name, Kind::String).column(column)
}

static FIELDS: [Field; 25] = [
    Field::new("id", Kind::Integer).column("core_page.id").readonly().unique(),
    text("name", "core_page.name")
        .required()
        .unique()
        .help("Short name: letters, digits, - and _; the page is served at /<kind>/<name>/."),
    text("title", "core_page.title").required(),
    text("type", "core_page.type").readonly().help("Petition, Signup, Letter, Survey, Call, Whipcount, LTE, …"),
    text("lang", "core_page.lang").help("Language code; en when not given."),
    Field::new("list", Kind::Ref(&lists::DESCRIPTOR))
        .column("core_page.list_id")
        .help("The list the page subscribes to; the default list when not given."),
    text("status", "core_page.status").help("active or hidden."),
    Field::new("hidden", Kind::Boolean).help("Whether the page is hidden (status hidden)."),
    text("required_fields", "core_page.required_fields")
        .help("Fields required besides email, comma-separated (zip,country)."),
    Field::new("goal", Kind::Integer).column("core_page.goal").nullable(),
    Field::new("unsubscribe_all", Kind::Boolean)
        .column("core_page.unsubscribe_all")
        .help("Unsubscribe pages: from all lists (else from the page's list)."),
    Field::new("allow_taf", Kind::Boolean).column("core_page.allow_taf"),
    text("introduction_text", "core_page.introduction_text"),
    text("statement_leadin", "core_page.statement_leadin"),
    text("statement_text", "core_page.statement_text"),
    text("about_text", "core_page.about_text"),
    text("thank_you_text", "core_page.thank_you_text"),
    text("survey_question_text", "core_page.survey_question_text"),
    text("ground_rules", "core_page.ground_rules"),
    Field::new("fields", Kind::Dict).help(
        "Custom page fields by name: names allowed by allowedpagefield, and privacy_<type> texts (SPEC P6); \
         a blank value removes a field.",
    ),
    Field::new("url", Kind::String).readonly().help("The public URL path (none for import pages)."),
    Field::new("actions", Kind::Link(&action_resources::DESCRIPTOR)).readonly(),
    Field::new("typed_resource_uri", Kind::String)
        .readonly()
        .help("The page's URI in its typed resource (/rest/v1/petitionpage/3/), where it can be changed."),
    Field::new("created_at", Kind::DateTime).column("core_page.created_at").readonly(),
    Field::new("updated_at", Kind::DateTime).column("core_page.updated_at").readonly(),
];

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "page",
    table: "core_page",
    key: "core_page.id",
    fields: &FIELDS,
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Every page, read-only; change a page through its typed resource (typed_resource_uri).",
};

/// The typed resource of a page type: `/rest/v1/<type>page/`.
pub fn typed_uri(kind: PageType, id: i64) -> String {
    match kind {
        // The built-in /me/update/ page has no typed resource.
        PageType::Update => DESCRIPTOR.uri(id),
        _ => super::uri::page(kind, id),
    }
}

pub struct PageRow {
    page: Page,
    fields: std::collections::BTreeMap<String, String>,
}

fn load(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<PageRow>), AppError> {
    let (total, pages) = pages::query::pages(conn, listing)?;
    let ids: Vec<i64> = pages.iter().map(|p| p.id).collect();
    let mut fields = pages::query::fields_of(conn, &ids)?;
    let rows =
        pages.into_iter().map(|page| PageRow { fields: fields.remove(&page.id).unwrap_or_default(), page }).collect();
    Ok((total, rows))
}

fn page_json(row: &PageRow) -> Map<String, Value> {
    let p = &row.page;
    let kind = p.kind();
    let value = json!({
        "id": p.id,
        "name": p.name,
        "title": p.title,
        "type": p.page_type,
        "lang": p.lang,
        "list": lists::DESCRIPTOR.uri(p.list_id),
        "status": p.status,
        "hidden": !p.is_active(),
        "required_fields": p.required_fields,
        "goal": p.goal,
        "unsubscribe_all": p.unsubscribe_all,
        "allow_taf": p.allow_taf,
        "introduction_text": p.introduction_text,
        "statement_leadin": p.statement_leadin,
        "statement_text": p.statement_text,
        "about_text": p.about_text,
        "thank_you_text": p.thank_you_text,
        "survey_question_text": p.survey_question_text,
        "ground_rules": p.ground_rules,
        "fields": row.fields,
        "url": (kind.is_public() && kind != PageType::Update).then(|| p.url()),
        "actions": format!("{}?page={}", action_resources::DESCRIPTOR.list_uri(), p.id),
        "typed_resource_uri": typed_uri(kind, p.id),
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `listing` narrowed to rows whose `column` equals `value` (a typed resource's type).
pub fn restricted(listing: &Listing, column: &'static str, value: &str) -> Listing {
    let mut listing = listing.clone();
    listing.filter.and(Condition::Compare {
        column,
        lookup: Lookup::Exact,
        values: vec![SqlValue::Text(value.to_owned())],
    });
    listing
}

pub struct Pages;

impl Resource for Pages {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = PageRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<PageRow>), AppError> {
        load(conn, listing)
    }

    fn id(row: &PageRow) -> i64 {
        row.page.id
    }

    fn to_json(row: &PageRow) -> Map<String, Value> {
        page_json(row)
    }
}

/// A page type with its own resource.
pub trait PageKind: 'static {
    const KIND: PageType;
    const DESCRIPTOR: &'static Descriptor;
}

/// The typed page resource of `K`.
pub struct TypedPages<K: PageKind>(std::marker::PhantomData<K>);

impl<K: PageKind> Resource for TypedPages<K> {
    const DESCRIPTOR: &'static Descriptor = K::DESCRIPTOR;
    type Row = PageRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<PageRow>), AppError> {
        load(conn, &restricted(listing, "core_page.type", K::KIND.as_str()))
    }

    fn id(row: &PageRow) -> i64 {
        row.page.id
    }

    fn to_json(row: &PageRow) -> Map<String, Value> {
        page_json(row)
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let plan = plan(conn, input, None)?;
        let list_id = match plan.changes.list_id {
            Some(id) => id,
            None => people::store::default_list(conn)?
                .map(|ListId(id)| id)
                .ok_or_else(|| invalid("list", "There is no list yet; create one first."))?,
        };
        let new = NewPage {
            name: plan.changes.name.clone().unwrap_or_default(),
            title: plan.changes.title.clone().unwrap_or_default(),
            page_type: Some(K::KIND),
            lang: plan.changes.lang.clone().unwrap_or_else(|| "en".into()),
            list_id,
            ..NewPage::default()
        };
        let id = pages::store::insert(conn, &new, ctx.now)?;
        apply(conn, ctx, id, &plan)?;
        Ok(id)
    }

    fn update(conn: &mut DbConnection, ctx: &WriteCtx, id: i64, input: &Input) -> Result<(), AppError> {
        let plan = plan(conn, input, Some(id))?;
        apply(conn, ctx, id, &plan)
    }

    fn delete(conn: &mut DbConnection, ctx: &WriteCtx, id: i64) -> Result<(), AppError> {
        if pages::query::has_history(conn, id)? {
            let hide = PageChanges { status: Some("hidden".into()), ..PageChanges::default() };
            pages::edit::update(conn, id, &hide, ctx.now)?;
        } else {
            pages::edit::delete(conn, id)?;
        }
        Ok(())
    }
}

/// Everything a page write stores, checked before the first write.
struct Plan {
    changes: PageChanges,
    /// Custom fields to set; a blank value removes the field.
    fields: Vec<(String, String)>,
}

const MAX_NAME: usize = 128;

fn plan(conn: &mut DbConnection, input: &Input, id: Option<i64>) -> Result<Plan, AppError> {
    let mut errors: Vec<FieldError> = vec![];
    let mut complain = |field: &str, message: String| {
        errors.push(FieldError { field: field.to_owned(), code: "invalid".into(), message });
    };
    let mut c = PageChanges::default();
    if let Some(name) = input.text("name") {
        let name = name.trim();
        if name.is_empty()
            || name.len() > MAX_NAME
            || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch))
        {
            complain("name", format!("name must be 1 to {MAX_NAME} letters, digits, - or _."));
        } else if pages::store::find_by_name(conn, name)?.is_some_and(|p| Some(p.id) != id) {
            complain("name", "A page with this name already exists.".into());
        } else {
            c.name = Some(name.to_owned());
        }
    }
    if let Some(title) = input.text("title") {
        if title.trim().is_empty() {
            complain("title", "This field is required.".into());
        }
        c.title = Some(title.trim().to_owned());
    }
    if let Some(lang) = input.text("lang") {
        let lang = lang.trim();
        if lang.is_empty() || lang.len() > 16 || !lang.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_".contains(ch))
        {
            complain("lang", "lang must be a language code like en or pt-BR.".into());
        }
        c.lang = Some(lang.to_owned());
    }
    if let Some(list) = input.reference("list") {
        if people::store::find_list(conn, ListId(list))?.is_none() {
            complain("list", format!("{} names no list.", lists::DESCRIPTOR.uri(list)));
        }
        c.list_id = Some(list);
    }
    if let Some(status) = input.text("status") {
        match status.trim() {
            s @ ("active" | "hidden") => c.status = Some(s.to_owned()),
            _ => complain("status", "status must be active or hidden.".into()),
        }
    }
    if let Some(hidden) = input.bool("hidden") {
        let status = if hidden { "hidden" } else { "active" };
        if c.status.as_deref().is_some_and(|s| s != status) {
            complain("hidden", "hidden and status disagree.".into());
        }
        c.status = Some(status.to_owned());
    }
    c.required_fields = input
        .text("required_fields")
        .map(|r| r.split(',').map(str::trim).filter(|f| !f.is_empty()).collect::<Vec<_>>().join(","));
    match input.values.get("goal") {
        Some(WriteValue::Int(goal)) if *goal < 0 => complain("goal", "goal cannot be negative.".into()),
        Some(WriteValue::Int(goal)) => c.goal = Some(Some(*goal)),
        Some(WriteValue::Null) => c.goal = Some(None),
        _ => {}
    }
    c.unsubscribe_all = input.bool("unsubscribe_all");
    c.allow_taf = input.bool("allow_taf");
    // Staff HTML is sanitized on the way in, on every path (the admin's form does the same).
    let sanitize = |html: &str| crate::privacy::texts::sanitize(html.trim());
    c.introduction_text = input.text("introduction_text").map(sanitize);
    c.statement_leadin = input.text("statement_leadin").map(sanitize);
    c.statement_text = input.text("statement_text").map(sanitize);
    c.about_text = input.text("about_text").map(sanitize);
    c.thank_you_text = input.text("thank_you_text").map(sanitize);
    c.survey_question_text = input.text("survey_question_text").map(sanitize);
    c.ground_rules = input.text("ground_rules").map(sanitize);

    let mut fields = vec![];
    if let Some(dict) = input.dict("fields") {
        let allowed = pages::query::allowed_field_names(conn)?;
        for (name, value) in dict {
            if allowed.contains(name) || name.starts_with("privacy_") {
                fields.push((name.clone(), sanitize(value)));
            } else {
                complain(
                    "fields",
                    format!(
                        "{name} is not an allowed page field; allow it first with POST /rest/v1/allowedpagefield/."
                    ),
                );
            }
        }
    }
    if errors.is_empty() {
        Ok(Plan { changes: c, fields })
    } else {
        Err(AppError::Validation(ValidationErrors(errors)))
    }
}

fn apply(conn: &mut DbConnection, ctx: &WriteCtx, id: i64, plan: &Plan) -> Result<(), AppError> {
    pages::edit::update(conn, id, &plan.changes, ctx.now)?;
    for (name, value) in &plan.fields {
        if value.is_empty() {
            pages::edit::remove_field(conn, id, name)?;
        } else {
            pages::store::set_field(conn, id, name, value)?;
        }
    }
    Ok(())
}

/// A typed page resource: its marker type and descriptor.
macro_rules! typed_page {
    ($marker:ident, $desc:ident, $kind:expr, $name:literal, $help:literal) => {
        pub struct $marker;

        pub static $desc: Descriptor = Descriptor {
            name: $name,
            table: "core_page",
            key: "core_page.id",
            fields: &FIELDS,
            options: &[],
            list_methods: LIST_CREATE,
            detail_methods: DETAIL_WRITE,
            help: $help,
        };

        impl PageKind for $marker {
            const KIND: PageType = $kind;
            const DESCRIPTOR: &'static Descriptor = &$desc;
        }
    };
}

typed_page!(Petition, PETITION, PageType::Petition, "petitionpage", "Petition pages.");
typed_page!(Signup, SIGNUP, PageType::Signup, "signuppage", "Signup pages.");
typed_page!(Letter, LETTER, PageType::Letter, "letterpage", "Letter pages.");
typed_page!(Survey, SURVEY, PageType::Survey, "surveypage", "Survey pages.");
typed_page!(Call, CALL, PageType::Call, "callpage", "Call pages.");
typed_page!(Whipcount, WHIPCOUNT, PageType::Whipcount, "whipcountpage", "Whipcount pages.");
typed_page!(Lte, LTE, PageType::Lte, "ltepage", "Letter-to-the-editor pages.");
typed_page!(Donation, DONATION, PageType::Donation, "donationpage", "Donation pages.");
typed_page!(Unsubscribe, UNSUBSCRIBE, PageType::Unsubscribe, "unsubscribepage", "Unsubscribe pages.");
typed_page!(Import, IMPORT, PageType::Import, "importpage", "Import pages (staff uploads, never public).");
