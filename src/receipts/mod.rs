//! Consent receipts (SPEC B3): after an action that creates privacy records, and after a
//! withdrawal, the supporter gets a receipt in the Kantara consent-receipt / ISO/IEC TS
//! 27560 shape naming the exact texts and their hashes, signed with Ed25519. Anyone can
//! check a receipt with the published key. Only `receipts::store` touches
//! `core_consentreceipt`.
//!
//! The signed bytes are the receipt's canonical JSON (keys sorted, no spaces); a download
//! is the envelope `{"alg": "EdDSA", "kid", "payload": base64url(bytes), "signature":
//! base64url(sig), "receipt": the same JSON, for reading}`.

pub mod store;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The instance's receipt signing key, derived from the instance secret.
#[derive(Clone)]
pub struct ReceiptKey(SigningKey);

impl std::fmt::Debug for ReceiptKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ReceiptKey({})", self.key_id())
    }
}

impl ReceiptKey {
    pub fn new(secret: &str) -> Self {
        let seed: [u8; 32] = Sha256::digest(format!("placard receipt signing key v1\n{secret}")).into();
        Self(SigningKey::from_bytes(&seed))
    }

    pub fn public(&self) -> VerifyingKey {
        self.0.verifying_key()
    }

    /// A short name for the key: the first 8 bytes of the public key's SHA-256, hex.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.public().as_bytes())[..8])
    }

    /// The public key as a JWK (RFC 8037).
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": self.key_id(), "x": URL_SAFE_NO_PAD.encode(self.public().as_bytes())})
    }

    /// Canonical bytes of `receipt` and their signature, both base64url.
    pub fn sign(&self, receipt: &serde_json::Value) -> (String, String) {
        let bytes = canonical(receipt);
        let signature = self.0.sign(bytes.as_bytes());
        (bytes, URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// `serde_json::Value` keeps object keys sorted, and `to_string` writes no spaces.
pub fn canonical(value: &serde_json::Value) -> String {
    value.to_string()
}

/// The download envelope of a stored receipt.
pub fn envelope(key_id: &str, body: &str, signature: &str) -> serde_json::Value {
    serde_json::json!({
        "alg": "EdDSA",
        "kid": key_id,
        "payload": URL_SAFE_NO_PAD.encode(body.as_bytes()),
        "signature": signature,
        "receipt": serde_json::from_str::<serde_json::Value>(body).unwrap_or(serde_json::Value::Null),
    })
}

/// Checks an envelope against `public`: the signature over the payload, and that the
/// readable `receipt`, if present, says the same as the payload.
pub fn verify(public: &VerifyingKey, envelope: &serde_json::Value) -> bool {
    let decode =
        |field: &str| envelope.get(field).and_then(|v| v.as_str()).and_then(|s| URL_SAFE_NO_PAD.decode(s).ok());
    let (Some(payload), Some(signature)) = (decode("payload"), decode("signature")) else { return false };
    let Ok(signature) = Signature::from_slice(&signature) else { return false };
    if public.verify(&payload, &signature).is_err() {
        return false;
    }
    match envelope.get("receipt") {
        None | Some(serde_json::Value::Null) => true,
        Some(readable) => serde_json::from_slice::<serde_json::Value>(&payload).is_ok_and(|p| &p == readable),
    }
}

/// One text a receipt names.
#[derive(Clone, Debug, Serialize)]
pub struct ReceiptText {
    #[serde(rename = "type")]
    pub text_type: String,
    pub hash: String,
    pub text: String,
    pub status: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn b3_a_receipt_verifies_with_the_published_key_and_fails_when_a_byte_changes() {
        let key = ReceiptKey::new("an instance secret of some length, 32+");
        let receipt = serde_json::json!({"version": "KI-CR-v1.1.0", "texts": [{"type": "optin", "hash": "ab"}]});
        let (body, signature) = key.sign(&receipt);
        let env = envelope(&key.key_id(), &body, &signature);
        assert!(verify(&key.public(), &env));
        let mut tampered = env.clone();
        let mut payload = URL_SAFE_NO_PAD.decode(env["payload"].as_str().unwrap()).unwrap();
        payload[10] ^= 1;
        tampered["payload"] = serde_json::json!(URL_SAFE_NO_PAD.encode(&payload));
        tampered["receipt"] = serde_json::Value::Null;
        assert!(!verify(&key.public(), &tampered), "one changed byte");
        let mut readable = env.clone();
        readable["receipt"]["version"] = serde_json::json!("forged");
        assert!(!verify(&key.public(), &readable), "the readable copy must match the payload");
        let other = ReceiptKey::new("another instance secret, also 32+ long");
        assert!(!verify(&other.public(), &env), "another site's key");
        assert_eq!(
            key.key_id(),
            ReceiptKey::new("an instance secret of some length, 32+").key_id(),
            "stable across restarts"
        );
    }
}
