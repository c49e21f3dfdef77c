//! Python's view of minijinja values, which Django's filters are written against: `str()`
//! (`True`, `None`, `['a', 'b']`, `1.0`), truthiness, `int()`/`float()` conversions and the
//! safe-string bookkeeping (`SafeData`) that decides what autoescaping leaves alone.

use minijinja::value::{Value, ValueKind};

/// Python's `str(value)`; a missing value is `''` (Django's `string_if_invalid`).
pub(crate) fn py_str(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => String::new(),
        ValueKind::None => "None".into(),
        ValueKind::Bool => if v.is_true() { "True" } else { "False" }.into(),
        ValueKind::Number => number_str(v),
        ValueKind::String => v.as_str().unwrap_or_default().to_owned(),
        ValueKind::Seq | ValueKind::Iterable => {
            let items: Vec<String> = v.try_iter().map(|it| it.map(|x| py_repr(&x)).collect()).unwrap_or_default();
            format!("[{}]", items.join(", "))
        }
        ValueKind::Map => {
            let items: Vec<String> = v
                .try_iter()
                .map(|it| {
                    it.map(|k| format!("{}: {}", py_repr(&k), py_repr(&v.get_item(&k).unwrap_or_default()))).collect()
                })
                .unwrap_or_default();
            format!("{{{}}}", items.join(", "))
        }
        _ => v.to_string(),
    }
}

/// Python's `repr(value)` as lists and dicts print their items.
fn py_repr(v: &Value) -> String {
    match v.kind() {
        ValueKind::String => {
            let s = v.as_str().unwrap_or_default();
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
        }
        ValueKind::Undefined => "None".into(),
        _ => py_str(v),
    }
}

fn number_str(v: &Value) -> String {
    if v.is_integer() {
        return v.to_string();
    }
    match f64::try_from(v.clone()) {
        Ok(f) => float_str(f),
        Err(_) => v.to_string(),
    }
}

/// Python's `repr(float)` for the usual range: `1.0`, `0.5`, `1e+16`.
pub(crate) fn float_str(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        let s = format!("{f:?}");
        match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e:0>2}"),
            Some((m, e)) => format!("{m}e-{:0>2}", &e[1..]),
            None => s,
        }
    }
}

/// The text a string filter (`@stringfilter`) sees.
pub(crate) fn text(v: &Value) -> String {
    py_str(v)
}

/// A string result that is safe exactly when the input was (Django's `is_safe=True`).
pub(crate) fn like(input: &Value, out: String) -> Value {
    if input.is_safe() {
        Value::from_safe_string(out)
    } else {
        Value::from(out)
    }
}

pub(crate) fn safe(out: String) -> Value {
    Value::from_safe_string(out)
}

/// Django's `escape` on a string.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = crate::render::django_escape(&mut out, s);
    out
}

/// Django's `conditional_escape`: safe values pass, others are escaped.
pub(crate) fn conditional_escape(v: &Value) -> String {
    if v.is_safe() {
        py_str(v)
    } else {
        escape(&py_str(v))
    }
}

/// Python's `float(value)`: numbers and numeric strings.
pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    match v.kind() {
        ValueKind::Number => f64::try_from(v.clone()).ok(),
        ValueKind::Bool => Some(if v.is_true() { 1.0 } else { 0.0 }),
        ValueKind::String => v.as_str()?.trim().parse().ok(),
        _ => None,
    }
}

/// Python's `int(value)`: integers, floats truncated, strings holding an integer.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v.kind() {
        ValueKind::Number if v.is_integer() => i64::try_from(v.clone()).ok(),
        #[allow(clippy::cast_possible_truncation)]
        ValueKind::Number => f64::try_from(v.clone()).ok().filter(|f| f.is_finite()).map(|f| f.trunc() as i64),
        ValueKind::Bool => Some(i64::from(v.is_true())),
        ValueKind::String => v.as_str()?.trim().parse().ok(),
        _ => None,
    }
}

/// The items of a list-like value (a string gives its characters), as Python's `list()`.
pub(crate) fn list(v: &Value) -> Option<Vec<Value>> {
    match v.kind() {
        ValueKind::String => Some(v.as_str().unwrap_or_default().chars().map(|c| Value::from(c.to_string())).collect()),
        ValueKind::Seq | ValueKind::Iterable | ValueKind::Map => v.try_iter().ok().map(Iterator::collect),
        _ => None,
    }
}

/// Python's `len()`, if the value has one.
pub(crate) fn py_len(v: &Value) -> Option<usize> {
    match v.kind() {
        ValueKind::String => Some(v.as_str().unwrap_or_default().chars().count()),
        ValueKind::Undefined => Some(0),
        ValueKind::Seq | ValueKind::Map | ValueKind::Iterable => v.len().or_else(|| list(v).map(|l| l.len())),
        _ => None,
    }
}
