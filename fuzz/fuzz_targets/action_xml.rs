//! ActionKit XML request bodies → `ActionInput` (the REST API's `application/xml` actions,
//! SPEC A1). Any bytes: no panic. An accepted body whose
//! field names are plain identifiers, written back as flat `<request>` fields (values
//! escaped, whitespace as character references so trimming keeps it), parses to the same
//! pairs in the same order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use placard::engine::{ActionInput, Source};

fn plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn escape(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            ' ' => out.push_str("&#32;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

fuzz_target!(|body: &[u8]| {
    let Ok(input) = ActionInput::from_xml(body, Source::RestfulApi) else { return };
    if !input.params.iter().all(|(name, _)| plain_name(name)) {
        return;
    }
    let mut again = String::from("<request>");
    for (name, value) in &input.params {
        again.push_str(&format!("<{name}>"));
        escape(value, &mut again);
        again.push_str(&format!("</{name}>"));
    }
    again.push_str("</request>");
    let reparsed = ActionInput::from_xml(again.as_bytes(), Source::RestfulApi)
        .unwrap_or_else(|e| panic!("our own XML {again:?} does not parse: {e}"));
    assert_eq!(reparsed.params, input.params, "{again}");
});
