//! akid parsing and verification (`<mailing_id>.<user_id>.<mac>`): any text from a URL or a
//! form. Any text: no panic; whatever verifies formats back to an akid that verifies to the
//! same ids. Ids taken from the input, formatted, always verify (the round trip), and never
//! verify under another key.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use placard::people::{Akid, AkidKey, UserId};

fn keys() -> &'static (AkidKey, AkidKey) {
    static KEYS: OnceLock<(AkidKey, AkidKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (AkidKey::new("the fuzzing instance secret, 32+ chars"), AkidKey::new("another instance secret, also 32+"))
    })
}

fn id(bytes: &[u8]) -> i64 {
    let mut buf = [0u8; 8];
    for (at, b) in bytes.iter().take(8).enumerate() {
        buf[at] = *b;
    }
    i64::from_le_bytes(buf)
}

fuzz_target!(|data: &[u8]| {
    let (key, other) = keys();
    let raw = String::from_utf8_lossy(data);
    if let Some(akid) = key.parse(&raw) {
        assert!(akid.user_id.0 > 0);
        assert_eq!(key.parse(&key.format(akid)), Some(akid));
    }
    // Ids from the bytes: the first 8 the user, the next 8 (if any) the mailing.
    let user = id(data).checked_abs().filter(|u| *u > 0).unwrap_or(1);
    let mailing = (data.len() > 8).then(|| id(&data[8..]));
    let akid = Akid { mailing_id: mailing, user_id: UserId(user) };
    let text = key.format(akid);
    assert_eq!(key.parse(&text), Some(akid), "{text}");
    assert_eq!(other.parse(&text), None, "{text} verified under another key");
});
