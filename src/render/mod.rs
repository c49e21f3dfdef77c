//! Rendering: one minijinja environment over the templatesets, with `./x.html` resolved in
//! the current set and Django's escaping (`&`, `<`, `>`, `"`, `'` only; never `&#x2f;`).
//!
//! Templates are embedded at build time (`templatesets/`) and compiled once into memory:
//! rendering never touches the disk or the database. Staff sets and the Django dialect
//! (SPEC T1, T2) plug into the loader here.

pub mod context;

use include_dir::{include_dir, Dir};
use minijinja::{AutoEscape, Environment, Output, State, Value};

use crate::error::AppError;

static TEMPLATESETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templatesets");

/// The shipped set every other set falls back to.
pub const ORIGINAL: &str = "original";

pub struct Renderer {
    env: Environment<'static>,
}

impl Renderer {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_loader(|name| Ok(load_embedded(name)));
        env.set_path_join_callback(join_path);
        env.set_auto_escape_callback(|name| {
            let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or_default();
            if ext.eq_ignore_ascii_case("html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_formatter(django_formatter);
        // Django resolves a broken chain (`user.address.city` with no user) to nothing.
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        // A staff template must not spin forever or recurse without end.
        env.set_fuel(Some(2_000_000));
        env.set_recursion_limit(64);
        Self { env }
    }

    /// Renders `file` of templateset `set` (falling back to Original) with `ctx`.
    pub fn render(&self, set: &str, file: &str, ctx: &Value) -> Result<String, AppError> {
        let name = resolve(set, file);
        let template = self.env.get_template(&name).map_err(|e| render_error(&name, &e))?;
        template.render(ctx).map_err(|e| render_error(&name, &e))
    }

    /// Compiles every template of every shipped set; the errors found, with their lines.
    pub fn check_all(&self) -> Vec<String> {
        let mut errors = vec![];
        for set in TEMPLATESETS.dirs() {
            for file in set.files() {
                let name = file.path().to_string_lossy().to_string();
                if let Err(e) = self.env.get_template(&name) {
                    errors.push(describe(&name, &e));
                }
            }
        }
        errors
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

fn load_embedded(name: &str) -> Option<String> {
    TEMPLATESETS.get_file(name).and_then(|f| f.contents_utf8()).map(str::to_owned)
}

/// `set/file` when the set has the file, else Original's.
fn resolve(set: &str, file: &str) -> String {
    let own = format!("{}/{file}", set.to_ascii_lowercase());
    if TEMPLATESETS.get_file(&own).is_some() {
        own
    } else {
        format!("{ORIGINAL}/{file}")
    }
}

/// `./x.html` in `set/y.html` → `set/x.html` (or Original's); `Other/x.html` names a set.
fn join_path<'s>(name: &'s str, parent: &'s str) -> std::borrow::Cow<'s, str> {
    let parent_set = parent.split('/').next().unwrap_or(ORIGINAL);
    let resolved = match name.strip_prefix("./") {
        Some(file) => resolve(parent_set, file),
        None => match name.split_once('/') {
            Some((set, file)) => resolve(set, file),
            None => resolve(parent_set, name),
        },
    };
    resolved.into()
}

/// Django's `escape`: exactly these five characters.
pub fn django_escape(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#x27;",
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(rep)?;
        last = i + c.len_utf8();
    }
    out.write_str(&text[last..])
}

fn django_formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    // Django renders a missing value and None as nothing in the templates ActionKit uses.
    if value.is_undefined() || value.is_none() {
        return Ok(());
    }
    let io = |e: std::fmt::Error| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string());
    if value.is_safe() || matches!(state.auto_escape(), AutoEscape::None) {
        return write!(out, "{value}").map_err(io);
    }
    match value.as_str() {
        Some(s) => django_escape(out, s).map_err(io),
        None => django_escape(out, &value.to_string()).map_err(io),
    }
}

fn describe(name: &str, e: &minijinja::Error) -> String {
    let line = e.line().map(|l| format!(" line {l}")).unwrap_or_default();
    let inner = e.name().filter(|n| *n != name).map(|n| format!(" (in {n})")).unwrap_or_default();
    format!("{name}{line}{inner}: {}", e.detail().unwrap_or(&e.kind().to_string()))
}

fn render_error(name: &str, e: &minijinja::Error) -> AppError {
    AppError::internal(format!("template {}", describe(name, e)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn t2_escaping_is_byte_identical_to_django() {
        let mut out = String::new();
        django_escape(&mut out, r#"<a href="/x?a=1&b='2'">é</a>"#).unwrap();
        assert_eq!(out, "&lt;a href=&quot;/x?a=1&amp;b=&#x27;2&#x27;&quot;&gt;é&lt;/a&gt;");
    }

    #[test]
    fn t1_relative_paths_resolve_in_the_current_set_then_original() {
        assert_eq!(join_path("./user_form.html", "original/petition.html"), "original/user_form.html");
        assert_eq!(join_path("./user_form.html", "Custom/petition.html"), "original/user_form.html");
        assert_eq!(join_path("Original/privacy.html", "custom/petition.html"), "original/privacy.html");
    }

    #[test]
    fn t1_every_shipped_template_compiles() {
        assert_eq!(Renderer::new().check_all(), Vec::<String>::new());
    }
}
