//! The `order` resource (SPEC R1, A9): orders recorded by donation actions, with `user`
//! and `action` as URIs, `total` as ActionKit writes it (`123.45`) and the payment
//! account's name. Read-only: donations are taken through `POST /rest/v1/action/`.

use serde_json::{json, Map, Value};

use super::resource::{time, Descriptor, Field, Kind, Resource, READ};
use super::{action_resources, users};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::orders::money::Cents;
use crate::orders::query::OrderRow;

const fn text(name: &'static str, column: &'static str) -> Field {
    Field::new(name, Kind::String).column(column).readonly()
}

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "order",
    table: "core_order",
    key: "core_order.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_order.id").readonly().unique(),
        Field::new("user", Kind::Ref(&users::DESCRIPTOR)).column("core_order.user_id").nullable().readonly(),
        Field::new("action", Kind::Ref(&action_resources::DESCRIPTOR))
            .column("core_order.action_id")
            .nullable()
            .readonly(),
        Field::new("total", Kind::String).readonly().help("The amount in major units: 123.45."),
        Field::new("total_cents", Kind::Integer).column("core_order.total_cents").readonly(),
        text("currency", "core_order.currency"),
        text("status", "core_order.status").help("completed, failed …"),
        text("payment_account", "core_paymentaccount.name"),
        text("card_num_last_four", "core_order.card_last4"),
        text("shipping_name", "core_order.shipping_name"),
        text("shipping_address1", "core_order.shipping_address1"),
        text("shipping_address2", "core_order.shipping_address2"),
        text("shipping_city", "core_order.shipping_city"),
        text("shipping_state", "core_order.shipping_state"),
        text("shipping_zip", "core_order.shipping_zip"),
        text("shipping_country", "core_order.shipping_country"),
        Field::new("created_at", Kind::DateTime).column("core_order.created_at").readonly(),
        Field::new("updated_at", Kind::DateTime).column("core_order.updated_at").readonly(),
    ],
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Orders (donations), read-only.",
};

pub struct Orders;

impl Resource for Orders {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = OrderRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<OrderRow>), AppError> {
        Ok(crate::orders::query::orders(conn, listing)?)
    }

    fn id(row: &OrderRow) -> i64 {
        row.id
    }

    fn to_json(o: &OrderRow) -> Map<String, Value> {
        let value = json!({
            "id": o.id,
            "user": o.user_id.map(|id| users::DESCRIPTOR.uri(id)),
            "action": o.action_id.map(|id| action_resources::DESCRIPTOR.uri(id)),
            "total": Cents(o.total_cents).to_string(),
            "total_cents": o.total_cents,
            "currency": o.currency,
            "status": o.status,
            "payment_account": o.payment_account,
            "card_num_last_four": o.card_last4,
            "shipping_name": o.shipping_name,
            "shipping_address1": o.shipping_address1,
            "shipping_address2": o.shipping_address2,
            "shipping_city": o.shipping_city,
            "shipping_state": o.shipping_state,
            "shipping_zip": o.shipping_zip,
            "shipping_country": o.shipping_country,
            "created_at": time(o.created_at),
            "updated_at": time(o.updated_at),
        });
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}
