//! The audit log (`core_auditlog`, SPEC G6, S3) as the REST resource reads it: a filtered,
//! ordered page of entries. Entries hold who asked, through which path, what was done and
//! counts — never personal data — so they can be listed as they are.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::core_auditlog;
use crate::db::DbConnection;
use crate::listing::Listing;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = core_auditlog)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub via: String,
    pub verb: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

/// `(total matching, this page)`.
pub fn entries(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<AuditEntry>)> {
    let total = core_auditlog::table.filter(listing.filter.clone()).count().get_result(conn)?;
    let rows = core_auditlog::table
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select(AuditEntry::as_select())
        .load(conn)?;
    Ok((total, rows))
}
