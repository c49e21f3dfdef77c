//! Templatesets (SPEC T1): the Original set ships in the binary; staff sets live in
//! `core_templateset` / `core_template`, override Original file by file, and keep every
//! saved version in `core_templaterevision`. Only `templatesets::store` touches these
//! tables. The renderer holds the sources in memory ([`Sources`]); a save reloads them.

pub mod browse;
pub mod store;

use std::collections::HashMap;

/// Staff sets' files by lowercased set name, then file name. Original is not in here:
/// the renderer falls back to the embedded set.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    sets: HashMap<String, SetSources>,
}

#[derive(Clone, Debug, Default)]
pub struct SetSources {
    pub id: i64,
    pub name: String,
    pub revision: i64,
    pub files: HashMap<String, String>,
}

impl Sources {
    pub fn new(sets: Vec<SetSources>) -> Self {
        Self { sets: sets.into_iter().map(|s| (s.name.to_lowercase(), s)).collect() }
    }

    /// The staff set's own version of `file`, if it overrides it.
    pub fn file(&self, set: &str, file: &str) -> Option<&str> {
        self.sets.get(&set.to_lowercase())?.files.get(file).map(String::as_str)
    }

    pub fn set(&self, name: &str) -> Option<&SetSources> {
        self.sets.get(&name.to_lowercase())
    }

    pub fn set_by_id(&self, id: i64) -> Option<&SetSources> {
        self.sets.values().find(|s| s.id == id)
    }

    pub fn sets(&self) -> impl Iterator<Item = &SetSources> {
        self.sets.values()
    }

    /// Replaces one file (used to check a template before it is saved).
    #[must_use]
    pub fn with_file(&self, set: &str, file: &str, code: &str) -> Self {
        let mut copy = self.clone();
        let entry = copy
            .sets
            .entry(set.to_lowercase())
            .or_insert_with(|| SetSources { name: set.to_owned(), ..SetSources::default() });
        entry.files.insert(file.to_owned(), code.to_owned());
        copy
    }
}

/// A set name staff may use: not Original's, no slash (it separates set and file in
/// template names), printable, at most 100 characters.
pub fn valid_set_name(name: &str) -> Result<&str, &'static str> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err("A templateset name needs 1 to 100 characters.");
    }
    if name.eq_ignore_ascii_case(crate::render::ORIGINAL) {
        return Err("\"Original\" is the shipped templateset; choose another name.");
    }
    if name.contains('/') || name.contains('\\') || name.chars().any(char::is_control) {
        return Err("A templateset name cannot contain slashes or control characters.");
    }
    Ok(name)
}

/// A template file name: `x.html` or `dir/x.html`, no `..`, no leading slash.
pub fn valid_file_name(file: &str) -> Result<&str, &'static str> {
    let ok = !file.is_empty()
        && file.len() <= 200
        && !file.starts_with('/')
        && file.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
        && file.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
    if ok {
        Ok(file)
    } else {
        Err("A template name is letters, digits, '.', '_', '-' and '/', like user_form.html.")
    }
}

/// Saves a staff template (SPEC T1): names checked, the code translated and compiled
/// against the other sources first — a template that does not compile is refused with its
/// line and nothing is stored — and a save based on an older revision is refused as a
/// conflict instead of silently overwriting. Returns the new revision.
#[allow(clippy::too_many_arguments)] // what is saved, where, by whom, over which revision
pub fn save(
    conn: &mut crate::db::DbConnection,
    sources: &Sources,
    set_name: &str,
    file: &str,
    code: &str,
    expected_revision: Option<i64>,
    staff_id: Option<i64>,
    now: chrono::NaiveDateTime,
) -> Result<i64, crate::error::AppError> {
    use crate::error::{AppError, FieldError, ValidationErrors};
    let field_error = |field: &str, message: String| {
        AppError::Validation(ValidationErrors(vec![FieldError {
            field: field.into(),
            code: "invalid".into(),
            message,
        }]))
    };
    let set_name = valid_set_name(set_name).map_err(|m| field_error("templateset", m.into()))?;
    let file = valid_file_name(file).map_err(|m| field_error("filename", m.into()))?;
    crate::render::Renderer::check_source(sources, set_name, file, code)
        .map_err(|e| field_error("code", e.to_string()))?;
    let set_id = match store::find_set_id(conn, set_name)? {
        Some(id) => id,
        None => store::create_set(conn, set_name, "", now)?,
    };
    store::save_template(conn, set_id, file, code, expected_revision, staff_id, now)?.ok_or_else(|| {
        AppError::Conflict(format!(
            "{file} was saved by someone else since you opened it; reload to see their version."
        ))
    })
}
