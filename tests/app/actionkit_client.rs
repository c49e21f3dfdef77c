//! Issue 9's "done when", as an ActionKit REST client would do it against a fresh Placard:
//! only HTTP, only ActionKit's conventions (Basic auth, JSON bodies, `Location` headers,
//! resource URIs in answers, `meta.next` links, multipart uploads), nothing Placard-specific.
//! SPEC R1–R3.

use serde_json::{json, Value};

use crate::helpers::{both_backends, TestApp};

const BOUNDARY: &str = "----actionkit-client-boundary";

struct Client<'a> {
    app: &'a TestApp,
    auth: String,
}

impl Client<'_> {
    /// Sends `body` (JSON) to `path` (a path or an absolute URL from a `Location`).
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value, Option<String>) {
        let url = if path.starts_with("http") { path.to_owned() } else { self.app.url(path) };
        let req = match method {
            "GET" => self.app.client.get(url),
            "POST" => self.app.client.post(url),
            "PATCH" => self.app.client.patch(url),
            "PUT" => self.app.client.put(url),
            _ => self.app.client.delete(url),
        }
        .insert_header(("Authorization", self.auth.as_str()))
        .insert_header(("Accept", "application/json"));
        let mut res = match body {
            Some(body) => req.send_json(&body).await,
            None => req.send().await,
        }
        .expect("answered");
        let bytes = res.body().limit(4 << 20).await.expect("body");
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("a JSON answer") };
        let location = res.headers().get("location").map(|l| l.to_str().expect("ascii").to_owned());
        (res.status().as_u16(), json, location)
    }

    async fn upload(&self, page_uri: &str, csv: &str) -> (u16, Value, Option<String>) {
        let body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\n{page_uri}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"people.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
        );
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        let (status, text, headers) = self
            .app
            .post_with(
                "/rest/v1/upload/",
                &[("Authorization", &self.auth), ("Content-Type", &content_type), ("Accept", "application/json")],
                body,
            )
            .await;
        let json = serde_json::from_str(&text).expect("a JSON answer");
        (status, json, headers.get("location").map(|l| l.to_str().expect("ascii").to_owned()))
    }
}

/// The path part of an absolute URL or a path.
fn path_of(uri: &str) -> String {
    match uri.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or_else(|| "/".to_owned(), |i| rest[i..].to_owned()),
        None => uri.to_owned(),
    }
}

/// Posts an upload and reads its errors once the worker has finished it.
async fn upload_and_read_its_errors(client: &Client<'_>, import_page: &str) {
    let mut finished = client.app.state.imports.subscribe();
    let csv = "email,first_name,zip\nbea@example.org,Bea,10001\nnot-an-email,Cy,10002\n";
    let (status, body, upload) = client.upload(import_page, csv).await;
    assert_eq!(status, 201, "{body}");
    let upload = path_of(&upload.expect("Location"));
    let mut state = Value::Null;
    for _ in 0..50 {
        let (status, body, _) = client.call("GET", &upload, None).await;
        assert_eq!(status, 200);
        state = body;
        if state["is_completed"] == true {
            break;
        }
        tokio::time::timeout(std::time::Duration::from_secs(60), finished.changed())
            .await
            .expect("the import finishes within a minute")
            .expect("worker alive");
    }
    assert_eq!(state["is_completed"], true, "{state}");
    assert_eq!(state["has_errors"], 1, "{state}");
    let id = state["id"].as_i64().expect("id");
    let (status, errors, _) = client.call("GET", &format!("/rest/v1/uploaderror/?upload={id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(errors["meta"]["total_count"], 1);
    // Row numbers are the file's line numbers, as a spreadsheet shows them (the header is 1).
    assert_eq!(errors["objects"][0]["row_number"], 3, "{errors}");
    assert_eq!(errors["objects"][0]["field"], "email", "{errors}");
}

both_backends!(r1_r3_an_actionkit_client_works_unchanged_but_for_the_host, |app| {
    let client = Client { app: &app, auth: app.staff_basic_auth("integrator@example.org", "a long api password") };

    // Set-up as a client would do it: a list, a petition page, an import page.
    let (status, _, list) =
        client.call("POST", "/rest/v1/list/", Some(json!({"name": "Members", "is_default": true}))).await;
    assert_eq!(status, 201);
    let list = path_of(&list.expect("Location"));
    let (status, body, petition) = client
        .call(
            "POST",
            "/rest/v1/petitionpage/",
            Some(json!({"name": "protect-pollinators", "title": "Protect pollinators", "list": list})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let petition = path_of(&petition.expect("Location"));
    let (status, body, import_page) =
        client.call("POST", "/rest/v1/importpage/", Some(json!({"name": "client-import", "title": "Members"}))).await;
    assert_eq!(status, 201, "{body}");
    let import_page = path_of(&import_page.expect("Location"));

    // Create a user, add a phone, update the user.
    let (status, body, user) = client
        .call(
            "POST",
            "/rest/v1/user/",
            Some(json!({"email": "Ada@Example.org", "first_name": "Ada", "last_name": "Byron", "zip": "10001"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let user = path_of(&user.expect("Location"));
    let (status, body, phone) = client
        .call("POST", "/rest/v1/phone/", Some(json!({"user": user, "phone": "212-555-0100", "type": "home"})))
        .await;
    assert_eq!(status, 201, "{body}");
    let phone = phone.expect("Location");
    let (status, _, _) = client.call("PATCH", &user, Some(json!({"last_name": "Lovelace", "city": "London"}))).await;
    assert_eq!(status, 202);
    let (status, fetched, _) = client.call("GET", &user, None).await;
    assert_eq!(status, 200);
    assert_eq!((fetched["email"].as_str(), fetched["last_name"].as_str()), (Some("ada@example.org"), Some("Lovelace")));
    assert_eq!(fetched["resource_uri"], user.as_str());
    let phones: Vec<String> =
        fetched["phones"].as_array().expect("phones").iter().map(|p| path_of(p.as_str().expect("uri"))).collect();
    assert_eq!(phones, vec![path_of(&phone)]);

    // Actions on the petition, then page through them by following `next`.
    for n in 0..5 {
        let (status, body, _) = client
            .call(
                "POST",
                "/rest/v1/action/",
                Some(json!({"page": "protect-pollinators", "email": format!("signer{n}@example.org")})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let mut next = Some("/rest/v1/action/?page__name=protect-pollinators&_limit=2&order_by=created_at".to_owned());
    let mut seen = vec![];
    while let Some(link) = next {
        let (status, page, _) = client.call("GET", &link, None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["meta"]["total_count"], 5);
        for action in page["objects"].as_array().expect("objects") {
            assert_eq!(path_of(action["page"].as_str().expect("page uri")), petition);
            seen.push(action["resource_uri"].as_str().expect("uri").to_owned());
        }
        next = page["meta"]["next"].as_str().map(str::to_owned);
    }
    seen.dedup();
    assert_eq!(seen.len(), 5, "every action once, in pages of two");
    // A page reference in a filter may be the typed URI the answers carry.
    let (status, by_uri, _) = client.call("GET", &format!("/rest/v1/action/?page={petition}"), None).await;
    assert_eq!((status, &by_uri["meta"]["total_count"]), (200, &json!(5)), "{by_uri}");

    upload_and_read_its_errors(&client, &import_page).await;

    // Erase the user: the eraser answers 201, and the user is gone.
    let (status, body, _) = client.call("POST", "/rest/v1/eraser/", Some(json!({"email": "ada@example.org"}))).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = client.call("GET", &user, None).await;
    assert_eq!(status, 404);
    let (status, body, _) = client.call("GET", "/rest/v1/user/?email=ada@example.org", None).await;
    assert_eq!((status, &body["meta"]["total_count"]), (200, &json!(0)));
});
