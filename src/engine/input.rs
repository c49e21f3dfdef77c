//! `ActionInput`: an action's parameters as an ordered multimap, parsed from
//! form-urlencoded or JSON bodies (XML joins in the engine issue). Repeated names
//! (`lists`, `required`) keep every value.

use crate::error::AppError;

/// Where an action came from; stored in `core_action.source` unless the input names one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Website,
    RestfulApi,
    /// A row of a CSV upload (SPEC P14): the only way onto an import page.
    Import,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Website => "website",
            Self::RestfulApi => "restful_api",
            Self::Import => "import",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ActionInput {
    pub params: Vec<(String, String)>,
    pub source: Source,
    /// User agent and IP of the request (SPEC B2); empty for imports and the CLI.
    pub evidence: crate::privacy::evidence::Evidence,
}

/// Longest value accepted for any one parameter; anything longer is an attack or a mistake.
pub const MAX_VALUE_LEN: usize = 10_000;

impl ActionInput {
    pub fn from_form(body: &[u8], source: Source) -> Result<Self, AppError> {
        if std::str::from_utf8(body).is_err() {
            return Err(AppError::BadRequest("The request body is not valid UTF-8.".into()));
        }
        let params = form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        Self::checked(params, source)
    }

    /// A JSON object; strings, numbers and booleans become values, arrays repeat the name,
    /// nulls are absent. Nested objects are refused.
    pub fn from_json(body: &[u8], source: Source) -> Result<Self, AppError> {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| AppError::BadRequest(format!("The request body is not valid JSON: {e}")))?;
        let serde_json::Value::Object(map) = value else {
            return Err(AppError::BadRequest("The JSON body must be an object of action fields.".into()));
        };
        let mut params = vec![];
        for (name, value) in map {
            match value {
                serde_json::Value::Array(items) => {
                    for item in items {
                        params.push((name.clone(), scalar(&name, item)?));
                    }
                }
                serde_json::Value::Null => {}
                other => params.push((name.clone(), scalar(&name, other)?)),
            }
        }
        Self::checked(params, source)
    }

    /// ActionKit's XML: `<request type="hash"><page>p</page><lists type="list">
    /// <item>1</item></lists></request>`. A DOCTYPE (and with it any entity definition) is
    /// refused, never expanded; only XML's five predefined entities are decoded.
    pub fn from_xml(body: &[u8], source: Source) -> Result<Self, AppError> {
        Self::checked(super::xml::parse_request(body)?, source)
    }

    fn checked(params: Vec<(String, String)>, source: Source) -> Result<Self, AppError> {
        if let Some((name, _)) = params.iter().find(|(n, v)| v.len() > MAX_VALUE_LEN || n.len() > 200) {
            let name: String = name.chars().take(60).collect();
            return Err(AppError::BadRequest(format!("The field {name:?} is too long.")));
        }
        Ok(Self { params, source, evidence: crate::privacy::evidence::Evidence::default() })
    }

    /// Attaches what the HTTP layer knows about the request.
    #[must_use]
    pub fn with_evidence(mut self, evidence: crate::privacy::evidence::Evidence) -> Self {
        self.evidence = evidence;
        self
    }

    /// The first non-blank value of `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim()).find(|v| !v.is_empty())
    }

    /// Every non-blank value of `name`, trimmed, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.params.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect()
    }

    /// The first value of each name, for re-filling a form.
    pub fn first_values(&self) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        for (n, v) in &self.params {
            out.entry(n.clone()).or_insert_with(|| v.clone());
        }
        out
    }
}

fn scalar(name: &str, value: serde_json::Value) -> Result<String, AppError> {
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        serde_json::Value::Bool(b) => Ok(if b { "1" } else { "0" }.to_owned()),
        _ => Err(AppError::BadRequest(format!("The field {name:?} must be a string, a number or a list of them."))),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a1_form_and_json_give_the_same_multimap() {
        let form = ActionInput::from_form(b"page=p&email=a%40b.org&lists=1&lists=2&zip=", Source::Website).unwrap();
        let json =
            ActionInput::from_json(br#"{"page":"p","email":"a@b.org","lists":[1,2],"zip":null}"#, Source::RestfulApi)
                .unwrap();
        for input in [&form, &json] {
            assert_eq!(input.get("email"), Some("a@b.org"));
            assert_eq!(input.all("lists"), vec!["1", "2"]);
            assert_eq!(input.get("zip"), None);
        }
    }

    #[test]
    fn a1_malformed_bodies_are_refused_with_a_message() {
        assert!(ActionInput::from_json(b"{not json", Source::RestfulApi).is_err());
        assert!(ActionInput::from_json(b"[1,2]", Source::RestfulApi).is_err());
        assert!(ActionInput::from_json(br#"{"email":{"x":1}}"#, Source::RestfulApi).is_err());
        assert!(ActionInput::from_form(b"email=\xff\xfe", Source::Website).is_err());
        let long = format!("page=p&email={}", "a".repeat(MAX_VALUE_LEN + 1));
        assert!(ActionInput::from_form(long.as_bytes(), Source::Website).is_err());
    }
}
