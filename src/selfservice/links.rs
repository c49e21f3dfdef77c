//! Signed, expiring forget links (SPEC G3 for supporters): `<user_id>.<expires>.<mac>`,
//! the MAC an HMAC-SHA256 (key derived from the instance secret for this purpose only)
//! over the user id, the expiry (Unix seconds) and the email the link was mailed to, so a
//! link is worthless for anyone else, after the expiry, or once the address changed.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use hmac::Mac;

use crate::people::UserId;

/// How long a mailed forget link stays valid.
pub const FORGET_LINK_HOURS: i64 = 48;

/// 128 bits: these links are worth more than an akid, and are used once.
const MAC_BYTES: usize = 16;

#[derive(Clone)]
pub struct LinkKey(Vec<u8>);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkKey(..)")
    }
}

/// A parsed link, not yet checked against the supporter's current email. Holds a MAC, so
/// it has no `PartialEq`: the only comparison is [`LinkKey::verify`]'s constant-time one.
#[derive(Clone, Debug)]
pub struct ForgetToken {
    pub user_id: UserId,
    expires: i64,
    tag: Vec<u8>,
}

impl LinkKey {
    pub fn new(secret: &str) -> Self {
        Self(crate::crypto::subkey(secret, "placard forget link v1"))
    }

    fn mac(&self, user: i64, expires: i64, email: &str) -> hmac::Hmac<sha2::Sha256> {
        let mut mac = crate::crypto::hmac(&self.0);
        mac.update(format!("{user}.{expires}.{}", email.trim().to_lowercase()).as_bytes());
        mac
    }

    /// A link for `user` at `email`, valid until `now` + [`FORGET_LINK_HOURS`].
    pub fn sign(&self, user: UserId, email: &str, now: NaiveDateTime) -> String {
        let expires = now.and_utc().timestamp() + FORGET_LINK_HOURS * 3600;
        let tag = self.mac(user.0, expires, email).finalize().into_bytes();
        format!("{}.{expires}.{}", user.0, URL_SAFE_NO_PAD.encode(&tag[..MAC_BYTES]))
    }

    /// The token's parts; `None` for anything malformed.
    pub fn parse(raw: &str) -> Option<ForgetToken> {
        let mut parts = raw.trim().splitn(3, '.');
        let user = parts.next()?.parse::<i64>().ok().filter(|u| *u > 0)?;
        let expires = parts.next()?.parse::<i64>().ok()?;
        let tag = URL_SAFE_NO_PAD.decode(parts.next()?).ok().filter(|t| t.len() == MAC_BYTES)?;
        Some(ForgetToken { user_id: UserId(user), expires, tag })
    }

    /// Whether `token` was signed for this user at `email` and has not expired at `now`
    /// (the MAC is compared in constant time).
    pub fn verify(&self, token: &ForgetToken, email: &str, now: NaiveDateTime) -> bool {
        now.and_utc().timestamp() <= token.expires
            && self.mac(token.user_id.0, token.expires, email).verify_truncated_left(&token.tag).is_ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn g3_forget_links_verify_for_their_user_email_and_time_only() {
        let key = LinkKey::new("an instance secret of some length, 32+");
        let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap().naive_utc();
        let link = key.sign(UserId(7), "Ann@Example.org", now);
        let token = LinkKey::parse(&link).unwrap();
        assert_eq!(token.user_id, UserId(7));
        assert!(key.verify(&token, "ann@example.org", now));
        assert!(key.verify(&token, "ann@example.org", now + chrono::Duration::hours(FORGET_LINK_HOURS)));
        assert!(!key.verify(&token, "ann@example.org", now + chrono::Duration::hours(FORGET_LINK_HOURS + 1)));
        assert!(!key.verify(&token, "bob@example.org", now), "another address");
        let other_user = LinkKey::parse(&link.replacen("7.", "8.", 1)).unwrap();
        assert!(!key.verify(&other_user, "ann@example.org", now), "another user");
        let later = link.replacen(&format!(".{}.", token.expires), &format!(".{}.", token.expires + 9999), 1);
        assert!(!key.verify(&LinkKey::parse(&later).unwrap(), "ann@example.org", now), "a moved expiry");
        let other_key = LinkKey::new("another secret entirely, also 32+ long");
        assert!(!other_key.verify(&token, "ann@example.org", now));
        for junk in ["", "..", "7.x.abc", "0.1.AAAA", "7.1"] {
            assert!(LinkKey::parse(junk).is_none(), "{junk:?}");
        }
    }
}
