//! The admin's page list (SPEC S2): pages whose name or title contains every word of a
//! search, optionally of one type, newest first, a window at a time. Read-only.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::{Page, PageType};
use crate::db::schema::core_page;
use crate::db::DbConnection;

diesel::define_sql_function!(fn lower(x: Text) -> Text);

fn like_pattern(word: &str) -> String {
    let escaped = word.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

/// `(how many match, this window of them)`.
pub fn search(
    conn: &mut DbConnection,
    q: &str,
    kind: Option<PageType>,
    offset: i64,
    limit: i64,
) -> QueryResult<(i64, Vec<Page>)> {
    let build = || {
        let mut query = core_page::table.into_boxed();
        if let Some(kind) = kind {
            query = query.filter(core_page::type_.eq(kind.as_str()));
        }
        for word in q.split_whitespace() {
            let pattern = like_pattern(word);
            query = query.filter(
                lower(core_page::name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(core_page::title).like(pattern).escape('\\')),
            );
        }
        query
    };
    let total = build().count().get_result(conn)?;
    let rows = build().order(core_page::id.desc()).offset(offset).limit(limit).select(Page::as_select()).load(conn)?;
    Ok((total, rows))
}
