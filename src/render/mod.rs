//! Rendering: one minijinja environment over the templatesets, with `./x.html` resolved in
//! the current set and Django's escaping (`&`, `<`, `>`, `"`, `'` only; never `&#x2f;`).
//!
//! Templates are embedded at build time (`templatesets/`) and compiled once into memory:
//! rendering never touches the disk or the database. Staff sets and the Django dialect
//! (SPEC T1, T2) plug into the loader here.

pub mod bench_support;
pub mod cached;
pub mod check;
pub mod context;
pub mod django;

use include_dir::{include_dir, Dir};
use minijinja::{AutoEscape, Environment, Value};
use std::sync::{Arc, RwLock};

use crate::error::AppError;
use crate::templatesets::Sources;

static TEMPLATESETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templatesets");

/// The shipped set every other set falls back to.
pub const ORIGINAL: &str = "original";

/// The files of the Original set, by name.
pub fn original_files() -> Vec<String> {
    TEMPLATESETS
        .get_dir(ORIGINAL)
        .map(|dir| {
            dir.files()
                .map(|f| {
                    f.path()
                        .strip_prefix(ORIGINAL)
                        .unwrap_or(f.path())
                        .to_string_lossy()
                        .trim_start_matches('/')
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn original_source(file: &str) -> Option<&'static str> {
    TEMPLATESETS.get_file(format!("{ORIGINAL}/{file}")).and_then(|f| f.contents_utf8())
}

/// A template problem with where it is, for the editor and `check-templates`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub template: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {line}: {}", self.template, self.message),
            None => write!(f, "{}: {}", self.template, self.message),
        }
    }
}

/// The compiled environment and the staff sources it was built from, swapped together.
struct Loaded {
    sources: Arc<Sources>,
    env: Arc<Environment<'static>>,
}

pub struct Renderer {
    loaded: RwLock<Loaded>,
    /// Original's own pages (most of what the public renders), compiled without the fuel
    /// limit: shipped templates loop only over the context's finite lists, and counting
    /// every instruction costs a tenth of a render. Staff sets never render through it.
    original: Environment<'static>,
}

impl Renderer {
    pub fn new(sources: Sources) -> Self {
        let sources = Arc::new(sources);
        Self {
            loaded: RwLock::new(Loaded { env: Arc::new(build_env(Arc::clone(&sources))), sources }),
            original: original_env(),
        }
    }

    /// Swaps in new staff sources (after a save); renders in flight finish on the old ones.
    pub fn reload(&self, sources: Sources) {
        let sources = Arc::new(sources);
        let env = Arc::new(build_env(Arc::clone(&sources)));
        if let Ok(mut guard) = self.loaded.write() {
            *guard = Loaded { sources, env };
        }
    }

    /// The staff sources in use.
    pub fn sources(&self) -> Arc<Sources> {
        self.loaded.read().map(|g| Arc::clone(&g.sources)).unwrap_or_default()
    }

    fn current(&self) -> Result<Arc<Environment<'static>>, AppError> {
        self.loaded.read().map(|g| Arc::clone(&g.env)).map_err(|_| AppError::internal("renderer lock poisoned"))
    }

    /// Renders `file` of templateset `set` (falling back to Original file by file).
    pub fn render(&self, set: &str, file: &str, ctx: &Value) -> Result<String, AppError> {
        let name = template_name(set, file);
        if set.eq_ignore_ascii_case(ORIGINAL) {
            return render_in(&self.original, &name, ctx);
        }
        render_in(&*self.current()?, &name, ctx)
    }

    /// Compiles `code` as `set/file` against `sources`, as a save would; the error names
    /// the line. Nothing is swapped in.
    pub fn check_source(sources: &Sources, set: &str, file: &str, code: &str) -> Result<(), TemplateError> {
        let name = template_name(set, file);
        if let Err(e) = django::translate(code) {
            return Err(TemplateError { template: name, line: Some(e.line), message: e.message });
        }
        let env = build_env(Arc::new(sources.with_file(set, file, code)));
        env.get_template(&name).map(|_| ()).map_err(|e| template_error(&name, &e))
    }

    /// Compiles every template of Original and of every staff set; every error found.
    pub fn check_all(&self) -> Vec<TemplateError> {
        let sources = self.sources();
        let env = build_env(Arc::clone(&sources));
        let mut names: Vec<String> = original_files().iter().map(|f| template_name(ORIGINAL, f)).collect();
        for set in sources.sets() {
            names.extend(set.files.keys().map(|f| template_name(&set.name, f)));
        }
        names.sort();
        names.into_iter().filter_map(|name| env.get_template(&name).err().map(|e| template_error(&name, &e))).collect()
    }
}

fn template_name(set: &str, file: &str) -> String {
    format!("{}/{file}", set.to_lowercase())
}

fn render_in(env: &Environment<'static>, name: &str, ctx: &Value) -> Result<String, AppError> {
    let template =
        env.get_template(name).map_err(|e| AppError::internal(format!("template {}", describe(name, &e))))?;
    template.render(ctx).map_err(|e| AppError::internal(format!("template {}", describe(name, &e))))
}

/// The environment of Original alone (its loader never sees staff sources), without fuel.
fn original_env() -> Environment<'static> {
    let mut env = build_env(Arc::new(Sources::default()));
    env.set_fuel(None);
    env
}

fn build_env(sources: Arc<Sources>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_loader(move |name| load(&sources, name));
    env.set_path_join_callback(join_path);
    env.set_auto_escape_callback(|name| {
        let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or_default();
        if ext.eq_ignore_ascii_case("html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // Django's printing (`True`, `None` as nothing) and escaping (five entities only).
    env.set_formatter(django::formatter);
    env.set_keep_trailing_newline(true);
    django::register(&mut env);
    // Django resolves a broken chain (`user.address.city` with no user) to nothing.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    // A staff template must not spin forever or recurse without end.
    env.set_fuel(Some(2_000_000));
    env.set_recursion_limit(64);
    env
}

/// `set/file`: the staff set's own file, else Original's, translated from Django's
/// dialect (SPEC T2) once per load; the environment caches what it compiles.
fn load(sources: &Sources, name: &str) -> Result<Option<String>, minijinja::Error> {
    let Some((set, file)) = name.split_once('/') else { return Ok(None) };
    let source = match sources.file(set, file).filter(|_| set != ORIGINAL) {
        Some(code) => code,
        None => match original_source(file) {
            Some(code) => code,
            None => return Ok(None),
        },
    };
    django::translate(source).map(Some).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::SyntaxError, format!("line {}: {}", e.line, e.message))
    })
}

/// `./x.html` inside `set/y.html` → `set/x.html`; `Other/x.html` names a set; a bare
/// `x.html` is the current set's too. The loader falls back to Original per file.
fn join_path<'s>(name: &'s str, parent: &'s str) -> std::borrow::Cow<'s, str> {
    let parent_set = parent.split_once('/').map_or(ORIGINAL, |(set, _)| set);
    let joined = match name.strip_prefix("./") {
        Some(file) => template_name(parent_set, file),
        None => match name.split_once('/') {
            Some((set, file)) if !set.is_empty() && !set.starts_with('.') => template_name(set, file),
            _ => template_name(parent_set, name),
        },
    };
    joined.into()
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

fn template_error(name: &str, e: &minijinja::Error) -> TemplateError {
    let inner = e.name().filter(|n| *n != name).map(|n| format!(" (in {n})")).unwrap_or_default();
    TemplateError {
        template: name.to_owned(),
        line: e.line(),
        message: format!("{}{inner}", e.detail().unwrap_or(&e.kind().to_string())),
    }
}

fn describe(name: &str, e: &minijinja::Error) -> String {
    template_error(name, e).to_string()
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

    fn staff_set(files: &[(&str, &str)]) -> Sources {
        Sources::new(vec![crate::templatesets::SetSources {
            id: 1,
            name: "Custom".into(),
            revision: 1,
            files: files.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect(),
        }])
    }

    #[test]
    fn t1_relative_paths_resolve_in_the_current_set() {
        assert_eq!(join_path("./user_form.html", "original/petition.html"), "original/user_form.html");
        assert_eq!(join_path("./user_form.html", "custom/petition.html"), "custom/user_form.html");
        assert_eq!(join_path("Original/privacy.html", "custom/petition.html"), "original/privacy.html");
        assert_eq!(join_path("thanks.html", "custom/petition.html"), "custom/thanks.html");
    }

    #[test]
    fn t1_staff_sets_override_original_file_by_file() {
        let sources = staff_set(&[
            ("wrapper.html", "<main class=\"custom\">{% block content %}{% endblock %}</main>"),
            ("privacy.html", "{% extends \"Original/privacy.html\" %}"),
        ]);
        let renderer = Renderer::new(sources);
        let ctx = Value::from_serialize(serde_json::json!({"page": {"title": "T"}, "form": {}, "ui": {}}));
        let html = renderer.render("Custom", "thanks.html", &ctx).unwrap();
        assert!(html.starts_with("<main class=\"custom\">"), "the set's wrapper: {html}");
        let original = renderer.render(ORIGINAL, "thanks.html", &ctx).unwrap();
        assert!(original.contains("<!DOCTYPE html>") || original.contains("<!doctype html>"), "Original untouched");
        renderer.reload(Sources::default());
        let html = renderer.render("Custom", "thanks.html", &ctx).unwrap();
        assert!(!html.contains("custom"), "a reload drops the override: {html}");
    }

    #[test]
    fn t1_a_broken_staff_template_is_refused_with_its_line() {
        let err =
            Renderer::check_source(&Sources::default(), "Custom", "thanks.html", "line one\n{% if %}\n").unwrap_err();
        assert_eq!((err.template.as_str(), err.line), ("custom/thanks.html", Some(2)), "{err}");
        assert!(Renderer::check_source(&Sources::default(), "Custom", "thanks.html", "{{ ok }}").is_ok());
    }

    #[test]
    fn t1_a_template_that_recurses_forever_is_stopped() {
        let renderer = Renderer::new(staff_set(&[("thanks.html", "{% include \"./thanks.html\" %}")]));
        let err = renderer.render("Custom", "thanks.html", &Value::from(())).unwrap_err();
        assert!(err.to_string().contains("custom/thanks.html"), "{err}");
    }

    #[test]
    fn t1_every_shipped_template_compiles() {
        assert_eq!(Renderer::new(Sources::default()).check_all(), vec![]);
    }
}
