//! akid: `<mailing_id>.<user_id>.<mac>` identifying a supporter (and optionally a mailing),
//! e.g. `.3.jcWz_1Ab`. The MAC is HMAC-SHA256 over the two ids with the instance secret,
//! cut to 48 bits and base64url-encoded, so an akid cannot be forged or altered. A bad akid
//! parses to `None` and is treated as absent, never as another user.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::UserId;

const MAC_BYTES: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Akid {
    pub mailing_id: Option<i64>,
    pub user_id: UserId,
}

/// The keyed signer; built from the instance secret once at start-up.
#[derive(Clone)]
pub struct AkidKey(Vec<u8>);

impl std::fmt::Debug for AkidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AkidKey(..)")
    }
}

impl AkidKey {
    pub fn new(secret: &str) -> Self {
        // Domain-separated from the other uses of the instance secret.
        Self(crate::crypto::subkey(secret, "placard akid v1"))
    }

    fn mac(&self, mailing: &str, user: i64) -> Hmac<Sha256> {
        let mut mac = crate::crypto::hmac(&self.0);
        mac.update(format!("{mailing}.{user}").as_bytes());
        mac
    }

    pub fn format(&self, akid: Akid) -> String {
        let mailing = akid.mailing_id.map(|m| m.to_string()).unwrap_or_default();
        let tag = self.mac(&mailing, akid.user_id.0).finalize().into_bytes();
        format!("{mailing}.{}.{}", akid.user_id.0, URL_SAFE_NO_PAD.encode(&tag[..MAC_BYTES]))
    }

    /// `None` for anything malformed or with a wrong MAC (checked in constant time).
    pub fn parse(&self, raw: &str) -> Option<Akid> {
        let mut parts = raw.trim().splitn(3, '.');
        let (mailing, user, tag) = (parts.next()?, parts.next()?, parts.next()?);
        let mailing_id = if mailing.is_empty() { None } else { Some(mailing.parse::<i64>().ok()?) };
        let user_id = user.parse::<i64>().ok().filter(|u| *u > 0)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok().filter(|t| t.len() == MAC_BYTES)?;
        self.mac(mailing, user_id).verify_truncated_left(&tag).ok()?;
        Some(Akid { mailing_id, user_id: UserId(user_id) })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn akid_round_trips_and_rejects_forgeries() {
        let key = AkidKey::new("an instance secret of some length, 32+");
        let akid = Akid { mailing_id: None, user_id: UserId(3) };
        let text = key.format(akid);
        assert!(text.starts_with(".3."), "{text}");
        assert_eq!(key.parse(&text), Some(akid));
        let with_mailing = Akid { mailing_id: Some(12), user_id: UserId(3) };
        assert_eq!(key.parse(&key.format(with_mailing)), Some(with_mailing));
        // Another user id with the same MAC, another key, a cut MAC: all refused.
        let forged = text.replacen(".3.", ".4.", 1);
        assert_eq!(key.parse(&forged), None);
        assert_eq!(AkidKey::new("another secret entirely, also 32+ long").parse(&text), None);
        assert_eq!(key.parse(&text[..text.len() - 1]), None);
        for junk in ["", "..", ".x.abc", "1.2", ".0.AAAAAAAA", "a.3.AAAAAAAA"] {
            assert_eq!(key.parse(junk), None, "{junk:?}");
        }
    }
}
