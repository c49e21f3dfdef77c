//! A list request's query string (SPEC R2): `_limit` (default 20, at most 100; 0 means
//! 100), `_offset`,
//! `order_by` (repeatable, `-` for descending), `format` (`json` or `xml`, as tastypie
//! takes it), and every other parameter a field filter. All complaints are collected and
//! reported together as a 400 naming each parameter.

use crate::db::Backend;
use crate::error::{AppError, FieldError, ValidationErrors};
use crate::listing::{Listing, OrderBy, Where};

use super::descriptor::{Descriptor, Kind};
use super::filter;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// A parsed list request, with what `next`/`previous` links must keep.
#[derive(Debug)]
pub struct ListRequest {
    pub listing: Listing,
    /// The parameters other than `_limit` and `_offset`, in request order.
    pub kept: Vec<(String, String)>,
}

pub fn parse(desc: &'static Descriptor, query: &str, backend: Backend) -> Result<ListRequest, AppError> {
    let mut errors = vec![];
    let mut complain = |field: &str, message: String| {
        errors.push(FieldError { field: field.to_owned(), code: "invalid".into(), message });
    };
    let mut limit = DEFAULT_LIMIT;
    let mut offset = 0;
    let mut filter = Where::new(backend);
    let mut order = vec![];
    let mut kept = vec![];
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "_limit" => match value.trim().parse::<i64>() {
                // tastypie's `limit=0`: as many as allowed.
                Ok(0) => limit = MAX_LIMIT,
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => limit = n,
                _ => complain("_limit", format!("_limit must be a whole number from 0 to {MAX_LIMIT}.")),
            },
            "_offset" => match value.trim().parse::<i64>() {
                Ok(n) if n >= 0 => offset = n,
                _ => complain("_offset", "_offset must be a whole number, 0 or more.".into()),
            },
            "order_by" => {
                for term in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let (name, descending) = term.strip_prefix('-').map_or((term, false), |n| (n, true));
                    if let Some(column) = desc.field(name).filter(|f| orderable(f.kind)).and_then(|f| f.column) {
                        order.push((column, descending));
                    } else {
                        let known: Vec<&str> =
                            desc.column_fields().filter(|f| orderable(f.kind)).map(|f| f.name).collect();
                        complain("order_by", format!("{name} cannot be ordered by; use: {}.", known.join(", ")));
                    }
                }
            }
            "format" => {
                if !matches!(value.as_ref(), "json" | "xml") {
                    complain("format", "format must be json or xml.".into());
                }
            }
            key => match filter::condition(desc, key, &value) {
                Ok(condition) => filter.and(condition),
                Err(message) => complain(key, message),
            },
        }
        if !matches!(key.as_ref(), "_limit" | "_offset") {
            kept.push((key.into_owned(), value.into_owned()));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(ValidationErrors(errors)));
    }
    // The key last, so that pages never overlap or skip rows with equal sort values.
    if !order.iter().any(|(c, _)| *c == desc.key) {
        order.push((desc.key, false));
    }
    Ok(ListRequest { listing: Listing { filter, order: OrderBy(order), limit, offset }, kept })
}

/// Whether a field of this kind can be an `order_by` term.
pub fn orderable(kind: Kind) -> bool {
    matches!(kind, Kind::Integer | Kind::String | Kind::Boolean | Kind::DateTime | Kind::Ref(_))
}

/// `path?kept…&_limit=L&_offset=O`: a host-relative link to another window.
pub fn link(path: &str, kept: &[(String, String)], limit: i64, offset: i64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in kept {
        query.append_pair(k, v);
    }
    query.append_pair("_limit", &limit.to_string());
    query.append_pair("_offset", &offset.to_string());
    format!("{path}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::api_v1::resource::descriptor::{Field, READ};

    static THING: Descriptor = Descriptor {
        name: "thing",
        table: "core_thing",
        key: "core_thing.id",
        fields: &[
            Field::new("id", Kind::Integer).column("core_thing.id"),
            Field::new("name", Kind::String).column("core_thing.name"),
        ],
        options: &[],
        list_methods: READ,
        detail_methods: READ,
        help: "",
    };

    fn fields_of(e: AppError) -> Vec<String> {
        match e {
            AppError::Validation(v) => v.0.into_iter().map(|f| f.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn r2_limit_offset_and_order_are_checked() {
        let ok = parse(&THING, "name=x&_limit=5&_offset=10&order_by=-name", Backend::Sqlite).unwrap();
        assert_eq!((ok.listing.limit, ok.listing.offset), (5, 10));
        assert_eq!(ok.listing.order.0, vec![("core_thing.name", true), ("core_thing.id", false)]);
        assert_eq!(ok.kept, vec![("name".to_owned(), "x".to_owned()), ("order_by".to_owned(), "-name".to_owned())]);
        for bad in ["_limit=101", "_limit=-1", "_limit=ten"] {
            assert_eq!(fields_of(parse(&THING, bad, Backend::Sqlite).unwrap_err()), vec!["_limit"], "{bad}");
        }
        assert_eq!(
            fields_of(parse(&THING, "order_by=colour&_offset=-3&size=2", Backend::Sqlite).unwrap_err()),
            vec!["order_by", "_offset", "size"]
        );
    }

    #[test]
    fn r2_links_keep_the_other_parameters() {
        let kept = vec![("name__icontains".to_owned(), "a b".to_owned())];
        assert_eq!(link("/rest/v1/thing/", &kept, 2, 4), "/rest/v1/thing/?name__icontains=a+b&_limit=2&_offset=4");
    }
}
