//! Ids known before their rows are inserted, so that rows which refer to each other (a new
//! supporter, their action, its fields) can wait in memory and go in as one multi-row
//! insert per table (issue 8's import: one statement per row was most of its time).
//!
//! PostgreSQL hands out real reservations (`nextval` of the table's identity sequence); an
//! id left unused is a gap, as after any rolled-back insert. SQLite has no sequence to take
//! from: the ids after the table's `AUTOINCREMENT` high-water mark are free only until
//! something else inserts into the table, so an [`IdBlock`] on SQLite must be dropped
//! ([`IdBlock::written`]) as soon as its rows are written, and its rows written before any
//! other statement inserts into that table. SQLite has a single writer, and the bulk path
//! that uses a block runs on it from reservation to insert.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::DbConnection;

/// A table whose ids may be reserved: its name is spliced into SQL, so only these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdTable {
    User,
    Action,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            Self::User => "core_user",
            Self::Action => "core_action",
        }
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Ids for one table, taken from the database `size` at a time as they are needed.
#[derive(Debug)]
pub struct IdBlock {
    table: IdTable,
    size: usize,
    /// Reserved and not yet handed out, lowest last.
    free: Vec<i64>,
}

impl IdBlock {
    /// An empty block that reserves `size` ids (at least one) whenever it runs out.
    pub fn new(table: IdTable, size: usize) -> Self {
        Self { table, size: size.max(1), free: Vec::new() }
    }

    /// The next id for a row of this table.
    pub fn next(&mut self, conn: &mut DbConnection) -> QueryResult<i64> {
        if self.free.is_empty() {
            let mut ids = reserve(conn, self.table, self.size)?;
            ids.reverse();
            self.free = ids;
        }
        self.free.pop().ok_or(diesel::result::Error::NotFound)
    }

    /// The rows given ids so far were written (or dropped): on SQLite the rest are no longer
    /// free once anything else inserts, so they are forgotten; PostgreSQL's stay reserved.
    pub fn written(&mut self, conn: &DbConnection) {
        if matches!(conn, DbConnection::Sqlite(_)) {
            self.free.clear();
        }
    }
}

/// `n` ids for new rows of `table`, in ascending order.
fn reserve(conn: &mut DbConnection, table: IdTable, n: usize) -> QueryResult<Vec<i64>> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    match conn {
        DbConnection::Sqlite(c) => {
            // The AUTOINCREMENT high-water mark, so that an erased supporter's id (whose hash a
            // forget keeps) is never handed out again; the table's own maximum in case the
            // sequence row is missing.
            let sql = format!(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), \
                 COALESCE((SELECT MAX(id) FROM {}), 0)) AS id",
                table.name()
            );
            let high = diesel::sql_query(sql).bind::<Text, _>(table.name()).get_result::<Id>(c)?.id;
            Ok((1..=n).map(|k| high + k).collect())
        }
        DbConnection::Postgresql(c) => {
            let ids: Vec<Id> = diesel::sql_query(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2) ORDER BY 1",
            )
            .bind::<Text, _>(table.name())
            .bind::<BigInt, _>(n)
            .load(c)?;
            Ok(ids.into_iter().map(|i| i.id).collect())
        }
    }
}
