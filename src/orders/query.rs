//! Reads of orders (`core_order`) for the REST resources (SPEC R1, R2, A9): a
//! [`Listing`] applied to orders with their payment account's name. Orders are read-only
//! over REST: donations through the action engine create them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{core_order, core_paymentaccount};
use crate::db::DbConnection;
use crate::listing::Listing;

#[derive(Clone, Debug, Queryable)]
pub struct OrderRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub action_id: Option<i64>,
    pub payment_account: String,
    pub total_cents: i64,
    pub currency: String,
    pub status: String,
    pub card_last4: String,
    pub shipping_name: String,
    pub shipping_address1: String,
    pub shipping_address2: String,
    pub shipping_city: String,
    pub shipping_state: String,
    pub shipping_zip: String,
    pub shipping_country: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// `(total matching, this page)`.
pub fn orders(conn: &mut DbConnection, listing: &Listing) -> QueryResult<(i64, Vec<OrderRow>)> {
    let total = core_order::table
        .inner_join(core_paymentaccount::table)
        .filter(listing.filter.clone())
        .count()
        .get_result(conn)?;
    let rows = core_order::table
        .inner_join(core_paymentaccount::table)
        .filter(listing.filter.clone())
        .order(listing.order.clone())
        .limit(listing.limit)
        .offset(listing.offset)
        .select((
            core_order::id,
            core_order::user_id,
            core_order::action_id,
            core_paymentaccount::name,
            core_order::total_cents,
            core_order::currency,
            core_order::status,
            core_order::card_last4,
            core_order::shipping_name,
            core_order::shipping_address1,
            core_order::shipping_address2,
            core_order::shipping_city,
            core_order::shipping_state,
            core_order::shipping_zip,
            core_order::shipping_country,
            core_order::created_at,
            core_order::updated_at,
        ))
        .load(conn)?;
    Ok((total, rows))
}
