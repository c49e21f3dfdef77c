//! Issue 4: the page-render benchmark. Renders the demo petition (Original set: wrapper +
//! petition + user form + privacy block, English, privacy records on) through the same
//! `Renderer::render` a GET of `/sign/save-the-bees/` uses.
//!
//! Before measuring, writes `target/bench-context.json` (the context, as serde_json sees the
//! same struct minijinja serializes) for `benches/render_reference.py`, and
//! `target/bench-output-placard.html` (what Placard renders) to compare lengths.
//!
//! Run with `benches/render.sh`, which runs Django and Jinja2 on the same template and
//! context and prints the table. The three benchmarks:
//! - `render`: `Renderer::render` with the context already a `minijinja::Value` (what
//!   Django's `Template.render(Context(dict))` and Jinja2's `Template.render(dict)` measure);
//! - `serialize+render`: `Value::from_serialize` of the built context, then render (what a
//!   request does after the context is built);
//! - `context+serialize+render`: building `ActionPageContext` too (i18n lookups, privacy
//!   texts sanitized and hashed, country list): the whole render step of a request;
//! - `context`, `serialize`: those two steps alone;
//! - `breakdown/*`: the same templates through minijinja without the Django dialect's
//!   translation (plain, + the fuel limit staff sets render with, + Django's formatter), the
//!   dialect without fuel (as Original renders), and the country `<select>` (with the cached
//!   `country_options`, and with the loop a context without them gets) and the user form
//!   alone: where the time goes.
//!
//! `PLACARD_BENCH_DUMP_TRANSLATED=1` also writes the translated sources to
//! `target/bench-translated-*.html`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use minijinja::{Environment, UndefinedBehavior, Value};
use placard::render::bench_support::DemoPetition;
use placard::render::{Renderer, ORIGINAL};
use placard::templatesets::Sources;

const FILE: &str = "petition.html";

fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target")
}

fn render(c: &mut Criterion) {
    let demo = DemoPetition::new().expect("locales load");
    let renderer = Renderer::new(Sources::default());
    let ctx = demo.context();
    let value = Value::from_serialize(&ctx);

    let html = renderer.render(ORIGINAL, FILE, &value).expect("the demo petition renders");
    let placard_html = html.clone();
    let dir = target_dir();
    std::fs::create_dir_all(&dir).expect("target/");
    let json = serde_json::to_string_pretty(&ctx).expect("context as JSON");
    std::fs::write(dir.join("bench-context.json"), json).expect("write bench-context.json");
    std::fs::write(dir.join("bench-output-placard.html"), &html).expect("write bench-output-placard.html");
    eprintln!("placard: demo petition renders {} bytes", html.len());
    if std::env::var_os("PLACARD_BENCH_DUMP_TRANSLATED").is_some() {
        // What the Django dialect makes of each template, as minijinja compiles it.
        for file in
            ["wrapper.html", FILE, "user_form_wrapper.html", "user_form.html", "privacy.html", "country_select.html"]
        {
            let source = placard::render::original_source(file).expect("an Original file");
            let translated = placard::render::django::translate(source).expect("translates");
            std::fs::write(dir.join(format!("bench-translated-{file}")), translated).expect("write translation");
        }
    }

    let mut group = c.benchmark_group("petition");
    group.bench_function("render", |b| {
        b.iter(|| renderer.render(ORIGINAL, FILE, black_box(&value)).expect("render"));
    });
    group.bench_function("serialize+render", |b| {
        b.iter(|| renderer.render(ORIGINAL, FILE, &Value::from_serialize(black_box(&ctx))).expect("render"));
    });
    group.bench_function("context+serialize+render", |b| {
        b.iter(|| renderer.render(ORIGINAL, FILE, &black_box(&demo).value()).expect("render"));
    });
    group.bench_function("context", |b| b.iter(|| black_box(&demo).context()));
    group.bench_function("serialize", |b| b.iter(|| Value::from_serialize(black_box(&ctx))));
    group.finish();

    // Where Placard's time goes: the same Original templates (Jinja2 renders them as they
    // are) compiled by minijinja directly, without the Django dialect's translation (no
    // `_dj_iter`/`_dj_cmp` calls, minijinja's own formatter and escaping), with and without
    // the fuel counter Placard sets.
    let variants: [(&str, Environment<'static>); 4] = [
        ("minijinja-plain", plain_env(false, false)),
        ("minijinja-plain+fuel", plain_env(true, false)),
        ("minijinja-plain+fuel+django-formatter", plain_env(true, true)),
        (
            "django-dialect-without-fuel",
            placard::render::django::environment(|name| placard::render::original_source(name).map(str::to_owned)),
        ),
    ];
    let mut group = c.benchmark_group("breakdown");
    for (name, env) in &variants {
        let html = env.get_template(FILE).expect("compiles").render(&value).expect("renders");
        eprintln!("{name}: demo petition renders {} bytes (same as Placard's: {})", html.len(), html == placard_html);
        if !name.starts_with("minijinja-plain") {
            assert_eq!(html, placard_html, "{name} renders what Placard renders");
        }
        group.bench_function(*name, |b| {
            b.iter(|| env.get_template(FILE).expect("compiles").render(black_box(&value)).expect("render"));
        });
    }
    // The parts: the country `<select>` (the cached `country_options`) and the whole user
    // form it ends (9 fields, each looping over `required`); and the select as a context
    // without `country_options` gets it (a loop over 250 countries, a comparison each).
    for file in ["country_select.html", "user_form.html"] {
        group.bench_function(format!("placard-{file}"), |b| {
            b.iter(|| renderer.render(ORIGINAL, file, black_box(&value)).expect("render"));
        });
    }
    let mut without_options = serde_json::to_value(&ctx).expect("context as JSON");
    without_options.as_object_mut().expect("a map").remove("country_options");
    let without_options = Value::from_serialize(&without_options);
    let select = renderer.render(ORIGINAL, "country_select.html", &value).expect("render");
    let looped = renderer.render(ORIGINAL, "country_select.html", &without_options).expect("render");
    assert_eq!(select, looped, "country_options writes what the loop writes");
    group.bench_function("placard-country_select.html-loop", |b| {
        b.iter(|| renderer.render(ORIGINAL, "country_select.html", black_box(&without_options)).expect("render"));
    });
    group.finish();
}

/// minijinja over the untranslated Original sources, `./` stripped by the loader; with
/// Placard's fuel limit and Django's formatter (`py_str` + five-entity escaping) if asked.
fn plain_env(fuel: bool, django_formatter: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_loader(|name| Ok(placard::render::original_source(name.trim_start_matches("./")).map(str::to_owned)));
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    if fuel {
        env.set_fuel(Some(2_000_000));
    }
    if django_formatter {
        env.set_formatter(placard::render::django::formatter);
    }
    env
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = render
}
criterion_main!(benches);
