//! Evidence kept with every privacy record (SPEC B2): user agent and a keyed hash of the
//! IP address. The raw IP is never stored: the HMAC key derives from the instance secret,
//! so the same address maps to the same value on this site only.

use hmac::Mac;

#[derive(Clone)]
pub struct IpKey(Vec<u8>);

impl std::fmt::Debug for IpKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IpKey(..)")
    }
}

impl IpKey {
    pub fn new(secret: &str) -> Self {
        Self(crate::crypto::subkey(secret, "placard ip evidence v1"))
    }

    /// 128 bits of HMAC-SHA256, hex.
    pub fn hash(&self, ip: &str) -> String {
        let mut m = crate::crypto::hmac(&self.0);
        m.update(ip.trim().as_bytes());
        hex::encode(&m.finalize().into_bytes()[..16])
    }
}

/// What the HTTP layer knows about the request an action came in on.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    pub user_agent: String,
    pub ip: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::IpKey;

    #[test]
    fn b2_ip_hashes_are_keyed_stable_and_not_the_ip() {
        let key = IpKey::new("a secret of at least thirty-two characters");
        let h = key.hash("203.0.113.7");
        assert_eq!(h, key.hash("203.0.113.7"));
        assert_eq!(h.len(), 32);
        assert!(!h.contains("203"));
        assert_ne!(h, IpKey::new("another secret of at least thirty-two chars").hash("203.0.113.7"));
    }
}
