//! The `user` resource (SPEC R1, P14, G3): supporters as ActionKit shows them, with their
//! custom fields, phone URIs and links to their actions and subscriptions. Writes go through the
//! people domain (`store::insert`/`update`, `set_user_fields`, `edit::set_email`) and the
//! engine's privacy-note step (`engine::notes`, type `api_notes`); a forgotten email is
//! refused (403) and nothing is stored. DELETE is GDPR erase (audited), since actions and
//! records point at a user.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::resource::{
    invalid, object, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, WriteOption, DETAIL_WRITE, LIST_CREATE,
};
use super::{action_resources, phones, subscriptions};
use crate::db::DbConnection;
use crate::engine::notes::{self, NoteContext, NoteValue};
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::listing::Listing;
use crate::people::{self, Email, User, UserChanges, UserId};

const fn text(name: &'static str, column: &'static str) -> Field {
    Field::new(name, Kind::String).column(column)
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "user",
    table: "core_user",
    key: "core_user.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_user.id").readonly().unique(),
        text("email", "core_user.email").required().unique().help("Stored trimmed and lowercased."),
        text("prefix", "core_user.prefix"),
        text("first_name", "core_user.first_name"),
        text("middle_name", "core_user.middle_name"),
        text("last_name", "core_user.last_name"),
        text("suffix", "core_user.suffix"),
        text("address1", "core_user.address1"),
        text("address2", "core_user.address2"),
        text("city", "core_user.city"),
        text("state", "core_user.state"),
        text("zip", "core_user.zip"),
        text("plus4", "core_user.plus4"),
        text("postal", "core_user.postal"),
        text("region", "core_user.region"),
        text("country", "core_user.country").help("Known names and codes are stored as the standard English name."),
        text("lang", "core_user.lang").help("Language code; en when not given."),
        text("source", "core_user.source").help("Where the user came from; set on create (restful_api by default)."),
        text("subscription_status", "core_user.subscription_status")
            .readonly()
            .help("never, subscribed or unsubscribed."),
        Field::new("created_at", Kind::DateTime).column("core_user.created_at").readonly(),
        Field::new("updated_at", Kind::DateTime).column("core_user.updated_at").readonly(),
        Field::new("fields", Kind::Dict).help("Custom user fields by name; only names allowed by alloweduserfield."),
        Field::new("phones", Kind::RefList(&phones::DESCRIPTOR)).readonly(),
        Field::new("actions", Kind::Link(&action_resources::DESCRIPTOR))
            .readonly()
            .help("The user's actions: the action list filtered on this user."),
        Field::new("subscriptions", Kind::Link(&subscriptions::DESCRIPTOR))
            .readonly()
            .help("The user's subscriptions: the subscription list filtered on this user."),
    ],
    options: &[WriteOption {
        name: "privacy",
        help: "A privacy note for this change (SPEC P14): the hash of a privacy text, or a note saying how \
               consent was given. Required when the user API switch is on and a listed country is sent or stored.",
    }],
    list_methods: LIST_CREATE,
    detail_methods: DETAIL_WRITE,
    help: "Supporters.",
};

/// Longest value stored in a user field (as the engine).
const MAX_LEN: usize = 255;

pub struct UserRow {
    user: User,
    phones: Vec<i64>,
    fields: BTreeMap<String, String>,
}

pub struct Users;

impl Resource for Users {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = UserRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<UserRow>), AppError> {
        let (total, users) = people::query::users(conn, listing)?;
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let mut phones = people::query::phone_ids_of(conn, &ids)?;
        let mut fields = people::query::fields_of(conn, &ids)?;
        let rows = users
            .into_iter()
            .map(|user| UserRow {
                phones: phones.remove(&user.id).unwrap_or_default(),
                fields: fields.remove(&user.id).unwrap_or_default(),
                user,
            })
            .collect();
        Ok((total, rows))
    }

    fn id(row: &UserRow) -> i64 {
        row.user.id
    }

    fn to_json(row: &UserRow) -> Map<String, Value> {
        let u = &row.user;
        object(json!({
            "id": u.id,
            "email": u.email,
            "prefix": u.prefix,
            "first_name": u.first_name,
            "middle_name": u.middle_name,
            "last_name": u.last_name,
            "suffix": u.suffix,
            "address1": u.address1,
            "address2": u.address2,
            "city": u.city,
            "state": u.state,
            "zip": u.zip,
            "plus4": u.plus4,
            "postal": u.postal,
            "region": u.region,
            "country": u.country,
            "lang": u.lang,
            "source": u.source,
            "subscription_status": u.subscription_status,
            "created_at": time(u.created_at),
            "updated_at": time(u.updated_at),
            "fields": row.fields,
            "phones": row.phones.iter().map(|id| phones::DESCRIPTOR.uri(*id)).collect::<Vec<_>>(),
            "actions": format!("{}?user={}", action_resources::DESCRIPTOR.list_uri(), u.id),
            "subscriptions": format!("{}?user={}", subscriptions::DESCRIPTOR.list_uri(), u.id),
        }))
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let plan = plan(conn, ctx, input, None)?;
        let email = plan.email.as_ref().ok_or_else(|| invalid("email", "This field is required."))?;
        let source = input.text("source").filter(|s| !s.is_empty()).unwrap_or("restful_api");
        let user = people::store::insert(conn, email, &plan.changes, source, ctx.now)?;
        apply(conn, ctx, &user, &plan)?;
        Ok(user.id)
    }

    fn update(conn: &mut DbConnection, ctx: &WriteCtx, id: i64, input: &Input) -> Result<(), AppError> {
        let stored = people::store::find_by_id(conn, UserId(id))?.ok_or(diesel::result::Error::NotFound)?;
        let plan = plan(conn, ctx, input, Some(&stored))?;
        people::store::update(conn, stored.user_id(), &plan.changes, ctx.now)?;
        if let Some(email) = plan.email.as_ref().filter(|e| e.as_str() != stored.email) {
            people::edit::set_email(conn, stored.user_id(), email, ctx.now)?;
        }
        apply(conn, ctx, &stored, &plan)
    }

    fn delete(conn: &mut DbConnection, ctx: &WriteCtx, id: i64) -> Result<(), AppError> {
        let actor = crate::gdpr::Actor { who: format!("staff:{}", ctx.staff_id), via: "rest_user_delete".into() };
        crate::gdpr::erase::erase(conn, UserId(id), &actor, ctx.now).map(|_| ())
    }
}

/// Everything a user write will store, checked before the first write.
struct Plan {
    email: Option<Email>,
    changes: UserChanges,
    fields: Vec<(String, String)>,
    note: Option<NoteValue>,
}

fn plan(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input, stored: Option<&User>) -> Result<Plan, AppError> {
    let mut errors: Vec<FieldError> = vec![];
    let mut complain = |field: &str, code: &str, message: String| {
        errors.push(FieldError { field: field.to_owned(), code: code.to_owned(), message });
    };

    let email = match input.text("email") {
        Some(raw) => {
            let parsed = Email::parse(raw);
            if parsed.is_none() {
                complain("email", "invalid", ctx.deps.i18n.error_message("en", "email", "invalid"));
            }
            parsed
        }
        None => None,
    };
    let new_email = email.as_ref().filter(|e| stored.is_none_or(|u| u.email != e.as_str()));
    if let Some(email) = new_email {
        if people::store::find_by_email(conn, email)?.is_some() {
            complain("email", "duplicate", "A user with this email already exists.".into());
        }
    }

    let mut changes = UserChanges::default();
    for name in UserChanges::FIELDS.iter().chain(&["lang"]) {
        let Some(value) = input.text(name) else { continue };
        if value.chars().count() > MAX_LEN {
            complain(name, "too_long", format!("{name} is longer than {MAX_LEN} characters."));
            continue;
        }
        // P2: known countries are stored by their standard English name, as the engine does.
        let value = match *name {
            "country" => crate::privacy::countries::Country::parse(value)
                .map_or_else(|| value.to_owned(), crate::privacy::countries::Country::into_string),
            _ => value.to_owned(),
        };
        if let Some(slot) = changes.slot(name) {
            *slot = Some(value);
        }
    }

    let mut fields = vec![];
    if let Some(dict) = input.dict("fields") {
        let allowed = people::store::allowed_user_fields(conn)?;
        for (name, value) in dict {
            if !allowed.contains(name) {
                complain(
                    "fields",
                    "not_allowed",
                    format!(
                        "{name} is not an allowed user field; allow it first with POST /rest/v1/alloweduserfield/."
                    ),
                );
            } else if value.chars().count() > MAX_LEN {
                complain("fields", "too_long", format!("{name} is longer than {MAX_LEN} characters."));
            } else {
                fields.push((name.clone(), value.trim().to_owned()));
            }
        }
    }

    // P14: `privacy=` is a note of type api_notes; the switch makes it required for users
    // in a listed country. While the feature is off, privacy inputs are ignored (P1).
    let settings = crate::privacy::store::load_settings(conn)?;
    let mut note = None;
    if settings.enabled {
        match input.option("privacy").map(notes::parse) {
            Some(Ok(value)) => note = Some(value),
            Some(Err(_)) => complain(
                "privacy",
                "placeholder",
                "Send the hash of a privacy text or a note saying how consent was given; values like \
                 \"1\", \"yes\" or \"ok\" are placeholders, not notes."
                    .into(),
            ),
            None => {
                let stored_country = stored.map_or("", |u| u.country.as_str());
                if notes::required(NoteContext::UserApi, &settings, changes.country.as_deref(), stored_country) {
                    complain(
                        "privacy",
                        "missing",
                        "This user is in a country that requires privacy records: send privacy= with the hash \
                         of a privacy text or a note saying how consent was given."
                            .into(),
                    );
                }
            }
        }
    }

    if !errors.is_empty() {
        return Err(AppError::Validation(ValidationErrors(errors)));
    }
    // G3: a forgotten person is never stored again, whatever the path.
    if let Some(email) = new_email {
        if crate::gdpr::erase::is_forgotten_email(conn, email)? {
            return Err(AppError::Forbidden(
                "This email address was forgotten at the person's request; nothing about it can be stored.".into(),
            ));
        }
    }
    Ok(Plan { email, changes, fields, note })
}

fn apply(conn: &mut DbConnection, ctx: &WriteCtx, user: &User, plan: &Plan) -> Result<(), AppError> {
    people::store::set_user_fields(conn, user.user_id(), &plan.fields)?;
    if let Some(note) = &plan.note {
        notes::record(conn, user.id, NoteContext::UserApi, note, ctx.now)?;
    }
    Ok(())
}
