//! Content negotiation for the REST API (SPEC A1, R1): JSON unless `Accept` prefers XML,
//! and ActionKit's XML shape — `<response>`/`<object>` roots, `type` attributes for
//! integers, booleans (`True`/`False`), nulls, hashes and lists.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::Value;
use std::fmt::Write as _;

use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// XML when `Accept` names an XML type before (or without) JSON.
    pub fn of(req: &HttpRequest) -> Self {
        let accept = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let xml = accept.find("application/xml").or_else(|| accept.find("text/xml"));
        let json = accept.find("application/json");
        match (xml, json) {
            (Some(x), Some(j)) if x < j => Self::Xml,
            (Some(_), None) => Self::Xml,
            _ => Self::Json,
        }
    }

    /// A response with `body` in this format; XML wraps it in `root`.
    pub fn respond(self, status: StatusCode, root: &str, body: &Value) -> HttpResponse {
        match self {
            Self::Json => HttpResponse::build(status).json(body),
            Self::Xml => {
                HttpResponse::build(status).content_type("application/xml; charset=utf-8").body(to_xml(root, body))
            }
        }
    }

    /// An error in this format: `{"errors": …}` for validation, `{"error": …}` otherwise.
    pub fn error(self, error: &AppError) -> HttpResponse {
        error.log_if_internal();
        let body = match error {
            AppError::Validation(errors) => serde_json::json!({ "errors": errors.to_json() }),
            other => serde_json::json!({ "error": other.public_message() }),
        };
        let mut res = self.respond(error.status(), "response", &body);
        if error.status() == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        if error.status() == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Basic realm=\"Placard\""));
        }
        res
    }
}

pub fn to_xml(root: &str, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    element(&mut out, root, value, 0);
    out
}

fn element(out: &mut String, name: &str, value: &Value, depth: usize) {
    let indent = "  ".repeat(depth);
    let _ = match value {
        Value::Null => writeln!(out, "{indent}<{name} type=\"null\"/>"),
        Value::Bool(b) => {
            writeln!(out, "{indent}<{name} type=\"boolean\">{}</{name}>", if *b { "True" } else { "False" })
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => writeln!(out, "{indent}<{name} type=\"integer\">{n}</{name}>"),
        Value::Number(n) => writeln!(out, "{indent}<{name} type=\"float\">{n}</{name}>"),
        Value::String(s) if s.is_empty() => writeln!(out, "{indent}<{name}/>"),
        Value::String(s) => writeln!(out, "{indent}<{name}>{}</{name}>", escape(s)),
        Value::Array(items) if items.is_empty() => writeln!(out, "{indent}<{name} type=\"list\"/>"),
        Value::Object(map) if map.is_empty() && depth > 0 => writeln!(out, "{indent}<{name} type=\"hash\"/>"),
        Value::Array(items) => {
            let _ = writeln!(out, "{indent}<{name} type=\"list\">");
            for item in items {
                element(out, "value", item, depth + 1);
            }
            writeln!(out, "{indent}</{name}>")
        }
        Value::Object(map) => {
            let attr = if depth > 0 { " type=\"hash\"" } else { "" };
            let _ = writeln!(out, "{indent}<{name}{attr}>");
            for (key, item) in map {
                element(out, &xml_name(key), item, depth + 1);
            }
            writeln!(out, "{indent}</{name}>")
        }
    };
}

/// Field names become element names; anything XML would reject becomes `_`.
fn xml_name(key: &str) -> String {
    let mut name: String =
        key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::to_xml;

    #[test]
    fn a1_xml_answers_use_actionkits_typed_elements() {
        let body = serde_json::json!({"rd": 1, "akid": ".1.x", "redirect_url": "/t?a=1&b=2", "ok": false, "link": null, "fields": {}});
        let xml = to_xml("response", &body);
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>\n"), "{xml}");
        assert!(xml.contains("<rd type=\"integer\">1</rd>"));
        assert!(xml.contains("<redirect_url>/t?a=1&amp;b=2</redirect_url>"));
        assert!(xml.contains("<ok type=\"boolean\">False</ok>"));
        assert!(xml.contains("<link type=\"null\"/>"));
        assert!(xml.contains("<fields type=\"hash\"/>"));
    }
}
