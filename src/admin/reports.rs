//! Reports (SPEC S2, P12): privacy records filtered by user, action, page, type and status;
//! the stragglers (actions that created a user with a listed country and left no privacy
//! record); actions per page — each on screen and as a CSV download (`?format=csv`).
//! Read-only (`state.db.read`), admin role only.
//!
//! Parameters are parsed here (ids are whole numbers, dates `YYYY-MM-DD`, status one of
//! the two there are) and reach SQL only as bound values through `privacy::report_query`;
//! a bad value is a 400 naming the field. CSV cells that a spreadsheet would run as a
//! formula are prefixed with `'`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use minijinja::context;
use serde::Serialize;

use super::{views, AdminError, AdminOnly, Staff};
use crate::app::AppState;
use crate::error::AppError;
use crate::privacy::report_query::{self, RecordFilter};
use crate::privacy::reports;

/// Rows shown on screen; the CSV has up to [`CSV_LIMIT`].
const SCREEN_LIMIT: i64 = 500;
const CSV_LIMIT: i64 = 1_000_000;

/// The report parameters as typed, every one optional.
#[derive(Clone, Debug, Default, serde::Deserialize, Serialize)]
pub struct Params {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    page: String,
    #[serde(default, rename = "type")]
    text_type: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    format: String,
}

impl Params {
    fn csv(&self) -> bool {
        self.format == "csv"
    }
}

/// `(field, message)` for each bad parameter.
type Problems = Vec<(&'static str, String)>;

fn id(raw: &str, field: &'static str, problems: &mut Problems) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            problems.push((field, format!("{field}: must be a whole number above 0.")));
            None
        }
    }
}

fn date(raw: &str, field: &'static str, problems: &mut Problems) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0));
    if parsed.is_none() {
        problems.push((field, format!("{field}: must be a date like 2026-11-24.")));
    }
    parsed
}

fn record_filter(p: &Params, problems: &mut Problems) -> RecordFilter {
    let status = match p.status.trim() {
        "" => None,
        s @ ("active" | "withdrawn") => Some(s.to_owned()),
        _ => {
            problems.push(("status", "status: must be active or withdrawn.".to_owned()));
            None
        }
    };
    let text_type = Some(p.text_type.trim().to_owned()).filter(|t| !t.is_empty());
    RecordFilter {
        user_id: id(&p.user, "user", problems),
        action_id: id(&p.action, "action", problems),
        page_id: id(&p.page, "page", problems),
        text_type,
        status,
    }
}

/// The report page, with a 400 when a parameter was bad.
fn screen(
    staff: &Staff,
    report: &str,
    p: &Params,
    problems: &Problems,
    ctx: minijinja::Value,
) -> Result<HttpResponse, AdminError> {
    let errors: Vec<&str> = problems.iter().map(|(_, m)| m.as_str()).collect();
    let bad: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("user", &p.user), ("action", &p.action), ("page", &p.page), ("type", &p.text_type)]
        .into_iter()
        .chain([("status", &p.status), ("since", &p.since), ("until", &p.until)])
        .filter(|(_, v)| !v.is_empty())
    {
        query.append_pair(k, v);
    }
    let query = query.append_pair("format", "csv").finish();
    let ctx = context! { report => report, p => p, errors => errors, bad => bad, csv_query => query, ..ctx };
    let mut res = views::render(staff, "admin/reports.html", "reports", ctx)?;
    if !problems.is_empty() {
        *res.status_mut() = actix_web::http::StatusCode::BAD_REQUEST;
    }
    Ok(res)
}

fn csv_cell(value: &str) -> String {
    // A cell opening with one of these is a formula to a spreadsheet (CSV injection).
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

fn csv_download(name: &str, header_row: &[&str], rows: Vec<Vec<String>>) -> Result<HttpResponse, AdminError> {
    let mut out = csv::Writer::from_writer(vec![]);
    out.write_record(header_row).map_err(AdminError::internal)?;
    for row in rows {
        out.write_record(row.iter().map(|c| csv_cell(c))).map_err(AdminError::internal)?;
    }
    let body = out.into_inner().map_err(AdminError::internal)?;
    let mut res = HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"placard-{name}.csv\"")))
        .body(body);
    super::error::harden(&mut res);
    Ok(res)
}

fn bad_csv(problems: &Problems) -> AdminError {
    let text: Vec<&str> = problems.iter().map(|(_, m)| m.as_str()).collect();
    AppError::BadRequest(text.join(" ")).into()
}

/// The reports index: records by type and status, and the reports there are.
pub async fn index(AdminOnly(staff): AdminOnly, state: web::Data<AppState>) -> Result<HttpResponse, AdminError> {
    let counts = state.db.read(|conn| Ok(reports::by_type_and_status(conn)?)).await?;
    screen(&staff, "index", &Params::default(), &vec![], context! { counts => counts })
}

pub async fn records(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Params>,
) -> Result<HttpResponse, AdminError> {
    let p = query.into_inner();
    let mut problems = vec![];
    let filter = record_filter(&p, &mut problems);
    if !problems.is_empty() {
        return if p.csv() { Err(bad_csv(&problems)) } else { screen(&staff, "records", &p, &problems, context! {}) };
    }
    let limit = if p.csv() { CSV_LIMIT } else { SCREEN_LIMIT };
    let (total, rows) = state.db.read(move |conn| Ok(report_query::records(conn, &filter, limit)?)).await?;
    if p.csv() {
        let lines = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.id.to_string(),
                    r.user_id.to_string(),
                    r.action_id.map(|a| a.to_string()).unwrap_or_default(),
                    r.page_id.map(|a| a.to_string()).unwrap_or_default(),
                    r.text_type,
                    r.status,
                    r.hash,
                    r.context,
                    r.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                ]
            })
            .collect();
        let head = ["record_id", "user_id", "action_id", "page_id", "type", "status", "hash", "context", "created_at"];
        return csv_download("privacy-records", &head, lines);
    }
    screen(&staff, "records", &p, &problems, context! { total => total, rows => rows, limit => SCREEN_LIMIT })
}

pub async fn stragglers(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Params>,
) -> Result<HttpResponse, AdminError> {
    let p = query.into_inner();
    let mut problems = vec![];
    let since = date(&p.since, "since", &mut problems);
    if !problems.is_empty() {
        return if p.csv() {
            Err(bad_csv(&problems))
        } else {
            screen(&staff, "stragglers", &p, &problems, context! {})
        };
    }
    let settings = state.privacy.get();
    let limit = if p.csv() { CSV_LIMIT } else { SCREEN_LIMIT };
    let listed = settings.countries.len();
    let rows = state.db.read(move |conn| Ok(report_query::stragglers(conn, &settings, since, limit)?)).await?;
    if p.csv() {
        let lines = rows
            .into_iter()
            .map(|r| {
                vec![
                    r.action_id.to_string(),
                    r.page_id.to_string(),
                    r.page_name,
                    r.user_id.to_string(),
                    r.country,
                    r.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                ]
            })
            .collect();
        let head = ["action_id", "page_id", "page", "user_id", "country", "created_at"];
        return csv_download("stragglers", &head, lines);
    }
    screen(&staff, "stragglers", &p, &problems, context! { rows => rows, listed => listed, limit => SCREEN_LIMIT })
}

pub async fn actions_per_page(
    AdminOnly(staff): AdminOnly,
    state: web::Data<AppState>,
    query: web::Query<Params>,
) -> Result<HttpResponse, AdminError> {
    let p = query.into_inner();
    let mut problems = vec![];
    let (since, until) = (date(&p.since, "since", &mut problems), date(&p.until, "until", &mut problems));
    if !problems.is_empty() {
        return if p.csv() {
            Err(bad_csv(&problems))
        } else {
            screen(&staff, "actions-per-page", &p, &problems, context! {})
        };
    }
    let rows = state.db.read(move |conn| Ok(report_query::actions_per_page(conn, since, until)?)).await?;
    if p.csv() {
        let lines =
            rows.into_iter().map(|r| vec![r.page_id.to_string(), r.name, r.page_type, r.actions.to_string()]).collect();
        return csv_download("actions-per-page", &["page_id", "page", "type", "actions"], lines);
    }
    screen(&staff, "actions-per-page", &p, &problems, context! { rows => rows })
}

#[cfg(test)]
mod tests {
    #[test]
    fn s2_csv_cells_a_spreadsheet_would_run_are_defused() {
        assert_eq!(super::csv_cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(super::csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::csv_cell("Germany"), "Germany");
        assert_eq!(super::csv_cell("2026-11-24 06:00:00"), "2026-11-24 06:00:00");
    }
}
