//! Reads of actions (`core_action`, `core_actionfield`) for the REST resources (SPEC R1,
//! R2): a [`Listing`] applied to actions joined with their page (the `type` of an action
//! is its page's, and typed action resources filter on it), and the custom action fields
//! of a whole listing page at once.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{core_action, core_actionfield, core_page};
use crate::db::DbConnection;
use crate::listing::Listing;

/// An action with its page's type.
#[derive(Clone, Debug, Queryable)]
pub struct ActionListRow {
    pub id: i64,
    /// `None` once the person was erased.
    pub user_id: Option<i64>,
    pub page_id: i64,
    pub page_type: String,
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

/// `(total matching, this page)`; the listing may name `core_page` columns.
pub fn actions(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<ActionListRow>)> {
    let total =
        core_action::table.inner_join(core_page::table).filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_action::table
        .inner_join(core_page::table)
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select((
            core_action::id,
            core_action::user_id,
            core_action::page_id,
            core_page::type_,
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
        .load(conn)?;
    Ok((total, rows))
}

/// Custom action fields by action, for the actions in `actions`.
pub fn fields_of(conn: &mut DbConnection, actions: &[i64]) -> QueryResult<HashMap<i64, BTreeMap<String, String>>> {
    // Through each action's supporter, the first part of the fields' key.
    let rows: Vec<(i64, String, String)> = core_actionfield::table
        .inner_join(
            core_action::table.on(core_action::id
                .eq(core_actionfield::parent_id)
                .and(core_action::user_id.eq(core_actionfield::user_id.nullable()))),
        )
        .filter(core_action::id.eq_any(actions))
        .order((core_actionfield::parent_id.asc(), core_actionfield::position.asc()))
        .select((core_actionfield::parent_id, core_actionfield::name, core_actionfield::value))
        .load(conn)?;
    let mut out: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
    for (action, name, value) in rows {
        out.entry(action).or_default().insert(name, value);
    }
    Ok(out)
}
