//! How a [`Where`] and an [`OrderBy`] become SQL on the multi-backend connection: column
//! names from descriptors pushed as SQL text, every value a bound parameter. Statements
//! with these fragments are not cached as prepared statements: their shape varies with
//! the request (how many conditions, how long an `IN` list).

use diesel::expression::{is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text, Timestamp, Untyped};
use diesel::QueryResult;

use super::{Condition, Lookup, OrderBy, SqlValue, Where};
use crate::db::connection::MultiBackend;
use crate::db::Backend;

impl Expression for Where {
    type SqlType = Bool;
}
impl<QS> AppearsOnTable<QS> for Where {}
impl<QS> SelectableExpression<QS> for Where {}
impl<GB> ValidGrouping<GB> for Where {
    type IsAggregate = is_aggregate::Never;
}
impl QueryId for Where {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for Where {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        if self.conditions.is_empty() {
            out.push_sql("1 = 1");
            return Ok(());
        }
        for (i, condition) in self.conditions.iter().enumerate() {
            if i > 0 {
                out.push_sql(" AND ");
            }
            condition_sql(self.backend, condition, &mut out)?;
        }
        Ok(())
    }
}

fn condition_sql<'b>(
    backend: Backend,
    condition: &'b Condition,
    out: &mut AstPass<'_, 'b, MultiBackend>,
) -> QueryResult<()> {
    match condition {
        Condition::Related { column, table, key, inner } => {
            out.push_sql(&format!("({column} IN (SELECT {key} FROM {table} WHERE "));
            condition_sql(backend, inner, out)?;
            out.push_sql("))");
            Ok(())
        }
        Condition::Compare { column, lookup, values } => compare_sql(backend, column, *lookup, values, out),
    }
}

fn compare_sql<'b>(
    backend: Backend,
    column: &str,
    lookup: Lookup,
    values: &'b [SqlValue],
    out: &mut AstPass<'_, 'b, MultiBackend>,
) -> QueryResult<()> {
    let first = values.first();
    // SQLite spells a substring test `instr`, PostgreSQL `strpos`.
    let find = match backend {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    let binary = |out: &mut AstPass<'_, 'b, MultiBackend>, sql: &str, value: Option<&'b SqlValue>| {
        out.push_sql(&format!("({column} {sql} "));
        bind(out, value)?;
        out.push_sql(")");
        Ok(())
    };
    match lookup {
        Lookup::Exact => binary(out, "=", first),
        Lookup::Gt => binary(out, ">", first),
        Lookup::Gte => binary(out, ">=", first),
        Lookup::Lt => binary(out, "<", first),
        Lookup::Lte => binary(out, "<=", first),
        Lookup::IExact => {
            out.push_sql(&format!("(lower({column}) = lower("));
            bind(out, first)?;
            out.push_sql("))");
            Ok(())
        }
        Lookup::Contains | Lookup::IContains => {
            let (open, close) = if lookup == Lookup::IContains { ("lower(", ")") } else { ("", "") };
            out.push_sql(&format!("({find}({open}{column}{close}, {open}"));
            bind(out, first)?;
            out.push_sql(&format!("{close}) > 0)"));
            Ok(())
        }
        Lookup::StartsWith | Lookup::IStartsWith => {
            let (open, close) = if lookup == Lookup::IStartsWith { ("lower(", ")") } else { ("", "") };
            out.push_sql(&format!("({open}substr({column}, 1, length("));
            bind(out, first)?;
            out.push_sql(&format!(")){close} = {open}"));
            bind(out, first)?;
            out.push_sql(&format!("{close})"));
            Ok(())
        }
        Lookup::In if values.is_empty() => {
            out.push_sql("(1 = 0)");
            Ok(())
        }
        Lookup::In => {
            out.push_sql(&format!("({column} IN ("));
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    out.push_sql(", ");
                }
                bind(out, Some(value))?;
            }
            out.push_sql("))");
            Ok(())
        }
        Lookup::IsNull => {
            let null = matches!(first, Some(SqlValue::Bool(true)));
            out.push_sql(&format!("({column} IS {}NULL)", if null { "" } else { "NOT " }));
            Ok(())
        }
    }
}

fn bind<'b>(out: &mut AstPass<'_, 'b, MultiBackend>, value: Option<&'b SqlValue>) -> QueryResult<()> {
    match value {
        Some(SqlValue::Int(v)) => out.push_bind_param::<BigInt, i64>(v),
        Some(SqlValue::Text(v)) => out.push_bind_param::<Text, String>(v),
        Some(SqlValue::Bool(v)) => out.push_bind_param::<Bool, bool>(v),
        Some(SqlValue::Time(v)) => out.push_bind_param::<Timestamp, chrono::NaiveDateTime>(v),
        None => Err(diesel::result::Error::QueryBuilderError("a condition without its value".into())),
    }
}

impl Expression for OrderBy {
    type SqlType = Untyped;
}
impl<QS> AppearsOnTable<QS> for OrderBy {}
impl<GB> ValidGrouping<GB> for OrderBy {
    type IsAggregate = is_aggregate::Never;
}
impl QueryId for OrderBy {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for OrderBy {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if self.0.is_empty() {
            // ORDER BY needs a term; a constant keeps the stored order.
            out.push_sql("1");
        }
        for (i, (column, descending)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_sql(column);
            out.push_sql(if *descending { " DESC" } else { " ASC" });
        }
        Ok(())
    }
}
