//! The `list` resource (SPEC R1, §1): mailing lists. Making a list the default takes the
//! mark from the others; a list still used by a page or a subscription cannot be deleted
//! (409), since deleting it would silently drop subscribers.

use serde_json::{json, Map, Value};

use super::resource::{
    invalid, object, time, Descriptor, Field, Input, Kind, Resource, WriteCtx, DETAIL_WRITE, LIST_CREATE,
};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::people::edit::ListChanges;
use crate::people::query::ListRow;
use crate::people::{self, ListId};

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "list",
    table: "core_list",
    key: "core_list.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_list.id").readonly().unique(),
        Field::new("name", Kind::String).column("core_list.name").required().unique(),
        Field::new("description", Kind::String).column("core_list.description"),
        Field::new("is_default", Kind::Boolean)
            .column("core_list.is_default")
            .help("The list pages subscribe to when none is named; one list at a time."),
        Field::new("created_at", Kind::DateTime).column("core_list.created_at").readonly(),
        Field::new("updated_at", Kind::DateTime).column("core_list.updated_at").readonly(),
    ],
    options: &[],
    list_methods: LIST_CREATE,
    detail_methods: DETAIL_WRITE,
    help: "Mailing lists.",
};

pub struct Lists;

impl Resource for Lists {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = ListRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<ListRow>), AppError> {
        Ok(people::query::lists(conn, listing)?)
    }

    fn id(row: &ListRow) -> i64 {
        row.id
    }

    fn to_json(l: &ListRow) -> Map<String, Value> {
        object(json!({
            "id": l.id,
            "name": l.name,
            "description": l.description,
            "is_default": l.is_default,
            "created_at": time(l.created_at),
            "updated_at": time(l.updated_at),
        }))
    }

    fn create(conn: &mut DbConnection, ctx: &WriteCtx, input: &Input) -> Result<i64, AppError> {
        let changes = check(conn, input, None)?;
        let name = changes.name.clone().unwrap_or_default();
        let ListId(id) = people::store::insert_list(conn, &name, false, ctx.now)?;
        people::edit::update_list(conn, id, &changes, ctx.now)?;
        Ok(id)
    }

    fn update(conn: &mut DbConnection, ctx: &WriteCtx, id: i64, input: &Input) -> Result<(), AppError> {
        let changes = check(conn, input, Some(id))?;
        people::edit::update_list(conn, id, &changes, ctx.now)?;
        Ok(())
    }

    fn delete(conn: &mut DbConnection, _ctx: &WriteCtx, id: i64) -> Result<(), AppError> {
        match people::edit::delete_list(conn, id) {
            Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, _)) => {
                Err(AppError::Conflict(format!(
                    "List {id} is still used by pages or subscriptions; move them to another list first."
                )))
            }
            other => other.map(|_| ()).map_err(AppError::from),
        }
    }
}

fn check(conn: &mut DbConnection, input: &Input, id: Option<i64>) -> Result<ListChanges, AppError> {
    let mut c = ListChanges::default();
    if let Some(name) = input.text("name") {
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid("name", "This field is required."));
        }
        if people::query::list_by_name(conn, name)?.is_some_and(|l| Some(l.id) != id) {
            return Err(invalid("name", "A list with this name already exists."));
        }
        c.name = Some(name.to_owned());
    }
    c.description = input.text("description").map(str::to_owned);
    c.is_default = input.bool("is_default");
    Ok(c)
}
