//! The REST action endpoint's other encodings and callers (SPEC A1, A2): XML in and out,
//! form bodies answered in JSON, and the full resource for authenticated staff.

use crate::helpers::both_backends;
use base64::Engine as _;
use serde_json::Value;

const XML_SIGNUP: &str = r#"<?xml version="1.0" encoding="utf-8"?><request type="hash"><page>stay-informed</page><first_name>Example</first_name><last_name>User</last_name><email>user@example.com</email><zip>12345</zip><lists type="list"><item>1</item></lists></request>"#;

both_backends!(a1_xml_request_gets_an_xml_response, |app| {
    let (status, body, headers) = app
        .post_with(
            "/rest/v1/action/",
            &[("Content-Type", "application/xml; charset=utf-8"), ("Accept", "application/xml")],
            XML_SIGNUP,
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/xml; charset=utf-8"));
    assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<response>"), "{body}");
    assert!(body.contains("<rd type=\"integer\">1</rd>"));
    assert!(body.contains("<redirect_url>/cms/thanks/stay-informed/?action_id=1&amp;akid=."), "{body}");
    assert_eq!(app.counts(), (1, 1, 1));
});

both_backends!(a1_xml_with_a_doctype_is_refused_and_nothing_stored, |app| {
    let evil = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><request><page>stay-informed</page><email>&x;</email></request>"#;
    let (status, body, _) = app.post_with("/rest/v1/action/", &[("Content-Type", "application/xml")], evil).await;
    assert_eq!(status, 400);
    assert!(body.contains("DOCTYPE"), "{body}");
    assert_eq!(app.counts(), (0, 0, 0));
});

both_backends!(a1_xml_validation_errors_come_back_in_xml, |app| {
    let bad = r#"<request type="hash"><page>stay-informed</page><email>not an email</email></request>"#;
    let (status, body, _) = app
        .post_with("/rest/v1/action/", &[("Content-Type", "application/xml"), ("Accept", "application/xml")], bad)
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("<errors type=\"hash\">") && body.contains("E-mail address is invalid."), "{body}");
});

both_backends!(a2_authenticated_callers_get_the_full_action_resource, |app| {
    let auth = app.staff_basic_auth("api@example.org", "a long api password");
    let (status, text, headers) = app
        .post_with(
            "/rest/v1/action/",
            &[
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
                ("Authorization", &auth),
            ],
            "page=stay-informed&first_name=Example&last_name=User&email=user@example.com&zip=12345&action_color=blue",
        )
        .await;
    assert_eq!(status, 201, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    let id = body["id"].as_i64().expect("id");
    let location = headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(location.ends_with(&format!("/rest/v1/action/{id}/")));
    for key in [
        "akid",
        "created_at",
        "created_user",
        "fields",
        "link",
        "mailing",
        "opq_id",
        "page",
        "redirect_url",
        "referring_mailing",
        "referring_user",
        "resource_uri",
        "source",
        "status",
        "subscribed_user",
        "taf_emails_sent",
        "type",
        "updated_at",
        "user",
    ] {
        assert!(body.get(key).is_some(), "{key} missing from {body}");
    }
    assert_eq!(body["type"], "Signup");
    assert_eq!(body["status"], "complete");
    assert_eq!(body["source"], "restful_api");
    assert_eq!(body["created_user"], true);
    assert_eq!(body["fields"], serde_json::json!({"color": "blue"}));
    assert!(body["page"].as_str().unwrap().starts_with("/rest/v1/signuppage/"));
    assert!(body["user"].as_str().unwrap().starts_with("/rest/v1/user/"));
    assert_eq!(body["resource_uri"], format!("/rest/v1/action/{id}/"));
});

both_backends!(a2_wrong_credentials_are_401_and_store_nothing, |app| {
    app.staff_basic_auth("api@example.org", "a long api password");
    let wrong = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("api@example.org:not it"));
    let (status, body, headers) = app
        .post_with(
            "/rest/v1/action/",
            &[("Content-Type", "application/json"), ("Authorization", &wrong)],
            r#"{"page":"stay-informed","email":"a@example.org"}"#,
        )
        .await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("\"error\""), "JSON body: {body}");
    assert!(headers.get("www-authenticate").is_some());
    assert_eq!(app.counts(), (0, 0, 0));
});
