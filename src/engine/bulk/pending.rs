//! Rows the bulk path has accepted but not yet written: a new supporter, their action, the
//! lists they join and the action's fields, with ids reserved up front
//! ([`crate::db::ids`]), so that a chunk's rows go in as a few multi-row inserts per table
//! instead of several statements each (issue 8: one insert per row and table was most of an
//! import's time on the writer).
//!
//! Everything pending is written by [`Pending::write`] in the caller's savepoint, in the
//! order the foreign keys need (supporters, actions, subscriptions, fields), and always
//! before any other statement could read or insert into those tables: the bulk path calls
//! it before a row it does not defer, before a privacy note, before a row goes through the
//! engine, and before the savepoint is released.

use std::borrow::Cow;

use diesel::prelude::*;

use super::super::store::{self as actions, FieldRow, NewAction};
use crate::db::ids::{IdBlock, IdTable};
use crate::db::{DbConnection, Stamp};
use crate::people::store::{self as people, Cause, NewUserRow};
use crate::people::{ListId, UserChanges, UserId};

/// A new supporter's row and their first action, as the bulk path defers them.
pub struct Deferred<'a> {
    pub email: &'a str,
    pub changes: &'a UserChanges,
    pub user_source: &'static str,
    pub page_id: i64,
    pub action_source: &'a str,
    pub referring: Option<(i64, Option<i64>)>,
    pub lists: &'a [i64],
    pub fields: &'a [(String, String)],
}

pub struct Pending {
    user_ids: IdBlock,
    action_ids: IdBlock,
    users: Vec<NewUserRow>,
    /// Each action with its reserved id and whether it subscribed its supporter.
    actions: Vec<(i64, NewAction<'static>, bool)>,
    subscriptions: Vec<(UserId, ListId, Cause)>,
    fields: Vec<ActionFields>,
}

/// One action's custom fields, in request order, waiting to be written.
struct ActionFields {
    user: i64,
    action: i64,
    fields: Vec<(String, String)>,
}

impl Pending {
    /// Nothing pending; ids are reserved `block` at a time (a chunk's row count).
    pub fn new(block: usize) -> Self {
        Self {
            user_ids: IdBlock::new(IdTable::User, block),
            action_ids: IdBlock::new(IdTable::Action, block),
            users: Vec::new(),
            actions: Vec::new(),
            subscriptions: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Holds a new supporter and their action until [`Self::write`]: their ids.
    pub fn defer(&mut self, conn: &mut DbConnection, row: &Deferred<'_>) -> QueryResult<(UserId, i64)> {
        let user = UserId(self.user_ids.next(conn)?);
        let action = self.action_ids.next(conn)?;
        // A list named twice is joined once, as `people::subscribe` would have it.
        let mut joined: Vec<i64> = Vec::with_capacity(row.lists.len());
        for list in row.lists {
            if !joined.contains(list) {
                joined.push(*list);
            }
        }
        let subscribed = !joined.is_empty();
        self.users.push(NewUserRow {
            id: user,
            email: row.email.to_owned(),
            changes: row.changes.clone(),
            source: row.user_source,
            subscribed,
        });
        let new_action = NewAction {
            user_id: user.0,
            page_id: row.page_id,
            source: Cow::Owned(row.action_source.to_owned()),
            created_user: true,
            referring_user_id: row.referring.map(|r| r.0),
            referring_mailing_id: row.referring.and_then(|r| r.1),
            mailing_id: None,
        };
        self.actions.push((action, new_action, subscribed));
        self.subscriptions.extend(joined.into_iter().map(|list| (user, ListId(list), Cause::Action(action))));
        self.add_fields(user.0, action, row.fields);
        Ok((user, action))
    }

    /// Holds the fields of an action already written.
    pub fn add_fields(&mut self, user: i64, action: i64, fields: &[(String, String)]) {
        if !fields.is_empty() {
            self.fields.push(ActionFields { user, action, fields: fields.to_vec() });
        }
    }

    /// Writes everything pending, in the caller's savepoint.
    pub fn write(&mut self, conn: &mut DbConnection, now: &Stamp) -> QueryResult<()> {
        people::insert_many(conn, &self.users, now)?;
        actions::insert_many(conn, &self.actions, now)?;
        people::insert_subscriptions(conn, &self.subscriptions, now)?;
        let rows: Vec<FieldRow<'_>> =
            self.fields.iter().flat_map(|f| FieldRow::of(f.user, f.action, &f.fields)).collect();
        for batch in rows.chunks(actions::FIELDS_PER_INSERT) {
            actions::insert_field_rows(conn, batch)?;
        }
        self.clear(conn);
        Ok(())
    }

    /// Drops what is pending (its savepoint was rolled back).
    pub fn discard(&mut self, conn: &DbConnection) {
        self.clear(conn);
    }

    fn clear(&mut self, conn: &DbConnection) {
        self.users.clear();
        self.actions.clear();
        self.subscriptions.clear();
        self.fields.clear();
        self.user_ids.written(conn);
        self.action_ids.written(conn);
    }
}
