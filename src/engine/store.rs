//! SQL for actions (`core_action`, `core_actionfield`): the engine owns these tables.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{core_action, core_actionfield};
use crate::db::{DbConnection, Stamp};

pub struct NewAction<'a> {
    pub user_id: i64,
    pub page_id: i64,
    /// Borrowed from the request, or owned by an import row that waits to be written.
    pub source: Cow<'a, str>,
    pub created_user: bool,
    pub referring_user_id: Option<i64>,
    pub referring_mailing_id: Option<i64>,
    pub mailing_id: Option<i64>,
}

pub fn insert(conn: &mut DbConnection, action: &NewAction<'_>, now: NaiveDateTime) -> QueryResult<i64> {
    insert_at(conn, action, &Stamp::new(now))
}

/// The columns of a new action, `$subscribed_user` and times included.
macro_rules! new_action_values {
    ($action:expr, $subscribed_user:expr, $now:expr) => {{
        let action: &NewAction<'_> = $action;
        (
            core_action::user_id.eq(action.user_id),
            core_action::page_id.eq(action.page_id),
            core_action::source.eq(action.source.as_ref()),
            core_action::status.eq("complete"),
            core_action::created_user.eq(action.created_user),
            core_action::subscribed_user.eq($subscribed_user),
            core_action::referring_user_id.eq(action.referring_user_id),
            core_action::referring_mailing_id.eq(action.referring_mailing_id),
            core_action::mailing_id.eq(action.mailing_id),
            core_action::created_at.eq($now),
            core_action::updated_at.eq($now),
        )
    }};
}

/// [`insert`] with a time formatted once for many rows (an import's chunk).
pub fn insert_at(conn: &mut DbConnection, action: &NewAction<'_>, now: &Stamp) -> QueryResult<i64> {
    crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(core_action::table).values(new_action_values!(action, false, now)),
        core_action::id
    )
}

/// Actions per multi-row insert: 12 binds each, within both backends' limits.
const ACTIONS_PER_INSERT: usize = 1_000;

/// Inserts actions whose ids were reserved ([`crate::db::ids`]), many to a statement, as
/// [`insert_at`] (and [`set_subscribed_user`] where `.2` says so) would one by one.
pub fn insert_many(conn: &mut DbConnection, rows: &[(i64, NewAction<'_>, bool)], now: &Stamp) -> QueryResult<()> {
    for batch in rows.chunks(ACTIONS_PER_INSERT) {
        let values: Vec<_> = batch
            .iter()
            .map(|(id, action, subscribed_user)| {
                (core_action::id.eq(*id), new_action_values!(action, *subscribed_user, now))
            })
            .collect();
        crate::db::execute_on_backend(conn, diesel::insert_into(core_action::table).values(&values))?;
    }
    Ok(())
}

pub fn set_subscribed_user(conn: &mut DbConnection, action_id: i64) -> QueryResult<()> {
    diesel::update(core_action::table.find(action_id))
        .set(core_action::subscribed_user.eq(true))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_fields(
    conn: &mut DbConnection,
    user_id: i64,
    action_id: i64,
    fields: &[(String, String)],
) -> QueryResult<()> {
    let rows: Vec<FieldRow<'_>> = FieldRow::of(user_id, action_id, fields).collect();
    for batch in rows.chunks(FIELDS_PER_INSERT) {
        insert_field_rows(conn, batch)?;
    }
    Ok(())
}

/// Action fields per multi-row insert: 5 binds each, far below both backends' limits.
pub const FIELDS_PER_INSERT: usize = 200;

/// One custom action field as stored: `(user_id, parent_id, position)` is its key, so a
/// supporter's fields sit together, each action's in one run (on SQLite the table is
/// `WITHOUT ROWID`, clustered by that key), and an erase deletes them in one place.
#[derive(Clone, Copy, Debug)]
pub struct FieldRow<'a> {
    /// The action's supporter.
    pub user: i64,
    pub action: i64,
    /// Where the field came in the request, from 0: the key's second part, and the order
    /// fields are read back in (one name may repeat, as a checkbox list posts it).
    pub position: i64,
    pub name: &'a str,
    pub value: &'a str,
}

impl<'a> FieldRow<'a> {
    /// The rows of one action's fields, in request order.
    pub fn of(user: i64, action: i64, fields: &'a [(String, String)]) -> impl Iterator<Item = FieldRow<'a>> {
        fields.iter().zip(0..).map(move |((name, value), position)| FieldRow { user, action, position, name, value })
    }
}

/// Inserts fields, all in one statement (the caller keeps the slice within the backends'
/// bind limits: 5 binds a row).
pub fn insert_field_rows(conn: &mut DbConnection, rows: &[FieldRow<'_>]) -> QueryResult<()> {
    let values: Vec<_> = rows
        .iter()
        .map(|f| {
            (
                core_actionfield::user_id.eq(f.user),
                core_actionfield::parent_id.eq(f.action),
                core_actionfield::position.eq(f.position),
                core_actionfield::name.eq(f.name),
                core_actionfield::value.eq(f.value),
            )
        })
        .collect();
    crate::db::execute_on_backend(conn, diesel::insert_into(core_actionfield::table).values(&values)).map(|_| ())
}

/// A stored action as the REST resource shows it.
#[derive(Clone, Debug, Queryable)]
pub struct ActionRow {
    pub id: i64,
    /// `None` once the person was erased.
    pub user_id: Option<i64>,
    pub page_id: i64,
    pub source: String,
    pub status: String,
    pub created_user: bool,
    pub subscribed_user: bool,
    pub referring_user_id: Option<i64>,
    pub referring_mailing_id: Option<i64>,
    pub mailing_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ActionRow>> {
    core_action::table
        .find(id)
        .select((
            core_action::id,
            core_action::user_id,
            core_action::page_id,
            core_action::source,
            core_action::status,
            core_action::created_user,
            core_action::subscribed_user,
            core_action::referring_user_id,
            core_action::referring_mailing_id,
            core_action::mailing_id,
            core_action::created_at,
            core_action::updated_at,
        ))
        .first(conn)
        .optional()
}

/// An action's fields in request order, found through its supporter (the key's first part);
/// none once the person was erased.
pub fn fields(conn: &mut DbConnection, action_id: i64) -> QueryResult<Vec<(String, String)>> {
    let user: Option<Option<i64>> =
        core_action::table.find(action_id).select(core_action::user_id).first(conn).optional()?;
    let Some(Some(user)) = user else { return Ok(vec![]) };
    core_actionfield::table
        .filter(core_actionfield::user_id.eq(user))
        .filter(core_actionfield::parent_id.eq(action_id))
        .order(core_actionfield::position.asc())
        .select((core_actionfield::name, core_actionfield::value))
        .load(conn)
}

/// Completed actions on a page (progress toward its goal).
pub fn count_for_page(conn: &mut DbConnection, page_id: i64) -> QueryResult<i64> {
    core_action::table
        .filter(core_action::page_id.eq(page_id))
        .filter(core_action::status.eq("complete"))
        .count()
        .get_result(conn)
}

pub fn set_status(conn: &mut DbConnection, action_id: i64, status: &str) -> QueryResult<()> {
    diesel::update(core_action::table.find(action_id)).set(core_action::status.eq(status)).execute(conn).map(|_| ())
}

pub fn set_created_at(conn: &mut DbConnection, action_id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(core_action::table.find(action_id))
        .set((core_action::created_at.eq(at), core_action::updated_at.eq(at)))
        .execute(conn)
        .map(|_| ())
}

/// A person's actions with their page and custom fields, for the export (SPEC G1).
pub fn export_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<serde_json::Value>> {
    use crate::db::schema::core_page;
    let rows: Vec<(i64, String, String, String, String, NaiveDateTime)> = core_action::table
        .inner_join(core_page::table)
        .filter(core_action::user_id.eq(user_id))
        .order(core_action::id.asc())
        .select((
            core_action::id,
            core_page::name,
            core_page::type_,
            core_action::source,
            core_action::status,
            core_action::created_at,
        ))
        .load(conn)?;
    let mut out = vec![];
    for (id, page, page_type, source, status, at) in rows {
        let fields: std::collections::BTreeMap<String, String> = fields(conn, id)?.into_iter().collect();
        out.push(serde_json::json!({"id": id, "page": page, "type": page_type, "source": source, "status": status, "created_at": at, "fields": fields}));
    }
    Ok(out)
}

/// Erase (SPEC G2): a person's actions stay as anonymous counts — their custom fields go,
/// the person is cut from them and from actions they referred. Returns counts.
pub fn anonymize_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(&'static str, usize)>> {
    // The fields first: they are found through the actions' supporter, which goes next.
    let fields = diesel::delete(core_actionfield::table.filter(core_actionfield::user_id.eq(user_id))).execute(conn)?;
    let actions = diesel::update(core_action::table.filter(core_action::user_id.eq(user_id)))
        .set(core_action::user_id.eq(None::<i64>))
        .execute(conn)?;
    diesel::update(core_action::table.filter(core_action::referring_user_id.eq(user_id)))
        .set(core_action::referring_user_id.eq(None::<i64>))
        .execute(conn)?;
    Ok(vec![("core_action (anonymized)", actions), ("core_actionfield", fields)])
}
