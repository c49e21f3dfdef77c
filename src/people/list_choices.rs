//! Lists as the admin's subscribe form offers them (SPEC S2): every list by name, and the
//! lists one person is subscribed to. Read-only.

use diesel::prelude::*;

use super::query::ListRow;
use super::UserId;
use crate::db::schema::{core_list, core_subscription};
use crate::db::DbConnection;

/// Every list, by name.
pub fn all_lists(conn: &mut DbConnection) -> QueryResult<Vec<ListRow>> {
    core_list::table.order((core_list::name.asc(), core_list::id.asc())).select(ListRow::as_select()).load(conn)
}

/// Ids of the lists `user` is subscribed to.
pub fn subscribed_list_ids(conn: &mut DbConnection, user: UserId) -> QueryResult<Vec<i64>> {
    core_subscription::table.filter(core_subscription::user_id.eq(user.0)).select(core_subscription::list_id).load(conn)
}
