//! `POST /rest/v1/action/` (SPEC A1–A4, A8): JSON and form bodies, the 201 answer, and
//! every kind of bad input answered clearly with nothing stored.

use crate::helpers::both_backends;
use diesel::prelude::*;
use placard::db::schema::{core_action, core_actionfield, core_subscription, core_user};
use serde_json::json;

both_backends!(a2_json_action_answers_201_with_location_and_short_body, |app| {
    let (status, body, headers) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": " Signup@Example.com "})).await;
    assert_eq!(status, 201, "{body}");
    let action_id = body["action_id"].as_i64().expect("action_id");
    let akid = body["akid"].as_str().expect("akid");
    assert_eq!(body["rd"], 1);
    assert_eq!(body["redirect_url"], format!("/cms/thanks/stay-informed/?action_id={action_id}&akid={akid}&rd=1"));
    let location = headers.get("location").and_then(|v| v.to_str().ok()).expect("Location");
    assert!(location.ends_with(&format!("/rest/v1/action/{action_id}/")), "{location}");
    let (email, source, created_user, subscribed_user) = app.query(|c| {
        core_action::table
            .inner_join(core_user::table.on(core_user::id.nullable().eq(core_action::user_id)))
            .filter(core_action::id.eq(action_id))
            .select((core_user::email, core_action::source, core_action::created_user, core_action::subscribed_user))
            .first::<(String, String, bool, bool)>(c)
    });
    assert_eq!(email, "signup@example.com", "stored lowercased and trimmed");
    assert_eq!(source, "restful_api");
    assert!(created_user && subscribed_user);
});

both_backends!(a1_form_encoded_body_works_on_the_api_too, |app| {
    let (status, text, _) =
        app.post_form("/rest/v1/action/", "page=stay-informed&email=form%40example.org&action_comment=hello").await;
    assert_eq!(status, 201, "{text}");
    let fields = app.query(|c| {
        core_actionfield::table.select((core_actionfield::name, core_actionfield::value)).load::<(String, String)>(c)
    });
    assert_eq!(
        fields,
        vec![("comment".to_owned(), "hello".to_owned())],
        "A6: action_ fields stored without the prefix"
    );
});

both_backends!(a6_repeated_action_fields_are_all_kept_in_the_order_posted, |app| {
    let (status, text, _) = app
        .post_form(
            "/rest/v1/action/",
            "page=stay-informed&email=boxes%40example.org&action_topic=bees&action_comment=hi&action_topic=trees",
        )
        .await;
    assert_eq!(status, 201, "{text}");
    let fields = app.query(|c| {
        core_actionfield::table
            .order((core_actionfield::parent_id, core_actionfield::position))
            .select((core_actionfield::position, core_actionfield::name, core_actionfield::value))
            .load::<(i64, String, String)>(c)
    });
    assert_eq!(
        fields,
        vec![
            (0, "topic".to_owned(), "bees".to_owned()),
            (1, "comment".to_owned(), "hi".to_owned()),
            (2, "topic".to_owned(), "trees".to_owned()),
        ],
        "a checkbox list's values are each kept, keyed by their place in the request"
    );
});

both_backends!(a8_a_second_action_updates_the_user_and_reports_nothing_new, |app| {
    let first = json!({"page": "stay-informed", "email": "again@example.org", "first_name": "Ann"});
    let (status, _, _) = app.post_json("/rest/v1/action/", first).await;
    assert_eq!(status, 201);
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "AGAIN@example.org", "first_name": "Anna"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = body["action_id"].as_i64().unwrap();
    let (created, subscribed) = app.query(|c| {
        core_action::table
            .find(id)
            .select((core_action::created_user, core_action::subscribed_user))
            .first::<(bool, bool)>(c)
    });
    assert!(!created && !subscribed, "same person, already subscribed");
    let names = app.query(|c| core_user::table.select(core_user::first_name).load::<String>(c));
    assert_eq!(names, vec!["Anna".to_owned()], "one user, updated");
    assert_eq!(app.counts(), (1, 2, 1));
});

both_backends!(a4_invalid_email_and_zip_answer_400_with_field_messages_and_store_nothing, |app| {
    let before = app.counts();
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"email": "not a valid email", "country": "United States", "zip": "abcdf", "page": "stay-informed"}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"errors": {"email": ["E-mail address is invalid."], "zip": ["ZIP Code is invalid."]}}));
    assert_eq!(app.counts(), before);
});

both_backends!(a4_required_fields_from_page_and_request_are_enforced, |app| {
    let (status, body, _) = app
        .post_json("/rest/v1/action/", json!({"page": "save-the-bees", "email": "r@example.org", "required": ["city"]}))
        .await;
    assert_eq!(status, 400);
    let errors = body["errors"].as_object().expect("errors");
    let mut fields: Vec<&str> = errors.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, vec!["city", "first_name", "last_name"]);
    assert_eq!(app.counts().0, 0);
});

both_backends!(a3_unknown_page_is_404_and_missing_page_is_400, |app| {
    let (status, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "no-such-page", "email": "a@example.org"})).await;
    assert_eq!(status, 404);
    assert!(body["error"].as_str().unwrap_or_default().contains("no-such-page"), "{body}");
    let (status, body, _) = app.post_json("/rest/v1/action/", json!({"email": "a@example.org"})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["page"].is_array(), "{body}");
    assert_eq!(app.counts().0, 0);
});

both_backends!(a3_akid_identifies_the_user_and_a_forged_akid_does_not, |app| {
    let (_, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "akid@example.org"})).await;
    let akid = body["akid"].as_str().unwrap().to_owned();
    let (status, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "write-to-council", "akid": akid, "city": "Leeds"})).await;
    assert_eq!(status, 400, "stored names are missing: {body}");
    assert!(body["errors"].get("email").is_none(), "the akid stands in for the email: {body}");
    let (status, _, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "write-to-council", "akid": akid, "first_name": "Kim", "last_name": "Ng", "city": "Leeds"}),
        )
        .await;
    assert_eq!(status, 201);
    let forged = akid.replacen(".1.", ".2.", 1);
    let (status, body, _) = app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "akid": forged})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["email"].is_array(), "a bad akid counts as no akid: {body}");
    assert_eq!(app.counts(), (1, 2, 1));
});

both_backends!(a1_malformed_bodies_answer_clear_errors_and_store_nothing, |app| {
    let (status, text, _) = app.post("/rest/v1/action/", "application/json", "{\"page\": ").await;
    assert_eq!(status, 400);
    assert!(text.contains("not valid JSON"), "{text}");
    let (status, text, _) = app.post("/rest/v1/action/", "text/plain", "page=stay-informed&email=a@example.org").await;
    assert_eq!(status, 415, "{text}");
    assert!(text.contains("application/json"), "{text}");
    let huge = format!("page=stay-informed&email=a%40example.org&action_x={}", "x".repeat(300 * 1024));
    let (status, text, _) = app.post_form("/rest/v1/action/", &huge).await;
    assert_eq!(status, 413, "{text}");
    let (status, text, _) =
        app.post("/rest/v1/action/", "application/x-www-form-urlencoded", "email=%FF%FE&page=stay-informed").await;
    assert_eq!(status, 400, "{text}");
    assert_eq!(app.counts(), (0, 0, 0));
});

both_backends!(a1_typed_action_endpoints_are_refused, |app| {
    let (status, body, _) =
        app.post_json("/rest/v1/signupaction/", json!({"page": "stay-informed", "email": "a@example.org"})).await;
    assert_eq!(status, 405, "typed action resources are read-only");
    assert!(body["error"].as_str().unwrap_or_default().contains("/rest/v1/action/"), "{body}");
    assert_eq!(app.counts().1, 0);
});

both_backends!(a6_custom_user_fields_need_an_allowed_name, |app| {
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": "c@example.org", "user_shoe_size": "9"}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["user_shoe_size"].is_array(), "{body}");
    assert_eq!(app.counts(), (0, 0, 0));
});

both_backends!(u2_unsubscribe_page_ends_every_subscription, |app| {
    app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "leaving@example.org"})).await;
    assert_eq!(app.counts().2, 1);
    let (status, _, _) =
        app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "leaving@example.org"})).await;
    assert_eq!(status, 201);
    let subs = app.query(|c| core_subscription::table.count().get_result::<i64>(c));
    assert_eq!(subs, 0);
    let status = app.query(|c| core_user::table.select(core_user::subscription_status).first::<String>(c));
    assert_eq!(status, "unsubscribed");
});
