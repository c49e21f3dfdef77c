//! The `auditlog` resource (SPEC G6): every export, erase, forget and unforget, and every
//! admin write — who asked, when, through which path, counts of what was removed. Read
//! only, for admins; entries carry no personal data.

use serde_json::{json, Map, Value};

use super::resource::{time, Descriptor, Field, Kind, Resource, READ};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::gdpr::audit_query::{self, AuditEntry};
use crate::listing::Listing;

pub static DESCRIPTOR: Descriptor = Descriptor {
    name: "auditlog",
    table: "core_auditlog",
    key: "core_auditlog.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_auditlog.id").readonly().unique(),
        Field::new("actor", Kind::String)
            .column("core_auditlog.actor")
            .readonly()
            .help("Who asked: staff:<id>, apikey:<name>, cli, self."),
        Field::new("via", Kind::String)
            .column("core_auditlog.via")
            .readonly()
            .help("The path: admin, rest_eraser, iterable_forget, me, retention …"),
        Field::new("verb", Kind::String)
            .column("core_auditlog.verb")
            .readonly()
            .help("export, erase, forget, unforget …"),
        Field::new("object_type", Kind::String).column("core_auditlog.object_type").readonly(),
        Field::new("object_id", Kind::Integer).column("core_auditlog.object_id").readonly().nullable(),
        Field::new("details", Kind::Dict).readonly().help("Counts of what was removed; never personal data."),
        Field::new("created_at", Kind::DateTime).column("core_auditlog.created_at").readonly(),
    ],
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "The audit log of data-subject requests and admin writes.",
};

pub struct AuditLog;

impl Resource for AuditLog {
    const DESCRIPTOR: &'static Descriptor = &DESCRIPTOR;
    type Row = AuditEntry;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<AuditEntry>), AppError> {
        Ok(audit_query::entries(conn, listing)?)
    }

    fn id(row: &AuditEntry) -> i64 {
        row.id
    }

    fn to_json(e: &AuditEntry) -> Map<String, Value> {
        let details: Value = serde_json::from_str(&e.details).unwrap_or_else(|_| json!({}));
        match json!({
            "id": e.id,
            "actor": e.actor,
            "via": e.via,
            "verb": e.verb,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "details": details,
            "created_at": time(e.created_at),
        }) {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}
