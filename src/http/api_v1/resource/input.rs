//! Request bodies of POST, PUT and PATCH (SPEC R3): a JSON object checked against the
//! descriptor before anything is written. Unknown names are refused (400 naming them);
//! read-only fields and `resource_uri` are ignored, so that a fetched object can be sent
//! back whole; values must have the field's type (numbers are accepted for strings, as
//! ZIP codes often arrive); references are URIs of their resource (or bare ids); fields
//! that are not `blank` must be given on create. PUT and PATCH both change only what the
//! body names, as ActionKit's clients expect of either.

use std::collections::BTreeMap;

use serde_json::Value;

use super::descriptor::{Descriptor, Field, Kind};
use super::filter::{parse_bool, parse_time};
use crate::error::{AppError, FieldError, ValidationErrors};

/// One checked value.
#[derive(Clone, Debug, PartialEq)]
pub enum WriteValue {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Time(chrono::NaiveDateTime),
    /// The id of the referenced object (its existence is the resource's to check).
    Ref(i64),
    Dict(BTreeMap<String, String>),
}

/// A checked body: the fields it sets and the write options it carries.
#[derive(Clone, Debug, Default)]
pub struct Input {
    pub values: BTreeMap<&'static str, WriteValue>,
    pub options: BTreeMap<&'static str, String>,
}

impl Input {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// A string field's value; `Null` reads as blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.values.get(name)? {
            WriteValue::Text(s) => Some(s),
            WriteValue::Null => Some(""),
            _ => None,
        }
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.values.get(name)? {
            WriteValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn reference(&self, name: &str) -> Option<i64> {
        match self.values.get(name)? {
            WriteValue::Ref(id) => Some(*id),
            _ => None,
        }
    }

    pub fn dict(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        match self.values.get(name)? {
            WriteValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

/// A 400 naming one field.
pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError {
        field: field.to_owned(),
        code: "invalid".into(),
        message: message.into(),
    }]))
}

/// Checks `body` (raw bytes of a JSON object) against `desc`.
pub fn parse(desc: &Descriptor, content_type: &str, body: &[u8], creating: bool) -> Result<Input, AppError> {
    if !matches!(content_type, "" | "application/json") {
        return Err(AppError::UnsupportedMediaType(format!(
            "Send {} objects as application/json (got {content_type}).",
            desc.name
        )));
    }
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(AppError::BadRequest("The body must be a JSON object.".into()));
    };
    let mut input = Input::default();
    let mut errors = vec![];
    let mut complain = |field: &str, message: String| {
        errors.push(FieldError { field: field.to_owned(), code: "invalid".into(), message });
    };
    for (name, value) in &map {
        if let Some(option) = desc.option(name) {
            match value {
                Value::String(s) => {
                    input.options.insert(option.name, s.clone());
                }
                Value::Number(n) => {
                    input.options.insert(option.name, n.to_string());
                }
                Value::Bool(b) => {
                    input.options.insert(option.name, b.to_string());
                }
                _ => complain(name, format!("{name} must be a string.")),
            }
            continue;
        }
        if name == "resource_uri" {
            continue;
        }
        let Some(field) = desc.field(name) else {
            complain(name, format!("{name} is not a field of {}.", desc.name));
            continue;
        };
        if field.readonly {
            continue;
        }
        match check(field, value) {
            Ok(v) => {
                input.values.insert(field.name, v);
            }
            Err(message) => complain(name, message),
        }
    }
    if creating {
        for field in desc.fields.iter().filter(|f| !f.blank && !f.readonly) {
            if !input.has(field.name) {
                complain(field.name, "This field is required.".into());
            }
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(AppError::Validation(ValidationErrors(errors)))
    }
}

fn check(field: &Field, value: &Value) -> Result<WriteValue, String> {
    let name = field.name;
    if value.is_null() {
        return if field.nullable { Ok(WriteValue::Null) } else { Err(format!("{name} may not be null.")) };
    }
    match field.kind {
        Kind::String => match value {
            Value::String(s) => Ok(WriteValue::Text(s.clone())),
            Value::Number(n) => Ok(WriteValue::Text(n.to_string())),
            _ => Err(format!("{name} must be a string.")),
        },
        Kind::Integer => value
            .as_i64()
            .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
            .map(WriteValue::Int)
            .ok_or_else(|| format!("{name} must be a whole number.")),
        Kind::Boolean => value
            .as_bool()
            .or_else(|| value.as_str().and_then(parse_bool))
            .or_else(|| value.as_i64().and_then(|n| parse_bool(&n.to_string())))
            .map(WriteValue::Bool)
            .ok_or_else(|| format!("{name} must be true or false.")),
        Kind::DateTime => value
            .as_str()
            .and_then(parse_time)
            .map(WriteValue::Time)
            .ok_or_else(|| format!("{name} must be a date and time like 2026-11-24T09:30:00.")),
        Kind::Ref(target) => value
            .as_i64()
            .filter(|id| *id > 0)
            .or_else(|| value.as_str().and_then(|s| target.parse_uri(s)))
            .map(WriteValue::Ref)
            .ok_or_else(|| format!("{name} must be a {} URI like {}.", target.name, target.uri(1))),
        Kind::Dict => {
            let Value::Object(map) = value else { return Err(format!("{name} must be an object of strings.")) };
            let mut dict = BTreeMap::new();
            for (k, v) in map {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(format!("{name}.{k} must be a string.")),
                };
                dict.insert(k.clone(), text);
            }
            Ok(WriteValue::Dict(dict))
        }
        Kind::RefList(_) | Kind::Link(_) => Err(format!("{name} is read-only.")),
    }
}
