//! Resource descriptors: what a REST resource is — its name, table, fields with their
//! types, SQL columns, whether they can be written, filtered and ordered, and the methods
//! it answers. Filtering, ordering, body checks, `schema/` and the OpenAPI document are
//! all read from these, so they cannot disagree. Column names reach SQL only from here.

/// An HTTP method a resource may answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }

    pub fn of(method: &actix_web::http::Method) -> Option<Self> {
        Some(match method.as_str() {
            "GET" | "HEAD" => Self::Get,
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "PATCH" => Self::Patch,
            "DELETE" => Self::Delete,
            _ => return None,
        })
    }
}

/// Read-only resources answer these.
pub const READ: &[Method] = &[Method::Get];
/// Collections that take POST.
pub const LIST_CREATE: &[Method] = &[Method::Get, Method::Post];
/// Objects that can be changed and deleted.
pub const DETAIL_WRITE: &[Method] = &[Method::Get, Method::Put, Method::Patch, Method::Delete];

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Integer,
    String,
    Boolean,
    DateTime,
    /// A reference to one object of another resource, shown as its URI.
    Ref(&'static Descriptor),
    /// References to many objects, shown as a list of URIs (read-only).
    RefList(&'static Descriptor),
    /// A link to the other resource's list filtered on this object
    /// (`"subscriptions": "/rest/v1/subscription/?user=3"`), read-only.
    Link(&'static Descriptor),
    /// A JSON object of strings (a user's custom fields).
    Dict,
}

impl Kind {
    /// tastypie's type names, as ActionKit's `schema/` shows them.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::String | Self::Link(_) => "string",
            Self::Boolean => "boolean",
            Self::DateTime => "datetime",
            Self::Ref(_) | Self::RefList(_) => "related",
            Self::Dict => "dict",
        }
    }
}

// Each flag is one independent attribute of tastypie's schema, not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    /// The SQL column (`core_user.email`); fields with one can be filtered and ordered.
    pub column: Option<&'static str>,
    pub nullable: bool,
    /// May be left out on create (a default applies).
    pub blank: bool,
    /// Ignored in request bodies (so that a fetched object can be sent back whole).
    pub readonly: bool,
    pub unique: bool,
    pub help: &'static str,
}

impl Field {
    /// A writable, optional, non-null field without a column.
    pub const fn new(name: &'static str, kind: Kind) -> Self {
        Self { name, kind, column: None, nullable: false, blank: true, readonly: false, unique: false, help: "" }
    }
    #[must_use]
    pub const fn column(self, column: &'static str) -> Self {
        Self { column: Some(column), ..self }
    }
    #[must_use]
    pub const fn readonly(self) -> Self {
        Self { readonly: true, ..self }
    }
    #[must_use]
    pub const fn nullable(self) -> Self {
        Self { nullable: true, ..self }
    }
    /// Must be given on create.
    #[must_use]
    pub const fn required(self) -> Self {
        Self { blank: false, ..self }
    }
    #[must_use]
    pub const fn unique(self) -> Self {
        Self { unique: true, ..self }
    }
    #[must_use]
    pub const fn help(self, help: &'static str) -> Self {
        Self { help, ..self }
    }
}

/// An input a resource takes on writes that is not one of its fields (the user's
/// `privacy=`, SPEC P14).
#[derive(Clone, Copy, Debug)]
pub struct WriteOption {
    pub name: &'static str,
    pub help: &'static str,
}

#[derive(Debug)]
pub struct Descriptor {
    /// The path segment: `/rest/v1/<name>/`.
    pub name: &'static str,
    pub table: &'static str,
    /// The primary key column (`core_user.id`); references to this resource compare it.
    pub key: &'static str,
    pub fields: &'static [Field],
    pub options: &'static [WriteOption],
    pub list_methods: &'static [Method],
    pub detail_methods: &'static [Method],
    pub help: &'static str,
}

impl Descriptor {
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn option(&self, name: &str) -> Option<&'static WriteOption> {
        self.options.iter().find(|o| o.name == name)
    }

    /// The fields that can be filtered and ordered on, by name.
    pub fn column_fields(&self) -> impl Iterator<Item = &'static Field> {
        self.fields.iter().filter(|f| f.column.is_some())
    }

    pub fn uri(&self, id: i64) -> String {
        format!("/rest/v1/{}/{id}/", self.name)
    }

    pub fn list_uri(&self) -> String {
        format!("/rest/v1/{}/", self.name)
    }

    /// The id in this resource's URI (`/rest/v1/user/3/`, host and trailing slash
    /// optional); `None` for another resource's URI or anything else.
    pub fn parse_uri(&self, text: &str) -> Option<i64> {
        let path = text.split_once("://").map_or(text, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
        let (segment, rest) = path.strip_prefix("/rest/v1/")?.split_once('/')?;
        // A page is as often referred to by its typed URI (`/rest/v1/petitionpage/5/`).
        let typed_page = self.name == "page"
            && segment.strip_suffix("page").is_some_and(|kind| crate::pages::PageType::parse(kind).is_some());
        if segment != self.name && !typed_page {
            return None;
        }
        let id = rest.strip_suffix('/').unwrap_or(rest);
        id.parse().ok().filter(|id| *id > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static THING: Descriptor = Descriptor {
        name: "user",
        table: "core_user",
        key: "core_user.id",
        fields: &[],
        options: &[],
        list_methods: READ,
        detail_methods: READ,
        help: "",
    };

    #[test]
    fn r2_reference_uris_parse_only_for_their_own_resource() {
        assert_eq!(THING.parse_uri("/rest/v1/user/3/"), Some(3));
        assert_eq!(THING.parse_uri("/rest/v1/user/3"), Some(3));
        assert_eq!(THING.parse_uri("https://example.org/rest/v1/user/12/"), Some(12));
        assert_eq!(THING.parse_uri("/rest/v1/page/3/"), None);
        assert_eq!(THING.parse_uri("/rest/v1/user/x/"), None);
        assert_eq!(THING.parse_uri("/rest/v1/userx/3/"), None);
        assert_eq!(THING.parse_uri("/rest/v1/user/0/"), None);
    }

    #[test]
    fn r2_a_page_reference_may_be_its_typed_uri() {
        let page = Descriptor { name: "page", table: "core_page", key: "core_page.id", ..THING };
        assert_eq!(page.parse_uri("/rest/v1/page/5/"), Some(5));
        assert_eq!(page.parse_uri("/rest/v1/petitionpage/5/"), Some(5));
        assert_eq!(page.parse_uri("/rest/v1/signuppage/7"), Some(7));
        assert_eq!(page.parse_uri("/rest/v1/nonsensepage/5/"), None);
        assert_eq!(THING.parse_uri("/rest/v1/petitionpage/5/"), None);
    }
}
