//! SPEC T2's differential test: every case of `tests/django/corpus` rendered by Django
//! (`tests/django/render_django.py`, run with the interpreter `PLACARD_DJANGO_PYTHON`
//! names) and by Placard's translation to minijinja must match after whitespace
//! normalization. Without the variable the test notes the skip, unless
//! `PLACARD_TEST_REQUIRE_ALL` is set, when it fails.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::helpers::REQUIRE_VAR;

const PYTHON_VAR: &str = "PLACARD_DJANGO_PYTHON";

fn django_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/django")
}

/// `{"__date__": "ISO"}` (a datetime on the Django side) is the ISO string for Placard.
fn revive(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            if map.len() == 1 {
                if let Some(serde_json::Value::String(s)) = map.get("__date__") {
                    return serde_json::Value::String(s.clone());
                }
            }
            serde_json::Value::Object(map.into_iter().map(|(k, v)| (k, revive(v))).collect())
        }
        serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(revive).collect()),
        other => other,
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn t2_django_differential_corpus_matches() {
    let Ok(python) = std::env::var(PYTHON_VAR) else {
        assert!(
            std::env::var(REQUIRE_VAR).is_err(),
            "{REQUIRE_VAR} is set but {PYTHON_VAR} is not: the Django differential test would be skipped"
        );
        let _ = writeln!(std::io::stderr(), "note: {PYTHON_VAR} not set; skipping the Django differential test (T2)");
        return;
    };
    let dir = django_dir();
    let output = std::process::Command::new(&python).arg(dir.join("render_django.py")).output().expect("run Django");
    assert!(output.status.success(), "render_django.py failed: {}", String::from_utf8_lossy(&output.stderr));
    let expected: BTreeMap<String, String> = serde_json::from_slice(&output.stdout).expect("Django's JSON");

    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("contexts.json")).unwrap()).unwrap();
    let corpus = dir.join("corpus");
    let env = placard::render::django::environment(move |name| std::fs::read_to_string(corpus.join(name)).ok());

    let cases = spec["cases"].as_object().unwrap();
    assert_eq!(expected.len(), cases.len(), "Django rendered a different set of cases");
    let mut failures = vec![];
    for (name, overrides) in cases {
        let mut ctx = spec["base"].as_object().unwrap().clone();
        ctx.extend(overrides.as_object().unwrap().clone());
        let ctx = minijinja::Value::from_serialize(revive(serde_json::Value::Object(ctx)));
        let ours = env.get_template(name).and_then(|t| t.render(ctx)).unwrap_or_else(|e| format!("ERROR: {e:#}"));
        let theirs = &expected[name];
        if normalize(&ours) != normalize(theirs) {
            failures.push(format!("--- {name}\n  django:  {}\n  placard: {}", normalize(theirs), normalize(&ours)));
        }
    }
    let total = cases.len();
    let _ = writeln!(std::io::stderr(), "django differential: {}/{total} cases match", total - failures.len());
    assert!(failures.is_empty(), "{} of {total} cases differ from Django:\n{}", failures.len(), failures.join("\n"));
}
