//! Query-string filters with Django's lookups (SPEC R2): `email=`, `email__icontains=`,
//! `id__in=1,2`, `created_at__gte=2026-01-01`, `user=/rest/v1/user/3/`, and across a
//! reference: `user__email=`, `page__name=`. Each becomes a [`Condition`] on the
//! descriptor's columns with the value parsed to the field's type; anything unknown or
//! unparsable is a complaint naming the parameter.

use chrono::{NaiveDate, NaiveDateTime};

use super::descriptor::{Descriptor, Field, Kind};
use crate::listing::{Condition, Lookup, SqlValue};

/// The lookups a field of this kind takes.
pub fn lookups(kind: Kind) -> &'static [Lookup] {
    use Lookup::{Contains, Exact, Gt, Gte, IContains, IExact, IStartsWith, In, IsNull, Lt, Lte, StartsWith};
    match kind {
        Kind::String => &[Exact, IExact, In, Contains, IContains, StartsWith, IStartsWith, Gt, Gte, Lt, Lte, IsNull],
        Kind::Integer | Kind::DateTime => &[Exact, In, Gt, Gte, Lt, Lte, IsNull],
        Kind::Ref(_) | Kind::Boolean => &[Exact, In, IsNull],
        Kind::RefList(_) | Kind::Link(_) | Kind::Dict => &[],
    }
}

/// The condition for one `key=value` pair; `Err` is the message for `key`.
pub fn condition(desc: &'static Descriptor, key: &str, value: &str) -> Result<Condition, String> {
    let parts: Vec<&str> = key.split("__").collect();
    resolve(desc, &parts, value)
}

fn resolve(desc: &'static Descriptor, parts: &[&str], value: &str) -> Result<Condition, String> {
    let Some((name, rest)) = parts.split_first() else { return Err("is not a filter.".into()) };
    let Some(field) = desc.field(name) else {
        let known: Vec<&str> = desc.column_fields().map(|f| f.name).collect();
        return Err(format!("{name} is not a field of {}; filter on: {}.", desc.name, known.join(", ")));
    };
    let Some(column) = field.column else { return Err(format!("{name} cannot be filtered on.")) };
    if let (Kind::Ref(target), Some(next)) = (field.kind, rest.first()) {
        if target.field(next).is_some() {
            let inner = resolve(target, rest, value)?;
            return Ok(Condition::Related { column, table: target.table, key: target.key, inner: Box::new(inner) });
        }
    }
    let lookup = match rest {
        [] => Lookup::Exact,
        [one] => Lookup::parse(one)
            .ok_or_else(|| format!("{one} is not a lookup; use one of: {}.", names(lookups(field.kind))))?,
        _ => return Err(format!("{} is not a lookup of {name}.", rest.join("__"))),
    };
    if !lookups(field.kind).contains(&lookup) {
        return Err(format!(
            "{name} ({}) cannot be filtered with {}; use one of: {}.",
            field.kind.type_name(),
            lookup.name(),
            names(lookups(field.kind))
        ));
    }
    let values = match lookup {
        Lookup::IsNull => vec![SqlValue::Bool(parse_bool(value).ok_or("isnull takes true or false.")?)],
        Lookup::In => value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| parse_value(field, v))
            .collect::<Result<_, _>>()?,
        _ => vec![parse_value(field, value)?],
    };
    Ok(Condition::Compare { column, lookup, values })
}

fn names(lookups: &[Lookup]) -> String {
    lookups.iter().map(|l| l.name()).collect::<Vec<_>>().join(", ")
}

/// A query-string value as the field's SQL type.
pub fn parse_value(field: &Field, raw: &str) -> Result<SqlValue, String> {
    let raw = raw.trim();
    match field.kind {
        Kind::Integer => raw.parse().map(SqlValue::Int).map_err(|_| format!("{raw:?} is not a whole number.")),
        Kind::Ref(target) => raw
            .parse()
            .ok()
            .or_else(|| target.parse_uri(raw))
            .map(SqlValue::Int)
            .ok_or_else(|| format!("{raw:?} is neither an id nor a {} URI like {}.", target.name, target.uri(1))),
        Kind::Boolean => parse_bool(raw).map(SqlValue::Bool).ok_or_else(|| format!("{raw:?} is not true or false.")),
        Kind::DateTime => parse_time(raw)
            .map(SqlValue::Time)
            .ok_or_else(|| format!("{raw:?} is not a date or time like 2026-11-24 or 2026-11-24T09:30:00.")),
        // PostgreSQL's text cannot hold NUL: refuse it on every backend alike.
        Kind::String if raw.contains('\0') => Err("may not contain a NUL character.".into()),
        Kind::String => Ok(SqlValue::Text(raw.to_owned())),
        Kind::RefList(_) | Kind::Link(_) | Kind::Dict => Err("cannot be filtered on.".into()),
    }
}

pub fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "t" => Some(true),
        "false" | "0" | "no" | "f" => Some(false),
        _ => None,
    }
}

/// ISO dates and times as ActionKit writes them (`2012-03-09T11:42:53.147877`), with a
/// space instead of `T`, or a date alone (midnight).
pub fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim().trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::api_v1::resource::descriptor::{Field, READ};

    static OWNER: Descriptor = Descriptor {
        name: "user",
        table: "core_user",
        key: "core_user.id",
        fields: &[
            Field::new("id", Kind::Integer).column("core_user.id"),
            Field::new("email", Kind::String).column("core_user.email"),
        ],
        options: &[],
        list_methods: READ,
        detail_methods: READ,
        help: "",
    };
    static PHONE: Descriptor = Descriptor {
        name: "phone",
        table: "core_phone",
        key: "core_phone.id",
        fields: &[
            Field::new("user", Kind::Ref(&OWNER)).column("core_phone.user_id"),
            Field::new("phone", Kind::String).column("core_phone.phone"),
            Field::new("fields", Kind::Dict),
        ],
        options: &[],
        list_methods: READ,
        detail_methods: READ,
        help: "",
    };

    #[test]
    fn r2_filters_parse_lookups_values_and_relations() {
        assert_eq!(
            condition(&PHONE, "phone__icontains", "555"),
            Ok(Condition::Compare {
                column: "core_phone.phone",
                lookup: Lookup::IContains,
                values: vec![SqlValue::Text("555".into())]
            })
        );
        assert_eq!(
            condition(&PHONE, "user", "/rest/v1/user/7/"),
            Ok(Condition::Compare {
                column: "core_phone.user_id",
                lookup: Lookup::Exact,
                values: vec![SqlValue::Int(7)]
            })
        );
        assert_eq!(
            condition(&PHONE, "user__id__in", "1, 2"),
            Ok(Condition::Related {
                column: "core_phone.user_id",
                table: "core_user",
                key: "core_user.id",
                inner: Box::new(Condition::Compare {
                    column: "core_user.id",
                    lookup: Lookup::In,
                    values: vec![SqlValue::Int(1), SqlValue::Int(2)]
                })
            })
        );
    }

    #[test]
    fn r2_bad_filters_are_refused_with_a_reason() {
        assert!(condition(&PHONE, "colour", "red").unwrap_err().contains("not a field of phone"));
        assert!(condition(&PHONE, "phone__near", "x").unwrap_err().contains("not a lookup"));
        assert!(condition(&PHONE, "fields", "x").unwrap_err().contains("cannot be filtered"));
        assert!(condition(&PHONE, "user", "abc").unwrap_err().contains("neither an id"));
        assert!(condition(&PHONE, "user", "/rest/v1/page/3/").is_err());
        assert!(condition(&PHONE, "user__email__contains__x", "a").is_err());
        assert!(condition(&OWNER, "id", "1.5").unwrap_err().contains("whole number"));
        assert!(condition(&OWNER, "id__contains", "1").unwrap_err().contains("cannot be filtered with contains"));
        assert!(condition(&OWNER, "id__isnull", "maybe").is_err());
    }

    #[test]
    fn r2_times_parse_in_actionkit_forms() {
        assert!(parse_time("2012-03-09T11:42:53.147877").is_some());
        assert!(parse_time("2012-03-09 11:42:53").is_some());
        assert_eq!(parse_time("2012-03-09").map(|t| t.to_string()), Some("2012-03-09 00:00:00".into()));
        assert!(parse_time("yesterday").is_none());
    }
}
