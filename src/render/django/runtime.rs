//! The functions translated templates call: Django's lookup fallbacks (`dj_call`), `if`
//! operators with Python semantics (`_dj_cmp`), loop sequences, `url`, `now`, `cycle`,
//! `firstof`, `include … only`, `once`, and a list `record` can append to.

use std::sync::{Arc, Mutex};

use minijinja::value::{Enumerator, Object, ObjectRepr, Rest, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State};

use super::dates;
use super::value::{as_f64, list, py_len, py_str};

/// Django's resolution of `value.name` after the plain lookup failed: key, index, then the
/// methods Django would call without parentheses, emulated on plain data.
pub(crate) fn call(value: &Value, name: &str) -> Value {
    if let Ok(v) = value.get_attr(name) {
        if !v.is_undefined() {
            return v;
        }
    }
    if let Ok(i) = name.parse::<usize>() {
        if matches!(value.kind(), ValueKind::Seq | ValueKind::Iterable | ValueKind::String) {
            return list(value).and_then(|l| l.into_iter().nth(i)).unwrap_or(Value::UNDEFINED);
        }
    }
    let s = || value.as_str().unwrap_or_default().to_owned();
    let is_str = matches!(value.kind(), ValueKind::String);
    match name {
        "all" if !is_str && !value.is_undefined() && !value.is_none() => value.clone(),
        "count" => py_len(value).map_or(Value::UNDEFINED, Value::from),
        "exists" => Value::from(value.is_true()),
        "items" | "keys" | "values" if matches!(value.kind(), ValueKind::Map) => {
            let keys: Vec<Value> = value.try_iter().map(Iterator::collect).unwrap_or_default();
            let out: Vec<Value> = keys
                .into_iter()
                .map(|k| {
                    let v = value.get_item(&k).unwrap_or_default();
                    match name {
                        "items" => Value::from(vec![k, v]),
                        "keys" => k,
                        _ => v,
                    }
                })
                .collect();
            Value::from(out)
        }
        "upper" if is_str => Value::from(s().to_uppercase()),
        "lower" if is_str => Value::from(s().to_lowercase()),
        "strip" if is_str => Value::from(s().trim()),
        "lstrip" if is_str => Value::from(s().trim_start()),
        "rstrip" if is_str => Value::from(s().trim_end()),
        "title" if is_str => Value::from(super::text::title(&s())),
        "capitalize" if is_str => {
            let s = s();
            let mut c = s.chars();
            Value::from(c.next().map(|f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect::<String>()))
        }
        "isdigit" if is_str => Value::from(!s().is_empty() && s().chars().all(|c| c.is_ascii_digit())),
        "split" if is_str => Value::from(s().split_whitespace().map(Value::from).collect::<Vec<_>>()),
        "first" | "last" if !is_str => {
            let l = list(value).unwrap_or_default();
            (if name == "first" { l.first() } else { l.last() }).cloned().unwrap_or(Value::UNDEFINED)
        }
        _ => match name.strip_prefix("get_").and_then(|n| n.strip_suffix("_display")) {
            Some(field) if !field.is_empty() => value.get_attr(field).unwrap_or_default(),
            _ => Value::UNDEFINED,
        },
    }
}

fn num(v: &Value) -> Option<f64> {
    matches!(v.kind(), ValueKind::Number | ValueKind::Bool).then(|| as_f64(v)).flatten()
}

/// Python's `==`.
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    match (num(a), num(b)) {
        (Some(x), Some(y)) => (x - y).abs() < f64::EPSILON * x.abs().max(1.0),
        (None, None) => a == b,
        _ => false,
    }
}

/// Python's `needle in haystack`; `None` when the haystack supports no `in`.
pub(crate) fn contains(haystack: &Value, needle: &Value) -> Option<bool> {
    match haystack.kind() {
        ValueKind::String => needle.as_str().map(|n| haystack.as_str().unwrap_or_default().contains(n)),
        ValueKind::Map => Some(haystack.get_item(needle).is_ok_and(|v| !v.is_undefined())),
        ValueKind::Seq | ValueKind::Iterable => {
            Some(list(haystack).unwrap_or_default().iter().any(|x| py_eq(x, needle)))
        }
        _ => None,
    }
}

fn ordering(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => match (a.kind(), b.kind()) {
            (ValueKind::String, ValueKind::String) => Some(a.as_str().cmp(&b.as_str())),
            (ValueKind::Seq, ValueKind::Seq) => a.partial_cmp(b),
            _ => None,
        },
    }
}

/// An `{% if %}` operator: a failing comparison is false, as in Django.
fn compare(a: &Value, op: &str, b: &Value) -> bool {
    // Hot path (the country select compares 250 strings per render): two strings, or a
    // string and nothing, compare as Python does without the general machinery below.
    if matches!(op, "==" | "!=") {
        let nothing = |v: &Value| v.is_undefined() || v.is_none();
        let equal = match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => Some(x == y),
            (Some(_), None) if nothing(b) => Some(false),
            (None, Some(_)) if nothing(a) => Some(false),
            _ => None,
        };
        if let Some(eq) = equal {
            return if op == "==" { eq } else { !eq };
        }
    }
    let norm = |v: &Value| if v.is_undefined() { Value::from(()) } else { v.clone() };
    let (a, b) = (norm(a), norm(b));
    let is = || {
        (a.is_none() && b.is_none()) || (matches!((a.kind(), b.kind()), (ValueKind::Bool, ValueKind::Bool)) && a == b)
    };
    match op {
        "==" => py_eq(&a, &b),
        "!=" => !py_eq(&a, &b),
        "in" => contains(&b, &a).unwrap_or(false),
        "not in" => contains(&b, &a).is_some_and(|c| !c),
        "is" => is(),
        "is not" => !is(),
        "<" => ordering(&a, &b).is_some_and(std::cmp::Ordering::is_lt),
        ">" => ordering(&a, &b).is_some_and(std::cmp::Ordering::is_gt),
        "<=" => ordering(&a, &b).is_some_and(std::cmp::Ordering::is_le),
        ">=" => ordering(&a, &b).is_some_and(std::cmp::Ordering::is_ge),
        _ => false,
    }
}

/// What `{% for %}` iterates: nothing for a missing value, keys of a dict, characters of
/// a string.
fn iterate(v: &Value, reversed: Option<bool>) -> Value {
    // A list is iterated as it is: cloning a `Value` shares it instead of copying it.
    if v.kind() == ValueKind::Seq && !reversed.unwrap_or(false) {
        return v.clone();
    }
    let mut items = match v.kind() {
        ValueKind::Undefined | ValueKind::None => vec![],
        _ => list(v).unwrap_or_default(),
    };
    if reversed.unwrap_or(false) {
        items.reverse();
    }
    Value::from(items)
}

/// `{% url %}`: route name → path pattern, each `{}` filled (URL-quoted) by the next
/// positional argument. Placard's public routes, under their own names and the aliases
/// templates written for ActionKit tend to use (`petition`, `donation`, `cms_thanks`); a
/// literal name not listed here is a translation error, a variable one a render error.
pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("home", "/"),
    ("index", "/"),
    ("act", "/act/"),
    ("rest_action", "/rest/v1/action/"),
    ("sign", "/sign/{}/"),
    ("petition", "/sign/{}/"),
    ("signup", "/signup/{}/"),
    ("letter", "/letter/{}/"),
    ("donate", "/donate/{}/"),
    ("donation", "/donate/{}/"),
    ("unsubscribe", "/unsubscribe/{}/"),
    ("thanks", "/cms/thanks/{}/"),
    ("cms_thanks", "/cms/thanks/{}/"),
    ("cms_page", "/cms/{}/{}/"),
    ("cms", "/cms/{}/{}/"),
    ("context", "/context/{}"),
    ("actionkit_js", "/resources/actionkit.js"),
    ("static", "/static/{}"),
    ("healthz", "/healthz"),
];

fn url(name: &str, args: &[Value]) -> Result<Value, Error> {
    let Some((_, pattern)) = ROUTES.iter().find(|(n, _)| *n == name) else {
        return Err(Error::new(ErrorKind::InvalidOperation, format!("url: no route named '{name}'")));
    };
    let mut out = String::new();
    let mut args = args.iter().filter(|a| !a.is_kwargs());
    let mut parts = pattern.split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            let arg = args.next().map(py_str).unwrap_or_default();
            out.push_str(&super::text::urlquote(&arg, "/"));
        }
    }
    Ok(Value::from(out))
}

/// A list `{% record %}` can append to (what `load_json` gives for a JSON array).
#[derive(Debug, Default)]
pub(crate) struct RecordList(pub Mutex<Vec<Value>>);

impl RecordList {
    fn items(&self) -> Vec<Value> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Object for RecordList {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.items().get(key.as_usize()?).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.items())
    }
}

fn record(list: &Value, item: Value) -> Value {
    if let Some(l) = list.downcast_object_ref::<RecordList>() {
        if let Ok(mut items) = l.0.lock() {
            items.push(item);
        }
    }
    Value::from("")
}

/// A per-render counter kept in minijinja's render temps.
fn bump(state: &State, key: &str) -> usize {
    let n = state.get_temp(key).and_then(|v| v.as_usize()).unwrap_or(0);
    state.set_temp(key, Value::from(n + 1));
    n
}

fn cycle(state: &State, id: &str, values: &[Value]) -> Value {
    if values.is_empty() {
        return Value::from("");
    }
    state.set_temp(&format!("_dj_cycle_values:{id}"), Value::from(values.to_vec()));
    values[bump(state, &format!("_dj_cycle:{id}")) % values.len()].clone()
}

fn cycle_next(state: &State, id: &str) -> Result<Value, Error> {
    let values = state.get_temp(&format!("_dj_cycle_values:{id}")).and_then(|v| list(&v)).ok_or_else(|| {
        Error::new(ErrorKind::InvalidOperation, format!("No named cycles in template. '{id}' is not defined"))
    })?;
    Ok(cycle(state, id, &values))
}

/// `{% ifchanged %}`: whether `value` differs from what this node saw last in the loop.
fn changed(state: &State, id: &str, first: bool, value: Value) -> bool {
    let key = format!("_dj_ifchanged:{id}");
    let previous = if first { None } else { state.get_temp(&key) };
    let differs = previous.is_none_or(|p| p != value);
    state.set_temp(&key, value);
    differs
}

/// `{% regroup %}`: consecutive items with the same key as `{grouper, list}` groups.
fn regroup(items: &Value, key: &str) -> Value {
    let mut groups: Vec<(Value, Vec<Value>)> = vec![];
    for item in list(items).unwrap_or_default() {
        let grouper = key.split('.').fold(item.clone(), |acc, part| call(&acc, part));
        match groups.last_mut() {
            Some((g, members)) if py_eq(g, &grouper) => members.push(item),
            _ => groups.push((grouper, vec![item])),
        }
    }
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(grouper, members)| {
            let map: std::collections::BTreeMap<&str, Value> =
                [("grouper", grouper), ("list", Value::from(members))].into_iter().collect();
            Value::from(map)
        })
        .collect();
    Value::from(groups)
}

/// `{% widthratio value max width %}`: `round(value / max * width)` (ties to even).
fn widthratio(value: &Value, max: &Value, width: &Value) -> Value {
    let (Some(v), Some(m), Some(w)) = (as_f64(value), as_f64(max), as_f64(width)) else { return Value::from("") };
    if m == 0.0 {
        return Value::from("0");
    }
    let r = (v / m * w).round_ties_even();
    Value::from(if r.is_finite() { format!("{r:.0}") } else { String::new() })
}

/// `dictsort:"key"`: the dicts ordered by a key (a lookup path); `''` when they do not compare.
pub(crate) fn dictsort(v: &Value, key: &Value, reverse: bool) -> Value {
    let Some(items) = list(v).filter(|_| matches!(v.kind(), ValueKind::Seq | ValueKind::Iterable)) else {
        return Value::from("");
    };
    let path = py_str(key);
    let resolve = |item: &Value| path.split('.').fold(item.clone(), |acc, part| call(&acc, part));
    let mut keyed: Vec<(Value, Value)> = items.into_iter().map(|i| (resolve(&i), i)).collect();
    let mut comparable = true;
    keyed.sort_by(|a, b| {
        ordering(&a.0, &b.0).unwrap_or_else(|| {
            comparable = false;
            std::cmp::Ordering::Equal
        })
    });
    if !comparable {
        return Value::from("");
    }
    if reverse {
        keyed.reverse();
    }
    Value::from(keyed.into_iter().map(|(_, i)| i).collect::<Vec<_>>())
}

/// `{% include "x" with a=b only %}`: the template rendered with just those variables.
fn include_only(state: &State, name: &str, vars: Value) -> Result<Value, Error> {
    let template = state.get_template(name)?;
    Ok(Value::from_safe_string(nested(|| template.render(vars))?))
}

thread_local! {
    static NESTED_RENDERS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs a render started from inside a render (`include … only`, `include_tmpl`), refusing
/// to go deeper than a few levels so a template that includes itself fails instead of
/// overflowing the stack.
pub(crate) fn nested<T>(render: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    let depth = NESTED_RENDERS.with(std::cell::Cell::get);
    if depth >= 16 {
        return Err(Error::new(ErrorKind::InvalidOperation, "templates include each other too deeply"));
    }
    NESTED_RENDERS.with(|d| d.set(depth + 1));
    let result = render();
    NESTED_RENDERS.with(|d| d.set(depth));
    result
}

/// Registers the runtime functions and the filters they come with.
pub(crate) fn register(env: &mut Environment<'static>) {
    env.add_filter("dj_call", |v: Value, name: String| call(&v, &name));
    env.add_function("_dj_var", |state: &State, name: String| state.lookup(&name).unwrap_or(Value::UNDEFINED));
    env.add_function("_dj_cmp", |a: &Value, op: &str, b: &Value| compare(a, op, b));
    env.add_function("_dj_iter", |v: &Value, reversed: Option<bool>| iterate(v, reversed));
    env.add_filter("_dj_iter", |v: &Value, reversed: Option<bool>| iterate(v, reversed));
    env.add_function("_dj_url", |name: String, args: Rest<Value>| url(&name, &args));
    env.add_function("_dj_now", |fmt: String| dates::format(chrono::Local::now().naive_local(), &fmt));
    env.add_function("_dj_right_now", || dates::to_value(chrono::Local::now().naive_local()));
    env.add_function("_dj_cycle", |state: &State, id: String, values: Rest<Value>| cycle(state, &id, &values));
    env.add_function("_dj_cycle_reset", |state: &State, id: String| {
        state.set_temp(&format!("_dj_cycle:{id}"), Value::from(0));
        ""
    });
    env.add_function("_dj_cycle_next", |state: &State, id: String| cycle_next(state, &id));
    env.add_function("_dj_changed", |state: &State, id: String, first: bool, value: Value| {
        changed(state, &id, first, value)
    });
    env.add_function("_dj_regroup", |items: Value, key: String| regroup(&items, &key));
    env.add_function("_dj_widthratio", |v: Value, m: Value, w: Value| widthratio(&v, &m, &w));
    env.add_filter("dj_dictsort", |v: Value, k: Value| dictsort(&v, &k, false));
    env.add_filter("dj_dictsortreversed", |v: Value, k: Value| dictsort(&v, &k, true));
    env.add_function("_dj_firstof", |args: Rest<Value>| {
        args.iter().find(|a| a.is_true()).cloned().unwrap_or(Value::from(""))
    });
    env.add_function("_dj_include_only", |state: &State, name: String, vars: Value| include_only(state, &name, vars));
    env.add_function("_dj_once", |state: &State, id: String| bump(state, &format!("_dj_once:{id}")) == 0);
    env.add_function("_dj_record", |list: Value, item: Value| record(&list, item));
    env.add_function("_dj_new_list", || Value::from_object(RecordList::default()));
}
