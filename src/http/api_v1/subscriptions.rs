//! The `subscription` resource (SPEC R1, §1): who is on which list, read-only (actions,
//! unsubscribe pages and the admin change subscriptions, each with its history row).
//! Filter with `?user=3`, `?list=1`, `?user__email=`.

use serde_json::{json, Map, Value};

use super::resource::{object, time, Descriptor, Field, Kind, Resource, READ};
use super::{lists, users};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::people;
use crate::people::query::Subscription;

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "subscription",
    table: "core_subscription",
    key: "core_subscription.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_subscription.id").readonly().unique(),
        Field::new("user", Kind::Ref(&users::DESCRIPTOR)).column("core_subscription.user_id").readonly(),
        Field::new("list", Kind::Ref(&lists::DESCRIPTOR)).column("core_subscription.list_id").readonly(),
        Field::new("created_at", Kind::DateTime).column("core_subscription.created_at").readonly(),
    ],
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Subscriptions of users to lists (read-only).",
};

pub struct Subscriptions;

impl Resource for Subscriptions {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = Subscription;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<Subscription>), AppError> {
        Ok(people::query::subscriptions(conn, listing)?)
    }

    fn id(row: &Subscription) -> i64 {
        row.id
    }

    fn to_json(s: &Subscription) -> Map<String, Value> {
        object(json!({
            "id": s.id,
            "user": users::DESCRIPTOR.uri(s.user_id),
            "list": lists::DESCRIPTOR.uri(s.list_id),
            "created_at": time(s.created_at),
        }))
    }
}
