//! The `alloweduserfield` and `allowedpagefield` resources (SPEC R1, A6): the names of
//! custom user fields (`user_<name>` on actions, `fields` on users) and custom page
//! fields that may be stored. Read and create (as ActionKit's integrators do before
//! their first action with a new field); a name already allowed is a 400.

use serde_json::{json, Map, Value};

use super::resource::{invalid, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, LIST_CREATE, READ};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::pages::query::AllowedPageField;
use crate::people::allowed_fields::{self, AllowedUserField};

pub static USER_FIELD: Descriptor = Descriptor {
    name: "alloweduserfield",
    table: "core_alloweduserfield",
    key: "core_alloweduserfield.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_alloweduserfield.id").readonly().unique(),
        Field::new("name", Kind::String)
            .column("core_alloweduserfield.name")
            .required()
            .unique()
            .help("Lowercase letters, digits and _; actions send it as user_<name>."),
        Field::new("always_show", Kind::Boolean).column("core_alloweduserfield.always_show"),
        Field::new("created_at", Kind::DateTime).column("core_alloweduserfield.created_at").readonly(),
    ],
    options: &[],
    list_methods: LIST_CREATE,
    detail_methods: READ,
    help: "Names of custom user fields that may be stored.",
};

pub static PAGE_FIELD: Descriptor = Descriptor {
    name: "allowedpagefield",
    table: "core_allowedpagefield",
    key: "core_allowedpagefield.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_allowedpagefield.id").readonly().unique(),
        Field::new("name", Kind::String)
            .column("core_allowedpagefield.name")
            .required()
            .unique()
            .help("Lowercase letters, digits and _."),
        Field::new("created_at", Kind::DateTime).column("core_allowedpagefield.created_at").readonly(),
    ],
    options: &[],
    list_methods: LIST_CREATE,
    detail_methods: READ,
    help: "Names of custom page fields that may be stored.",
};

/// A field name as stored: trimmed, lowercase letters, digits and `_`.
fn checked_name(input: &Input) -> Result<String, AppError> {
    let name = input.text("name").unwrap_or_default().trim();
    if name.is_empty()
        || name.len() > 64
        || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(invalid("name", "name must be 1 to 64 lowercase letters, digits or _."));
    }
    Ok(name.to_owned())
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub struct AllowedUserFields;

impl Resource for AllowedUserFields {
    const DESCRIPTOR: &'static Descriptor = &USER_FIELD;
    type Row = AllowedUserField;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<AllowedUserField>), AppError> {
        Ok(allowed_fields::list(conn, listing)?)
    }

    fn id(row: &AllowedUserField) -> i64 {
        row.id
    }

    fn to_json(f: &AllowedUserField) -> Map<String, Value> {
        object(json!({"id": f.id, "name": f.name, "always_show": f.always_show, "created_at": time(f.created_at)}))
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let name = checked_name(input)?;
        if allowed_fields::find_by_name(conn, &name)?.is_some() {
            return Err(invalid("name", "This user field is already allowed."));
        }
        Ok(allowed_fields::insert(conn, &name, input.bool("always_show").unwrap_or(false), ctx.now)?)
    }
}

pub struct AllowedPageFields;

impl Resource for AllowedPageFields {
    const DESCRIPTOR: &'static Descriptor = &PAGE_FIELD;
    type Row = AllowedPageField;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<AllowedPageField>), AppError> {
        Ok(crate::pages::query::allowed_fields(conn, listing)?)
    }

    fn id(row: &AllowedPageField) -> i64 {
        row.id
    }

    fn to_json(f: &AllowedPageField) -> Map<String, Value> {
        object(json!({"id": f.id, "name": f.name, "created_at": time(f.created_at)}))
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let name = checked_name(input)?;
        if crate::pages::query::allowed_field_names(conn)?.contains(&name) {
            return Err(invalid("name", "This page field is already allowed."));
        }
        Ok(crate::pages::edit::allow_field(conn, &name, ctx.now)?)
    }
}
