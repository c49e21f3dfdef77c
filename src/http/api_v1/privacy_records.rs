//! The `privacyrecord` and `privacytext` resources (SPEC R1, P7, P12): consent records
//! with their user, action, page and text version as URIs, the text's `type`, `status`
//! (active or withdrawn), the context they were taken in and their evidence (B2, without
//! the keyed IP hash); and the text versions themselves with their hashes. Read-only:
//! records come from actions and notes, and versions are never edited (P7).

use serde_json::{json, Map, Value};

use super::resource::{time, Descriptor, Field, Kind, Resource, READ};
use super::{action_resources, pages, users};
use crate::db::DbConnection;
use crate::error::AppError;
use crate::listing::Listing;
use crate::pages::PageType;
use crate::privacy::query::{RecordRow, TextRow};

pub static TEXT: Descriptor = Descriptor {
    name: "privacytext",
    table: "core_privacytext",
    key: "core_privacytext.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_privacytext.id").readonly().unique(),
        Field::new("type", Kind::String)
            .column("core_privacytext.type")
            .readonly()
            .help("notice, optin, optout, really_optout, or a custom type."),
        Field::new("text", Kind::String).column("core_privacytext.text").readonly(),
        Field::new("hash", Kind::String)
            .column("core_privacytext.hash")
            .readonly()
            .unique()
            .help("Hex SHA-256 over type and text: the value forms send as privacy=."),
        Field::new("created_at", Kind::DateTime).column("core_privacytext.created_at").readonly(),
    ],
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Privacy text versions (read-only; never edited while a record points at them).",
};

pub static RECORD: Descriptor = Descriptor {
    name: "privacyrecord",
    table: "core_privacyrecord",
    key: "core_privacyrecord.id",
    fields: &[
        Field::new("id", Kind::Integer).column("core_privacyrecord.id").readonly().unique(),
        Field::new("user", Kind::Ref(&users::DESCRIPTOR)).column("core_privacyrecord.user_id").readonly(),
        Field::new("action", Kind::Ref(&action_resources::DESCRIPTOR))
            .column("core_privacyrecord.action_id")
            .nullable()
            .readonly(),
        Field::new("page", Kind::Ref(&pages::DESCRIPTOR))
            .column("core_privacyrecord.page_id")
            .nullable()
            .readonly()
            .help("Shown as the page's typed URI; filter with an id or /rest/v1/page/<id>/."),
        Field::new("version", Kind::Ref(&TEXT))
            .column("core_privacyrecord.version_id")
            .readonly()
            .help("The exact privacy text this record is about."),
        Field::new("type", Kind::String).column("core_privacytext.type").readonly().help("The text's type."),
        Field::new("status", Kind::String).column("core_privacyrecord.status").readonly().help("active or withdrawn."),
        Field::new("context", Kind::String)
            .column("core_privacyrecord.context")
            .readonly()
            .help("Where it was taken: action, api_notes, admin_notes, import_notes …"),
        Field::new("note", Kind::String).column("core_privacyrecord.note").readonly(),
        Field::new("lang", Kind::String).column("core_privacyrecord.lang").readonly(),
        Field::new("country_submitted", Kind::String).column("core_privacyrecord.country_submitted").readonly(),
        Field::new("user_agent", Kind::String).column("core_privacyrecord.user_agent").readonly(),
        Field::new("templateset", Kind::Integer).column("core_privacyrecord.templateset_id").nullable().readonly(),
        Field::new("templateset_revision", Kind::Integer)
            .column("core_privacyrecord.templateset_revision")
            .nullable()
            .readonly(),
        Field::new("created_at", Kind::DateTime).column("core_privacyrecord.created_at").readonly(),
        Field::new("updated_at", Kind::DateTime).column("core_privacyrecord.updated_at").readonly(),
    ],
    options: &[],
    list_methods: READ,
    detail_methods: READ,
    help: "Privacy (consent) records, read-only.",
};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub struct PrivacyTexts;

impl Resource for PrivacyTexts {
    const DESCRIPTOR: &'static Descriptor = &TEXT;
    type Row = TextRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<TextRow>), AppError> {
        Ok(crate::privacy::query::texts(conn, listing)?)
    }

    fn id(row: &TextRow) -> i64 {
        row.id
    }

    fn to_json(t: &TextRow) -> Map<String, Value> {
        object(json!({
            "id": t.id,
            "type": t.text_type,
            "text": t.text,
            "hash": t.hash,
            "created_at": time(t.created_at),
        }))
    }
}

pub struct PrivacyRecords;

impl Resource for PrivacyRecords {
    const DESCRIPTOR: &'static Descriptor = &RECORD;
    type Row = RecordRow;

    fn list(conn: &mut DbConnection, listing: &Listing) -> Result<(i64, Vec<RecordRow>), AppError> {
        Ok(crate::privacy::query::records(conn, listing)?)
    }

    fn id(row: &RecordRow) -> i64 {
        row.id
    }

    fn to_json(r: &RecordRow) -> Map<String, Value> {
        object(json!({
            "id": r.id,
            "user": users::DESCRIPTOR.uri(r.user_id),
            "action": r.action_id.map(|id| action_resources::DESCRIPTOR.uri(id)),
            "page": r.page_id.map(|id| {
                let kind = r.page_type.as_deref().and_then(PageType::parse).unwrap_or(PageType::Signup);
                pages::typed_uri(kind, id)
            }),
            "version": TEXT.uri(r.version_id),
            "type": r.text_type,
            "status": r.status,
            "context": r.context,
            "note": r.note,
            "lang": r.lang,
            "country_submitted": r.country_submitted,
            "user_agent": r.user_agent,
            "templateset": r.templateset_id,
            "templateset_revision": r.templateset_revision,
            "created_at": time(r.created_at),
            "updated_at": time(r.updated_at),
        }))
    }
}
