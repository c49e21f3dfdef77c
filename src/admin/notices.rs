//! The notice tool (SPEC B5): for a page, a visitor's country and a language, whether the
//! privacy block shows, and for every privacy text type which text it resolves to, from
//! which of P6's five steps, with its hash; and a line diff of two text versions (stored
//! versions, or a text as it resolves now). Read-only; admin role only.

use actix_web::{web, HttpResponse};
use minijinja::context;
use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag};

use super::{views, AdminError, AdminOnly};
use crate::app::AppState;
use crate::error::AppError;
use crate::pages::{self, Page};
use crate::privacy::countries::Country;
use crate::privacy::texts::{self, ResolvedText, TextScope, TextSource};
use crate::privacy::{report_query, PrivacyHash};

#[derive(serde::Deserialize)]
pub struct ToolQuery {
    /// A page id, as typed (parsed by [`page_param`]).
    page: Option<String>,
    country: Option<String>,
    lang: Option<String>,
}

/// The step number (1–5) and what it means, for the screen.
fn step(source: TextSource, text_type: &str, page: &Page, lang: &str) -> (u8, String) {
    let kind = page.kind().privacy_name();
    match source {
        TextSource::PageField => (1, format!("custom page field privacy_{text_type} on this page")),
        TextSource::LanguageForPageType => (2, format!("{lang}'s privacy_{text_type}_{kind}")),
        TextSource::Language => (3, format!("{lang}'s privacy_{text_type}")),
        TextSource::EnglishForPageType => (4, format!("English privacy_{text_type}_{kind}")),
        TextSource::English => (5, format!("English privacy_{text_type}")),
    }
}

#[derive(Serialize)]
struct Row {
    text_type: String,
    resolved: Option<Resolved>,
    /// Stored versions of this type: `(hash, created)`, newest first.
    versions: Vec<(String, String)>,
}

#[derive(Serialize)]
struct Resolved {
    step: u8,
    source: String,
    text: String,
    hash: String,
}

/// Every text type as it resolves on `page` in `lang`.
fn resolve_all(
    state: &AppState,
    page: &Page,
    fields: &std::collections::BTreeMap<String, String>,
    lang: &str,
) -> Vec<(String, Option<ResolvedText>)> {
    let scope = TextScope { page_fields: fields, page_type: page.kind().privacy_name(), lang };
    texts::text_types(&state.i18n)
        .into_iter()
        .map(|t| {
            let r = texts::resolve(&state.i18n, &scope, &t);
            (t, r)
        })
        .collect()
}

/// The `page` parameter: blank is none, anything but a positive whole number a 400.
fn page_param(raw: Option<&str>) -> Result<Option<i64>, AdminError> {
    match raw.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => match p.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Some(id)),
            _ => Err(AppError::BadRequest("page: choose a page from the list.".into()).into()),
        },
    }
}

async fn page_and_fields(
    state: &AppState,
    id: i64,
) -> Result<(Page, std::collections::BTreeMap<String, String>), AdminError> {
    let found = state
        .db
        .read(move |conn| {
            let Some(page) = pages::query::find(conn, id)? else { return Ok(None) };
            let fields = pages::store::fields(conn, id)?;
            Ok(Some((page, fields)))
        })
        .await?;
    found.ok_or_else(|| AppError::BadRequest(format!("page: there is no page #{id}.")).into())
}

fn language(state: &AppState, raw: Option<&str>, page: &Page) -> Result<String, AdminError> {
    let lang = raw.map(str::trim).filter(|l| !l.is_empty()).unwrap_or(&page.lang).to_owned();
    if state.i18n.languages().contains(&lang) {
        Ok(lang)
    } else {
        Err(AppError::BadRequest(format!("lang: there is no language \"{lang}\".")).into())
    }
}

pub async fn show(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<ToolQuery>,
) -> Result<HttpResponse, AdminError> {
    let ToolQuery { page, country, lang } = query.into_inner();
    let page = page_param(page.as_deref())?;
    let all = state.db.read(|conn| Ok(pages::store::list_public(conn)?)).await?;
    let settings = state.privacy.get();
    let country = country.unwrap_or_default();
    let mut ctx = context! {
        pages => all, languages => state.i18n.languages(), country => country.clone(),
        enabled => settings.enabled, page_id => page,
    };
    if let Some(id) = page {
        let (page, fields) = page_and_fields(&state, id).await?;
        let lang = language(&state, lang.as_deref(), &page)?;
        let recognized = Country::parse(&country).map(Country::into_string);
        let listed = settings.is_listed(&country);
        let mut rows = vec![];
        for (text_type, resolved) in resolve_all(&state, &page, &fields, &lang) {
            let kind = text_type.clone();
            let versions = state.db.read(move |conn| Ok(report_query::versions_of_type(conn, &kind)?)).await?;
            let resolved = resolved.map(|r| {
                let (step, source) = step(r.source, &text_type, &page, &lang);
                Resolved { step, source, text: r.text, hash: r.hash.to_string() }
            });
            let versions =
                versions.into_iter().map(|(h, _, at)| (h, at.format("%Y-%m-%d %H:%M UTC").to_string())).collect();
            rows.push(Row { text_type, resolved, versions });
        }
        ctx = context! {
            page => page, lang => lang, recognized => recognized, listed => listed, rows => rows, ..ctx
        };
    }
    views::render(&staff, "admin/notices.html", "privacy", ctx)
}

#[derive(serde::Deserialize)]
pub struct DiffQuery {
    a: String,
    b: String,
    /// A page id, as typed (parsed by [`page_param`]).
    page: Option<String>,
    lang: Option<String>,
}

#[derive(Serialize)]
struct Side {
    hash: String,
    text_type: String,
    text: String,
    /// Where it was found: a stored version, or the text as it resolves now.
    origin: &'static str,
}

#[derive(Serialize)]
struct Line {
    /// `same`, `removed` or `added`.
    tag: &'static str,
    text: String,
}

/// A line diff of `old` → `new`.
fn diff_lines(old: &str, new: &str) -> Vec<Line> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    let mut out = vec![];
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let removed = || a[old_range.clone()].iter().map(|l| Line { tag: "removed", text: (*l).to_owned() });
        let added = || b[new_range.clone()].iter().map(|l| Line { tag: "added", text: (*l).to_owned() });
        match tag {
            DiffTag::Equal => {
                out.extend(a[old_range.clone()].iter().map(|l| Line { tag: "same", text: (*l).to_owned() }));
            }
            DiffTag::Delete => out.extend(removed()),
            DiffTag::Insert => out.extend(added()),
            DiffTag::Replace => {
                out.extend(removed());
                out.extend(added());
            }
        }
    }
    out
}

pub async fn diff(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<DiffQuery>,
) -> Result<HttpResponse, AdminError> {
    let DiffQuery { a, b, page, lang } = query.into_inner();
    let page = page_param(page.as_deref())?;
    let parse = |field: &str, raw: &str| {
        PrivacyHash::parse(raw)
            .ok_or_else(|| AdminError::from(AppError::BadRequest(format!("{field}: not a text hash."))))
    };
    let (ha, hb) = (parse("a", &a)?, parse("b", &b)?);
    // Texts as they resolve now on the chosen page, for a hash no record has used yet.
    let mut current: Vec<ResolvedText> = vec![];
    if let Some(id) = page {
        let (page, fields) = page_and_fields(&state, id).await?;
        let lang = language(&state, lang.as_deref(), &page)?;
        current = resolve_all(&state, &page, &fields, &lang).into_iter().filter_map(|(_, r)| r).collect();
    }
    let mut sides = vec![];
    for hash in [ha, hb] {
        let key = hash.clone();
        let stored = state.db.read(move |conn| Ok(crate::privacy::store::version_by_hash(conn, &key)?)).await?;
        let side = if let Some(v) = stored {
            Side { hash: v.hash, text_type: v.text_type, text: v.text, origin: "stored version" }
        } else {
            let r = current
                .iter()
                .find(|r| r.hash == hash)
                .ok_or_else(|| AdminError::from(AppError::NotFound(format!("No text version has the hash {hash}."))))?;
            Side {
                hash: r.hash.to_string(),
                text_type: r.text_type.clone(),
                text: r.text.clone(),
                origin: "as it resolves now",
            }
        };
        sides.push(side);
    }
    let lines = diff_lines(&sides[0].text, &sides[1].text);
    let changed = lines.iter().any(|l| l.tag != "same");
    let ctx = context! { old => &sides[0], new => &sides[1], lines => lines, changed => changed, page_id => page };
    views::render(&staff, "admin/notice_diff.html", "privacy", ctx)
}

#[cfg(test)]
mod tests {
    #[test]
    fn b5_line_diff_keeps_same_lines_and_marks_changes() {
        let tags: Vec<(&str, String)> =
            super::diff_lines("a\nb\nc", "a\nB\nc\nd").into_iter().map(|l| (l.tag, l.text)).collect();
        let want = [("same", "a"), ("removed", "b"), ("added", "B"), ("same", "c"), ("added", "d")];
        assert_eq!(tags, want.map(|(t, s)| (t, s.to_owned())));
    }
}
