//! The `phone` resource (SPEC R1, A5): a user's typed phone numbers, `user` by URI. One
//! number per type per user, as actions store them: creating a second phone of a type
//! replaces the first (and answers its URI).

use serde_json::{json, Map, Value};

use super::resource::{
    invalid, object, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, DETAIL_WRITE, LIST_CREATE,
};
use super::users;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::people::edit::PhoneChanges;
use crate::people::query::Phone;
use crate::people::{self, phones, UserId};

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "phone",
    table: "core_phone",
    key: "core_phone.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_phone.id").readonly().unique(),
        Field::new("user", Kind::Ref(&users::DESCRIPTOR)).column("core_phone.user_id").required(),
        Field::new("type", Kind::String)
            .column("core_phone.type")
            .required()
            .help("home, work, mobile, home_fax, work_fax or emergency."),
        Field::new("phone", Kind::String).column("core_phone.phone").required(),
        Field::new("normalized_phone", Kind::String)
            .column("core_phone.normalized_phone")
            .readonly()
            .help("The digits (and a leading +) of phone."),
        Field::new("source", Kind::String).column("core_phone.source"),
        Field::new("created_at", Kind::DateTime).column("core_phone.created_at").readonly(),
        Field::new("updated_at", Kind::DateTime).column("core_phone.updated_at").readonly(),
    ],
    options: &[],
    list_methods: LIST_CREATE,
    detail_methods: DETAIL_WRITE,
    help: "Users' phone numbers, one per type.",
};

pub struct Phones;

impl Resource for Phones {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = Phone;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<Phone>), AppError> {
        Ok(people::query::phones(conn, listing)?)
    }

    fn id(row: &Phone) -> i64 {
        row.id
    }

    fn to_json(p: &Phone) -> Map<String, Value> {
        object(json!({
            "id": p.id,
            "user": users::DESCRIPTOR.uri(p.user_id),
            "type": p.phone_type,
            "phone": p.phone,
            "normalized_phone": p.normalized_phone,
            "source": p.source,
            "created_at": time(p.created_at),
            "updated_at": time(p.updated_at),
        }))
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let c = check(conn, input)?;
        let (Some(user), Some(phone_type), Some(number)) = (c.user_id, c.phone_type, c.phone) else {
            return Err(AppError::internal("required phone fields passed unchecked"));
        };
        let source = c.source.unwrap_or_else(|| "restful_api".into());
        phones::set(conn, UserId(user), &phone_type, &number, &source, ctx.now)?;
        let stored = people::query::phone_of_type(conn, user, &phone_type)?
            .ok_or_else(|| AppError::internal("stored phone not found"))?;
        Ok(stored.id)
    }

    fn update(conn: &mut DbConnection, ctx: &WriteCtx, id: i64, input: &Input) -> Result<(), AppError> {
        let current = people::query::find_phone(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
        let c = check(conn, input)?;
        let user = c.user_id.unwrap_or(current.user_id);
        let phone_type = c.phone_type.as_deref().unwrap_or(&current.phone_type);
        if let Some(other) = people::query::phone_of_type(conn, user, phone_type)?.filter(|p| p.id != id) {
            return Err(invalid(
                "type",
                format!("That user already has a {phone_type} phone ({}).", DESCRIPTOR.uri(other.id)),
            ));
        }
        people::edit::update_phone(conn, id, &c, ctx.now)?;
        Ok(())
    }

    fn delete(conn: &mut DbConnection, _ctx: &WriteCtx, id: i64) -> Result<(), AppError> {
        people::edit::delete_phone(conn, id)?;
        Ok(())
    }
}

/// The body's values, checked: the user exists, the type is known, the number valid.
fn check(conn: &mut DbConnection, input: &Input) -> Result<PhoneChanges, AppError> {
    let mut c = PhoneChanges::default();
    if let Some(user) = input.reference("user") {
        if people::store::find_by_id(conn, UserId(user))?.is_none() {
            return Err(invalid("user", format!("{} names no user.", users::DESCRIPTOR.uri(user))));
        }
        c.user_id = Some(user);
    }
    if let Some(phone_type) = input.text("type") {
        let phone_type = phone_type.trim().to_ascii_lowercase();
        if !phones::TYPES.contains(&phone_type.as_str()) {
            return Err(invalid("type", format!("type must be one of: {}.", phones::TYPES.join(", "))));
        }
        c.phone_type = Some(phone_type);
    }
    if let Some(number) = input.text("phone") {
        if !phones::is_valid(number) {
            return Err(invalid("phone", "This is not a phone number."));
        }
        c.phone = Some(number.trim().to_owned());
    }
    c.source = input.text("source").map(str::to_owned);
    Ok(c)
}
