//! Follow-ups (`core_pagefollowup`): what a page does after an action — the thank-you
//! mail (SPEC P16), tell-a-friend mail (A7), the receipt mail (B3) and a redirect. One row
//! per page at most; a page without one sends nothing. Only this file touches the table.

use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::core_pagefollowup;
use crate::db::DbConnection;

#[derive(Clone, Debug, Queryable, Selectable, Serialize)]
#[diesel(table_name = core_pagefollowup)]
#[allow(clippy::struct_excessive_bools)]
pub struct Followup {
    pub id: i64,
    pub page_id: i64,
    pub redirect_url: String,
    pub send_email: bool,
    /// Staff text, plain (no template syntax).
    pub email_subject: String,
    /// Staff HTML, shown inside the templateset's `email_thanks.html`.
    pub email_body: String,
    pub send_taf: bool,
    pub taf_subject: String,
    pub taf_body: String,
    pub send_receipt: bool,
}

/// A page's follow-up as staff save it.
#[derive(Clone, Debug, Default)]
#[allow(clippy::struct_excessive_bools)]
pub struct FollowupChanges {
    pub redirect_url: String,
    pub send_email: bool,
    pub email_subject: String,
    pub email_body: String,
    pub send_taf: bool,
    pub taf_subject: String,
    pub taf_body: String,
    pub send_receipt: bool,
}

pub fn find(conn: &mut DbConnection, page_id: i64) -> QueryResult<Option<Followup>> {
    core_pagefollowup::table
        .filter(core_pagefollowup::page_id.eq(page_id))
        .select(Followup::as_select())
        .first(conn)
        .optional()
}

/// Replaces the page's follow-up; the new row's id.
pub fn upsert(conn: &mut DbConnection, page_id: i64, changes: &FollowupChanges) -> QueryResult<i64> {
    diesel::delete(core_pagefollowup::table.filter(core_pagefollowup::page_id.eq(page_id))).execute(conn)?;
    diesel::insert_into(core_pagefollowup::table)
        .values((
            core_pagefollowup::page_id.eq(page_id),
            core_pagefollowup::redirect_url.eq(&changes.redirect_url),
            core_pagefollowup::send_email.eq(changes.send_email),
            core_pagefollowup::email_subject.eq(&changes.email_subject),
            core_pagefollowup::email_body.eq(&changes.email_body),
            core_pagefollowup::send_taf.eq(changes.send_taf),
            core_pagefollowup::taf_subject.eq(&changes.taf_subject),
            core_pagefollowup::taf_body.eq(&changes.taf_body),
            core_pagefollowup::send_receipt.eq(changes.send_receipt),
        ))
        .returning(core_pagefollowup::id)
        .get_result(conn)
}
