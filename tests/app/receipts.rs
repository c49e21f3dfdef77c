//! Consent receipts (SPEC B3): linked from the thanks page of an action that created
//! records, signed, verifiable by anyone with the published key; a withdrawal gets one too.

use crate::helpers::{both_backends, TestApp};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use placard::privacy::PrivacyHash;
use serde_json::{json, Value};

const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

async fn sign_with_optin(app: &TestApp, email: &str) -> String {
    let body = format!(
        "page=save-the-bees&email={email}&name=Eva+Berg&country=Germany&privacy={}",
        PrivacyHash::of("optin", OPTIN)
    );
    let (status, _, headers) = app.post_form("/act/", &body).await;
    assert_eq!(status, 302);
    headers.get("location").and_then(|v| v.to_str().ok()).expect("Location").to_owned()
}

fn receipt_links(html: &str) -> Vec<String> {
    html.match_indices("href=\"/receipts/")
        .map(|(i, _)| html[i + 6..].split('"').next().unwrap_or_default().to_owned())
        .collect()
}

async fn fetch_json(app: &TestApp, path: &str) -> Value {
    let (status, text, _) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

both_backends!(b3_the_thanks_page_links_a_signed_receipt_anyone_can_verify, |app| {
    let thanks = sign_with_optin(&app, "r%40example.org").await;
    let (_, html, _) = app.get(&thanks).await;
    let links = receipt_links(&html);
    assert_eq!(links.len(), 1, "one consent receipt: {html}");
    let envelope = fetch_json(&app, &links[0]).await;
    let receipt = &envelope["receipt"];
    assert_eq!(receipt["version"], "KI-CR-v1.1.0");
    assert_eq!(receipt["placard"]["kind"], "consent");
    let text = &receipt["placard"]["texts"][0];
    assert_eq!((text["type"].as_str(), text["text"].as_str()), (Some("optin"), Some(OPTIN)));
    assert_eq!(text["hash"], PrivacyHash::of("optin", OPTIN).to_string());

    let (status, answer, _) = app.post_json("/receipts/verify", envelope.clone()).await;
    assert_eq!((status, &answer["valid"]), (200, &json!(true)));
    let mut tampered = envelope.clone();
    let mut payload = URL_SAFE_NO_PAD.decode(envelope["payload"].as_str().unwrap()).unwrap();
    let i = payload.len() / 2;
    payload[i] ^= 1;
    tampered["payload"] = json!(URL_SAFE_NO_PAD.encode(&payload));
    let (_, answer, _) = app.post_json("/receipts/verify", tampered).await;
    assert_eq!(answer["valid"], json!(false), "one changed byte fails");

    // Offline: the published JWK alone verifies it.
    let jwk = fetch_json(&app, "/receipts/public-key").await;
    let x = URL_SAFE_NO_PAD.decode(jwk["keys"][0]["x"].as_str().unwrap()).unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
    assert!(placard::receipts::verify(&key, &envelope));
});

both_backends!(b3_only_the_actions_own_supporter_sees_its_receipts, |app| {
    let thanks = sign_with_optin(&app, "own%40example.org").await;
    let other = sign_with_optin(&app, "other%40example.org").await;
    let other_akid = other.split("akid=").nth(1).unwrap().split('&').next().unwrap();
    let own_akid = thanks.split("akid=").nth(1).unwrap().split('&').next().unwrap();
    let (_, html, _) = app.get(&thanks.replace(own_akid, other_akid)).await;
    assert!(receipt_links(&html).is_empty(), "someone else's akid shows nothing");
    let (status, _, _) = app.get("/receipts/00000000000000000000000000000000/").await;
    assert_eq!(status, 404);
});

both_backends!(b3_a_withdrawal_produces_a_withdrawal_receipt, |app| {
    sign_with_optin(&app, "leave%40example.org").await;
    let (status, _, headers) = app.post_form("/act/", "page=unsubscribe&email=leave%40example.org").await;
    assert_eq!(status, 302);
    let thanks = headers.get("location").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    let (_, html, _) = app.get(&thanks).await;
    let links = receipt_links(&html);
    assert_eq!(links.len(), 1, "{html}");
    assert!(html.contains("Download your withdrawal receipt"));
    let envelope = fetch_json(&app, &links[0]).await;
    assert_eq!(envelope["receipt"]["placard"]["kind"], "withdrawal");
    assert_eq!(envelope["receipt"]["placard"]["texts"][0]["status"], "withdrawn");
});

both_backends!(g3_a_forgotten_persons_receipt_link_answers_404_and_its_row_keeps_nothing_of_them, |app| {
    use diesel::prelude::*;
    use placard::db::schema::core_consentreceipt as r;
    let thanks = sign_with_optin(&app, "gone%40example.org").await;
    let (_, html, _) = app.get(&thanks).await;
    let link = receipt_links(&html).pop().expect("a receipt link");
    fetch_json(&app, &link).await;

    let actor = placard::gdpr::Actor { who: "test".into(), via: "test".into() };
    let email = placard::people::Email::parse("gone@example.org").unwrap();
    let now = chrono::Utc::now().naive_utc();
    app.state.db.writer.submit(move |c| placard::gdpr::erase::forget_email(c, &email, &actor, now)).await.unwrap();

    let (status, text, _) = app.get(&link).await;
    assert_eq!(status, 404, "{text}");
    let rows: Vec<(Option<i64>, String, String, String)> =
        app.query(|c| r::table.select((r::user_id, r::kind, r::body, r::signature)).load(c));
    assert_eq!(rows, vec![(None, "consent".to_owned(), String::new(), String::new())], "scrubbed in place");
});
