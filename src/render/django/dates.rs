//! Dates: values arrive as ISO strings (`2024-03-05`, `2024-03-05T14:07:09`, with or
//! without an offset) and are formatted with Django's PHP-style `date` format characters,
//! in UTC.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use minijinja::value::{Value, ValueKind};

use super::value::py_str;

/// Parses the date or date-time a value holds.
pub(crate) fn parse(v: &Value) -> Option<NaiveDateTime> {
    if !matches!(v.kind(), ValueKind::String) {
        return None;
    }
    let s = v.as_str()?.trim();
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_local());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// Python's `str(datetime)`.
pub(crate) fn to_value(dt: NaiveDateTime) -> Value {
    Value::from(dt.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// The `date`/`time` filters: a formatted date, or `''` for anything that is not a date.
pub(crate) fn date_filter(v: &Value, fmt: Option<&Value>, default: &str) -> Value {
    let fmt = fmt.map_or_else(|| default.to_owned(), py_str);
    match parse(v) {
        Some(dt) => Value::from(format(dt, &fmt)),
        None => Value::from(""),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_AP: [&str; 12] =
    ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."];
const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

fn twelve(h: u32) -> u32 {
    match h % 12 {
        0 => 12,
        h => h,
    }
}

/// Django's `f`: `1`, `1:30`.
fn hour_minutes(dt: NaiveDateTime) -> String {
    if dt.minute() == 0 {
        twelve(dt.hour()).to_string()
    } else {
        format!("{}:{:02}", twelve(dt.hour()), dt.minute())
    }
}

fn days_in_month(dt: NaiveDateTime) -> u32 {
    let (y, m) = if dt.month() == 12 { (dt.year() + 1, 1) } else { (dt.year(), dt.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).map_or(31, |d| d.day())
}

/// Formats with Django's format characters; `\x` is a literal `x`.
pub(crate) fn format(dt: NaiveDateTime, fmt: &str) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars();
    let month = dt.month0() as usize;
    let pm = dt.hour() >= 12;
    while let Some(c) = chars.next() {
        let piece = match c {
            '\\' => chars.next().map(String::from).unwrap_or_default(),
            'a' => if pm { "p.m." } else { "a.m." }.into(),
            'A' => if pm { "PM" } else { "AM" }.into(),
            'b' => MONTHS[month][..3].to_lowercase(),
            'c' => dt.format("%Y-%m-%dT%H:%M:%S").to_string(),
            'd' => format!("{:02}", dt.day()),
            'D' => DAYS[dt.weekday().num_days_from_monday() as usize][..3].into(),
            'E' | 'F' => MONTHS[month].into(),
            'f' => hour_minutes(dt),
            'g' => twelve(dt.hour()).to_string(),
            'G' => dt.hour().to_string(),
            'h' => format!("{:02}", twelve(dt.hour())),
            'H' => format!("{:02}", dt.hour()),
            'i' => format!("{:02}", dt.minute()),
            'j' => dt.day().to_string(),
            'l' => DAYS[dt.weekday().num_days_from_monday() as usize].into(),
            'L' => if NaiveDate::from_ymd_opt(dt.year(), 2, 29).is_some() { "True" } else { "False" }.into(),
            'm' => format!("{:02}", dt.month()),
            'M' => MONTHS[month][..3].into(),
            'n' => dt.month().to_string(),
            'N' => MONTHS_AP[month].into(),
            'o' => dt.iso_week().year().to_string(),
            'P' => match (dt.hour(), dt.minute()) {
                (0, 0) => "midnight".into(),
                (12, 0) => "noon".into(),
                _ => format!("{} {}", hour_minutes(dt), if pm { "p.m." } else { "a.m." }),
            },
            'r' => dt.format("%a, %d %b %Y %H:%M:%S +0000").to_string(),
            's' => format!("{:02}", dt.second()),
            'S' => match dt.day() {
                1 | 21 | 31 => "st",
                2 | 22 => "nd",
                3 | 23 => "rd",
                _ => "th",
            }
            .into(),
            't' => days_in_month(dt).to_string(),
            'u' => format!("{:06}", dt.nanosecond() / 1000),
            'U' => dt.and_utc().timestamp().to_string(),
            'w' => dt.weekday().num_days_from_sunday().to_string(),
            'W' => dt.iso_week().week().to_string(),
            'y' => format!("{:02}", dt.year() % 100),
            'Y' => dt.year().to_string(),
            'z' => dt.ordinal0().to_string(),
            // Placard's times are UTC (Django's TIME_ZONE = "UTC").
            'O' => "+0000".into(),
            'T' => "UTC".into(),
            'Z' | 'I' => "0".into(),
            'e' => String::new(),
            c => c.to_string(),
        };
        out.push_str(&piece);
    }
    out
}
