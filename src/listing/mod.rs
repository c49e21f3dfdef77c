//! Listings: a filtered, ordered, paged read of one table, as SQL with bound values — the
//! part of the REST resources' query language (SPEC R2) that reaches the database.
//!
//! The HTTP layer turns `?email__icontains=x&order_by=-id&_limit=5` into a [`Listing`]
//! using its resource descriptors, which are the only source of column names; the owning
//! domain module applies it to its own table (`table.filter(listing.filter.clone())
//! .order(listing.order.clone())`). Values are always bound parameters, never spliced
//! into the SQL text. This module knows no table and imports nothing above `db`.

mod sql;

use chrono::NaiveDateTime;

use crate::db::Backend;

/// A value compared against a column, bound as a parameter of its SQL type.
#[derive(Clone, Debug, PartialEq)]
pub enum SqlValue {
    Int(i64),
    Text(String),
    Bool(bool),
    Time(NaiveDateTime),
}

/// Django's lookups (`field__<lookup>=`), the comparisons a condition can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Exact,
    IExact,
    In,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    IsNull,
}

impl Lookup {
    pub const ALL: [Lookup; 12] = [
        Self::Exact,
        Self::IExact,
        Self::In,
        Self::Contains,
        Self::IContains,
        Self::StartsWith,
        Self::IStartsWith,
        Self::Gt,
        Self::Gte,
        Self::Lt,
        Self::Lte,
        Self::IsNull,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::IExact => "iexact",
            Self::In => "in",
            Self::Contains => "contains",
            Self::IContains => "icontains",
            Self::StartsWith => "startswith",
            Self::IStartsWith => "istartswith",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
            Self::IsNull => "isnull",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }
}

/// One condition on a row. `column` and the relation's table and key are `&'static`: they
/// come from a descriptor, never from a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `column <lookup> values` (`In` takes any number of values, `IsNull` one `Bool`).
    Compare { column: &'static str, lookup: Lookup, values: Vec<SqlValue> },
    /// `column IN (SELECT key FROM table WHERE inner)`: a filter across a reference
    /// (`user__email=`).
    Related { column: &'static str, table: &'static str, key: &'static str, inner: Box<Condition> },
}

/// Conditions joined by `AND`; no condition is `TRUE`. Usable as a diesel filter on any
/// table of the multi-backend connection.
#[derive(Clone, Debug)]
pub struct Where {
    backend: Backend,
    conditions: Vec<Condition>,
}

impl Where {
    /// The backend decides the spelling of substring tests (`instr` or `strpos`).
    pub fn new(backend: Backend) -> Self {
        Self { backend, conditions: vec![] }
    }

    pub fn and(&mut self, condition: Condition) {
        self.conditions.push(condition);
    }

    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

/// `ORDER BY` terms, `(column, descending)`, from a descriptor's whitelist.
#[derive(Clone, Debug, Default)]
pub struct OrderBy(pub Vec<(&'static str, bool)>);

/// A whole listing: which rows, in which order, which window of them.
#[derive(Clone, Debug)]
pub struct Listing {
    pub filter: Where,
    pub order: OrderBy,
    pub limit: i64,
    pub offset: i64,
}

impl Listing {
    /// The one row whose `key` column is `id`.
    pub fn by_id(backend: Backend, key: &'static str, id: i64) -> Self {
        let mut filter = Where::new(backend);
        filter.and(Condition::Compare { column: key, lookup: Lookup::Exact, values: vec![SqlValue::Int(id)] });
        Self { filter, order: OrderBy(vec![(key, false)]), limit: 1, offset: 0 }
    }
}
