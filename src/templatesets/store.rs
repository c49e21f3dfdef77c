//! SQL for templatesets, their templates and revisions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::SetSources;
use crate::db::schema::{core_template, core_templaterevision, core_templateset};
use crate::db::DbConnection;

/// Every staff set with its files, for the renderer's in-memory sources.
pub fn load_all(conn: &mut DbConnection) -> QueryResult<Vec<SetSources>> {
    let sets: Vec<(i64, String, i64)> = core_templateset::table
        .select((core_templateset::id, core_templateset::name, core_templateset::revision))
        .load(conn)?;
    let files: Vec<(i64, String, String)> = core_template::table
        .filter(core_template::is_active.eq(true))
        .select((core_template::templateset_id, core_template::filename, core_template::code))
        .load(conn)?;
    Ok(sets
        .into_iter()
        .map(|(id, name, revision)| SetSources {
            id,
            name,
            revision,
            files: files.iter().filter(|(set, _, _)| *set == id).map(|(_, f, c)| (f.clone(), c.clone())).collect(),
        })
        .collect())
}

pub fn create_set(conn: &mut DbConnection, name: &str, description: &str, now: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(core_templateset::table)
        .values((
            core_templateset::name.eq(name),
            core_templateset::description.eq(description),
            core_templateset::created_at.eq(now),
            core_templateset::updated_at.eq(now),
        ))
        .returning(core_templateset::id)
        .get_result(conn)
}

pub fn find_set_id(conn: &mut DbConnection, name: &str) -> QueryResult<Option<i64>> {
    core_templateset::table.filter(core_templateset::name.eq(name)).select(core_templateset::id).first(conn).optional()
}

/// Saves `code` as the set's version of `file`: a new revision of the template, a new
/// revision number for the set (so evidence can name exactly what was shown).
/// `expected_revision` guards against a second tab's stale save: `Ok(None)` on conflict.
pub fn save_template(
    conn: &mut DbConnection,
    set_id: i64,
    file: &str,
    code: &str,
    expected_revision: Option<i64>,
    staff_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    let current: Option<(i64, i64)> = core_template::table
        .filter(core_template::templateset_id.eq(set_id))
        .filter(core_template::filename.eq(file))
        .select((core_template::id, core_template::revision))
        .first(conn)
        .optional()?;
    if let (Some(expected), Some((_, actual))) = (expected_revision, current) {
        if expected != actual {
            return Ok(None);
        }
    }
    let (template_id, revision) = if let Some((id, revision)) = current {
        diesel::update(core_template::table.find(id))
            .set((
                core_template::code.eq(code),
                core_template::revision.eq(revision + 1),
                core_template::is_active.eq(true),
                core_template::updated_at.eq(now),
            ))
            .execute(conn)?;
        (id, revision + 1)
    } else {
        let id = diesel::insert_into(core_template::table)
            .values((
                core_template::templateset_id.eq(set_id),
                core_template::filename.eq(file),
                core_template::code.eq(code),
                core_template::revision.eq(1),
                core_template::updated_at.eq(now),
            ))
            .returning(core_template::id)
            .get_result::<i64>(conn)?;
        (id, 1)
    };
    diesel::insert_into(core_templaterevision::table)
        .values((
            core_templaterevision::template_id.eq(template_id),
            core_templaterevision::revision.eq(revision),
            core_templaterevision::code.eq(code),
            core_templaterevision::staff_id.eq(staff_id),
            core_templaterevision::created_at.eq(now),
        ))
        .execute(conn)?;
    bump_set_revision(conn, set_id, now)?;
    Ok(Some(revision))
}

/// Drops the set's override of `file` so Original's shows again; its revisions stay.
pub fn revert_to_original(conn: &mut DbConnection, set_id: i64, file: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = diesel::update(
        core_template::table
            .filter(core_template::templateset_id.eq(set_id))
            .filter(core_template::filename.eq(file))
            .filter(core_template::is_active.eq(true)),
    )
    .set(core_template::is_active.eq(false))
    .execute(conn)?;
    if changed > 0 {
        bump_set_revision(conn, set_id, now)?;
    }
    Ok(changed > 0)
}

fn bump_set_revision(conn: &mut DbConnection, set_id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(core_templateset::table.find(set_id))
        .set((core_templateset::revision.eq(core_templateset::revision + 1), core_templateset::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// `(revision, code, created_at)` of every saved version of a set's file, newest first.
pub fn revisions(conn: &mut DbConnection, set_id: i64, file: &str) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    core_templaterevision::table
        .inner_join(core_template::table)
        .filter(core_template::templateset_id.eq(set_id))
        .filter(core_template::filename.eq(file))
        .order(core_templaterevision::revision.desc())
        .select((core_templaterevision::revision, core_templaterevision::code, core_templaterevision::created_at))
        .load(conn)
}
