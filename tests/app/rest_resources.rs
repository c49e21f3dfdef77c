//! The REST resources as an ActionKit client uses them (SPEC R1–R3, P14, G3): users,
//! phones, lists and subscriptions under `/rest/v1/`, over HTTP Basic staff credentials.

use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_alloweduserfield, core_privacyrecord, core_privacytext, core_user};
use placard::privacy::PrivacyHash;
use serde_json::{json, Value};

const STAFF: (&str, &str) = ("api@example.org", "a long staff password");

struct Answer {
    status: u16,
    text: String,
    headers: awc::http::header::HeaderMap,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("JSON answer, got {}: {}", self.status, self.text))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn call(app: &TestApp, method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
    call_with(app, method, path, auth, body, "application/json").await
}

async fn call_with(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<Value>,
    accept: &str,
) -> Answer {
    let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(path)).insert_header(("Accept", accept));
    if let Some(auth) = auth {
        req = req.insert_header(("Authorization", auth));
    }
    let mut res = match body {
        Some(body) => req.insert_header(("Content-Type", "application/json")).send_body(body.to_string()).await,
        None => req.send().await,
    }
    .expect("answered");
    let bytes = res.body().limit(4 << 20).await.expect("body");
    Answer {
        status: res.status().as_u16(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
        headers: res.headers().clone(),
    }
}

fn staff(app: &TestApp) -> String {
    app.staff_basic_auth(STAFF.0, STAFF.1)
}

/// Creates a user; returns its resource path (`/rest/v1/user/N/`).
async fn create_user(app: &TestApp, auth: &str, body: Value) -> String {
    let res = call(app, "POST", "/rest/v1/user/", Some(auth), Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let location = res.header("location").expect("Location").to_owned();
    location.split_once("/rest/").map(|(_, p)| format!("/rest/{p}")).expect("a resource URI")
}

fn allow_user_field(app: &TestApp, name: &'static str) {
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            diesel::insert_into(core_alloweduserfield::table)
                .values((core_alloweduserfield::name.eq(name), core_alloweduserfield::created_at.eq(now)))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
}

fn user_row(app: &TestApp, email: &'static str) -> (String, String, String) {
    app.query(|c| {
        core_user::table
            .filter(core_user::email.eq(email))
            .select((core_user::first_name, core_user::city, core_user::country))
            .first(c)
    })
}

both_backends!(r3_actionkit_client_creates_a_user_adds_a_phone_updates_and_reads_it, |app| {
    let auth = staff(&app);
    allow_user_field(&app, "favorite_color");
    let res = call(
        &app,
        "POST",
        "/rest/v1/user/",
        Some(&auth),
        Some(json!({"email": " Ada@Example.ORG ", "first_name": "Ada", "zip": 12345, "fields": {"favorite_color": "teal"}})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let location = res.header("location").unwrap().to_owned();
    assert!(location.starts_with("http://127.0.0.1:") && location.contains("/rest/v1/user/"), "{location}");
    let user = format!("/rest/{}", location.split_once("/rest/").unwrap().1);

    let res = call(
        &app,
        "POST",
        "/rest/v1/phone/",
        Some(&auth),
        Some(json!({"user": user, "type": "mobile", "phone": "+1 (555) 010-2000"})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let phone = format!("/rest/{}", res.header("location").unwrap().split_once("/rest/").unwrap().1);

    let res = call(&app, "PATCH", &user, Some(&auth), Some(json!({"last_name": "Lovelace", "city": "London"}))).await;
    assert_eq!((res.status, res.text.as_str()), (202, ""), "PATCH: 202 with an empty body");

    let res = call(&app, "GET", &user, Some(&auth), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let got = res.json();
    assert_eq!(got["email"], "ada@example.org", "normalized");
    assert_eq!((got["first_name"].as_str(), got["last_name"].as_str()), (Some("Ada"), Some("Lovelace")));
    assert_eq!(got["zip"], "12345");
    assert_eq!(got["fields"], json!({"favorite_color": "teal"}));
    assert_eq!(got["phones"], json!([phone]));
    assert_eq!(got["resource_uri"], json!(user));
    assert_eq!(got["source"], "restful_api");
    assert_eq!(got["subscription_status"], "never");
    let id = user.trim_end_matches('/').rsplit('/').next().unwrap();
    assert_eq!(got["subscriptions"], json!(format!("/rest/v1/subscription/?user={id}")));
    assert_eq!(got["actions"], json!(format!("/rest/v1/action/?user={id}")));

    // A fetched object sent back whole (read-only fields included) is a valid PUT.
    let mut whole = got.clone();
    whole["city"] = json!("Paris");
    let res = call(&app, "PUT", &user, Some(&auth), Some(whole)).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(user_row(&app, "ada@example.org").1, "Paris");

    let res = call(&app, "GET", &phone, Some(&auth), None).await;
    let got = res.json();
    assert_eq!((got["user"].as_str(), got["type"].as_str()), (Some(user.as_str()), Some("mobile")));
    assert_eq!(got["normalized_phone"], "+15550102000");
    let res = call(&app, "GET", "/rest/v1/phone/?user__email=ada@example.org", Some(&auth), None).await;
    assert_eq!(res.json()["meta"]["total_count"], 1, "filter across the reference");
    let res = call(&app, "DELETE", &phone, Some(&auth), None).await;
    assert_eq!(res.status, 204);
    assert_eq!(call(&app, "GET", &phone, Some(&auth), None).await.status, 404);
});

both_backends!(r2_lists_filter_order_and_page_with_limit_offset_and_next, |app| {
    let auth = staff(&app);
    for i in 0..5 {
        create_user(
            &app,
            &auth,
            json!({"email": format!("page{i}@example.org"), "city": if i % 2 == 0 { "Even" } else { "Odd" }}),
        )
        .await;
    }
    create_user(&app, &auth, json!({"email": "other@example.net"})).await;

    let one = call(&app, "GET", "/rest/v1/user/?email=page3@example.org", Some(&auth), None).await.json();
    assert_eq!(one["meta"]["total_count"], 1);
    assert_eq!(one["objects"][0]["email"], "page3@example.org");
    let icontains = call(&app, "GET", "/rest/v1/user/?email__icontains=PAGE", Some(&auth), None).await.json();
    assert_eq!(icontains["meta"]["total_count"], 5);
    let contains = call(&app, "GET", "/rest/v1/user/?email__contains=PAGE", Some(&auth), None).await.json();
    assert_eq!(contains["meta"]["total_count"], 0, "contains is case-sensitive");
    let starts =
        call(&app, "GET", "/rest/v1/user/?email__startswith=other&city__in=,Odd", Some(&auth), None).await.json();
    assert_eq!(starts["meta"]["total_count"], 0);
    for (query, count) in [
        ("email__startswith=other", 1),
        ("email__startswith=Other", 0),
        ("email__istartswith=Other", 1),
        ("city__in=Odd,Even", 5),
        ("created_at__gte=2000-01-01", 6),
        ("created_at__lte=2000-01-01T00:00:00", 0),
        ("email__gte=page3@example.org", 2),
        ("city__isnull=false", 6),
        ("subscription_status=never", 6),
    ] {
        let got = call(&app, "GET", &format!("/rest/v1/user/?{query}"), Some(&auth), None).await.json();
        assert_eq!(got["meta"]["total_count"], count, "{query}: {got}");
    }
    let odd = call(&app, "GET", "/rest/v1/user/?city=Odd&email__icontains=page", Some(&auth), None).await.json();
    assert_eq!(odd["meta"]["total_count"], 2);

    let desc = call(&app, "GET", "/rest/v1/user/?order_by=-id", Some(&auth), None).await.json();
    let ids: Vec<i64> = desc["objects"].as_array().unwrap().iter().map(|o| o["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!((ids.len(), &ids), (6, &sorted), "order_by=-id");

    let mut next = Some("/rest/v1/user/?email__icontains=page&order_by=email&_limit=2".to_owned());
    let mut seen = vec![];
    let mut pages = 0;
    while let Some(path) = next {
        let page = call(&app, "GET", &path, Some(&auth), None).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        let page = page.json();
        assert_eq!((page["meta"]["limit"].as_i64(), page["meta"]["total_count"].as_i64()), (Some(2), Some(5)));
        if pages > 0 {
            let previous = page["meta"]["previous"].as_str().expect("previous after the first page");
            assert!(
                previous.starts_with("/rest/v1/user/?") && previous.contains("email__icontains=page"),
                "{previous}"
            );
        } else {
            assert_eq!(page["meta"]["previous"], Value::Null);
        }
        seen.extend(page["objects"].as_array().unwrap().iter().map(|o| o["email"].as_str().unwrap().to_owned()));
        next = page["meta"]["next"].as_str().map(str::to_owned);
        if let Some(n) = &next {
            assert!(n.starts_with("/rest/v1/user/?") && n.contains("order_by=email"), "next keeps the filters: {n}");
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..5).map(|i| format!("page{i}@example.org")).collect();
    assert_eq!(seen, expected, "every row once, in order");

    let window = call(&app, "GET", "/rest/v1/user/?_limit=2&_offset=4&order_by=id", Some(&auth), None).await.json();
    assert_eq!(window["objects"].as_array().unwrap().len(), 2);
    assert_eq!(window["meta"]["next"], Value::Null);
    assert_eq!(window["meta"]["offset"], 4);

    // Subscriptions and lists: filters by reference.
    let res = call(
        &app,
        "POST",
        "/rest/v1/action/",
        None,
        Some(json!({"page": "stay-informed", "email": "page1@example.org"})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let subs =
        call(&app, "GET", "/rest/v1/subscription/?user__email=page1@example.org", Some(&auth), None).await.json();
    assert_eq!(subs["meta"]["total_count"], 1, "{subs}");
    let list = subs["objects"][0]["list"].as_str().unwrap().to_owned();
    let by_list = call(&app, "GET", &format!("/rest/v1/subscription/?list={list}"), Some(&auth), None).await.json();
    assert_eq!(by_list["meta"]["total_count"], 1);
    let named = call(&app, "GET", "/rest/v1/list/?name__iexact=SUPPORTERS", Some(&auth), None).await.json();
    assert_eq!(named["meta"]["total_count"], 1);
});

both_backends!(r3_bad_input_is_a_400_naming_the_field, |app| {
    let auth = staff(&app);
    let user = create_user(&app, &auth, json!({"email": "bad@example.org"})).await;
    let errors = |res: Answer| {
        assert_eq!(res.status, 400, "{}", res.text);
        res.json()["errors"].as_object().unwrap().keys().cloned().collect::<Vec<_>>()
    };
    for (query, field) in [
        ("_limit=101", "_limit"),
        ("_limit=-1", "_limit"),
        ("_limit=lots", "_limit"),
        ("_offset=-2", "_offset"),
        ("colour=red", "colour"),
        ("email__near=x", "email__near"),
        ("id=abc", "id"),
        ("created_at__gte=yesterday", "created_at__gte"),
        ("order_by=colour", "order_by"),
    ] {
        let res = call(&app, "GET", &format!("/rest/v1/user/?{query}"), Some(&auth), None).await;
        assert_eq!(errors(res), vec![field], "{query}");
    }
    let res = call(&app, "GET", "/rest/v1/phone/?user=/rest/v1/page/3/", Some(&auth), None).await;
    assert_eq!(errors(res), vec!["user"]);

    let res =
        call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(json!({"email": "x@example.org", "shoe_size": 9})))
            .await;
    assert_eq!(errors(res), vec!["shoe_size"], "unknown field");
    let res = call(
        &app,
        "POST",
        "/rest/v1/user/",
        Some(&auth),
        Some(json!({"email": "x@example.org", "first_name": {"a": 1}})),
    )
    .await;
    assert_eq!(errors(res), vec!["first_name"], "wrong type");
    let res = call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(json!({"email": "not an email"}))).await;
    assert_eq!(errors(res), vec!["email"]);
    let res = call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(json!({"first_name": "Nobody"}))).await;
    assert_eq!(errors(res), vec!["email"], "email is required on create");
    let res = call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(json!({"email": "BAD@example.org"}))).await;
    assert_eq!(errors(res), vec!["email"], "duplicate email");
    let res = call(
        &app,
        "POST",
        "/rest/v1/user/",
        Some(&auth),
        Some(json!({"email": "y@example.org", "fields": {"shoe_size": "9"}})),
    )
    .await;
    assert_eq!(errors(res), vec!["fields"], "custom fields must be allowed");
    for bad in ["/rest/v1/user/999/", "/rest/v1/page/x/", "user 3"] {
        let res = call(
            &app,
            "POST",
            "/rest/v1/phone/",
            Some(&auth),
            Some(json!({"user": bad, "type": "home", "phone": "555 0100"})),
        )
        .await;
        assert_eq!(errors(res), vec!["user"], "{bad}");
    }
    let res = call(
        &app,
        "POST",
        "/rest/v1/phone/",
        Some(&auth),
        Some(json!({"user": user, "type": "pager", "phone": "555 0100"})),
    )
    .await;
    assert_eq!(errors(res), vec!["type"]);
    let res = call(&app, "POST", "/rest/v1/list/", Some(&auth), Some(json!({"name": "Supporters"}))).await;
    assert_eq!(errors(res), vec!["name"], "list names are unique");
    assert_eq!(app.counts().0, 1, "nothing created by a refused request");
});

both_backends!(r3_unknown_ids_404_wrong_methods_405_missing_credentials_401, |app| {
    let auth = staff(&app);
    for path in ["/rest/v1/user/999/", "/rest/v1/user/abc/", "/rest/v1/list/999/", "/rest/v1/subscription/5/"] {
        let res = call(&app, "GET", path, Some(&auth), None).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(res.json()["error"].as_str().unwrap().contains("No "), "{}", res.text);
    }
    let res = call(&app, "PATCH", "/rest/v1/user/999/", Some(&auth), Some(json!({"city": "X"}))).await;
    assert_eq!(res.status, 404);
    let res = call(&app, "DELETE", "/rest/v1/user/", Some(&auth), None).await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, POST"));
    assert!(res.json()["error"].is_string());
    let res = call(&app, "POST", "/rest/v1/subscription/", Some(&auth), Some(json!({}))).await;
    assert_eq!((res.status, res.header("allow")), (405, Some("GET")));
    let res = call(&app, "PUT", "/rest/v1/subscription/1/", Some(&auth), Some(json!({}))).await;
    assert_eq!(res.status, 405);
    let res = call(&app, "GET", "/rest/v1/user/", None, None).await;
    assert_eq!(res.status, 401);
    assert!(res.json()["error"].is_string());
    let wrong = app.staff_basic_auth("api@example.org", "a long staff password").replace("Basic ", "Basic x");
    assert_eq!(call(&app, "GET", "/rest/v1/user/", Some(&wrong), None).await.status, 401);
    assert_eq!(call(&app, "POST", "/rest/v1/user/", None, Some(json!({"email": "a@example.org"}))).await.status, 401);
    assert_eq!(call(&app, "GET", "/rest/v1/user/schema/", None, None).await.status, 401);
    assert_eq!(app.counts().0, 0);
});

both_backends!(r1_lists_answer_in_xml_by_accept_and_schema_describes_fields, |app| {
    let auth = staff(&app);
    create_user(&app, &auth, json!({"email": "xml@example.org"})).await;
    let res = call_with(&app, "GET", "/rest/v1/user/", Some(&auth), None, "application/xml").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("application/xml"));
    assert!(res.text.starts_with("<?xml"), "{}", res.text);
    assert!(res.text.contains("<total_count type=\"integer\">1</total_count>"), "{}", res.text);
    assert!(res.text.contains("<email>xml@example.org</email>"), "{}", res.text);

    let schema = call(&app, "GET", "/rest/v1/user/schema/", Some(&auth), None).await.json();
    assert_eq!(schema["fields"]["email"]["type"], "string");
    assert_eq!(schema["fields"]["email"]["unique"], true);
    assert_eq!(schema["fields"]["subscription_status"]["readonly"], true);
    assert_eq!(schema["fields"]["phones"]["related_type"], "to_many");
    assert!(schema["filtering"]["email"].as_array().unwrap().contains(&json!("icontains")));
    assert!(schema["ordering"].as_array().unwrap().contains(&json!("created_at")));
    assert!(schema["write_options"]["privacy"].is_string());
    let phone = call(&app, "GET", "/rest/v1/phone/schema/", Some(&auth), None).await.json();
    assert_eq!(phone["fields"]["user"]["related_schema"], "/rest/v1/user/schema/");
    let sub = call(&app, "GET", "/rest/v1/subscription/schema/", Some(&auth), None).await.json();
    assert_eq!(sub["allowed_list_http_methods"], json!(["get"]));
});

fn require_notes_on_user_api(app: &TestApp) {
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            let mut s = placard::privacy::store::load_settings(c)?;
            s.require_on_user_api = true;
            placard::privacy::store::save_settings(c, &s, now)?;
            placard::privacy::store::ensure_version(c, "optin", "Yes, keep me informed.", now)?;
            Ok(())
        })
        .unwrap();
}

fn api_notes(app: &TestApp) -> Vec<(String, String)> {
    app.query(|c| {
        core_privacyrecord::table
            .inner_join(core_privacytext::table)
            .filter(core_privacyrecord::context.eq("api_notes"))
            .order(core_privacyrecord::id.asc())
            .select((core_privacytext::type_, core_privacyrecord::note))
            .load(c)
    })
}

both_backends!(p14_user_api_takes_privacy_notes_and_refuses_placeholders, |app| {
    let auth = staff(&app);
    require_notes_on_user_api(&app);
    let post = |body: Value| call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(body));
    let res = post(json!({"email": "de@example.org", "country": "DE"})).await;
    assert_eq!(res.status, 400, "{}", res.text);
    assert!(res.json()["errors"]["privacy"].is_array(), "required for a listed country");
    for placeholder in ["1", "yes", " OK ", ""] {
        let res = post(json!({"email": "de@example.org", "country": "Germany", "privacy": placeholder})).await;
        assert_eq!(res.status, 400, "{placeholder:?}");
        assert!(res.json()["errors"]["privacy"][0].as_str().unwrap().contains("placeholder"), "{}", res.text);
    }
    let res = post(json!({"email": "de@example.org", "country": "Deutschland", "privacy": true})).await;
    assert_eq!(res.status, 400, "true is a placeholder too");
    assert_eq!(app.counts().0, 0);

    let user = create_user(
        &app,
        &auth,
        json!({"email": "de@example.org", "country": "DE", "privacy": "Consent given by phone on 3 May"}),
    )
    .await;
    assert_eq!(user_row(&app, "de@example.org").2, "Germany", "country stored by its English name");
    let hash = PrivacyHash::of("optin", "Yes, keep me informed.").to_string();
    let res = call(&app, "PATCH", &user, Some(&auth), Some(json!({"city": "Berlin", "privacy": hash}))).await;
    assert_eq!(res.status, 202, "{}", res.text);
    let unknown = PrivacyHash::of("optin", "never written").to_string();
    let res = call(&app, "PATCH", &user, Some(&auth), Some(json!({"city": "Bonn", "privacy": unknown}))).await;
    assert_eq!(res.status, 400, "an unknown hash: {}", res.text);
    let res = call(&app, "PATCH", &user, Some(&auth), Some(json!({"city": "Bonn"}))).await;
    assert_eq!(res.status, 400, "the stored country is listed");
    assert_eq!(user_row(&app, "de@example.org").1, "Berlin", "refused updates changed nothing");
    let res =
        call(&app, "PATCH", &user, Some(&auth), Some(json!({"country": "United States", "city": "Boston"}))).await;
    assert_eq!(res.status, 202, "the submitted country decides: {}", res.text);
    let notes = api_notes(&app);
    assert_eq!(
        notes,
        vec![
            ("api_notes".to_owned(), "Consent given by phone on 3 May".to_owned()),
            ("api_notes".to_owned(), hash.clone()),
        ]
    );
    let res = post(json!({"email": "us@example.org", "country": "United States"})).await;
    assert_eq!(res.status, 201, "no note needed outside the listed countries: {}", res.text);
});

both_backends!(r3_a_failed_patch_changes_nothing, |app| {
    let auth = staff(&app);
    allow_user_field(&app, "favorite_color");
    let user = create_user(
        &app,
        &auth,
        json!({"email": "keep@example.org", "first_name": "Kim", "city": "Oslo", "fields": {"favorite_color": "red"}}),
    )
    .await;
    create_user(&app, &auth, json!({"email": "taken@example.org"})).await;
    for body in [
        json!({"first_name": "Changed", "fields": {"favorite_color": "blue", "shoe_size": "9"}}),
        json!({"first_name": "Changed", "email": "taken@example.org"}),
        json!({"first_name": "Changed", "city": "x".repeat(300)}),
        json!({"first_name": "Changed", "zip": []}),
    ] {
        let res = call(&app, "PATCH", &user, Some(&auth), Some(body.clone())).await;
        assert_eq!(res.status, 400, "{body}: {}", res.text);
    }
    let got = call(&app, "GET", &user, Some(&auth), None).await.json();
    assert_eq!((got["first_name"].as_str(), got["city"].as_str()), (Some("Kim"), Some("Oslo")));
    assert_eq!(got["fields"], json!({"favorite_color": "red"}));
    assert_eq!(got["email"], "keep@example.org");
});

both_backends!(g3_a_forgotten_email_cannot_be_created_or_set_through_the_user_api, |app| {
    let auth = staff(&app);
    let now = chrono::Utc::now().naive_utc();
    let email = placard::people::Email::parse("gone@example.org").unwrap();
    let actor = placard::gdpr::Actor { who: "test".into(), via: "test".into() };
    app.state.db.writer.submit_now(|c| placard::gdpr::erase::forget_email(c, &email, &actor, now).map(|_| ())).unwrap();
    let res = call(&app, "POST", "/rest/v1/user/", Some(&auth), Some(json!({"email": "Gone@Example.org"}))).await;
    assert_eq!(res.status, 403, "{}", res.text);
    assert!(res.json()["error"].as_str().unwrap().contains("forgotten"));
    let user = create_user(&app, &auth, json!({"email": "here@example.org"})).await;
    let res = call(&app, "PATCH", &user, Some(&auth), Some(json!({"email": "gone@example.org"}))).await;
    assert_eq!(res.status, 403);
    assert_eq!(app.counts().0, 1);
    let got = call(&app, "GET", &user, Some(&auth), None).await.json();
    assert_eq!(got["email"], "here@example.org");
});

both_backends!(r3_lists_are_created_changed_and_deleted_only_when_unused, |app| {
    let auth = staff(&app);
    let res = call(
        &app,
        "POST",
        "/rest/v1/list/",
        Some(&auth),
        Some(json!({"name": "Volunteers", "description": "Helpers", "is_default": true})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let list = format!("/rest/{}", res.header("location").unwrap().split_once("/rest/").unwrap().1);
    let defaults = call(&app, "GET", "/rest/v1/list/?is_default=true", Some(&auth), None).await.json();
    assert_eq!(defaults["meta"]["total_count"], 1, "one default list");
    assert_eq!(defaults["objects"][0]["resource_uri"], json!(list));
    let res = call(&app, "PATCH", &list, Some(&auth), Some(json!({"description": "People who help"}))).await;
    assert_eq!(res.status, 202);
    assert_eq!(call(&app, "GET", &list, Some(&auth), None).await.json()["description"], "People who help");
    let used = call(&app, "GET", "/rest/v1/list/?name=Supporters", Some(&auth), None).await.json();
    let used = used["objects"][0]["resource_uri"].as_str().unwrap().to_owned();
    let res = call(&app, "DELETE", &used, Some(&auth), None).await;
    assert_eq!(res.status, 409, "pages use it: {}", res.text);
    assert_eq!(call(&app, "DELETE", &list, Some(&auth), None).await.status, 204);
    assert_eq!(call(&app, "GET", &list, Some(&auth), None).await.status, 404);
});

both_backends!(r3_deleting_a_user_erases_them, |app| {
    let auth = staff(&app);
    let res = call(
        &app,
        "POST",
        "/rest/v1/action/",
        None,
        Some(json!({"page": "stay-informed", "email": "del@example.org"})),
    )
    .await;
    assert_eq!(res.status, 201);
    let found = call(&app, "GET", "/rest/v1/user/?email=del@example.org", Some(&auth), None).await.json();
    let user = found["objects"][0]["resource_uri"].as_str().unwrap().to_owned();
    assert_eq!(call(&app, "DELETE", &user, Some(&auth), None).await.status, 204);
    assert_eq!(call(&app, "GET", &user, Some(&auth), None).await.status, 404);
    let (users, actions, _) = app.counts();
    assert_eq!((users, actions), (0, 1), "the action stays as an anonymous count");
});
