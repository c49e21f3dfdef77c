//! The Django dialect translator (SPEC T2): `translate` runs on every staff template at
//! load and save. Any text: no panic, in `translate`, in `warnings`, or in minijinja
//! compiling what `translate` produced. Translation keeps line numbers: the output has as
//! many newlines as the source.

#![no_main]

use libfuzzer_sys::fuzz_target;
use placard::render::django;

fuzz_target!(|source: &str| {
    let _ = django::warnings(source);
    let Ok(translated) = django::translate(source) else { return };
    assert_eq!(
        translated.matches('\n').count(),
        source.matches('\n').count(),
        "line numbers moved: {source:?} → {translated:?}"
    );
    let mut env = minijinja::Environment::new();
    django::register(&mut env);
    let _ = env.template_from_str(&translated);
});
