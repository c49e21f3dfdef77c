//! `GET /rest/v1/<resource>/schema/` (SPEC R1): a resource's fields as tastypie and
//! ActionKit describe them — type, nullable, blank, readonly, unique, help_text, and for
//! references the related resource — plus which lookups each field can be filtered with,
//! which fields it can be ordered by, the methods, and the write options.

use serde_json::{json, Map, Value};

use super::descriptor::{Descriptor, Kind, Method};
use super::{filter, params};

pub fn schema(desc: &Descriptor) -> Value {
    let mut fields = Map::new();
    for f in desc.fields {
        let mut field = json!({
            "type": f.kind.type_name(),
            "nullable": f.nullable,
            "blank": f.blank,
            "readonly": f.readonly,
            "unique": f.unique,
            "primary_key": f.name == "id",
            "help_text": f.help,
        });
        let related = match f.kind {
            Kind::Ref(target) => Some(("to_one", target)),
            Kind::RefList(target) => Some(("to_many", target)),
            _ => None,
        };
        if let (Some((kind, target)), Some(obj)) = (related, field.as_object_mut()) {
            obj.insert("related_type".into(), kind.into());
            obj.insert("related_schema".into(), format!("{}schema/", target.list_uri()).into());
        }
        fields.insert(f.name.into(), field);
    }
    fields.insert(
        "resource_uri".into(),
        json!({"type": "string", "nullable": false, "blank": false, "readonly": true, "unique": true,
               "primary_key": false, "help_text": "This object's URI."}),
    );
    let filtering: Map<String, Value> = desc
        .column_fields()
        .map(|f| {
            let lookups: Vec<&str> = filter::lookups(f.kind).iter().map(|l| l.name()).collect();
            (f.name.to_owned(), json!(lookups))
        })
        .collect();
    let ordering: Vec<&str> = desc.column_fields().filter(|f| params::orderable(f.kind)).map(|f| f.name).collect();
    let options: Map<String, Value> = desc.options.iter().map(|o| (o.name.to_owned(), json!(o.help))).collect();
    let methods = |list: &[Method]| list.iter().map(|m| m.name().to_ascii_lowercase()).collect::<Vec<_>>();
    json!({
        "help_text": desc.help,
        "fields": fields,
        "filtering": filtering,
        "ordering": ordering,
        "write_options": options,
        "allowed_list_http_methods": methods(desc.list_methods),
        "allowed_detail_http_methods": methods(desc.detail_methods),
        "default_format": "application/json",
        "default_limit": params::DEFAULT_LIMIT,
        "max_limit": params::MAX_LIMIT,
    })
}
