//! ActionKit's own filters and the functions behind its tags: `ak_text` (a language string
//! by key through the `__ak_text(key, fallback)` global, which Placard overrides), list
//! and text helpers, `load_json`, `commify`, `date_add`, and `include_tmpl`, which renders
//! a page text as a template at render time (translations cached by content).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use minijinja::value::{Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

use super::runtime::{contains, nested, RecordList};
use super::value::{as_int, escape, like, list, py_str, safe, text};
use super::{dates, text as t};

fn ak_text(state: &State, fallback: Value, key: &Value) -> Result<Value, Error> {
    match state.lookup("__ak_text") {
        Some(f) if !f.is_undefined() => {
            let found = f.call(state, &[key.clone(), fallback.clone()])?;
            Ok(if found.is_undefined() || found.is_none() { fallback } else { found })
        }
        _ => Ok(fallback),
    }
}

fn nth(v: &Value, n: &Value) -> Value {
    let (Some(items), Some(n)) = (list(v), as_int(n)) else { return Value::UNDEFINED };
    let len = i64::try_from(items.len()).unwrap_or(0);
    let i = if n < 0 { n + len } else { n };
    usize::try_from(i).ok().and_then(|i| items.get(i).cloned()).unwrap_or(Value::UNDEFINED)
}

fn get(v: &Value, key: &Value) -> Value {
    match v.get_item(key) {
        Ok(x) if !x.is_undefined() => x,
        _ => v.get_attr(&py_str(key)).unwrap_or_default(),
    }
}

fn is_nonblank(v: &Value) -> bool {
    let s = t::strip_tags(&text(v)).replace("&nbsp;", "");
    !s.trim().is_empty()
}

/// Whitespace runs become one space, or one newline when the run held one.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::new();
    let mut run: Option<bool> = None;
    for c in s.chars() {
        if c.is_whitespace() {
            run = Some(run.unwrap_or(false) || c == '\n' || c == '\r');
        } else {
            if let Some(nl) = run.take() {
                out.push(if nl { '\n' } else { ' ' });
            }
            out.push(c);
        }
    }
    if let Some(nl) = run {
        out.push(if nl { '\n' } else { ' ' });
    }
    out
}

fn split(v: &Value, sep: Option<&Value>) -> Value {
    let s = text(v);
    let parts: Vec<Value> = match sep.map(py_str) {
        Some(sep) if !sep.is_empty() => s.split(sep.as_str()).map(Value::from).collect(),
        _ => s.split_whitespace().map(Value::from).collect(),
    };
    Value::from(parts)
}

fn json(v: &Value) -> Value {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    safe(s.replace("</", "<\\/"))
}

fn load_json(v: &Value) -> Value {
    match serde_json::from_str::<serde_json::Value>(&text(v)) {
        Ok(serde_json::Value::Array(items)) => {
            Value::from_object(RecordList(Mutex::new(items.iter().map(Value::from_serialize).collect())))
        }
        Ok(other) => Value::from_serialize(&other),
        Err(_) => Value::UNDEFINED,
    }
}

fn commify(v: &Value) -> Value {
    let s = text(v);
    let (sign, s) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
    let (int, frac) = s.split_once('.').map_or((s, None), |(i, f)| (i, Some(f)));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return v.clone();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    Value::from(match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    })
}

fn force_list(v: &Value) -> Value {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => Value::from(Vec::<Value>::new()),
        ValueKind::Seq | ValueKind::Iterable => v.clone(),
        _ => Value::from(vec![v.clone()]),
    }
}

fn currency_symbol(v: &Value) -> Value {
    let code = text(v).to_uppercase();
    let sym = match code.as_str() {
        "USD" | "CAD" | "AUD" | "NZD" | "MXN" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "JPY" | "CNY" => "¥",
        "INR" => "₹",
        "SEK" | "NOK" | "DKK" => "kr",
        "BRL" => "R$",
        "ZAR" => "R",
        _ => return Value::from(code),
    };
    Value::from(sym)
}

/// `date_add:"days=3 hours=2"` (weeks, days, hours, minutes, seconds).
fn date_add(v: &Value, spec: &Value) -> Value {
    let Some(mut dt) = dates::parse(v) else { return Value::from("") };
    for part in py_str(spec).split([' ', ',']) {
        let Some((unit, n)) = part.split_once('=') else { continue };
        let Ok(n) = n.trim().parse::<i64>() else { continue };
        let delta = match unit.trim() {
            "weeks" => chrono::Duration::try_weeks(n),
            "days" => chrono::Duration::try_days(n),
            "hours" => chrono::Duration::try_hours(n),
            "minutes" => chrono::Duration::try_minutes(n),
            "seconds" => chrono::Duration::try_seconds(n),
            _ => None,
        };
        if let Some(d) = delta {
            dt = dt.checked_add_signed(d).unwrap_or(dt);
        }
    }
    dates::to_value(dt)
}

/// `tag_links:"source=x"`: the query string appended to every http(s) link in the text.
fn tag_links(v: &Value, tag: &Value) -> Value {
    let tag = py_str(tag);
    let s = text(v);
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("http").filter(|_| !tag.is_empty()) {
        let after = &rest[i..];
        if !(after.starts_with("http://") || after.starts_with("https://")) {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            continue;
        }
        let end = after.find(|c: char| c.is_whitespace() || "\"'()<>".contains(c)).unwrap_or(after.len());
        let url = &after[..end];
        out.push_str(&rest[..i]);
        out.push_str(url);
        out.push(if url.contains('?') { '&' } else { '?' });
        out.push_str(&tag);
        rest = &after[end..];
    }
    out.push_str(rest);
    like(v, out)
}

/// The `<script>` tags for the `.js` URLs listed in a `load_js` body.
fn load_js(v: &Value) -> Value {
    let tags: Vec<String> = text(v)
        .split_whitespace()
        .filter(|w| w.contains(".js"))
        .map(|url| format!("<script src=\"{}\"></script>", escape(url)))
        .collect();
    safe(tags.join("\n"))
}

/// The stylesheet links for the URLs listed one per line in a `load_css` body.
fn load_css(v: &Value) -> Value {
    let tags: Vec<String> = text(v)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|url| format!("<link rel=\"stylesheet\" href=\"{}\" />", escape(url)))
        .collect();
    safe(tags.join("\n"))
}

fn columns(v: &Value, n: &Value) -> Value {
    let items = list(v).unwrap_or_default();
    let n = as_int(n).and_then(|n| usize::try_from(n).ok()).filter(|n| *n > 0).unwrap_or(1).min(items.len().max(1));
    let cols: Vec<Value> =
        (0..n).map(|c| Value::from(items.iter().skip(c).step_by(n).cloned().collect::<Vec<_>>())).collect();
    Value::from(cols)
}

/// Registers ActionKit's filters (the table in `filters.rs` names them).
pub(crate) fn register_filters(env: &mut Environment<'static>) {
    env.add_filter("ak_text", |state: &State, v: Value, key: Value| ak_text(state, v, &key));
    env.add_filter("ak_nth", |v: Value, n: Value| nth(&v, &n));
    env.add_filter("ak_get", |v: Value, k: Value| get(&v, &k));
    env.add_filter("ak_escapeall", |v: Value| safe(escape(&text(&v))));
    env.add_filter("ak_is_nonblank", |v: Value| is_nonblank(&v));
    env.add_filter("ak_is_in", |v: Value, within: Value| contains(&within, &v).unwrap_or(false));
    env.add_filter("ak_is_defined", |v: Value| !v.is_undefined() && !v.is_none());
    env.add_filter("ak_contains", |v: Value, x: Value| contains(&v, &x).unwrap_or(false));
    env.add_filter("ak_collapse_spaces", |v: Value| like(&v, collapse_spaces(&text(&v))));
    env.add_filter("ak_remove_blank_lines", |v: Value| {
        let s = text(&v);
        like(&v, s.lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join("\n"))
    });
    env.add_filter("ak_single_line", |v: Value| like(&v, text(&v).split_whitespace().collect::<Vec<_>>().join(" ")));
    env.add_filter("ak_strip", |v: Value| like(&v, text(&v).trim().to_owned()));
    env.add_filter("ak_split", |v: Value, sep: Option<Value>| split(&v, sep.as_ref()));
    env.add_filter("ak_json", |v: Value| json(&v));
    env.add_filter("ak_load_json", |v: Value| load_json(&v));
    env.add_filter("ak_commify", |v: Value| commify(&v));
    env.add_filter("ak_truncateletters", |v: Value, n: Value| {
        let n = as_int(&n).and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        like(&v, text(&v).chars().take(n).collect())
    });
    env.add_filter("ak_concatenate", |v: Value, x: Value| like(&v, format!("{}{}", text(&v), text(&x))));
    env.add_filter("ak_force_list", |v: Value| force_list(&v));
    env.add_filter("ak_iso_currency_symbol", |v: Value| currency_symbol(&v));
    env.add_filter("ak_date_add", |v: Value, spec: Value| date_add(&v, &spec));
    env.add_filter("ak_referring_akid", |v: Value, _akid: Value| v);
    // `label|ak_field_label:"field"`: the language's label for a field, else the given label.
    env.add_filter("ak_field_label", |state: &State, v: Value, field: Value| ak_text(state, v, &field));
    env.add_filter("ak_tag_links", |v: Value, tag: Value| tag_links(&v, &tag));
    env.add_filter("ak_load_js", |v: Value| load_js(&v));
    env.add_filter("ak_load_css", |v: Value| load_css(&v));
    env.add_filter("ak_columns", |v: Value, n: Value| columns(&v, &n));
    env.add_filter("ak_load_datetime", |v: Value| dates::parse(&v).map_or(Value::UNDEFINED, dates::to_value));
}

/// Translations of page texts `include_tmpl` has seen, by content.
fn cached_translation(source: &str) -> Result<String, Error> {
    static CACHE: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(source).cloned()) {
        return Ok(hit);
    }
    let translated = super::translate(source)
        .map_err(|e| Error::new(ErrorKind::SyntaxError, format!("in include_tmpl text: {e}")))?;
    if let Ok(mut c) = cache.lock() {
        if c.len() > 1000 {
            c.clear();
        }
        c.insert(source.to_owned(), translated.clone());
    }
    Ok(translated)
}

/// `{% include_tmpl text [escaped|unescaped] %}`: `text` rendered as a template with the
/// current context.
fn include_tmpl(state: &State, source: &Value, escaped: Option<bool>) -> Result<Value, Error> {
    let source = text(source);
    if !source.contains("{%") && !source.contains("{{") {
        return Ok(if escaped.unwrap_or(false) { Value::from(source) } else { safe(source) });
    }
    let translated = cached_translation(&source)?;
    let ctx: HashMap<String, Value> =
        state.known_variables().into_iter().filter_map(|n| state.lookup(&n).map(|v| (n.into_owned(), v))).collect();
    // Named beside the including template, so `./x.html` inside resolves in the same set.
    let name = match state.name().rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/include_tmpl.html"),
        None => "include_tmpl.html".to_owned(),
    };
    let rendered = nested(|| state.env().render_named_str(&name, &translated, ctx))?;
    Ok(if escaped.unwrap_or(false) { Value::from(rendered) } else { safe(rendered) })
}

/// Registers the functions behind ActionKit's tags.
pub(crate) fn register_functions(env: &mut Environment<'static>) {
    env.add_function("__ak_text", |_key: Value, fallback: Value| fallback);
    env.add_function("_dj_include_tmpl", |state: &State, src: Value, escaped: Option<bool>| {
        include_tmpl(state, &src, escaped)
    });
    env.add_function("_dj_client_domain_url", |state: &State, path: Option<Value>| {
        let domain = state.lookup("client_domain").map(|d| py_str(&d)).unwrap_or_default();
        let path = path.map(|p| py_str(&p)).unwrap_or_default();
        Value::from(format!("https://{domain}{path}"))
    });
}
