//! The Django template dialect (SPEC T2) as a source-to-source translation to minijinja.
//! `translate` runs once per template load: Django's lexer splits the source, each tag and
//! variable is translated on its own line through the tag table (`tags.rs`) and the filter
//! table (`filters.rs`), and text passes through with minijinja's delimiters neutralised, so
//! line numbers stay those of the source. `register` adds the filters and functions the
//! translated code calls (`dj_*`, `ak_*`, `_dj_*`, and `__ak_text` for Placard to override).
//!
//! Semantics follow Django 1.8 where newer Django differs (`linebreaks` writes `<br />`,
//! the truncators end in `...`, `ifequal`, `length_is` and bare `=` exist). Beyond Django:
//! `.all`/`.count`/`.items`/`*_set`/`get_X_display` work on plain lists and dicts;
//! `{% url %}` knows the route names in `runtime::ROUTES` (Placard's routes and a few
//! ActionKit-style aliases); ActionKit's `report`/`cache_report`, event blocks
//! (`withevents`) and vendor tags (`*_js_libs`, `stripe_*`, `facebook_app`) render nothing.
//! Not supported (an "Invalid block tag" error): `lorem`, `debug`, `using`. Inside
//! `{% autoescape off %}` an included template still escapes (minijinja decides by the
//! included template's name).

mod ak;
mod ak_tags;
mod dates;
mod expr;
mod filters;
mod lexer;
mod runtime;
mod tags;
mod text;
mod value;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use minijinja::{AutoEscape, Environment, Output, State, Value};

use lexer::Kind;
use tags::{Translator, SKIPPED_BLOCKS};

/// A template Django would not compile: the 1-based line and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for TranslateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for TranslateError {}

/// Text with every `{{`, `{%` and `{#` made literal for minijinja.
fn protect(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("{{ \"{\" }}");
        } else {
            out.push(c);
        }
    }
}

/// Django (1.8, as ActionKit runs it) source → minijinja source. Error carries a 1-based line
/// and a message naming the construct.
pub fn translate(source: &str) -> Result<String, TranslateError> {
    let tokens = lexer::tokenize(source);
    let mut t = Translator::default();
    t.parentloop = source.contains("parentloop");
    t.out.reserve(source.len() + source.len() / 4);
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        t.line = token.line;
        let fail = |message: String| TranslateError { line: token.line, message };
        match token.kind {
            Kind::Text => protect(token.raw, &mut t.out),
            Kind::Comment => {}
            Kind::Var("") => return Err(fail("Empty variable tag".into())),
            Kind::Var(inner) => {
                t.seen_tag = true;
                let expr = expr::filter_expr(inner, t.scope()).map_err(fail)?;
                let _ = write!(t.out, "{{{{ {expr} }}}}");
            }
            Kind::Block(inner) => {
                let name = inner.split_whitespace().next().unwrap_or_default();
                if SKIPPED_BLOCKS.contains(&name) {
                    t.seen_tag = true;
                    let end = format!("end{name}");
                    let close = tokens[i + 1..]
                        .iter()
                        .position(|tok| matches!(tok.kind, Kind::Block(b) if b.split_whitespace().next() == Some(&end)))
                        .ok_or_else(|| {
                            fail(format!("Unclosed tag on line {}: '{name}'. Looking for one of: {end}.", token.line))
                        })?;
                    let newlines: usize =
                        tokens[i + 1..=i + close].iter().map(|tok| tok.raw.matches('\n').count()).sum();
                    if newlines > 0 {
                        let _ = write!(t.out, "{{#{}#}}", "\n".repeat(newlines));
                    }
                    i += close + 2;
                    continue;
                }
                let emitted = t.tag(inner).map_err(fail)?;
                t.seen_tag = true;
                t.out.push_str(&emitted);
            }
        }
        i += 1;
    }
    if let Some(open) = t.stack.last() {
        return Err(TranslateError {
            line: open.line,
            message: format!(
                "Unclosed tag on line {}: '{}'. Looking for one of: {}.",
                open.line,
                open.tag,
                open.ends.join(", ")
            ),
        });
    }
    Ok(t.out)
}

/// Tags in `source` that translate but render nothing because Placard lacks the feature
/// (events, saved reports, payment vendors): `(line, message)` for `check-templates`.
pub fn warnings(source: &str) -> Vec<(usize, String)> {
    lexer::tokenize(source)
        .into_iter()
        .filter_map(|token| match token.kind {
            Kind::Block(inner) => {
                let name = inner.split_whitespace().next().unwrap_or_default();
                let silent = (SKIPPED_BLOCKS.contains(&name) && name != "comment")
                    || tags::is_vendor_tag(name)
                    || matches!(name, "report" | "cache_report" | "facebook_app");
                silent.then(|| (token.line, format!("{{% {name} %}} renders nothing: Placard does not support it yet")))
            }
            _ => None,
        })
        .collect()
}

/// Django's `spaceless`: whitespace between tags removed, the whole trimmed.
fn spaceless(v: &Value) -> Value {
    let s = value::text(v);
    let s = s.trim();
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('>') {
        out.push_str(&rest[..=i]);
        let after = &rest[i + 1..];
        let ws = after.len() - after.trim_start().len();
        if ws > 0 && after[ws..].starts_with('<') {
            rest = &after[ws..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    value::like(v, out)
}

/// Registers every filter, test, function and global the translated code relies on.
pub fn register(env: &mut Environment<'static>) {
    filters::register(env);
    runtime::register(env);
    ak::register_functions(env);
    env.add_filter("dj_spaceless", |v: Value| spaceless(&v));
}

/// Writes a value as Django prints it: Python's `str()` (`True`, `1.0`, `['a']`), escaped
/// with Django's five entities unless safe or autoescaping is off; missing values and
/// `None` print nothing.
pub fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(());
    }
    let io = |e: std::fmt::Error| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string());
    // A plain string prints as itself: escape it in place rather than copying it first.
    if let Some(text) = value.as_str() {
        return if value.is_safe() || matches!(state.auto_escape(), AutoEscape::None) {
            out.write_str(text).map_err(io)
        } else {
            super::django_escape(out, text).map_err(io)
        };
    }
    let text = value::py_str(value);
    if value.is_safe() || matches!(state.auto_escape(), AutoEscape::None) {
        out.write_str(&text).map_err(io)
    } else {
        super::django_escape(out, &text).map_err(io)
    }
}

/// An environment set up as Placard's renderer sets its own (Chainable undefined, HTML
/// autoescape for `.html`, Django's output, `./x.html` beside the including template) over
/// `load(name)`, translating every source: for tests and tools that render Django sets.
pub fn environment<F>(load: F) -> Environment<'static>
where
    F: Fn(&str) -> Option<String> + Send + Sync + 'static,
{
    let mut env = Environment::new();
    env.set_loader(move |name| match load(name) {
        Some(source) => translate(&source)
            .map(Some)
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::SyntaxError, format!("{name} {e}"))),
        None => Ok(None),
    });
    env.set_path_join_callback(|name, parent| match name.strip_prefix("./") {
        Some(file) => match parent.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{file}").into(),
            None => file.to_owned().into(),
        },
        None => name.into(),
    });
    env.set_auto_escape_callback(|name| {
        let html = std::path::Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("html"));
        if html {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(formatter);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.set_keep_trailing_newline(true);
    register(&mut env);
    env
}
