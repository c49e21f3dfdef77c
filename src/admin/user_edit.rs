//! Editing a person (SPEC S2, S3, P14, G3): names, address, country, language, phones, the
//! allowed custom user fields and a privacy note in one form; subscribing to and
//! unsubscribing from lists in two small forms. Admin role only. The save checks every
//! field first (valid and unused email, not a forgotten one, lengths, phones, allowed
//! fields, the P14 note: placeholders refused, required by the "require notes" switch for a
//! listed country) and then writes through `people` and the engine's note step
//! (`engine::notes`, type `admin_notes`) exactly as the REST user resource does, in one
//! writer transaction with an audit entry naming the staff account; a refused save stores
//! nothing and shows the form again (400) with each field's message. The subscribe form is
//! disabled for people in a listed country (P14): their consent comes from an action's
//! privacy block, not from staff.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDateTime, Utc};
use minijinja::context;
use serde::Serialize;
use serde_json::json;

use super::{views, AdminError, AdminOnly};
use crate::app::AppState;
use crate::db::DbConnection;
use crate::engine::notes::{self, NoteContext, NoteValue};
use crate::error::AppError;
use crate::gdpr::{self, Actor};
use crate::people::{self, phones, Email, ListId, User, UserChanges, UserId};

/// Longest value stored in a user field (as the engine and the REST resource).
const MAX_LEN: usize = 255;

/// The user-table fields on the form, in order, with their labels.
const PROFILE: [(&str, &str); 15] = [
    ("prefix", "Prefix"),
    ("first_name", "First name"),
    ("middle_name", "Middle name"),
    ("last_name", "Last name"),
    ("suffix", "Suffix"),
    ("address1", "Address"),
    ("address2", "Address (line 2)"),
    ("city", "City"),
    ("state", "State"),
    ("zip", "ZIP"),
    ("plus4", "ZIP+4"),
    ("postal", "Postal code"),
    ("region", "Region"),
    ("country", "Country"),
    ("lang", "Language"),
];

fn user_id(raw: i64) -> Result<UserId, AdminError> {
    if raw > 0 {
        Ok(UserId(raw))
    } else {
        Err(AppError::NotFound("No such user.".into()).into())
    }
}

/// Everything the edit page shows besides the submitted values.
#[derive(Serialize)]
struct Screen {
    user: User,
    phones: BTreeMap<String, String>,
    custom: BTreeMap<String, String>,
    allowed_fields: Vec<String>,
    lists: Vec<people::query::ListRow>,
    subscribed: Vec<i64>,
    privacy_enabled: bool,
    /// The stored country requires privacy records: no subscribing from here (P14).
    listed: bool,
    notes_required_for_listed: bool,
}

fn load(conn: &mut DbConnection, user: UserId) -> Result<Screen, AppError> {
    let stored = people::store::find_by_id(conn, user)?
        .ok_or_else(|| AppError::NotFound("No such user: they may have been erased.".into()))?;
    let settings = crate::privacy::store::load_settings(conn)?;
    let mut phones = BTreeMap::new();
    for kind in phones::TYPES {
        if let Some(p) = people::query::phone_of_type(conn, user.0, kind)? {
            phones.insert(kind.to_owned(), p.phone);
        }
    }
    let custom = people::query::fields_of(conn, &[user.0])?.remove(&user.0).unwrap_or_default();
    Ok(Screen {
        listed: settings.is_listed(&stored.country),
        user: stored,
        phones,
        custom,
        allowed_fields: people::store::allowed_user_fields(conn)?,
        lists: people::list_choices::all_lists(conn)?,
        subscribed: people::list_choices::subscribed_list_ids(conn, user)?,
        privacy_enabled: settings.enabled,
        notes_required_for_listed: settings.enabled && settings.require_notes_user_admin,
    })
}

/// A stored profile value by form name; `User::field` covers all but `lang`.
fn stored_field<'u>(user: &'u User, name: &str) -> Option<&'u str> {
    if name == "lang" {
        Some(&user.lang)
    } else {
        user.field(name)
    }
}

/// The form's values: what was submitted, or what is stored.
fn stored_values(screen: &Screen) -> HashMap<String, String> {
    let u = &screen.user;
    let mut values: HashMap<String, String> = PROFILE
        .iter()
        .filter_map(|(name, _)| stored_field(u, name).map(|v| ((*name).to_owned(), v.to_owned())))
        .collect();
    values.insert("email".into(), u.email.clone());
    for (kind, number) in &screen.phones {
        values.insert(format!("phone_{kind}"), number.clone());
    }
    for (name, value) in &screen.custom {
        values.insert(format!("user_{name}"), value.clone());
    }
    values
}

fn page(
    staff: &super::Staff,
    screen: &Screen,
    values: &HashMap<String, String>,
    errors: &BTreeMap<String, String>,
    notice: Option<&str>,
) -> Result<HttpResponse, AdminError> {
    let ctx = context! {
        id => screen.user.id,
        s => screen,
        values => values,
        errors => errors,
        profile => PROFILE.iter().map(|(name, label)| context! { name => *name, label => *label }).collect::<Vec<_>>(),
        phone_types => phones::TYPES,
        notice => notice,
    };
    let mut res = views::render(staff, "admin/user_edit.html", "users", ctx)?;
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

#[derive(serde::Deserialize)]
pub struct Notice {
    saved: Option<String>,
}

pub async fn form(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<Notice>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let screen = state.db.read(move |conn| load(conn, user)).await?;
    let notice = match query.saved.as_deref() {
        Some("edit") => Some("Saved."),
        Some("subscribe") => Some("Subscribed."),
        Some("unsubscribe") => Some("Unsubscribed."),
        _ => None,
    };
    page(&staff, &screen, &stored_values(&screen), &BTreeMap::new(), notice)
}

/// A checked edit, ready to write.
struct Plan {
    email: Option<Email>,
    changes: UserChanges,
    phones: Vec<(&'static str, Option<String>)>,
    fields: Vec<(String, String)>,
    note: Option<NoteValue>,
    touched: Vec<String>,
}

/// Checks the submitted form against the stored person; field messages on refusal.
fn plan(
    conn: &mut DbConnection,
    stored: &User,
    input: &HashMap<String, String>,
) -> Result<Result<Plan, BTreeMap<String, String>>, AppError> {
    let mut errors = BTreeMap::new();
    let text = |name: &str| input.get(name).map(|v| v.trim().to_owned());

    let email = check_email(conn, stored, text("email"), &mut errors)?;

    let mut changes = UserChanges::default();
    let mut touched = vec![];
    for (name, _) in PROFILE {
        let Some(value) = text(name) else { continue };
        if value.chars().count() > MAX_LEN {
            errors.insert(name.to_owned(), format!("At most {MAX_LEN} characters."));
            continue;
        }
        // P2: known countries are stored by their standard English name, as the engine does.
        let value = match name {
            "country" => crate::privacy::countries::Country::parse(&value)
                .map_or_else(|| value.clone(), crate::privacy::countries::Country::into_string),
            "lang" if value.is_empty() => "en".to_owned(),
            _ => value,
        };
        if stored_field(stored, name) != Some(value.as_str()) {
            touched.push(name.to_owned());
            if let Some(slot) = changes.slot(name) {
                *slot = Some(value);
            }
        }
    }

    let mut phone_changes = vec![];
    for kind in phones::TYPES {
        let Some(number) = text(&format!("phone_{kind}")) else { continue };
        let current = people::query::phone_of_type(conn, stored.id, kind)?.map(|p| p.phone);
        if current.as_deref().unwrap_or("") == number {
            continue;
        }
        if number.is_empty() {
            phone_changes.push((kind, None));
        } else if phones::is_valid(&number) {
            phone_changes.push((kind, Some(number)));
        } else {
            errors.insert(format!("phone_{kind}"), "Enter a phone number: digits, spaces, + - ( ).".to_owned());
            continue;
        }
        touched.push(format!("{kind}_phone"));
    }

    let allowed = people::store::allowed_user_fields(conn)?;
    let current = people::query::fields_of(conn, &[stored.id])?.remove(&stored.id).unwrap_or_default();
    let mut fields = vec![];
    for name in &allowed {
        let Some(value) = text(&format!("user_{name}")) else { continue };
        if value.chars().count() > MAX_LEN {
            errors.insert(format!("user_{name}"), format!("At most {MAX_LEN} characters."));
        } else if current.get(name).map_or(!value.is_empty(), |v| *v != value) {
            touched.push(format!("user_{name}"));
            fields.push((name.clone(), value));
        }
    }

    let note = check_note(conn, stored, changes.country.as_deref(), text("privacy_note"), &mut errors)?;
    if email.is_some() {
        touched.push("email".to_owned());
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Plan { email, changes, phones: phone_changes, fields, note, touched }))
}

/// The submitted email: valid, not another person's, not forgotten (G3/G4); `None` when
/// unchanged or refused.
fn check_email(
    conn: &mut DbConnection,
    stored: &User,
    raw: Option<String>,
    errors: &mut BTreeMap<String, String>,
) -> Result<Option<Email>, AppError> {
    let mut email = None;
    match raw {
        Some(raw) => match Email::parse(&raw) {
            None => {
                errors.insert("email".to_owned(), "Enter a valid email address.".to_owned());
            }
            Some(parsed) if parsed.as_str() == stored.email => {}
            Some(parsed) => {
                // G3: a forgotten address is never stored again, whatever the path.
                if gdpr::erase::is_forgotten_email(conn, &parsed)? {
                    errors.insert(
                        "email".to_owned(),
                        "This email address was forgotten at the person's request; it cannot be stored.".to_owned(),
                    );
                } else if people::store::find_by_email(conn, &parsed)?.is_some() {
                    errors.insert("email".to_owned(), "Another user already has this email address.".to_owned());
                } else {
                    email = Some(parsed);
                }
            }
        },
        None => {
            errors.insert("email".to_owned(), "The email address is required.".to_owned());
        }
    }
    Ok(email)
}

/// The P14 note of an admin edit (type `admin_notes`); the switch makes it required when
/// the country after the change is listed. While the feature is off, notes are ignored.
fn check_note(
    conn: &mut DbConnection,
    stored: &User,
    new_country: Option<&str>,
    raw: Option<String>,
    errors: &mut BTreeMap<String, String>,
) -> Result<Option<NoteValue>, AppError> {
    let settings = crate::privacy::store::load_settings(conn)?;
    let mut note = None;
    if settings.enabled {
        let raw = raw.unwrap_or_default();
        if raw.is_empty() {
            if notes::required(NoteContext::Admin, &settings, new_country, &stored.country) {
                errors.insert(
                    "privacy_note".to_owned(),
                    "This person is in a country that requires privacy records: say how they agreed to this \
                     change (a note, or the hash of a privacy text)."
                        .to_owned(),
                );
            }
        } else {
            match notes::parse(&raw) {
                Err(_) => {
                    errors.insert(
                        "privacy_note".to_owned(),
                        "Values like \"yes\", \"1\" or \"ok\" are placeholders, not notes: describe how consent \
                         was given, or give a privacy text's hash."
                            .to_owned(),
                    );
                }
                Ok(NoteValue::Hash(hash)) if crate::privacy::store::version_by_hash(conn, &hash)?.is_none() => {
                    errors.insert("privacy_note".to_owned(), "This hash names no known privacy text.".to_owned());
                }
                Ok(value) => note = Some(value),
            }
        }
    }
    Ok(note)
}

fn apply(conn: &mut DbConnection, user: &User, plan: &Plan, actor: &Actor, now: NaiveDateTime) -> Result<(), AppError> {
    let id = user.user_id();
    people::store::update(conn, id, &plan.changes, now)?;
    if let Some(email) = &plan.email {
        people::edit::set_email(conn, id, email, now)?;
    }
    for (kind, number) in &plan.phones {
        match number {
            Some(number) => phones::set(conn, id, kind, number, "admin", now)?,
            None => {
                if let Some(p) = people::query::phone_of_type(conn, id.0, kind)? {
                    people::edit::delete_phone(conn, p.id)?;
                }
            }
        }
    }
    people::store::set_user_fields(conn, id, &plan.fields)?;
    let record = match &plan.note {
        Some(note) => Some(notes::record(conn, id.0, NoteContext::Admin, note, now)?),
        None => None,
    };
    // Field names only: the audit log holds no personal data (G6).
    let details = json!({ "fields": plan.touched, "privacy_record": record });
    gdpr::store::audit(conn, actor, "edit", Some(("user", id.0)), &details, now)?;
    Ok(())
}

pub async fn save(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let input: HashMap<String, String> = form.into_inner().into_iter().collect();
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    let submitted = input.clone();
    let outcome = state
        .db
        .writer
        .submit(move |conn| {
            let stored = people::store::find_by_id(conn, user)?
                .ok_or_else(|| AppError::NotFound("No such user: they may have been erased.".into()))?;
            match plan(conn, &stored, &submitted)? {
                Ok(plan) => apply(conn, &stored, &plan, &actor, now).map(|()| None),
                Err(errors) => Ok(Some(errors)),
            }
        })
        .await?;
    match outcome {
        None => Ok(views::see_other(&format!("/admin/users/{}/edit/?saved=edit", user.0))),
        Some(errors) => {
            let screen = state.db.read(move |conn| load(conn, user)).await?;
            page(&staff, &screen, &input, &errors, None)
        }
    }
}

#[derive(serde::Deserialize)]
pub struct ListForm {
    list_id: i64,
}

/// Subscribes the person to a list, unless their country requires privacy records (P14).
pub async fn subscribe(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let list = ListId(form.list_id);
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    state
        .db
        .writer
        .submit(move |conn| {
            let stored = people::store::find_by_id(conn, user)?
                .ok_or_else(|| AppError::NotFound("No such user: they may have been erased.".into()))?;
            let settings = crate::privacy::store::load_settings(conn)?;
            if settings.is_listed(&stored.country) {
                return Err(AppError::Forbidden(
                    "This person is in a country that requires privacy records: they subscribe through a page \
                     with its privacy block, not from the admin."
                        .into(),
                ));
            }
            people::store::find_list(conn, list)?
                .ok_or_else(|| AppError::BadRequest("There is no such list.".into()))?;
            if people::store::subscribe(conn, user, list, people::store::Cause::Admin, now)? {
                gdpr::store::audit(conn, &actor, "subscribe", Some(("user", user.0)), &json!({"list": list.0}), now)?;
            }
            Ok(())
        })
        .await?;
    Ok(views::see_other(&format!("/admin/users/{}/edit/?saved=subscribe", user.0)))
}

pub async fn unsubscribe(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ListForm>,
) -> Result<HttpResponse, AdminError> {
    let user = user_id(path.into_inner())?;
    let list = ListId(form.list_id);
    let actor = staff.actor();
    let now = Utc::now().naive_utc();
    state
        .db
        .writer
        .submit(move |conn| {
            people::store::find_by_id(conn, user)?
                .ok_or_else(|| AppError::NotFound("No such user: they may have been erased.".into()))?;
            if people::store::unsubscribe(conn, user, Some(list), people::store::Cause::Admin, now)? > 0 {
                gdpr::store::audit(conn, &actor, "unsubscribe", Some(("user", user.0)), &json!({"list": list.0}), now)?;
            }
            Ok(())
        })
        .await?;
    Ok(views::see_other(&format!("/admin/users/{}/edit/?saved=unsubscribe", user.0)))
}
