//! The remaining REST resources of SPEC R1 as an ActionKit client uses them (R1–R3): pages
//! and typed pages, actions and typed actions, allowed fields, privacy records and texts,
//! orders and the blackhole list, over HTTP Basic staff credentials.

use crate::helpers::{both_backends, TestApp};
use placard::privacy::PrivacyHash;
use serde_json::{json, Value};

const STAFF: (&str, &str) = ("reader@example.org", "a long staff password");
const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

struct Answer {
    status: u16,
    text: String,
    headers: awc::http::header::HeaderMap,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|_| panic!("JSON answer, got {}: {}", self.status, self.text))
    }

    /// The `Location` header as a host-relative path.
    fn location(&self) -> String {
        let location = self.headers.get("location").and_then(|v| v.to_str().ok()).expect("Location");
        location.split_once("/rest/").map(|(_, p)| format!("/rest/{p}")).expect("a resource URI")
    }
}

async fn call(app: &TestApp, method: &str, path: &str, auth: Option<&str>, body: Option<Value>) -> Answer {
    let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(path)).insert_header(("Accept", "application/json"));
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

async fn get(app: &TestApp, auth: &str, path: &str) -> Value {
    let res = call(app, "GET", path, Some(auth), None).await;
    assert_eq!(res.status, 200, "GET {path}: {}", res.text);
    res.json()
}

/// Posts an action as staff; returns the full action resource.
async fn act(app: &TestApp, auth: &str, body: Value) -> Value {
    let res = call(app, "POST", "/rest/v1/action/", Some(auth), Some(body)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.json()
}

fn ids(list: &Value) -> Vec<i64> {
    list["objects"].as_array().expect("objects").iter().map(|o| o["id"].as_i64().expect("id")).collect()
}

both_backends!(r2_actions_page_through_by_page_name_with_limit_and_next, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let mut bees = vec![];
    for (i, email) in ["a@example.org", "b@example.org", "c@example.org"].iter().enumerate() {
        let body =
            json!({"page": "save-the-bees", "email": email, "name": "Ann Lee", "action_comment": format!("c{i}")});
        bees.push(act(&app, &auth, body).await["id"].as_i64().unwrap());
    }
    act(&app, &auth, json!({"page": "stay-informed", "email": "d@example.org"})).await;

    let first = get(&app, &auth, "/rest/v1/action/?page__name=save-the-bees&_limit=2").await;
    assert_eq!(first["meta"]["total_count"], 3, "{first}");
    assert_eq!(ids(&first), bees[..2].to_vec());
    let next = first["meta"]["next"].as_str().expect("a next link");
    let second = get(&app, &auth, next).await;
    assert_eq!(ids(&second), bees[2..].to_vec());
    assert!(second["meta"]["next"].is_null());

    let one = &first["objects"][0];
    let page = get(&app, &auth, "/rest/v1/page/?name=save-the-bees").await;
    let page_id = page["objects"][0]["id"].as_i64().unwrap();
    assert_eq!(one["resource_uri"], format!("/rest/v1/action/{}/", bees[0]));
    assert_eq!(one["page"], format!("/rest/v1/petitionpage/{page_id}/"), "pages are referred to by typed URI");
    assert_eq!(one["type"], "Petition");
    assert_eq!(one["fields"], json!({"comment": "c0"}), "custom action fields");
    let user = one["user"].as_str().expect("user URI");
    assert_eq!(get(&app, &auth, user).await["email"], "a@example.org");

    let by_page = get(&app, &auth, &format!("/rest/v1/action/?page={page_id}&order_by=-id")).await;
    assert_eq!(ids(&by_page), bees.iter().rev().copied().collect::<Vec<_>>());
    let after = get(&app, &auth, "/rest/v1/action/?created_at__gte=2000-01-01&user__email=d@example.org").await;
    assert_eq!(after["meta"]["total_count"], 1);
    assert_eq!(get(&app, &auth, &format!("/rest/v1/action/{}/", bees[1])).await["fields"], json!({"comment": "c1"}));
});

both_backends!(r1_typed_action_lists_hold_only_their_type, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let petition = act(&app, &auth, json!({"page": "save-the-bees", "email": "a@example.org", "name": "A B"})).await;
    let signup = act(&app, &auth, json!({"page": "stay-informed", "email": "b@example.org"})).await;
    let (petition, signup) = (petition["id"].as_i64().unwrap(), signup["id"].as_i64().unwrap());

    let petitions = get(&app, &auth, "/rest/v1/petitionaction/").await;
    assert_eq!(ids(&petitions), vec![petition]);
    assert_eq!(petitions["objects"][0]["type"], "Petition");
    assert_eq!(petitions["objects"][0]["resource_uri"], format!("/rest/v1/petitionaction/{petition}/"));
    assert_eq!(ids(&get(&app, &auth, "/rest/v1/signupaction/").await), vec![signup]);
    assert_eq!(get(&app, &auth, "/rest/v1/letteraction/").await["meta"]["total_count"], 0);
    assert_eq!(ids(&get(&app, &auth, "/rest/v1/action/").await), vec![petition, signup]);
    assert_eq!(get(&app, &auth, &format!("/rest/v1/signupaction/{signup}/")).await["id"], signup);
    let wrong = call(&app, "GET", &format!("/rest/v1/petitionaction/{signup}/"), Some(&auth), None).await;
    assert_eq!(wrong.status, 404, "a signup action is not a petition action");
    let post = call(&app, "POST", "/rest/v1/signupaction/", Some(&auth), Some(json!({"page": "stay-informed"}))).await;
    assert_eq!(post.status, 405, "typed actions stay read-only: {}", post.text);
});

both_backends!(r1_page_by_name_finds_the_page_and_its_typed_uri, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let found = get(&app, &auth, "/rest/v1/page/?name=stay-informed").await;
    assert_eq!(found["meta"]["total_count"], 1);
    let page = &found["objects"][0];
    let id = page["id"].as_i64().unwrap();
    assert_eq!(page["type"], "Signup");
    assert_eq!(page["resource_uri"], format!("/rest/v1/page/{id}/"));
    assert_eq!(page["typed_resource_uri"], format!("/rest/v1/signuppage/{id}/"));
    assert!(page["list"].as_str().unwrap().starts_with("/rest/v1/list/"), "{page}");
    let typed = get(&app, &auth, page["typed_resource_uri"].as_str().unwrap()).await;
    assert_eq!(typed["name"], "stay-informed");
    let wrong = call(&app, "GET", &format!("/rest/v1/petitionpage/{id}/"), Some(&auth), None).await;
    assert_eq!(wrong.status, 404);

    let petitions = get(&app, &auth, "/rest/v1/petitionpage/?_limit=100").await;
    let objects = petitions["objects"].as_array().unwrap();
    assert!(!objects.is_empty() && objects.iter().all(|p| p["type"] == "Petition"), "{petitions}");
    let by_type = get(&app, &auth, "/rest/v1/page/?type=Petition&_limit=100").await;
    assert_eq!(ids(&by_type), ids(&petitions));
    let by_lang = get(&app, &auth, "/rest/v1/page/?lang=de&title__icontains=bienen").await;
    assert_eq!(by_lang["objects"][0]["name"], "bienen-retten", "{by_lang}");
});

both_backends!(r3_typed_pages_are_created_changed_and_deleted_or_hidden, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let created = call(
        &app,
        "POST",
        "/rest/v1/petitionpage/",
        Some(&auth),
        Some(json!({"name": "save-the-owls", "title": "Save the owls", "lang": "en", "list": "/rest/v1/list/1/"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let owls = created.location();
    assert!(owls.starts_with("/rest/v1/petitionpage/"), "{owls}");
    let page = get(&app, &auth, &owls).await;
    assert_eq!((page["type"].as_str(), page["status"].as_str()), (Some("Petition"), Some("active")));
    let (status, _, _) = app.get("/sign/save-the-owls/").await;
    assert_eq!(status, 200, "the new page is served");

    let patch = call(&app, "PATCH", &owls, Some(&auth), Some(json!({"title": "Save all owls", "goal": 500}))).await;
    assert_eq!(patch.status, 202, "{}", patch.text);
    let page = get(&app, &auth, &owls).await;
    assert_eq!((page["title"].as_str(), page["goal"].as_i64()), (Some("Save all owls"), Some(500)));

    let taken =
        call(&app, "POST", "/rest/v1/signuppage/", Some(&auth), Some(json!({"name": "save-the-owls", "title": "x"})))
            .await;
    assert_eq!(taken.status, 400, "names are unique: {}", taken.text);
    assert!(taken.json()["errors"]["name"].is_array());
    let missing = call(&app, "POST", "/rest/v1/signuppage/", Some(&auth), Some(json!({"name": "no-title"}))).await;
    assert_eq!(missing.status, 400);
    assert!(missing.json()["errors"]["title"].is_array());
    let field = call(&app, "PATCH", &owls, Some(&auth), Some(json!({"fields": {"shoe_size": "9"}}))).await;
    assert_eq!(field.status, 400, "page fields need an allowed name: {}", field.text);
    let allowed =
        call(&app, "POST", "/rest/v1/allowedpagefield/", Some(&auth), Some(json!({"name": "shoe_size"}))).await;
    assert_eq!(allowed.status, 201, "{}", allowed.text);
    let field = call(&app, "PATCH", &owls, Some(&auth), Some(json!({"fields": {"shoe_size": "9"}}))).await;
    assert_eq!(field.status, 202, "{}", field.text);
    assert_eq!(get(&app, &auth, &owls).await["fields"], json!({"shoe_size": "9"}));

    // Nobody acted on it: gone.
    assert_eq!(call(&app, "DELETE", &owls, Some(&auth), None).await.status, 204);
    assert_eq!(call(&app, "GET", &owls, Some(&auth), None).await.status, 404);

    // A page with actions is hidden, not deleted: the actions keep their page.
    act(&app, &auth, json!({"page": "stay-informed", "email": "kept@example.org"})).await;
    let signup = get(&app, &auth, "/rest/v1/page/?name=stay-informed").await["objects"][0]["typed_resource_uri"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(call(&app, "DELETE", &signup, Some(&auth), None).await.status, 204);
    let hidden = get(&app, &auth, &signup).await;
    assert_eq!((hidden["status"].as_str(), hidden["hidden"].as_bool()), (Some("hidden"), Some(true)));
    let (status, _, _) = app.get("/signup/stay-informed/").await;
    assert_eq!(status, 404, "a hidden page is not served");
    assert_eq!(get(&app, &auth, "/rest/v1/action/?page__name=stay-informed").await["meta"]["total_count"], 1);
});

both_backends!(r1_privacy_records_reference_their_text_by_uri, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let optin = PrivacyHash::of("optin", OPTIN).to_string();
    let action = act(
        &app,
        &auth,
        json!({"page": "save-the-bees", "email": "eu@example.org", "name": "Eva Berg", "country": "Germany", "privacy": optin}),
    )
    .await;
    let user = action["user"].as_str().unwrap();
    let records = get(&app, &auth, &format!("/rest/v1/privacyrecord/?user={user}")).await;
    assert_eq!(records["meta"]["total_count"], 1, "{records}");
    let record = &records["objects"][0];
    assert_eq!((record["type"].as_str(), record["status"].as_str()), (Some("optin"), Some("active")));
    assert_eq!(record["action"], format!("/rest/v1/action/{}/", action["id"]));
    assert_eq!(record["country_submitted"], "Germany");
    assert_eq!(record["page"], action["page"], "the page by its typed URI, as on the action");
    assert!(record.get("ip_hmac").is_none(), "the keyed IP hash stays out of the API");
    let text = get(&app, &auth, record["version"].as_str().expect("the text's URI")).await;
    assert_eq!(
        (text["type"].as_str(), text["hash"].as_str(), text["text"].as_str()),
        (Some("optin"), Some(optin.as_str()), Some(OPTIN))
    );
    let by_hash = get(&app, &auth, &format!("/rest/v1/privacytext/?hash={optin}")).await;
    assert_eq!(ids(&by_hash), vec![text["id"].as_i64().unwrap()]);
    assert_eq!(get(&app, &auth, "/rest/v1/privacyrecord/?type=optout").await["meta"]["total_count"], 0);
    assert_eq!(get(&app, &auth, "/rest/v1/privacyrecord/?status=active&type=optin").await["meta"]["total_count"], 1);
});

both_backends!(r1_orders_are_listed_after_a_donation, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let donation = act(
        &app,
        &auth,
        json!({
            "page": "support-our-work", "payment_account": "Stub (test) account", "card_num": "4111111111111111",
            "card_code": "007", "exp_date_month": "12", "exp_date_year": "25", "name": "Jane Doe",
            "email": "donor@example.org", "address1": "1 Main St", "city": "New York", "state": "NY", "zip": "90210",
            "amount_other": "123.45"
        }),
    )
    .await;
    let action = format!("/rest/v1/action/{}/", donation["id"]);
    let orders = get(&app, &auth, &format!("/rest/v1/order/?action={action}")).await;
    assert_eq!(orders["meta"]["total_count"], 1, "{orders}");
    let order = &orders["objects"][0];
    assert_eq!(order["total"], "123.45");
    assert_eq!(order["user"], donation["user"]);
    assert_eq!(order["action"], action);
    assert_eq!(order["card_num_last_four"], "1111");
    assert_eq!(get(&app, &auth, &format!("/rest/v1/donationaction/{}/", donation["id"])).await["type"], "Donation");
    assert_eq!(get(&app, &auth, "/rest/v1/order/?user__email=nobody@example.org").await["meta"]["total_count"], 0);
});

both_backends!(r3_blackholed_emails_are_created_listed_and_deleted, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let created =
        call(&app, "POST", "/rest/v1/blackholedemail/", Some(&auth), Some(json!({"email": " Spam@Example.ORG "})))
            .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = created.location();
    let listed = get(&app, &auth, "/rest/v1/blackholedemail/?email=spam@example.org").await;
    assert_eq!(listed["meta"]["total_count"], 1);
    assert_eq!(listed["objects"][0]["resource_uri"], path.as_str());
    let again =
        call(&app, "POST", "/rest/v1/blackholedemail/", Some(&auth), Some(json!({"email": "spam@example.org"}))).await;
    assert_eq!(again.status, 400, "{}", again.text);
    let bad =
        call(&app, "POST", "/rest/v1/blackholedemail/", Some(&auth), Some(json!({"email": "not an email"}))).await;
    assert_eq!(bad.status, 400);
    let is_blackholed = |app: &TestApp| app.query(|c| placard::mail::store::is_blackholed(c, "spam@example.org"));
    assert!(is_blackholed(&app), "the mail worker sees it");
    assert_eq!(call(&app, "DELETE", &path, Some(&auth), None).await.status, 204);
    assert_eq!(call(&app, "GET", &path, Some(&auth), None).await.status, 404);
    assert!(!is_blackholed(&app));
});

both_backends!(r1_allowed_user_fields_are_created_and_then_accepted_on_actions, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let created =
        call(&app, "POST", "/rest/v1/alloweduserfield/", Some(&auth), Some(json!({"name": "favorite_color"}))).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let field = get(&app, &auth, &created.location()).await;
    assert_eq!(field["name"], "favorite_color");
    let again =
        call(&app, "POST", "/rest/v1/alloweduserfield/", Some(&auth), Some(json!({"name": "favorite_color"}))).await;
    assert_eq!(again.status, 400);
    let action =
        act(&app, &auth, json!({"page": "stay-informed", "email": "c@example.org", "user_favorite_color": "red"}))
            .await;
    let user = get(&app, &auth, action["user"].as_str().unwrap()).await;
    assert_eq!(user["fields"], json!({"favorite_color": "red"}));
    assert_eq!(get(&app, &auth, "/rest/v1/alloweduserfield/?name__startswith=fav").await["meta"]["total_count"], 1);
    assert_eq!(get(&app, &auth, "/rest/v1/allowedpagefield/").await["meta"]["total_count"], 0);
});

const RESOURCES: &[&str] = &[
    "page",
    "petitionpage",
    "signuppage",
    "letterpage",
    "surveypage",
    "callpage",
    "whipcountpage",
    "ltepage",
    "donationpage",
    "unsubscribepage",
    "importpage",
    "action",
    "petitionaction",
    "signupaction",
    "letteraction",
    "surveyaction",
    "callaction",
    "whipcountaction",
    "lteaction",
    "donationaction",
    "unsubscribeaction",
    "importaction",
    "alloweduserfield",
    "allowedpagefield",
    "privacyrecord",
    "privacytext",
    "order",
    "blackholedemail",
];

both_backends!(r1_every_resource_has_a_schema_404s_unknown_ids_and_401s_strangers, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    for name in RESOURCES {
        let schema = get(&app, &auth, &format!("/rest/v1/{name}/schema/")).await;
        assert!(schema["fields"]["id"].is_object() && schema["fields"]["resource_uri"].is_object(), "{name}: {schema}");
        let list = get(&app, &auth, &format!("/rest/v1/{name}/")).await;
        assert!(list["meta"]["total_count"].is_i64(), "{name}: {list}");
        let unknown = call(&app, "GET", &format!("/rest/v1/{name}/99999/"), Some(&auth), None).await;
        assert_eq!(unknown.status, 404, "{name}");
        assert!(unknown.json()["error"].is_string(), "{name}: a JSON error body: {}", unknown.text);
        for path in [format!("/rest/v1/{name}/"), format!("/rest/v1/{name}/1/"), format!("/rest/v1/{name}/schema/")] {
            let stranger = call(&app, "GET", &path, None, None).await;
            assert_eq!(stranger.status, 401, "{path}");
            assert!(stranger.json().is_object(), "{path}: a JSON body");
        }
    }
    let schema = get(&app, &auth, "/rest/v1/privacyrecord/schema/").await;
    assert_eq!(schema["fields"]["version"]["related_schema"], "/rest/v1/privacytext/schema/");
    assert!(schema["filtering"]["type"].is_array(), "records filter on their text's type");
});

both_backends!(r3_staff_html_in_page_texts_is_sanitized_over_rest_too, |app| {
    let auth = app.staff_basic_auth(STAFF.0, STAFF.1);
    let html = r#"<p onclick="steal()">Owls <b>matter</b></p><script>steal()</script>"#;
    let created = call(
        &app,
        "POST",
        "/rest/v1/petitionpage/",
        Some(&auth),
        Some(json!({"name": "owls-sanitized", "title": "Owls", "lang": "en", "about_text": html})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let owls = created.location();
    let patch = call(
        &app,
        "PATCH",
        &owls,
        Some(&auth),
        Some(json!({"statement_text": html, "fields": {"privacy_optin": html}})),
    )
    .await;
    assert_eq!(patch.status, 202, "{}", patch.text);
    let page = get(&app, &auth, &owls).await;
    for text in [&page["about_text"], &page["statement_text"], &page["fields"]["privacy_optin"]] {
        let text = text.as_str().unwrap_or_default();
        assert!(text.contains("<b>matter</b>"), "harmless markup stays: {page}");
        assert!(!text.contains("script") && !text.contains("onclick"), "scripts go: {page}");
    }
    let (_, body, _) = app.get("/sign/owls-sanitized/").await;
    assert!(!body.contains("steal()"), "nothing of the script reaches the page");
});
