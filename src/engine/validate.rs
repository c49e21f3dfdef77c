//! Validation (SPEC A3, A4, A5, A6): email or akid, required fields (the page's and every
//! `required=`; with an akid the stored values count), US ZIP rules with United States as
//! the default country, allowed custom user fields. Collects every complaint, in order, as
//! `(field, code)`, beside what could be parsed, so that the engine can add the checks that
//! read the database and report everything at once. Messages are resolved later in the
//! page's language.

use crate::engine::ActionInput;
use crate::people::{Email, User, UserChanges};

pub const DEFAULT_COUNTRY: &str = "United States";

/// Longest value stored in a user field.
const MAX_USER_FIELD_LEN: usize = 255;

/// What validation proved, ready to store.
#[derive(Debug, Default)]
pub struct Checked {
    pub email: Option<Email>,
    pub changes: UserChanges,
    /// `user_<name>` values for allowed names, without the prefix.
    pub user_fields: Vec<(String, String)>,
    /// `action_<name>` values, without the prefix.
    pub action_fields: Vec<(String, String)>,
    /// `(type, number)` from `phone`/`phone_type` and the typed phone fields.
    pub phones: Vec<(String, String)>,
    /// List ids named by `lists` (checked to exist by the engine).
    pub lists: Vec<i64>,
    /// Tell-a-friend addresses (`taf_emails`, repeated or comma-separated).
    pub taf_emails: Vec<Email>,
}

pub type Complaints = Vec<(String, &'static str)>;

pub fn check(
    input: &ActionInput,
    required_by_page: &[String],
    known_user: Option<&User>,
    allowed_user_fields: &[String],
) -> (Checked, Complaints) {
    let mut complaints: Complaints = vec![];
    let mut checked = Checked::default();

    match input.get("email") {
        Some(raw) => match Email::parse(raw) {
            Some(email) => checked.email = Some(email),
            None => complaints.push(("email".into(), "invalid")),
        },
        None if known_user.is_none() => complaints.push(("email".into(), "missing")),
        None => {}
    }

    for name in UserChanges::FIELDS.iter().chain(&["lang"]) {
        if let Some(value) = input.get(name) {
            if value.chars().count() > MAX_USER_FIELD_LEN {
                complaints.push(((*name).to_owned(), "too_long"));
            } else if let Some(slot) = checked.changes.slot(name) {
                // P2: known countries are stored by their standard English name.
                let value = match *name {
                    "country" => crate::privacy::countries::Country::parse(value)
                        .map_or_else(|| value.to_owned(), crate::privacy::countries::Country::into_string),
                    _ => value.to_owned(),
                };
                *slot = Some(value);
            }
        }
    }

    // A5: a single `name` fills the parts the request did not send separately.
    if let Some(name) = input.get("name") {
        let parts = crate::people::names::split(name);
        for (field, value) in [
            ("prefix", parts.prefix),
            ("first_name", parts.first),
            ("middle_name", parts.middle),
            ("last_name", parts.last),
            ("suffix", parts.suffix),
        ] {
            if let Some(slot) = checked.changes.slot(field) {
                if slot.is_none() && !value.is_empty() {
                    *slot = Some(value);
                }
            }
        }
    }

    check_phones(input, &mut checked, &mut complaints);

    for raw in input.all("lists") {
        for id in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match id.parse::<i64>() {
                Ok(id) if id > 0 => checked.lists.push(id),
                _ => complaints.push(("lists".into(), "invalid")),
            }
        }
    }

    for raw in input.all("taf_emails") {
        for one in raw.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty()) {
            match Email::parse(one) {
                Some(email) => checked.taf_emails.push(email),
                None => complaints.push(("taf_emails".into(), "invalid")),
            }
        }
    }

    let mut required: Vec<&str> = required_by_page.iter().map(String::as_str).collect();
    for name in input.all("required") {
        if !required.contains(&name) {
            required.push(name);
        }
    }
    for name in required {
        let given = input.get(name).is_some() || checked.changes.get(name).is_some_and(|v| !v.is_empty());
        let stored = known_user.and_then(|u| u.field(name)).is_some_and(|v| !v.trim().is_empty());
        let already = complaints.iter().any(|(f, _)| f == name);
        if !given && !stored && !already {
            complaints.push((name.to_owned(), "missing"));
        }
    }

    let country = checked.changes.country.as_deref().unwrap_or(DEFAULT_COUNTRY);
    if country.eq_ignore_ascii_case(DEFAULT_COUNTRY) {
        if input.get("zip").is_some_and(|z| !is_digits(z, 5)) {
            complaints.push(("zip".into(), "invalid"));
        }
        if input.get("plus4").is_some_and(|p| !is_digits(p, 4)) {
            complaints.push(("plus4".into(), "invalid"));
        }
    }

    for (name, value) in &input.params {
        if let Some(field) = name.strip_prefix("user_") {
            if allowed_user_fields.iter().any(|a| a == field) {
                checked.user_fields.push((field.to_owned(), value.trim().to_owned()));
            } else {
                complaints.push((name.clone(), "not_allowed"));
            }
        } else if let Some(field) = name.strip_prefix("action_") {
            if !field.is_empty() {
                checked.action_fields.push((field.to_owned(), value.clone()));
            }
        }
    }

    (checked, complaints)
}

fn check_phones(input: &ActionInput, checked: &mut Checked, complaints: &mut Complaints) {
    let mut found: Vec<(String, String, String)> = vec![];
    if let Some(number) = input.get("phone") {
        let phone_type = input.get("phone_type").unwrap_or("home").to_ascii_lowercase();
        if crate::people::phones::TYPES.contains(&phone_type.as_str()) {
            found.push(("phone".into(), phone_type, number.to_owned()));
        } else {
            complaints.push(("phone_type".into(), "invalid"));
        }
    }
    for phone_type in crate::people::phones::TYPES {
        let field = format!("{phone_type}_phone");
        if let Some(number) = input.get(&field) {
            found.push((field, phone_type.to_owned(), number.to_owned()));
        }
    }
    for (field, phone_type, number) in found {
        if crate::people::phones::is_valid(&number) {
            checked.phones.push((phone_type, number));
        } else {
            complaints.push((field, "invalid"));
        }
    }
}

fn is_digits(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::engine::Source;

    fn input(body: &str) -> ActionInput {
        ActionInput::from_form(body.as_bytes(), Source::Website).unwrap()
    }

    fn codes(body: &str, page_required: &[&str]) -> Vec<(String, &'static str)> {
        let req: Vec<String> = page_required.iter().map(|s| (*s).to_owned()).collect();
        check(&input(body), &req, None, &["favorite_color".to_owned()]).1
    }

    #[test]
    fn a4_reports_every_invalid_field_in_order() {
        assert_eq!(
            codes("email=not+an+email&zip=abcdf&country=United+States", &["email"]),
            vec![("email".to_owned(), "invalid"), ("zip".to_owned(), "invalid")]
        );
        assert_eq!(
            codes("zip=1234&plus4=12", &[]),
            vec![("email".to_owned(), "missing"), ("zip".to_owned(), "invalid"), ("plus4".to_owned(), "invalid")]
        );
    }

    #[test]
    fn a4_zip_rules_apply_only_to_the_united_states() {
        assert!(codes("email=a@b.org&zip=SW1A+1AA&country=United+Kingdom", &[]).is_empty());
        assert_eq!(codes("email=a@b.org&zip=SW1A", &[]), vec![("zip".to_owned(), "invalid")]);
    }

    #[test]
    fn a4_required_fields_come_from_the_page_and_the_request() {
        assert_eq!(
            codes("email=a@b.org&required=city&required=zip&zip=12345", &["first_name"]),
            vec![("first_name".to_owned(), "missing"), ("city".to_owned(), "missing")]
        );
    }

    #[test]
    fn a6_custom_user_fields_must_be_allowed_action_fields_are_free() {
        assert_eq!(codes("email=a@b.org&user_shoe_size=9", &[]), vec![("user_shoe_size".to_owned(), "not_allowed")]);
        let (ok, complaints) = check(
            &input("email=a@b.org&user_favorite_color=red&action_comment=hi"),
            &[],
            None,
            &["favorite_color".to_owned()],
        );
        assert!(complaints.is_empty());
        assert_eq!(ok.user_fields, vec![("favorite_color".to_owned(), "red".to_owned())]);
        assert_eq!(ok.action_fields, vec![("comment".to_owned(), "hi".to_owned())]);
    }
}
