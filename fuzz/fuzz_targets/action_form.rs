//! Form-urlencoded request bodies → `ActionInput` (action pages and the REST API, SPEC A1).
//! Any bytes: no panic. An accepted body, re-encoded, parses to the same pairs in the same
//! order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use placard::engine::{ActionInput, Source};

fuzz_target!(|body: &[u8]| {
    let Ok(input) = ActionInput::from_form(body, Source::Website) else { return };
    let again = form_urlencoded::Serializer::new(String::new()).extend_pairs(&input.params).finish();
    let reparsed = ActionInput::from_form(again.as_bytes(), Source::Website).expect("our own encoding parses");
    assert_eq!(reparsed.params, input.params);
    // The accessors the engine reads through.
    for (name, _) in &input.params {
        let all = input.all(name);
        assert_eq!(input.get(name), all.first().copied());
    }
    let _ = input.first_values();
});
