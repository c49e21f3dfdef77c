//! Staff template text (SPEC T1, T2) as a templateset save and a page view handle it: the
//! save's check (`Renderer::check_source`: translate, then compile in the staff set), then
//! a render of the file in that set with the demo petition's context, fuel- and
//! recursion-limited as every staff set is. Any text: no panic, no hang, and the render's
//! outcome is an `Ok` page or an `Err`.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use placard::render::bench_support::DemoPetition;
use placard::render::Renderer;
use placard::templatesets::{SetSources, Sources};

const SET: &str = "Fuzz";
const FILE: &str = "thanks.html";

fn context() -> &'static minijinja::Value {
    static CONTEXT: OnceLock<minijinja::Value> = OnceLock::new();
    CONTEXT.get_or_init(|| DemoPetition::new().expect("the built-in locales load").value())
}

fuzz_target!(|code: &str| {
    let ctx = context();
    if Renderer::check_source(&Sources::default(), SET, FILE, code).is_err() {
        return;
    }
    let sources = Sources::new(vec![SetSources {
        id: 1,
        name: SET.to_owned(),
        revision: 1,
        files: [(FILE.to_owned(), code.to_owned())].into_iter().collect(),
    }]);
    let _ = Renderer::new(sources).render(SET, FILE, ctx);
});
