//! The filter table (Django name → registered minijinja filter, and whether it takes an
//! argument) and Django's built-in filters with Django 1.8's semantics: `default` on any
//! falsy value, `add` with `int()` first, Python slicing, safe-string propagation
//! (`is_safe`) and filters that escape for themselves (`needs_autoescape`).

use minijinja::value::{Value, ValueKind};
use minijinja::{AutoEscape, Environment, State};

use super::value::{as_f64, as_int, conditional_escape, escape, like, list, py_len, py_str, safe, text};
use super::{ak, dates, text as t};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arity {
    None,
    Optional,
    Required,
}

pub(crate) struct Filter {
    pub django: &'static str,
    pub minijinja: &'static str,
    pub arity: Arity,
}

const fn f(django: &'static str, minijinja: &'static str, arity: Arity) -> Filter {
    Filter { django, minijinja, arity }
}

use Arity::{None as N, Optional as O, Required as R};

/// Every filter a Django template may use; anything else is an "Invalid filter" error.
pub(crate) const FILTERS: &[Filter] = &[
    f("default", "dj_default", R),
    f("default_if_none", "dj_default_if_none", R),
    f("length", "dj_length", N),
    f("length_is", "dj_length_is", R),
    f("date", "dj_date", O),
    f("time", "dj_time", O),
    f("urlencode", "dj_urlencode", O),
    f("safe", "dj_safe", N),
    f("safeseq", "dj_safeseq", N),
    f("linebreaks", "dj_linebreaks", N),
    f("linebreaksbr", "dj_linebreaksbr", N),
    f("lower", "dj_lower", N),
    f("upper", "dj_upper", N),
    f("title", "dj_title", N),
    f("capfirst", "dj_capfirst", N),
    f("pluralize", "dj_pluralize", O),
    f("striptags", "dj_striptags", N),
    f("escape", "dj_escape", N),
    f("force_escape", "dj_force_escape", N),
    f("slice", "dj_slice", R),
    f("add", "dj_add", R),
    f("urlize", "dj_urlize", N),
    f("slugify", "dj_slugify", N),
    f("join", "dj_join", R),
    f("first", "dj_first", N),
    f("last", "dj_last", N),
    f("floatformat", "dj_floatformat", O),
    f("truncatechars", "dj_truncatechars", R),
    f("truncatewords", "dj_truncatewords", R),
    f("cut", "dj_cut", R),
    f("yesno", "dj_yesno", O),
    f("escapejs", "dj_escapejs", N),
    f("divisibleby", "dj_divisibleby", R),
    f("wordcount", "dj_wordcount", N),
    f("center", "dj_center", R),
    f("ljust", "dj_ljust", R),
    f("rjust", "dj_rjust", R),
    f("make_list", "dj_make_list", N),
    f("stringformat", "dj_stringformat", R),
    f("addslashes", "dj_addslashes", N),
    f("dictsort", "dj_dictsort", R),
    f("dictsortreversed", "dj_dictsortreversed", R),
    // ActionKit's filters.
    f("ak_text", "ak_text", R),
    f("nth", "ak_nth", R),
    f("get", "ak_get", R),
    f("escapeall", "ak_escapeall", N),
    f("is_nonblank", "ak_is_nonblank", N),
    f("is_in", "ak_is_in", R),
    f("is_defined", "ak_is_defined", N),
    f("contains", "ak_contains", R),
    f("collapse_spaces", "ak_collapse_spaces", N),
    f("remove_blank_lines", "ak_remove_blank_lines", N),
    f("single_line", "ak_single_line", N),
    f("strip", "ak_strip", N),
    f("split", "ak_split", O),
    f("json", "ak_json", N),
    f("load_json", "ak_load_json", N),
    f("commify", "ak_commify", N),
    f("truncateletters", "ak_truncateletters", R),
    f("concatenate", "ak_concatenate", R),
    f("force_list", "ak_force_list", N),
    f("iso_currency_symbol", "ak_iso_currency_symbol", N),
    f("date_add", "ak_date_add", R),
    f("referring_akid", "ak_referring_akid", R),
    f("columns", "ak_columns", R),
    f("tag_links", "ak_tag_links", R),
    f("ak_field_label", "ak_field_label", R),
    f("load_datetime", "ak_load_datetime", N),
];

/// The widest padding or precision a filter produces (Django has no limit; a page has).
pub(crate) const MAX_WIDTH: usize = 10_000;

fn autoescaping(state: &State) -> bool {
    !matches!(state.auto_escape(), AutoEscape::None)
}

fn default(v: Value, d: Value) -> Value {
    if v.is_true() {
        v
    } else {
        d
    }
}

fn default_if_none(v: Value, d: Value) -> Value {
    if v.is_none() {
        d
    } else {
        v
    }
}

fn length(v: &Value) -> Value {
    Value::from(py_len(v).unwrap_or(0))
}

fn length_is(v: &Value, n: &Value) -> Value {
    match (py_len(v), as_int(n)) {
        (Some(l), Some(n)) => Value::from(i64::try_from(l).is_ok_and(|l| l == n)),
        _ => Value::from(""),
    }
}

fn lower(v: &Value) -> Value {
    like(v, text(v).to_lowercase())
}

/// Django marks `upper` `is_safe=False`: its output is escaped even from a safe input.
fn upper(v: &Value) -> Value {
    Value::from(text(v).to_uppercase())
}

fn capfirst(v: &Value) -> Value {
    let s = text(v);
    let mut chars = s.chars();
    let out = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    like(v, out)
}

fn pluralize(v: &Value, arg: Option<&Value>) -> Value {
    let arg = arg.map_or_else(|| "s".to_owned(), py_str);
    let (singular, plural) = match arg.split(',').collect::<Vec<_>>()[..] {
        [p] => ("", p),
        [s, p] => (s, p),
        _ => return Value::from(""),
    };
    let plural_now = match v.kind() {
        ValueKind::Number | ValueKind::Bool => as_f64(v).is_some_and(|f| (f - 1.0).abs() > f64::EPSILON),
        ValueKind::String | ValueKind::Undefined => {
            text(v).trim().parse::<f64>().is_ok_and(|f| (f - 1.0).abs() > f64::EPSILON)
        }
        _ => py_len(v).is_some_and(|l| l != 1),
    };
    Value::from(if plural_now { plural } else { singular })
}

/// Python's `seq[a:b:c]` on a length: the indices it selects.
pub(crate) fn py_slice(len: usize, spec: &str) -> Option<Vec<usize>> {
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() > 3 {
        return None;
    }
    let parse = |s: &str| -> Option<Option<i64>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else {
            s.parse().ok().map(Some)
        }
    };
    let len = i64::try_from(len).ok()?;
    let (start, stop, by) = match parts[..] {
        [only] => (None, parse(only)?, None),
        [from, to] => (parse(from)?, parse(to)?, None),
        [from, to, by] => (parse(from)?, parse(to)?, parse(by)?),
        _ => return None,
    };
    let stride = by.unwrap_or(1);
    if stride == 0 {
        return None;
    }
    let clamp = |i: i64, lo: i64, hi: i64| {
        let i = if i < 0 { i + len } else { i };
        i.clamp(lo, hi)
    };
    let mut out = vec![];
    if stride > 0 {
        let (mut i, end) = (start.map_or(0, |s| clamp(s, 0, len)), stop.map_or(len, |s| clamp(s, 0, len)));
        while i < end {
            out.extend(usize::try_from(i).ok());
            i += stride;
        }
    } else {
        let (mut i, end) =
            (start.map_or(len - 1, |s| clamp(s, -1, len - 1)), stop.map_or(-1, |s| clamp(s, -1, len - 1)));
        while i > end {
            out.extend(usize::try_from(i).ok());
            i += stride;
        }
    }
    Some(out)
}

fn slice(v: &Value, spec: &Value) -> Value {
    let spec = py_str(spec);
    match v.kind() {
        ValueKind::Undefined => Value::from(""),
        ValueKind::String => {
            let chars: Vec<char> = text(v).chars().collect();
            match py_slice(chars.len(), &spec) {
                Some(ix) => like(v, ix.into_iter().map(|i| chars[i]).collect()),
                None => v.clone(),
            }
        }
        _ => match (list(v), v.kind()) {
            (Some(items), ValueKind::Seq | ValueKind::Iterable) => match py_slice(items.len(), &spec) {
                Some(ix) => Value::from(ix.into_iter().map(|i| items[i].clone()).collect::<Vec<_>>()),
                None => v.clone(),
            },
            _ => v.clone(),
        },
    }
}

fn add(v: &Value, arg: &Value) -> Value {
    if let (Some(a), Some(b)) = (as_int(v), as_int(arg)) {
        if !matches!(v.kind(), ValueKind::Undefined) {
            return a.checked_add(b).map_or_else(|| Value::from(""), Value::from);
        }
    }
    match (v.kind(), arg.kind()) {
        (ValueKind::String, ValueKind::String) => Value::from(format!("{}{}", text(v), text(arg))),
        (ValueKind::Seq, ValueKind::Seq) => {
            let mut items = list(v).unwrap_or_default();
            items.extend(list(arg).unwrap_or_default());
            Value::from(items)
        }
        (ValueKind::Number, ValueKind::Number) => match (as_f64(v), as_f64(arg)) {
            (Some(a), Some(b)) => Value::from(a + b),
            _ => Value::from(""),
        },
        _ => Value::from(""),
    }
}

fn join(state: &State, v: &Value, sep: &Value) -> Value {
    let Some(items) = list(v).filter(|_| !matches!(v.kind(), ValueKind::Undefined)) else {
        return v.clone();
    };
    let esc = autoescaping(state);
    let parts: Vec<String> = items.iter().map(|x| if esc { conditional_escape(x) } else { py_str(x) }).collect();
    safe(parts.join(&conditional_escape(sep)))
}

fn first(v: &Value) -> Value {
    list(v).and_then(|l| l.into_iter().next()).unwrap_or_else(|| Value::from(""))
}

fn last(v: &Value) -> Value {
    list(v).and_then(|l| l.into_iter().last()).unwrap_or_else(|| Value::from(""))
}

fn cut(v: &Value, arg: &Value) -> Value {
    let arg = py_str(arg);
    let out = text(v).replace(&arg, "");
    if arg == ";" {
        Value::from(out)
    } else {
        like(v, out)
    }
}

fn yesno(v: &Value, arg: Option<&Value>) -> Value {
    let arg = arg.map_or_else(|| "yes,no,maybe".to_owned(), py_str);
    let bits: Vec<&str> = arg.split(',').collect();
    let (yes, no, maybe) = match bits[..] {
        [y, n] => (y, n, n),
        [y, n, m] => (y, n, m),
        _ => return v.clone(),
    };
    Value::from(if v.is_none() {
        maybe
    } else if v.is_true() {
        yes
    } else {
        no
    })
}

fn divisibleby(v: &Value, arg: &Value) -> Value {
    match (as_int(v), as_int(arg)) {
        (Some(a), Some(b)) => Value::from(a.checked_rem(b) == Some(0)),
        _ => Value::from(false),
    }
}

fn pad(v: &Value, width: &Value, how: char) -> Value {
    let s = text(v);
    let Some(width) = as_int(width).and_then(|w| usize::try_from(w).ok()).map(|w| w.min(MAX_WIDTH)) else {
        return v.clone();
    };
    let len = s.chars().count();
    if width <= len {
        return like(v, s);
    }
    let marg = width - len;
    let left = match how {
        'l' => 0,
        'r' => marg,
        _ => marg / 2 + (marg & width & 1),
    };
    like(v, format!("{}{s}{}", " ".repeat(left), " ".repeat(marg - left)))
}

fn safeseq(v: &Value) -> Value {
    match list(v) {
        Some(items) => Value::from(items.iter().map(|x| safe(py_str(x))).collect::<Vec<_>>()),
        None => v.clone(),
    }
}

/// Registers every filter of the table under its minijinja name.
#[allow(clippy::too_many_lines)]
pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("dj_default", default);
    env.add_filter("dj_default_if_none", default_if_none);
    env.add_filter("dj_length", |v: Value| length(&v));
    env.add_filter("dj_length_is", |v: Value, n: Value| length_is(&v, &n));
    env.add_filter("dj_date", |v: Value, f: Option<Value>| dates::date_filter(&v, f.as_ref(), "N j, Y"));
    env.add_filter("dj_time", |v: Value, f: Option<Value>| dates::date_filter(&v, f.as_ref(), "P"));
    env.add_filter("dj_urlencode", |v: Value, s: Option<Value>| {
        Value::from(t::urlquote(&text(&v), &s.map_or_else(|| "/".to_owned(), |s| py_str(&s))))
    });
    env.add_filter("dj_safe", |v: Value| safe(text(&v)));
    env.add_filter("dj_safeseq", |v: Value| safeseq(&v));
    env.add_filter("dj_linebreaks", |state: &State, v: Value| {
        let s = if autoescaping(state) { conditional_escape(&v) } else { text(&v) };
        safe(t::linebreaks(&s))
    });
    env.add_filter("dj_linebreaksbr", |state: &State, v: Value| {
        let s = if autoescaping(state) { conditional_escape(&v) } else { text(&v) };
        safe(t::normalize_newlines(&s).replace('\n', "<br />"))
    });
    env.add_filter("dj_lower", |v: Value| lower(&v));
    env.add_filter("dj_upper", |v: Value| upper(&v));
    env.add_filter("dj_title", |v: Value| like(&v, t::title(&text(&v))));
    env.add_filter("dj_capfirst", |v: Value| capfirst(&v));
    env.add_filter("dj_pluralize", |v: Value, a: Option<Value>| pluralize(&v, a.as_ref()));
    env.add_filter("dj_striptags", |v: Value| like(&v, t::strip_tags(&text(&v))));
    env.add_filter("dj_escape", |v: Value| safe(conditional_escape(&v)));
    env.add_filter("dj_force_escape", |v: Value| safe(escape(&text(&v))));
    env.add_filter("dj_slice", |v: Value, s: Value| slice(&v, &s));
    env.add_filter("dj_add", |v: Value, a: Value| add(&v, &a));
    env.add_filter("dj_urlize", |state: &State, v: Value| {
        safe(t::urlize(&text(&v), autoescaping(state) && !v.is_safe()))
    });
    env.add_filter("dj_slugify", |v: Value| safe(t::slugify(&text(&v))));
    env.add_filter("dj_join", |state: &State, v: Value, s: Value| join(state, &v, &s));
    env.add_filter("dj_first", |v: Value| first(&v));
    env.add_filter("dj_last", |v: Value| last(&v));
    env.add_filter("dj_floatformat", |v: Value, p: Option<Value>| t::floatformat(&v, p.as_ref()));
    env.add_filter("dj_truncatechars", |v: Value, n: Value| match as_int(&n) {
        Some(n) => like(&v, t::truncate_chars(&text(&v), n)),
        None => v,
    });
    env.add_filter("dj_truncatewords", |v: Value, n: Value| match as_int(&n) {
        Some(n) => like(&v, t::truncate_words(&text(&v), n)),
        None => v,
    });
    env.add_filter("dj_cut", |v: Value, a: Value| cut(&v, &a));
    env.add_filter("dj_yesno", |v: Value, a: Option<Value>| yesno(&v, a.as_ref()));
    env.add_filter("dj_escapejs", |v: Value| safe(t::escapejs(&text(&v))));
    env.add_filter("dj_divisibleby", |v: Value, a: Value| divisibleby(&v, &a));
    env.add_filter("dj_wordcount", |v: Value| Value::from(text(&v).split_whitespace().count()));
    env.add_filter("dj_center", |v: Value, w: Value| pad(&v, &w, 'c'));
    env.add_filter("dj_ljust", |v: Value, w: Value| pad(&v, &w, 'l'));
    env.add_filter("dj_rjust", |v: Value, w: Value| pad(&v, &w, 'r'));
    env.add_filter("dj_make_list", |v: Value| {
        Value::from(text(&v).chars().map(|c| Value::from(c.to_string())).collect::<Vec<_>>())
    });
    env.add_filter("dj_stringformat", |v: Value, spec: Value| like(&v, t::stringformat(&v, &py_str(&spec))));
    env.add_filter("dj_addslashes", |v: Value| {
        like(&v, text(&v).replace('\\', "\\\\").replace('"', "\\\"").replace('\'', "\\'"))
    });
    ak::register_filters(env);
}
