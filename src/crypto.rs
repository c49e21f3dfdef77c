//! Keyed hashing shared by akids (SPEC §1) and IP evidence (B2): HMAC-SHA256 keyed by a
//! subkey derived from the instance secret for one purpose, so no two uses share a key.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// An HMAC-SHA256 with `key`. HMAC takes keys of any length, so this cannot fail.
pub fn hmac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// A 32-byte subkey of `secret` for `purpose`.
pub fn subkey(secret: &str, purpose: &str) -> Vec<u8> {
    let mut mac = hmac(secret.as_bytes());
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}
