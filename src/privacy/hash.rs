//! `PrivacyHash`: the content address of a privacy text version (SPEC P7), the lowercase
//! hex SHA-256 of the type, a newline, and the exact text. Same type and text, same hash;
//! parsed at the edge so a value of this type is always 64 lowercase hex digits.

use sha2::{Digest, Sha256};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct PrivacyHash(String);

impl PrivacyHash {
    pub fn of(text_type: &str, text: &str) -> Self {
        let mut digest = Sha256::new();
        digest.update(text_type.as_bytes());
        digest.update(b"\n");
        digest.update(text.as_bytes());
        Self(hex::encode(digest.finalize()))
    }

    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        (raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())).then_some(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PrivacyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PrivacyHash;

    #[test]
    fn p7_same_type_and_text_same_hash_any_change_a_new_one() {
        let a = PrivacyHash::of("optin", "Yes, email me.");
        assert_eq!(a, PrivacyHash::of("optin", "Yes, email me."));
        assert_ne!(a, PrivacyHash::of("optout", "Yes, email me."));
        assert_ne!(a, PrivacyHash::of("optin", "Yes, email me!"));
        assert_eq!(PrivacyHash::parse(&a.as_str().to_uppercase()), Some(a));
        assert_eq!(PrivacyHash::parse("1"), None);
        assert_eq!(PrivacyHash::parse(&"g".repeat(64)), None);
    }
}
