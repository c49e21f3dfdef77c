//! SQL for orders, transactions, payment accounts, products and candidates.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Cents, PaymentAccount};
use crate::db::schema::{
    core_candidate, core_order, core_orderdetail, core_orderitem, core_paymentaccount, core_product, core_transaction,
};
use crate::db::DbConnection;

pub fn insert_payment_account(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_paymentaccount::table)
        .values((
            core_paymentaccount::name.eq(name),
            core_paymentaccount::vendor.eq("stub"),
            core_paymentaccount::created_at.eq(now),
        ))
        .returning(core_paymentaccount::id)
        .get_result(conn)
}

fn account_columns() -> (
    core_paymentaccount::id,
    core_paymentaccount::name,
    core_paymentaccount::vendor,
    core_paymentaccount::card_code,
    core_paymentaccount::currency,
    core_paymentaccount::is_active,
) {
    (
        core_paymentaccount::id,
        core_paymentaccount::name,
        core_paymentaccount::vendor,
        core_paymentaccount::card_code,
        core_paymentaccount::currency,
        core_paymentaccount::is_active,
    )
}

pub fn account_by_name(conn: &mut DbConnection, name: &str) -> QueryResult<Option<PaymentAccount>> {
    core_paymentaccount::table
        .filter(core_paymentaccount::name.eq(name))
        .select(account_columns())
        .first(conn)
        .optional()
}

pub fn account_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<PaymentAccount>> {
    core_paymentaccount::table.find(id).select(account_columns()).first(conn).optional()
}

pub fn insert_product(conn: &mut DbConnection, name: &str, price: Cents, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_product::table)
        .values((core_product::name.eq(name), core_product::price_cents.eq(price.0), core_product::created_at.eq(now)))
        .returning(core_product::id)
        .get_result(conn)
}

pub fn product_price(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Cents>> {
    core_product::table.find(id).select(core_product::price_cents).first(conn).optional().map(|p| p.map(Cents))
}

pub fn insert_candidate(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_candidate::table)
        .values((core_candidate::name.eq(name), core_candidate::created_at.eq(now)))
        .returning(core_candidate::id)
        .get_result(conn)
}

pub fn candidate_exists(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    core_candidate::table.find(id).count().get_result::<i64>(conn).map(|n| n > 0)
}

/// The fingerprint of the account's most recent transaction, to refuse an exact repeat.
pub fn last_fingerprint(conn: &mut DbConnection, account_id: i64) -> QueryResult<Option<String>> {
    core_transaction::table
        .filter(core_transaction::payment_account_id.eq(account_id))
        .order(core_transaction::id.desc())
        .select(core_transaction::fingerprint)
        .first(conn)
        .optional()
}

/// Shipping address fields (`shipping_*`), all optional.
#[derive(Clone, Debug, Default)]
pub struct Shipping {
    pub name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
}

pub struct NewOrder<'a> {
    pub user_id: i64,
    pub action_id: i64,
    pub account: &'a PaymentAccount,
    pub total: Cents,
    pub status: &'a str,
    pub card_last4: &'a str,
    pub shipping: &'a Shipping,
    pub created_at: NaiveDateTime,
}

pub fn insert_order(conn: &mut DbConnection, order: &NewOrder<'_>) -> QueryResult<i64> {
    let s = order.shipping;
    crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(core_order::table).values((
            core_order::user_id.eq(order.user_id),
            core_order::action_id.eq(order.action_id),
            core_order::payment_account_id.eq(order.account.id),
            core_order::total_cents.eq(order.total.0),
            core_order::currency.eq(&order.account.currency),
            core_order::status.eq(order.status),
            core_order::card_last4.eq(order.card_last4),
            core_order::shipping_name.eq(&s.name),
            core_order::shipping_address1.eq(&s.address1),
            core_order::shipping_address2.eq(&s.address2),
            core_order::shipping_city.eq(&s.city),
            core_order::shipping_state.eq(&s.state),
            core_order::shipping_zip.eq(&s.zip),
            core_order::shipping_country.eq(&s.country),
            core_order::created_at.eq(order.created_at),
            core_order::updated_at.eq(order.created_at),
        )),
        core_order::id
    )
}

pub fn insert_item(
    conn: &mut DbConnection,
    order_id: i64,
    product_id: i64,
    quantity: i64,
    total: Cents,
) -> QueryResult<()> {
    diesel::insert_into(core_orderitem::table)
        .values((
            core_orderitem::order_id.eq(order_id),
            core_orderitem::product_id.eq(product_id),
            core_orderitem::quantity.eq(quantity),
            core_orderitem::total_cents.eq(total.0),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_detail(conn: &mut DbConnection, order_id: i64, candidate_id: i64, amount: Cents) -> QueryResult<()> {
    diesel::insert_into(core_orderdetail::table)
        .values((
            core_orderdetail::order_id.eq(order_id),
            core_orderdetail::candidate_id.eq(candidate_id),
            core_orderdetail::amount_cents.eq(amount.0),
        ))
        .execute(conn)
        .map(|_| ())
}

pub struct NewTransaction<'a> {
    pub order_id: i64,
    pub account_id: i64,
    pub status: &'a str,
    pub amount: Cents,
    pub fingerprint: &'a str,
    pub failure_message: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert_transaction(conn: &mut DbConnection, t: &NewTransaction<'_>) -> QueryResult<i64> {
    crate::db::insert_returning_id!(
        conn,
        diesel::insert_into(core_transaction::table).values((
            core_transaction::order_id.eq(t.order_id),
            core_transaction::payment_account_id.eq(t.account_id),
            core_transaction::type_.eq("sale"),
            core_transaction::status.eq(t.status),
            core_transaction::amount_cents.eq(t.amount.0),
            core_transaction::trans_id.eq(format!("stub-{}", t.order_id)),
            core_transaction::fingerprint.eq(t.fingerprint),
            core_transaction::failure_message.eq(t.failure_message),
            core_transaction::created_at.eq(t.created_at),
        )),
        core_transaction::id
    )
}

/// `(id, action_id, total_cents, currency, status, card_last4, shipping_address1,
/// shipping_city, created_at)`.
type ExportRow = (i64, Option<i64>, i64, String, String, String, String, String, NaiveDateTime);

/// A person's orders, for the export (SPEC G1).
pub fn export_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<serde_json::Value>> {
    let rows: Vec<ExportRow> = core_order::table
        .filter(core_order::user_id.eq(user_id))
        .order(core_order::id.asc())
        .select((
            core_order::id,
            core_order::action_id,
            core_order::total_cents,
            core_order::currency,
            core_order::status,
            core_order::card_last4,
            core_order::shipping_address1,
            core_order::shipping_city,
            core_order::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, action, total, currency, status, last4, addr, city, at)| {
            serde_json::json!({"id": id, "action_id": action, "total": Cents(total).to_string(), "currency": currency,
                "status": status, "card_last4": last4, "shipping_address1": addr, "shipping_city": city, "created_at": at})
        })
        .collect())
}

/// Erase (SPEC G2): orders keep their amounts, dates and status (the anonymous totals),
/// and lose the person, the card digits and the shipping address. Returns counts.
pub fn anonymize_for_user(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<(&'static str, usize)>> {
    let n = diesel::update(core_order::table.filter(core_order::user_id.eq(user_id)))
        .set((
            core_order::user_id.eq(None::<i64>),
            core_order::card_last4.eq(""),
            core_order::shipping_name.eq(""),
            core_order::shipping_address1.eq(""),
            core_order::shipping_address2.eq(""),
            core_order::shipping_city.eq(""),
            core_order::shipping_state.eq(""),
            core_order::shipping_zip.eq(""),
            core_order::shipping_country.eq(""),
        ))
        .execute(conn)?;
    Ok(vec![("core_order (anonymized)", n)])
}

/// Whether the person has any order: a basis beyond consent (a contract, tax records).
pub fn has_orders(conn: &mut DbConnection, user_id: i64) -> QueryResult<bool> {
    core_order::table.filter(core_order::user_id.eq(user_id)).count().get_result::<i64>(conn).map(|n| n > 0)
}
