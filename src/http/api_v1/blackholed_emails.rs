//! The `blackholedemail` resource (SPEC R1): addresses no mail is ever sent to. Create
//! (201), change (202), delete (204: mail to the address may be sent again). Addresses
//! are stored trimmed and lowercased, as the mail worker compares them; one row per
//! address (a second one is a 400).

use serde_json::{json, Map, Value};

use super::resource::{invalid, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, DETAIL_WRITE, LIST_CREATE};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::mail::blackhole_query::{self as blackhole, Blackholed};
use crate::people::Email;

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "blackholedemail",
    table: "core_blackholedemail",
    key: "core_blackholedemail.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_blackholedemail.id").readonly().unique(),
        Field::new("email", Kind::String)
            .column("core_blackholedemail.email")
            .required()
            .unique()
            .help("Stored trimmed and lowercased."),
        Field::new("created_at", Kind::DateTime).column("core_blackholedemail.created_at").readonly(),
    ],
    options: &[],
    list_methods: LIST_CREATE,
    detail_methods: DETAIL_WRITE,
    help: "Email addresses that never receive mail.",
};

/// The body's address, checked: a valid email not yet listed (except as `id` itself).
fn checked(conn: &mut DbConnection, input: &Input, id: Option<i64>) -> Result<Option<String>, AppError> {
    let Some(raw) = input.text("email") else { return Ok(None) };
    let Some(email) = Email::parse(raw) else { return Err(invalid("email", "This is not an email address.")) };
    if blackhole::find_by_email(conn, email.as_str())?.is_some_and(|b| Some(b.id) != id) {
        return Err(invalid("email", "This address is already blackholed."));
    }
    Ok(Some(email.as_str().to_owned()))
}

pub struct BlackholedEmails;

impl Resource for BlackholedEmails {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = Blackholed;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<Blackholed>), AppError> {
        Ok(blackhole::blackholed(conn, listing)?)
    }

    fn id(row: &Blackholed) -> i64 {
        row.id
    }

    fn to_json(b: &Blackholed) -> Map<String, Value> {
        match json!({"id": b.id, "email": b.email, "created_at": time(b.created_at)}) {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let email = checked(conn, input, None)?.ok_or_else(|| invalid("email", "This field is required."))?;
        Ok(blackhole::insert(conn, &email, ctx.now)?)
    }

    fn update(conn: &mut DbConnection, _ctx: &WriteCtx, id: i64, input: &Input) -> Result<(), AppError> {
        if let Some(email) = checked(conn, input, Some(id))? {
            blackhole::set_email(conn, id, &email)?;
        }
        Ok(())
    }

    fn delete(conn: &mut DbConnection, _ctx: &WriteCtx, id: i64) -> Result<(), AppError> {
        Ok(blackhole::delete(conn, id)?)
    }
}
