//! Timing-safe comparison of secrets (SPEC S1, S2, §1 akid, G3): API keys, akid MACs,
//! signed forget links, CSRF tokens, the metrics token and staff passwords are each
//! compared in constant time, and a wrong secret of the right shape is refused like any
//! other. "Constant time" is shown by construction, as timing cannot be measured honestly
//! on a shared machine:
//! - the values that hold a secret or a MAC have no `PartialEq` (checked at compile time
//!   below), so no `==` on them can be written by accident;
//! - each verifying function is checked to go through a constant-time primitive: the MAC
//!   crate's `verify_truncated_left`, `subtle`'s `ct_eq`, or argon2's `verify_password`
//!   (which compares in constant time itself), and the staff sign-ins to hash a decoy for
//!   an unknown account, so their timing does not tell which accounts exist.

use crate::attacks_support::{credentials, STAFF, STAFF_PASSWORD};
use crate::helpers::{both_backends, TestApp};

/// Fails to compile if `$t` implements `PartialEq` (the technique of `static_assertions`'
/// `assert_not_impl_any!`: with an impl, the trait method below is ambiguous).
macro_rules! assert_no_partial_eq {
    ($($t:ty),+ $(,)?) => {$(
        const _: fn() = || {
            trait AmbiguousIfImpl<A> {
                fn some_item() {}
            }
            impl<T: ?Sized> AmbiguousIfImpl<()> for T {}
            #[allow(dead_code)]
            struct Invalid;
            impl<T: ?Sized + PartialEq> AmbiguousIfImpl<Invalid> for T {}
            let _ = <$t as AmbiguousIfImpl<_>>::some_item;
        };
    )+};
}

assert_no_partial_eq!(
    placard::people::AkidKey,
    placard::selfservice::LinkKey,
    placard::selfservice::ForgetToken,
    placard::privacy::evidence::IpKey,
    placard::receipts::ReceiptKey,
    placard::staff::StaffAccount,
);

/// `(file, source, what must be there, what it proves)`.
const CONSTANT_TIME_USES: &[(&str, &str, &str, &str)] = &[
    ("src/people/akid.rs", include_str!("../../src/people/akid.rs"), ".verify_truncated_left(", "akid MACs"),
    (
        "src/selfservice/links.rs",
        include_str!("../../src/selfservice/links.rs"),
        ".verify_truncated_left(",
        "forget links",
    ),
    ("src/admin/csrf.rs", include_str!("../../src/admin/csrf.rs"), ".ct_eq(", "CSRF tokens"),
    ("src/http/metrics.rs", include_str!("../../src/http/metrics.rs"), ".ct_eq(", "the metrics token"),
    ("src/staff/apikeys.rs", include_str!("../../src/staff/apikeys.rs"), ".ct_eq(", "API keys"),
    ("src/staff/mod.rs", include_str!("../../src/staff/mod.rs"), ".verify_password(", "staff passwords (argon2)"),
    ("src/http/auth.rs", include_str!("../../src/http/auth.rs"), "DECOY_HASH", "REST sign-in of unknown accounts"),
    ("src/admin/login.rs", include_str!("../../src/admin/login.rs"), "DECOY_HASH", "admin sign-in of unknown accounts"),
];

#[test]
fn s1_every_secret_is_compared_through_a_constant_time_primitive() {
    for (file, source, primitive, what) in CONSTANT_TIME_USES {
        let code: String = source.split("#[cfg(test)]").next().unwrap_or(source).to_owned();
        assert!(code.contains(primitive), "{what}: {file} compares with {primitive}");
    }
    // And never by plain equality of what was sent with what is stored.
    let apikeys = include_str!("../../src/staff/apikeys.rs");
    let authenticate = apikeys.split("pub fn authenticate").nth(1).expect("apikeys::authenticate");
    assert!(!authenticate.contains("key_hash.eq("), "API keys: no lookup by equality of the digest");
    let akid = include_str!("../../src/people/akid.rs").split("#[cfg(test)]").next().unwrap_or_default();
    assert!(!akid.contains("tag ==") && !akid.contains("== tag"), "akid: no == on the MAC");
}

/// `(status, body)` of the Iterable-style list with `key` as the `Api-Key`.
async fn with_api_key(app: &TestApp, key: &str) -> (u16, String) {
    let mut res = app
        .client
        .get(app.url("/api/users/forgottenUserIds"))
        .insert_header(("Api-Key", key))
        .send()
        .await
        .expect("answered");
    let body = res.body().await.expect("body");
    (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned())
}

both_backends!(s1_api_keys_of_the_right_shape_but_wrong_are_refused_alike, |app| {
    let key = credentials(&app).into_iter().find(|(h, _)| *h == "Api-Key").map(|(_, k)| k).expect("a key");
    assert_eq!(with_api_key(&app, &key).await.0, 200, "the real key works");
    let mut last_changed = key.clone();
    let last = last_changed.pop().expect("non-empty");
    last_changed.push(if last == '0' { '1' } else { '0' });
    let mut first_changed = key.clone();
    first_changed.replace_range(8..9, if &key[8..9] == "0" { "1" } else { "0" });
    let refused = [
        last_changed,
        first_changed,
        key[..key.len() - 1].to_owned(),
        format!("{key}0"),
        key[..8].to_owned(),
        "plk_".to_owned(),
        String::new(),
        "x".repeat(key.len()),
    ];
    let (status, expected) = with_api_key(&app, &refused[0]).await;
    assert_eq!(status, 401);
    for wrong in &refused {
        assert_eq!(with_api_key(&app, wrong).await, (401, expected.clone()), "{wrong:?} refused like any wrong key");
    }
});

both_backends!(s1_rest_basic_auth_refuses_unknown_accounts_and_wrong_passwords_alike, |app| {
    use base64::Engine as _;
    let _ = app.staff_basic_auth(STAFF, STAFF_PASSWORD);
    let basic = |user: &str, password: &str| {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
    };
    let answer = |auth: String| {
        let app = &app;
        async move {
            let mut res = app
                .client
                .get(app.url("/rest/v1/user/"))
                .insert_header(("Authorization", auth))
                .send()
                .await
                .expect("answered");
            let body = res.body().await.expect("body");
            (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned())
        }
    };
    assert_eq!(answer(basic(STAFF, STAFF_PASSWORD)).await.0, 200, "the real password works");
    let unknown = answer(basic("nobody-here@example.org", STAFF_PASSWORD)).await;
    let wrong = answer(basic(STAFF, "a long staff password for attackX")).await;
    assert_eq!(unknown.0, 401);
    assert_eq!(unknown, wrong, "an unknown account and a wrong password get the same answer");
});
