//! JSON request bodies → `ActionInput` (the REST API's `application/json` actions, SPEC A1).
//! Any bytes: no panic. An accepted body, written back as a JSON object of string lists,
//! parses to the same values under each name in the same order.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use placard::engine::{ActionInput, Source};

fn grouped(params: &[(String, String)]) -> BTreeMap<&str, Vec<&str>> {
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, value) in params {
        out.entry(name.as_str()).or_default().push(value.as_str());
    }
    out
}

fuzz_target!(|body: &[u8]| {
    let Ok(input) = ActionInput::from_json(body, Source::RestfulApi) else { return };
    let groups = grouped(&input.params);
    let again = serde_json::to_vec(&groups).expect("a map of strings serializes");
    let reparsed = ActionInput::from_json(&again, Source::RestfulApi).expect("our own JSON parses");
    assert_eq!(grouped(&reparsed.params), groups);
});
