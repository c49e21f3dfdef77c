//! ActionKit's XML request body → name/value pairs. Flat elements are fields; an element
//! whose children are elements (`<lists type="list"><item>1</item></lists>`) repeats its
//! name once per child. DOCTYPEs are refused outright: no entity is ever defined or
//! expanded, and nothing is fetched.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::AppError;

/// Deepest nesting accepted: request → field → item.
const MAX_DEPTH: usize = 3;

fn bad(message: impl Into<String>) -> AppError {
    AppError::BadRequest(format!("The XML body is not valid: {}", message.into()))
}

pub fn parse_request(body: &[u8]) -> Result<Vec<(String, String)>, AppError> {
    let text = std::str::from_utf8(body).map_err(|_| bad("it is not UTF-8"))?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<String> = vec![];
    let mut params = vec![];
    let mut text_buf = String::new();
    let mut saw_root = false;
    // Whether the open field (depth 2) holds items, making it a list.
    let mut field_has_items = false;
    loop {
        match reader.read_event().map_err(|e| bad(e.to_string()))? {
            Event::DocType(_) => return Err(bad("DOCTYPE declarations are not accepted")),
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if stack.is_empty() {
                    if saw_root {
                        return Err(bad("more than one root element"));
                    }
                    saw_root = true;
                }
                stack.push(name);
                match stack.len() {
                    2 => field_has_items = false,
                    3 => field_has_items = true,
                    d if d > MAX_DEPTH => return Err(bad("elements are nested too deeply")),
                    _ => {}
                }
                text_buf.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                match stack.len() {
                    0 if !saw_root => {
                        saw_root = true;
                    }
                    0 => return Err(bad("more than one root element")),
                    1 => params.push((name, String::new())),
                    _ => field_has_items = true,
                }
            }
            Event::Text(t) => {
                let value = t.unescape().map_err(|e| bad(e.to_string()))?;
                text_buf.push_str(&value);
            }
            Event::CData(c) => text_buf.push_str(&String::from_utf8_lossy(&c.into_inner())),
            Event::End(_) => {
                let depth = stack.len();
                let name = stack.pop().unwrap_or_default();
                match depth {
                    // A field directly under the root, unless it was a list of items.
                    2 if !field_has_items => params.push((name, std::mem::take(&mut text_buf))),
                    // An item of a list field: repeat the field's name.
                    3 => {
                        let field = stack.last().cloned().unwrap_or_default();
                        params.push((field, std::mem::take(&mut text_buf)));
                    }
                    _ => text_buf.clear(),
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }
    if !saw_root {
        return Err(bad("there is no root element"));
    }
    if !stack.is_empty() {
        return Err(bad(format!("<{}> is not closed", stack.join("> <"))));
    }
    Ok(params)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_request;

    #[test]
    fn a1_actionkit_xml_becomes_fields_with_repeated_lists() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?><request type="hash"><page>signup</page><email>a&amp;b@example.org</email><lists type="list"><item>1</item><item>2</item></lists><zip/></request>"#;
        let params = parse_request(xml).unwrap();
        let get = |n: &str| params.iter().filter(|(k, _)| k == n).map(|(_, v)| v.as_str()).collect::<Vec<_>>();
        assert_eq!(get("page"), vec!["signup"]);
        assert_eq!(get("email"), vec!["a&b@example.org"]);
        assert_eq!(get("lists"), vec!["1", "2"]);
        assert_eq!(get("zip"), vec![""]);
    }

    #[test]
    fn a1_xml_with_a_doctype_or_entities_is_refused_never_expanded() {
        let billion = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><request><email>&lol2;</email></request>"#;
        let err = parse_request(billion).unwrap_err().to_string();
        assert!(err.contains("DOCTYPE"), "{err}");
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request><email>&x;</email></request>"#;
        assert!(parse_request(xxe).is_err());
        assert!(parse_request(b"<request><email>&undefined;</email></request>").is_err());
        assert!(parse_request(b"<request><email>x</email>").is_err(), "unclosed");
        assert!(parse_request(b"not xml at all").is_err());
        assert!(parse_request(b"<a><b><c><d>deep</d></c></b></a>").is_err());
    }
}
