//! Data-subject rights (SPEC G1–G6, B4): export, erase, forget and unforget — complete
//! when the call returns, in one transaction, and audited without personal data. Owns
//! `core_forgotten` and `core_auditlog` (in `gdpr::store`); erasing the rest of a person
//! calls each domain's own erase function, so no table is written from here.

pub mod audit_query;
pub mod erase;
pub mod export;
pub mod retention;
pub mod store;

use sha2::{Digest, Sha256};

/// Iterable's forgotten-list hash: the identifier lowercased, all whitespace removed,
/// SHA-256, hex.
pub fn forget_hash(identifier: &str) -> String {
    // Parsed emails are already clean: hash them as they are (an import hashes every row's).
    // Only printable ASCII is taken as clean: `is_ascii_whitespace` leaves out the vertical
    // tab, which `char::is_whitespace` (the removal below) counts, and a fuzzed upload row
    // `gone@example.org\x0b` kept a forgotten address in clear that way.
    let already_clean = identifier.bytes().all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase());
    let digest = if already_clean {
        Sha256::digest(identifier.as_bytes())
    } else {
        let clean: String = identifier.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
        Sha256::digest(clean.as_bytes())
    };
    let mut text = [0u8; 64];
    match hex::encode_to_slice(digest, &mut text) {
        Ok(()) => String::from_utf8_lossy(&text).into_owned(),
        Err(_) => hex::encode(digest),
    }
}

/// Who asked, for the audit log: `staff:<id>`, `apikey:<name>`, `cli`, `supporter`.
#[derive(Clone, Debug)]
pub struct Actor {
    pub who: String,
    /// The path the request came through: `admin`, `cli`, `rest_eraser`, `iterable_api` …
    pub via: String,
}

#[cfg(test)]
mod tests {
    const EXPECTED: &str = "438c4c7afe600cdf1e455c369bec76dc970fc8ca463447c7b387a347f3c79331";

    #[test]
    fn g3_identifiers_hash_like_iterable() {
        let clean = super::forget_hash("ann@example.org");
        assert_eq!(super::forget_hash("  Ann@Example.ORG "), clean);
        assert_eq!(super::forget_hash("ann @example .org"), clean, "all whitespace removed");
        assert_eq!(super::forget_hash("ann@example.org\u{2003}"), clean, "Unicode whitespace too");
        for space in ['\t', '\n', '\u{b}', '\u{c}', '\r', '\u{a0}', '\u{85}', '\u{3000}'] {
            assert_eq!(super::forget_hash(&format!("ann@example.org{space}")), clean, "{space:?} is whitespace");
        }
        assert_eq!(super::forget_hash("ANN@EXAMPLE.ORG"), clean);
        // sha256("ann@example.org"), computed independently with `printf %s … | sha256sum`.
        assert_eq!(clean, EXPECTED);
    }
}
