//! Reads of privacy records and texts for the REST resources (SPEC R1, R2, P12): a
//! [`Listing`] applied to `core_privacyrecord` joined with its text version (a record's
//! `type` is its text's, and can be filtered on) and its page (for the page's typed URI),
//! and to `core_privacytext`. Records are read-only over REST: they are written by the
//! engine and withdrawn by its rules (P13). A record an erase scrubbed (no person left, see
//! `store::erase_for_user`) is not listed: only the consent log still vouches for it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{core_page, core_privacyrecord, core_privacytext};
use crate::db::DbConnection;
use crate::listing::Listing;

/// A record with its text's type, and the evidence stored beside it (SPEC B2; the keyed
/// IP hash stays out of the API).
#[derive(Clone, Debug, Queryable)]
pub struct RecordRow {
    pub id: i64,
    pub user_id: i64,
    pub action_id: Option<i64>,
    pub version_id: i64,
    pub text_type: String,
    pub status: String,
    pub context: String,
    pub note: String,
    pub page_id: Option<i64>,
    /// The page's type, for its typed URI.
    pub page_type: Option<String>,
    pub templateset_id: Option<i64>,
    pub templateset_revision: Option<i64>,
    pub lang: String,
    pub country_submitted: String,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_privacytext)]
pub struct TextRow {
    pub id: i64,
    #[diesel(column_name = type_)]
    pub text_type: String,
    pub text: String,
    pub hash: String,
    pub created_at: NaiveDateTime,
}

/// `(total matching, this page)`; the listing may name `core_privacytext` columns.
pub fn records(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<RecordRow>)> {
    let total = core_privacyrecord::table
        .inner_join(core_privacytext::table)
        .filter(core_privacyrecord::user_id.is_not_null())
        .filter(listing.filter.clone())
        .count()
        .get_result(conn)?;
    let rows = core_privacyrecord::table
        .inner_join(core_privacytext::table)
        .left_join(core_page::table)
        .filter(core_privacyrecord::user_id.is_not_null())
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select((
            core_privacyrecord::id,
            core_privacyrecord::user_id.assume_not_null(),
            core_privacyrecord::action_id,
            core_privacyrecord::version_id,
            core_privacytext::type_,
            core_privacyrecord::status,
            core_privacyrecord::context,
            core_privacyrecord::note,
            core_privacyrecord::page_id,
            core_page::type_.nullable(),
            core_privacyrecord::templateset_id,
            core_privacyrecord::templateset_revision,
            core_privacyrecord::lang,
            core_privacyrecord::country_submitted,
            core_privacyrecord::user_agent,
            core_privacyrecord::created_at,
            core_privacyrecord::updated_at,
        ))
        .load(conn)?;
    Ok((total, rows))
}

pub fn texts(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<TextRow>)> {
    let total = core_privacytext::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_privacytext::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(TextRow::as_select())
        .load(conn)?;
    Ok((total, rows))
}
