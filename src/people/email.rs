//! `Email`: an address trimmed, lowercased and syntax-checked at the edge (SPEC §1: stored
//! lowercased/trimmed). A value of this type is valid by construction.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

/// Longest address SMTP allows (RFC 5321 path limit).
const MAX_LEN: usize = 254;

impl Email {
    /// Accepts `local@domain.tld` with a dotted domain; rejects blanks inside, quoted local
    /// parts and over-long addresses, as an advocacy list wants deliverable addresses.
    pub fn parse(raw: &str) -> Option<Self> {
        let clean = raw.trim().to_lowercase();
        if clean.is_empty() || clean.len() > MAX_LEN || clean.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return None;
        }
        let (local, domain) = clean.rsplit_once('@')?;
        let dotted = domain.split('.').count() >= 2 && domain.split('.').all(|p| !p.is_empty());
        if local.is_empty() || local.starts_with('"') || !dotted {
            return None;
        }
        email_address::EmailAddress::is_valid(&clean).then_some(Self(clean))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Email;

    #[test]
    fn a4_email_is_trimmed_lowercased_and_checked() {
        assert_eq!(Email::parse("  Ann@Example.ORG ").map(|e| e.to_string()), Some("ann@example.org".into()));
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a nn@example.org",
            "ann@exa mple.org",
            "ann@.org",
            "\"a\"@example.org",
        ] {
            assert!(Email::parse(bad).is_none(), "{bad:?} should be rejected");
        }
    }
}
