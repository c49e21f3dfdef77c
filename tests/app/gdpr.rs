//! Data-subject rights end to end (SPEC G1–G6, B1, B4): export holds everything; erase and
//! forget leave nothing personal anywhere — checked by scanning every column of every
//! table — every path refuses a forgotten person; unforget brings nothing back.

use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use placard::db::DbConnection;
use placard::privacy::PrivacyHash;
use serde_json::{json, Value};

const EMAIL: &str = "zelda.quixote@example.org";
/// Values of this person that must not survive an erase or forget.
const PERSONAL: [&str; 6] = ["zelda.quixote", "Zelda", "Quixote", "555-0199", "42 Unlikely Lane", "Quuxville"];
const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `table.column` for every place `needle` appears in the database.
fn scan(conn: &mut DbConnection, needle: &str) -> QueryResult<Vec<String>> {
    let tables_sql = match conn {
        DbConnection::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        DbConnection::Postgresql(_) => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let mut found = vec![];
    for table in diesel::sql_query(tables_sql).load::<Name>(conn)? {
        let columns_sql = match conn {
            DbConnection::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{}')", table.name),
            DbConnection::Postgresql(_) => format!(
                "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{}'",
                table.name
            ),
        };
        for column in diesel::sql_query(columns_sql).load::<Name>(conn)? {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{}\" WHERE LOWER(CAST(\"{}\" AS TEXT)) LIKE '%{}%'",
                table.name,
                column.name,
                needle.to_lowercase()
            );
            if diesel::sql_query(sql).get_result::<Count>(conn)?.n > 0 {
                found.push(format!("{}.{}", table.name, column.name));
            }
        }
    }
    Ok(found)
}

fn leftovers(app: &TestApp) -> Vec<String> {
    PERSONAL
        .iter()
        .flat_map(|needle| app.query(|c| scan(c, needle)).into_iter().map(move |at| format!("{needle} in {at}")))
        .collect()
}

/// A person with everything: profile, phone, subscriptions, actions with fields, privacy
/// records, a receipt, a donation with a shipping address.
async fn rich_person(app: &TestApp) -> i64 {
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let base = json!({"email": EMAIL, "name": "Zelda Quixote", "address1": "42 Unlikely Lane", "city": "Quuxville",
        "zip": "12345", "phone": "555-0199", "action_comment": "Zelda says hi"});
    let mut petition = base.clone();
    petition["page"] = json!("stay-informed");
    petition["country"] = json!("Austria");
    petition["privacy"] = json!(PrivacyHash::of("optin", OPTIN).to_string());
    let (status, body, _) = app.post_json("/rest/v1/action/", petition).await;
    assert_eq!(status, 201, "{body}");
    let mut donation = base;
    for (k, v) in [
        ("page", "support-our-work"),
        ("payment_account", "Stub (test) account"),
        ("card_num", "4111111111111111"),
        ("card_code", "007"),
        ("amount_other", "25"),
        ("shipping_address1", "42 Unlikely Lane"),
        ("shipping_city", "Quuxville"),
    ] {
        donation[k] = json!(v);
    }
    let (status, text, _) = app
        .post_with(
            "/rest/v1/action/",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            donation.to_string(),
        )
        .await;
    assert_eq!(status, 201, "{text}");
    let user: Value = serde_json::from_str(&text).unwrap();
    user["user"].as_str().unwrap().trim_matches('/').rsplit('/').next().unwrap().parse().unwrap()
}

fn api_key(app: &TestApp) -> String {
    app.state
        .db
        .writer
        .submit_now(|c| Ok(placard::staff::apikeys::create(c, "tests", chrono::Utc::now().naive_utc())?))
        .unwrap()
}

async fn call(app: &TestApp, method: &str, path: &str, key: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = match method {
        "GET" => app.client.get(app.url(path)),
        "DELETE" => app.client.delete(app.url(path)),
        _ => app.client.post(app.url(path)),
    };
    if !key.is_empty() {
        req = req.insert_header(("Api-Key", key));
    }
    let mut res = match body {
        Some(b) => req.insert_header(("Content-Type", "application/json")).send_body(b.to_string()).await,
        None => req.send().await,
    }
    .expect("answered");
    let bytes = res.body().await.expect("body");
    (
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)})),
    )
}

both_backends!(g1_the_export_holds_everything_held_on_a_person, |app| {
    let id = rich_person(&app).await;
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let mut res = app
        .client
        .get(app.url(&format!("/rest/v1/user/{id}/export/")))
        .insert_header(("Authorization", auth.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let doc: Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(doc["format"], "placard-export/1");
    assert_eq!(doc["user"]["email"], EMAIL);
    assert_eq!(doc["user"]["city"], "Quuxville");
    assert_eq!(doc["phones"][0]["phone"], "555-0199");
    assert!(!doc["subscriptions"].as_array().unwrap().is_empty());
    assert!(!doc["subscription_history"].as_array().unwrap().is_empty());
    assert_eq!(doc["actions"].as_array().unwrap().len(), 2);
    assert_eq!(doc["actions"][0]["fields"]["comment"], "Zelda says hi");
    assert_eq!(doc["privacy_records"][0]["text"], OPTIN);
    assert_eq!(doc["orders"][0]["total"], "25.00");
    assert_eq!(doc["receipts"].as_array().unwrap().len(), 1);
    let key = api_key(&app);
    let (status, iterable) = call(&app, "GET", "/api/users/zelda.quixote%40example.org", &key, None).await;
    assert_eq!(status, 200);
    assert_eq!(iterable["user"]["user"]["email"], EMAIL, "percent-decoded path");
    let (_, events) = call(&app, "GET", &format!("/api/export/userEvents?email={EMAIL}"), &key, None).await;
    assert_eq!(events["events"].as_array().unwrap().len(), 2);
    let (_, unknown) = call(&app, "GET", "/api/users/nobody%40example.org", &key, None).await;
    assert_eq!(unknown, json!({}));
});

both_backends!(g2_erase_leaves_no_personal_value_in_any_table_and_keeps_the_counts, |app| {
    rich_person(&app).await;
    assert!(!leftovers(&app).is_empty(), "the scan finds the person before the erase");
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let (status, text, headers) = app
        .post_with(
            "/rest/v1/eraser/",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            json!({"email": EMAIL}).to_string(),
        )
        .await;
    assert_eq!(status, 201, "{text}");
    assert!(headers.get("location").is_some());
    assert_eq!(leftovers(&app), Vec::<String>::new());
    let (users, actions, subs) = app.counts();
    assert_eq!((users, actions, subs), (0, 2, 0), "actions stay as anonymous counts");
    assert_eq!(app.query(placard::privacy::chain::verify).problems, Vec::<String>::new(), "B1: tombstones verify");
    let audit = app.query(|c| placard::gdpr::store::audit_entries(c, 10));
    assert!(audit[0].0.starts_with("staff:") && audit[0].2 == "erase", "{:?}", audit[0]);
    assert!(!audit[0].5.contains("zelda"), "no personal data in the audit: {}", audit[0].5);
    let (status, _, _) = app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": EMAIL})).await;
    assert_eq!(status, 201, "erase does not block future collection");
});

both_backends!(g3_after_forget_every_path_refuses_and_only_the_hash_remains, |app| {
    rich_person(&app).await;
    let key = api_key(&app);
    let (status, body) =
        call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": "  Zelda.Quixote@Example.ORG "}))).await;
    assert_eq!((status, &body["code"]), (200, &json!("Success")), "{body}");
    assert_eq!(leftovers(&app), Vec::<String>::new());
    let (_, list) = call(&app, "GET", "/api/users/forgotten", &key, None).await;
    assert_eq!(list["hashedEmails"], json!([placard::gdpr::forget_hash(EMAIL)]));
    let (_, ids) = call(&app, "GET", "/api/users/forgottenUserIds", &key, None).await;
    assert_eq!(ids["hashedUserIds"].as_array().unwrap().len(), 1);

    let before = app.counts();
    let (status, _, headers) =
        app.post_form("/act/", "page=save-the-bees&email=zelda.quixote%40example.org&name=Z+Q").await;
    assert_eq!(status, 302, "the form thanks them as anyone");
    assert_eq!(headers.get("location").and_then(|v| v.to_str().ok()), Some("/cms/thanks/save-the-bees/"));
    let (status, body, _) = app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": EMAIL})).await;
    assert_eq!(status, 201);
    assert_eq!(body["action_id"], Value::Null);
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let (status, text, _) = app
        .post_with(
            "/rest/v1/action/",
            &[("Content-Type", "application/json"), ("Authorization", &auth)],
            json!({"page": "stay-informed", "email": EMAIL}).to_string(),
        )
        .await;
    assert_eq!(status, 403, "authenticated callers are told: {text}");
    assert!(text.contains("forgotten"));
    assert_eq!(app.counts(), before, "nothing stored on any path");
    assert_eq!(leftovers(&app), Vec::<String>::new());
});

both_backends!(g4_forgetting_an_unknown_email_still_records_its_hash, |app| {
    let key = api_key(&app);
    let (status, _) =
        call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": "never.seen@example.org"}))).await;
    assert_eq!(status, 200);
    let (_, list) = call(&app, "GET", "/api/users/forgotten", &key, None).await;
    assert_eq!(list["hashedEmails"], json!([placard::gdpr::forget_hash("never.seen@example.org")]));
    let (status, _, _) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "never.seen@example.org"})).await;
    assert_eq!((status, app.counts().0), (201, 0));
});

both_backends!(g5_unforget_lets_them_in_as_a_new_person_with_nothing_old, |app| {
    rich_person(&app).await;
    let key = api_key(&app);
    call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": EMAIL}))).await;
    let (status, body) = call(&app, "POST", "/api/users/unforget", &key, Some(json!({"email": EMAIL}))).await;
    assert_eq!((status, &body["code"]), (200, &json!("Success")));
    let (status, body, _) = app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": EMAIL})).await;
    assert_eq!(status, 201, "{body}");
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let id = app
        .query(|c| placard::people::store::find_by_email(c, &placard::people::Email::parse(EMAIL).unwrap()))
        .unwrap()
        .id;
    let mut res = app
        .client
        .get(app.url(&format!("/rest/v1/user/{id}/export/")))
        .insert_header(("Authorization", auth.as_str()))
        .send()
        .await
        .unwrap();
    let doc: Value = serde_json::from_slice(&res.body().await.unwrap()).unwrap();
    assert_eq!(doc["user"]["city"], "", "nothing of the old data came back");
    assert_eq!(doc["actions"].as_array().unwrap().len(), 1);
});

both_backends!(g6_forget_and_export_are_audited_and_the_api_key_is_required, |app| {
    let (status, body) = call(&app, "POST", "/api/users/forget", "", Some(json!({"email": EMAIL}))).await;
    assert_eq!(status, 401);
    assert!(body["error"].is_string(), "a JSON body: {body}");
    let (status, _) = call(&app, "POST", "/api/users/forget", "wrong-key", Some(json!({"email": EMAIL}))).await;
    assert_eq!(status, 401);
    let key = api_key(&app);
    let (status, body) = call(&app, "POST", "/api/users/forget", &key, Some(json!({}))).await;
    assert_eq!(status, 400, "{body}");
    rich_person(&app).await;
    call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": EMAIL}))).await;
    let audit = app.query(|c| placard::gdpr::store::audit_entries(c, 10));
    let forget = audit.iter().find(|a| a.2 == "forget").expect("a forget entry");
    assert_eq!((forget.0.as_str(), forget.1.as_str()), ("apikey:tests", "iterable_api"));
    assert!(!forget.5.to_lowercase().contains("zelda"), "{}", forget.5);
});

/// Sends `body` as JSON, verbatim (it need not parse), with `headers`; the status and body.
async fn post_raw(app: &TestApp, path: &str, headers: &[(&str, &str)], body: &'static str) -> (u16, Value) {
    let mut req = app.client.post(app.url(path)).insert_header(("Content-Type", "application/json"));
    for &header in headers {
        req = req.insert_header(header);
    }
    let mut res = req.send_body(body).await.expect("answered");
    let bytes = res.body().await.expect("body");
    (
        res.status().as_u16(),
        serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)})),
    )
}

both_backends!(s1_g3_a_caller_without_credentials_hears_401_whatever_body_it_sends, |app| {
    let key = api_key(&app);
    let admin = app.staff_basic_auth("staff@example.org", "a long staff password");
    for path in ["/api/users/forget", "/api/users/unforget"] {
        for headers in [vec![], vec![("Api-Key", "wrong-key")]] {
            let (status, body) = post_raw(&app, path, &headers, "{not json").await;
            assert_eq!(status, 401, "{path} {headers:?}: {body}");
            assert!(body["error"].is_string(), "a JSON body: {body}");
        }
        let (status, body) = post_raw(&app, path, &[("Api-Key", &key)], "{not json").await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["error"].as_str().unwrap_or_default().contains("JSON body is not valid"), "{body}");
        // JSON sent as something else is refused as it was by actix's `Json` extractor.
        let (status, body) =
            post_raw(&app, path, &[("Api-Key", &key), ("Content-Type", "text/plain")], r#"{"email": "a@example.org"}"#)
                .await;
        assert_eq!(status, 400, "{path} as text/plain: {body}");
        assert!(body["error"].as_str().unwrap_or_default().contains("Content type error"), "{body}");
    }
    let (status, body) = post_raw(&app, "/rest/v1/eraser/", &[], "{not json").await;
    assert_eq!(status, 401, "the eraser: {body}");
    let (status, body) = post_raw(&app, "/rest/v1/eraser/", &[("Authorization", &admin)], "{not json").await;
    assert_eq!(status, 400, "the eraser, as an admin: {body}");
    assert!(body["error"].as_str().unwrap_or_default().contains("JSON body is not valid"), "{body}");
    let (status, body) = post_raw(
        &app,
        "/rest/v1/eraser/",
        &[("Authorization", &admin), ("Content-Type", "text/plain")],
        r#"{"user_id": 1}"#,
    )
    .await;
    assert_eq!(status, 400, "the eraser as text/plain: {body}");
    let audit = app.query(|c| placard::gdpr::store::audit_entries(c, 10));
    assert!(audit.is_empty(), "nothing was done, so nothing is audited: {audit:?}");
});

both_backends!(b6_retention_erases_only_long_unsubscribed_people_whose_only_basis_was_consent, |app| {
    for email in ["old@example.org", "recent@example.org"] {
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": email})).await;
        app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": email})).await;
    }
    let auth = app.staff_basic_auth("staff@example.org", "a long staff password");
    let donor = json!({"page": "support-our-work", "payment_account": "Stub (test) account", "card_num": "4111", "card_code": "007",
        "name": "Old Donor", "email": "donor@example.org", "address1": "1 St", "city": "X", "zip": "12345", "amount": "5"});
    app.post_with(
        "/rest/v1/action/",
        &[("Content-Type", "application/json"), ("Authorization", &auth)],
        donor.to_string(),
    )
    .await;
    app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "donor@example.org"})).await;
    // Backdate the unsubscribes of two of them by a year.
    app.state
        .db
        .writer
        .submit_now(|c| {
            Ok(diesel::sql_query(
                "UPDATE core_subscriptionhistory SET created_at = '2020-01-01 00:00:00' WHERE user_id IN \
                 (SELECT id FROM core_user WHERE email IN ('old@example.org', 'donor@example.org'))",
            )
            .execute(c)?)
        })
        .unwrap();
    let erased = placard::gdpr::retention::run_pass(&app.state.db, 6, chrono::Utc::now().naive_utc()).unwrap();
    assert_eq!(erased, 1);
    let emails: Vec<String> =
        app.query(|c| placard::db::schema::core_user::table.select(placard::db::schema::core_user::email).load(c));
    assert!(!emails.contains(&"old@example.org".to_owned()), "unsubscribed a year, consent only: erased");
    assert!(emails.contains(&"recent@example.org".to_owned()), "unsubscribed just now: kept");
    assert!(emails.contains(&"donor@example.org".to_owned()), "a donor has another basis: kept");
    let audit = app.query(|c| placard::gdpr::store::audit_entries(c, 5));
    assert_eq!((audit[0].0.as_str(), audit[0].1.as_str(), audit[0].2.as_str()), ("retention", "worker", "erase"));
});

/// A record's id, user, status and personal columns (note, country, user agent, IP HMAC).
type Scrubbed = (i64, Option<i64>, String, String, String, String, String);

both_backends!(b1_forget_of_several_privacy_records_leaves_their_tombstones_in_order_and_the_log_verifies, |app| {
    use placard::db::schema::{core_consentlog as log, core_privacyrecord as rec};
    let optin = json!(PrivacyHash::of("optin", OPTIN).to_string());
    // Someone else's records before and between, so the tombstones chain onto a live log.
    for email in ["other@example.org", EMAIL, "other@example.org", EMAIL, EMAIL] {
        let body = json!({"page": "stay-informed", "email": email, "country": "Austria", "privacy": optin});
        let (status, body, _) = app.post_json("/rest/v1/action/", body).await;
        assert_eq!(status, 201, "{body}");
    }
    let person = app
        .query(|c| placard::people::store::find_by_email(c, &placard::people::Email::parse(EMAIL).unwrap()))
        .unwrap()
        .id;
    let mut theirs: Vec<i64> =
        app.query(|c| rec::table.filter(rec::user_id.eq(person)).select(rec::id).order(rec::id.asc()).load(c));
    assert_eq!(theirs.len(), 3, "one record per opt-in");
    let entries_before: i64 = app.query(|c| log::table.count().get_result(c));

    let key = api_key(&app);
    let (status, body) = call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": EMAIL}))).await;
    assert_eq!(status, 200, "{body}");

    let entries: Vec<(i64, String, String, String)> = app.query(|c| {
        log::table.order(log::id.asc()).select((log::record_id, log::event, log::prev_hash, log::entry_hash)).load(c)
    });
    assert_eq!(entries.len(), usize::try_from(entries_before).unwrap() + 3, "one tombstone per record, nothing else");
    let (older, tombstones) = entries.split_at(entries.len() - 3);
    let erased_ids: Vec<i64> = tombstones.iter().map(|t| t.0).collect();
    theirs.sort_unstable();
    assert_eq!(erased_ids, theirs, "the person's records, in record order");
    assert!(tombstones.iter().all(|t| t.1 == "erased"), "{tombstones:?}");
    assert_eq!(tombstones[0].2, older.last().unwrap().3, "the first tombstone chains onto the head");
    assert_eq!(tombstones[1].2, tombstones[0].3, "each tombstone chains onto the one before");
    assert_eq!(tombstones[2].2, tombstones[1].3);
    let remaining: i64 = app.query(|c| rec::table.filter(rec::user_id.is_not_null()).count().get_result(c));
    assert_eq!(remaining, 2, "the other person's records stay");
    // The person's records are scrubbed in place: the row stays, with nothing of them.
    let scrubbed: Vec<Scrubbed> = app.query(|c| {
        rec::table
            .filter(rec::id.eq_any(&theirs))
            .order(rec::id.asc())
            .select((
                rec::id,
                rec::user_id,
                rec::status,
                rec::note,
                rec::country_submitted,
                rec::user_agent,
                rec::ip_hmac,
            ))
            .load(c)
    });
    assert_eq!(scrubbed.len(), 3, "{scrubbed:?}");
    for (id, user, status, note, country, agent, ip) in &scrubbed {
        assert_eq!((*user, status.as_str()), (None, "erased"), "record {id}");
        assert!([note, country, agent, ip].iter().all(|v| v.is_empty()), "record {id}: {scrubbed:?}");
    }
    assert_eq!(app.query(placard::privacy::chain::verify).problems, Vec::<String>::new(), "B1: the log verifies");

    // A record made after the forget chains onto the last tombstone and still verifies.
    let body = json!({"page": "stay-informed", "email": "other@example.org", "country": "Austria", "privacy": optin});
    assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    let next: String = app.query(|c| log::table.order(log::id.desc()).select(log::prev_hash).first(c));
    assert_eq!(next, tombstones[2].3);
    assert_eq!(app.query(placard::privacy::chain::verify).problems, Vec::<String>::new());
});

both_backends!(b1_a_scrubbed_record_refilled_or_deleted_in_sql_after_a_forget_is_reported, |app| {
    use placard::db::schema::core_privacyrecord as rec;
    let optin = json!(PrivacyHash::of("optin", OPTIN).to_string());
    for _ in 0..2 {
        let body = json!({"page": "stay-informed", "email": EMAIL, "country": "Austria", "privacy": optin});
        assert_eq!(app.post_json("/rest/v1/action/", body).await.0, 201);
    }
    let key = api_key(&app);
    let (status, body) = call(&app, "POST", "/api/users/forget", &key, Some(json!({"email": EMAIL}))).await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<i64> =
        app.query(|c| rec::table.filter(rec::status.eq("erased")).select(rec::id).order(rec::id.asc()).load(c));
    assert_eq!(ids.len(), 2);
    assert_eq!(app.query(placard::privacy::chain::verify).problems, Vec::<String>::new());

    let (refilled, deleted) = (ids[0], ids[1]);
    let writer = &app.state.db.writer;
    writer
        .submit_now(move |c| {
            Ok(diesel::update(rec::table.find(refilled)).set(rec::user_agent.eq("Mozilla/5.0 (by hand)")).execute(c)?)
        })
        .unwrap();
    writer.submit_now(move |c| Ok(diesel::delete(rec::table.find(deleted)).execute(c)?)).unwrap();
    let problems = app.query(placard::privacy::chain::verify).problems;
    assert_eq!(
        problems,
        vec![
            format!("privacy record {refilled}: the row was edited outside Placard"),
            format!("privacy record {deleted}: removed without a logged erase"),
        ]
    );
});

both_backends!(g6_the_rest_api_lists_audit_entries_without_personal_data, |app| {
    let id = rich_person(&app).await;
    let key = api_key(&app);
    let (status, body) = call(&app, "POST", "/api/users/forget", &key, Some(json!({"userId": id.to_string()}))).await;
    assert_eq!(status, 200, "{body}");
    let auth = app.staff_basic_auth("auditor@example.org", "a long staff password");
    let mut res = app
        .client
        .get(app.url("/rest/v1/auditlog/?verb=forget&order_by=-created_at"))
        .insert_header(("Authorization", auth.as_str()))
        .send()
        .await
        .expect("answered");
    assert_eq!(res.status().as_u16(), 200);
    let text = String::from_utf8(res.body().await.expect("body").to_vec()).expect("utf-8");
    let listed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(listed["meta"]["total_count"], 1, "{listed}");
    let entry = &listed["objects"][0];
    assert_eq!((entry["verb"].as_str(), entry["actor"].as_str()), (Some("forget"), Some("apikey:tests")), "{entry}");
    assert_eq!(entry["object_id"], id, "{entry}");
    assert!(entry["details"].is_object(), "{entry}");
    assert!(!text.to_lowercase().contains(EMAIL), "no email in the audit log: {text}");
    assert!(!text.contains("Quixote") && !text.contains("Quuxville"), "no name or address: {text}");
});
