//! Supporter self-service (SPEC U1, U2, G1, G3, P6, P13, P16): `/me/update/` recognized by
//! akid and through the engine as an `update` action; `/me/` with what is held and the JSON
//! download; forgetting oneself through a mailed, signed link (real SMTP on loopback);
//! unsubscribing from an akid link. On the demo site: privacy records on for the EU and the
//! UK, required on actions.

use crate::helpers::{both_backends, Backend, TestApp};
use crate::smtp_sink::{Received, SmtpSink};
use diesel::prelude::*;
use placard::db::schema::{core_action, core_page, core_privacyrecord, core_subscription, core_user};
use placard::privacy::PrivacyHash;
use serde_json::json;
use std::time::Duration;

const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// Like `both_backends!`, with an SMTP sink the server's mail worker delivers to.
macro_rules! with_sink {
    ($name:ident, |$app:ident, $sink:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: TestApp, mut $sink: SmtpSink) $body

            #[actix_web::test]
            async fn sqlite() {
                let sink = SmtpSink::start().await;
                let app = TestApp::spawn_with_smtp(Backend::Sqlite, &sink.url()).await.expect("sqlite app");
                run(app, sink).await;
            }

            #[actix_web::test]
            async fn postgres() {
                let sink = SmtpSink::start().await;
                if let Some(app) = TestApp::spawn_with_smtp(Backend::Postgres, &sink.url()).await {
                    run(app, sink).await;
                }
            }
        }
    };
}

/// Signs the demo petition as a US supporter in Springfield; `(user id, akid)`.
async fn supporter(app: &TestApp, email: &str) -> (i64, String) {
    let body = json!({"page": "save-the-bees", "email": email, "first_name": "Homer", "last_name": "Jay",
                      "address1": "742 Evergreen Terrace", "city": "Springfield", "zip": "49007",
                      "country": "United States", "phone": "+1 555 0100"});
    signed(app, body).await
}

/// Signs the demo petition from Germany with the opt-in; `(user id, akid)`.
async fn european(app: &TestApp, email: &str) -> (i64, String) {
    let optin = PrivacyHash::of("optin", OPTIN).to_string();
    let body = json!({"page": "save-the-bees", "email": email, "first_name": "Eva", "last_name": "Berg",
                      "city": "Berlin", "country": "Germany", "privacy": optin, "required": "privacy"});
    signed(app, body).await
}

async fn signed(app: &TestApp, body: serde_json::Value) -> (i64, String) {
    let (status, json, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 201, "{json}");
    let akid = json["akid"].as_str().expect("akid").to_owned();
    let id = akid.split('.').nth(1).and_then(|u| u.parse().ok()).expect("user id in the akid");
    (id, akid)
}

fn city_of(app: &TestApp, id: i64) -> String {
    app.query(move |c| core_user::table.find(id).select(core_user::city).first(c))
}

fn user_exists(app: &TestApp, id: i64) -> bool {
    app.query(move |c| core_user::table.find(id).count().get_result::<i64>(c)) == 1
}

fn subscriptions(app: &TestApp, id: i64) -> Vec<i64> {
    app.query(move |c| {
        core_subscription::table
            .filter(core_subscription::user_id.eq(id))
            .select(core_subscription::list_id)
            .order(core_subscription::list_id.asc())
            .load(c)
    })
}

/// `(actor, via, verb, object_id)` of the newest audit entries, newest first.
fn audit(app: &TestApp) -> Vec<(String, String, String, Option<i64>)> {
    app.query(|c| placard::gdpr::store::audit_entries(c, 10))
        .into_iter()
        .map(|(actor, via, verb, _, id, _, _)| (actor, via, verb, id))
        .collect()
}

fn default_list(app: &TestApp) -> i64 {
    app.query(placard::people::store::default_list).expect("the demo has lists").0
}

/// An akid with its last MAC character changed.
fn tampered(akid: &str) -> String {
    let mut t = akid.to_owned();
    let last = t.pop().expect("non-empty");
    t.push(if last == 'A' { 'B' } else { 'A' });
    t
}

fn location(headers: &awc::http::header::HeaderMap) -> String {
    headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The next message whose subject is `subject` (others, e.g. thank-you mail, are skipped).
async fn mail_with_subject(sink: &mut SmtpSink, subject: &str) -> Received {
    loop {
        let message = sink.next_message(MAIL_WAIT).await.unwrap_or_else(|| panic!("a mail {subject:?} arrives"));
        if message.header("Subject").as_deref() == Some(subject) {
            return message;
        }
    }
}

/// The first link in `html` that starts with `prefix`.
fn link_in(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).unwrap_or_else(|| panic!("{prefix} in the mail: {html}"));
    html[start..].chars().take_while(|c| !matches!(c, '"' | '<' | '\'' | ' ' | '\n' | '\r')).collect()
}

both_backends!(u1_an_akid_link_shows_the_stored_values, |app| {
    let (_, akid) = supporter(&app, "homer@example.org").await;
    let (status, html, headers) = app.get(&format!("/me/update/?akid={akid}")).await;
    assert_eq!(status, 200, "{html}");
    for stored in [
        "value=\"Homer\"",
        "value=\"Jay\"",
        "value=\"742 Evergreen Terrace\"",
        "value=\"Springfield\"",
        "value=\"49007\"",
        "value=\"+1 555 0100\"",
        "<option value=\"United States\" selected>",
        "homer@example.org",
    ] {
        assert!(html.contains(stored), "{stored} shown: {html}");
    }
    assert!(html.contains(&format!("name=\"akid\" value=\"{akid}\"")), "the akid is posted back");
    assert_eq!(headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
});

both_backends!(u1_an_update_changes_the_stored_values_at_once_and_is_an_update_action, |app| {
    let (id, akid) = supporter(&app, "homer@example.org").await;
    let (_, before, _) = app.counts();
    let body = format!("akid={akid}&first_name=Homer&last_name=Jay&city=Shelbyville&zip=49008&country=United+States");
    let (status, text, headers) = app.post_form("/me/update/", &body).await;
    assert_eq!(status, 303, "{text}");
    assert_eq!(location(&headers), format!("/me/update/done/?akid={akid}"));
    assert_eq!(city_of(&app, id), "Shelbyville", "rectified at once");
    let zip: String = app.query(move |c| core_user::table.find(id).select(core_user::zip).first(c));
    assert_eq!(zip, "49008");
    let (_, after, _) = app.counts();
    assert_eq!(after, before + 1, "one action recorded");
    let kinds: Vec<(String, String)> = app.query(move |c| {
        core_action::table
            .inner_join(core_page::table)
            .filter(core_action::user_id.eq(id))
            .order(core_action::id.desc())
            .select((core_page::type_, core_page::name))
            .load(c)
    });
    assert_eq!(kinds[0], ("Update".to_owned(), "user_update".to_owned()), "an action of its own kind");
    assert_eq!(subscriptions(&app, id), vec![default_list(&app)], "an update joins no list by itself");
    let (status, html, _) = app.get(&location(&headers)).await;
    assert_eq!(status, 200);
    assert!(html.contains("Your details are saved.") && html.contains(&format!("/me/?akid={akid}")), "{html}");
    // The built-in page is not listed as a public page.
    let (_, home, _) = app.get("/").await;
    assert!(!home.contains("user_update"), "{home}");
});

both_backends!(u1_a_tampered_akid_is_ignored_blank_form_and_no_data, |app| {
    let (id, akid) = supporter(&app, "homer@example.org").await;
    let bad = tampered(&akid);
    for path in [format!("/me/update/?akid={bad}"), format!("/me/?akid={bad}"), format!("/me/forget/?akid={bad}")] {
        let (status, html, _) = app.get(&path).await;
        assert_eq!(status, 200, "{path}: an anonymous page, not an error");
        for secret in ["homer@example.org", "Springfield", "Evergreen", &bad] {
            assert!(!html.contains(secret), "{path} shows nothing of theirs ({secret})");
        }
    }
    let (status, _, _) = app.get(&format!("/me/export.json?akid={bad}")).await;
    assert_eq!(status, 404);
    // Posted, the tampered akid is dropped: without an email the form comes back.
    let (status, html, _) = app.post_form("/me/update/", &format!("akid={bad}&city=Capital+City")).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("id=\"err_email\"") && html.contains("aria-invalid=\"true\""), "{html}");
    assert_eq!(city_of(&app, id), "Springfield");
});

both_backends!(u1_an_email_alone_updates_but_reveals_nothing_and_earns_no_akid, |app| {
    let (id, _) = supporter(&app, "homer@example.org").await;
    let (status, html, _) = app.get("/me/update/").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"email\" value=\"\""), "a blank form");
    let body = "email=homer%40example.org&city=Ogdenville&zip=49009&country=United+States";
    let (status, text, headers) = app.post_form("/me/update/", body).await;
    assert_eq!(status, 303, "{text}");
    assert_eq!(location(&headers), "/me/update/done/", "no akid for an email alone");
    assert_eq!(city_of(&app, id), "Ogdenville");
    let (_, done, _) = app.get("/me/update/done/").await;
    assert!(!done.contains("/me/?akid="), "{done}");
});

both_backends!(u1_validation_errors_come_back_on_the_form_with_field_messages, |app| {
    let (id, akid) = supporter(&app, "homer@example.org").await;
    let body = format!("akid={akid}&city=Shelbyville&zip=12&country=United+States");
    let (status, html, _) = app.post_form("/me/update/", &body).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("ZIP Code is invalid."), "{html}");
    assert!(html.contains("id=\"err_zip\"") && html.contains("aria-describedby=\"err_zip\""), "{html}");
    assert!(html.contains("value=\"Shelbyville\""), "what they typed stays");
    assert_eq!(city_of(&app, id), "Springfield", "nothing stored");
});

both_backends!(p6_u1_the_update_privacy_block_and_its_optin_subscribe_to_the_default_list, |app| {
    let update_optin = "Yes, email me news (profile update).";
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(|c| Ok(placard::i18n::store::set_string(c, "en", "privacy_optin_update", update_optin, now)?))
        .expect("string saved");
    app.state.reload_staff_edits().expect("reload");

    let (id, akid) = european(&app, "eva@example.org").await;
    let (status, _, _) =
        app.post_json("/rest/v1/action/", json!({"page": "unsubscribe", "email": "eva@example.org"})).await;
    assert_eq!(status, 201);
    assert!(subscriptions(&app, id).is_empty(), "off every list");

    let list = default_list(&app);
    let (_, html, _) = app.get(&format!("/me/update/?akid={akid}")).await;
    let hash = PrivacyHash::of("optin", update_optin).to_string();
    assert!(html.contains("class=\"ak-privacy\"") && html.contains(update_optin), "P6: privacy_optin_update: {html}");
    assert!(html.contains(&format!("value=\"{hash}\"")), "its hash is the choice");
    assert!(html.contains(&format!("name=\"privacy_optin_lists\" value=\"{list}\"")), "list_id = the default list");

    // P11: a listed country needs the choice on /me/update too.
    let base = format!("akid={akid}&city=Hamburg&country=Germany&required=privacy&privacy_optin_lists={list}");
    let (status, html, _) = app.post_form("/me/update/", &base).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("id=\"err_privacy\""), "{html}");
    assert_eq!(city_of(&app, id), "Berlin");

    let (status, text, _) = app.post_form("/me/update/", &format!("{base}&privacy={hash}")).await;
    assert_eq!(status, 303, "{text}");
    assert_eq!(city_of(&app, id), "Hamburg");
    assert_eq!(subscriptions(&app, id), vec![list], "the opt-in subscribed them to the default list");
    let texts: Vec<String> = app.query(move |c| {
        core_privacyrecord::table
            .inner_join(placard::db::schema::core_privacytext::table)
            .filter(core_privacyrecord::user_id.eq(id))
            .filter(core_privacyrecord::status.eq("active"))
            .select(placard::db::schema::core_privacytext::text)
            .load(c)
    });
    assert!(texts.iter().any(|t| t == update_optin), "the update's own text is recorded: {texts:?}");
});

both_backends!(u1_me_shows_what_is_held_with_the_privacy_texts_and_links, |app| {
    let (_, akid) = european(&app, "eva@example.org").await;
    let (status, html, headers) = app.get(&format!("/me/?akid={akid}")).await;
    assert_eq!(status, 200, "{html}");
    for shown in [
        "eva@example.org",
        "Berlin",
        "Germany",
        "Save the bees: ban neonicotinoids",
        "Supporters",
        OPTIN,
        "active",
        &format!("/me/export.json?akid={akid}"),
        &format!("/me/update/?akid={akid}"),
        &format!("/unsubscribe/unsubscribe/?akid={akid}"),
        &format!("/me/forget/?akid={akid}"),
        "/receipts/",
    ] {
        assert!(html.contains(shown), "{shown} on /me/: {html}");
    }
    assert_eq!(headers.get("referrer-policy").and_then(|v| v.to_str().ok()), Some("no-referrer"));
    let (_, anonymous, _) = app.get("/me/").await;
    assert!(anonymous.contains("name=\"email\"") && !anonymous.contains("eva@example.org"), "{anonymous}");
});

both_backends!(g1_me_export_json_is_the_g1_document_and_is_audited, |app| {
    let (id, akid) = european(&app, "eva@example.org").await;
    let (status, body, headers) = app.get(&format!("/me/export.json?akid={akid}")).await;
    assert_eq!(status, 200, "{body}");
    let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let got: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let expected =
        app.query(move |c| placard::gdpr::export::export(c, placard::people::UserId(id))).expect("the person exists");
    assert_eq!(got, expected, "exactly G1's document");
    assert_eq!(got["format"], "placard-export/1");
    assert_eq!(got["privacy_records"][0]["text"], OPTIN);
    assert_eq!(audit(&app)[0], ("self".to_owned(), "me".to_owned(), "export".to_owned(), Some(id)));
});

with_sink!(g3_forget_by_the_supporter_through_the_mailed_link, |app, sink| {
    let (id, akid) = european(&app, "eva@example.org").await;
    let (status, html, _) = app.get(&format!("/me/forget/?akid={akid}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("eva@example.org") && html.contains("action=\"/me/forget/\""), "{html}");
    let (status, html, _) = app.post_form("/me/forget/", &format!("akid={akid}")).await;
    assert_eq!(status, 200, "{html}");

    let message = mail_with_subject(&mut sink, "Please confirm: forget me").await;
    assert_eq!(message.rcpt_to, vec!["eva@example.org".to_owned()], "only to their own address");
    let link = link_in(&message.html().expect("HTML part"), "/me/forget/confirm/?token=");

    // Following the link (as a mail scanner would) forgets nobody.
    let (status, page, _) = app.get(&link).await;
    assert_eq!(status, 200);
    assert!(page.contains("method=\"post\" action=\"/me/forget/confirm/\""), "{page}");
    assert!(user_exists(&app, id), "a GET alone does not forget");

    let token = link.split("token=").nth(1).expect("token");
    let (status, done, _) = app.post_form("/me/forget/confirm/", &format!("token={token}")).await;
    assert_eq!(status, 200);
    assert!(done.contains("We have deleted everything"), "{done}");
    assert!(!user_exists(&app, id), "forgotten");
    let hash = placard::gdpr::forget_hash("eva@example.org");
    let listed = app.query(move |c| placard::gdpr::store::is_forgotten(c, placard::gdpr::store::EMAIL, &hash));
    assert!(listed, "the email's hash is on the forgotten list");
    assert_eq!(audit(&app)[0], ("self".to_owned(), "me".to_owned(), "forget".to_owned(), Some(id)));

    // The link is spent, and a made-up one does nothing.
    let (_, again, _) = app.post_form("/me/forget/confirm/", &format!("token={token}")).await;
    assert!(again.contains("not valid"), "{again}");
    let (_, forged, _) =
        app.post_form("/me/forget/confirm/", &format!("token={id}.9999999999.AAAAAAAAAAAAAAAAAAAAAA")).await;
    assert!(forged.contains("not valid"), "{forged}");
});

with_sink!(g3_u1_requests_by_email_only_mail_that_address_and_answer_alike, |app, sink| {
    let (id, akid) = supporter(&app, "homer@example.org").await;
    let (_, known, _) = app.post_form("/me/forget/", "email=homer%40example.org").await;
    let (_, unknown, _) = app.post_form("/me/forget/", "email=nobody%40example.org").await;
    assert_eq!(known, unknown, "the answer says nothing about who is known");
    let message = mail_with_subject(&mut sink, "Please confirm: forget me").await;
    assert_eq!(message.rcpt_to, vec!["homer@example.org".to_owned()]);
    assert!(user_exists(&app, id), "a request forgets nobody");

    let (_, known, _) = app.post_form("/me/", "email=Homer%40Example.org").await;
    let (_, unknown, _) = app.post_form("/me/", "email=nobody%40example.org").await;
    assert_eq!(known, unknown);
    let message = mail_with_subject(&mut sink, "Your private link to your data").await;
    assert_eq!(message.rcpt_to, vec!["homer@example.org".to_owned()]);
    let link = link_in(&message.html().expect("HTML part"), "/me/?akid=");
    assert_eq!(link, format!("/me/?akid={akid}"));
    let outbox: i64 = app.query(|c| {
        use placard::db::schema::core_outbox;
        core_outbox::table.filter(core_outbox::to_email.eq("nobody@example.org")).count().get_result(c)
    });
    assert_eq!(outbox, 0, "nothing is mailed to an unknown address");
    let (status, html, _) = app.post_form("/me/", "email=not-an-email").await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"err_email\""), "{html}");
});

with_sink!(u2_p13_p16_unsubscribe_from_an_akid_link, |app, sink| {
    let (id, akid) = european(&app, "eva@example.org").await;
    let page_id = app.query(|c| placard::pages::store::find_by_name(c, "unsubscribe")).expect("demo page").id;
    let changes = placard::pages::followup::FollowupChanges {
        send_email: true,
        email_subject: "You are unsubscribed".into(),
        email_body: "<p>Sorry to see you go.</p>".into(),
        ..Default::default()
    };
    app.state
        .db
        .writer
        .submit_now(move |c| Ok(placard::pages::followup::upsert(c, page_id, &changes)?))
        .expect("follow-up saved");

    let (status, html, _) = app.get(&format!("/unsubscribe/unsubscribe/?akid={akid}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("value=\"eva@example.org\""), "the address is filled in: {html}");
    assert!(html.contains(&format!("name=\"akid\" value=\"{akid}\"")), "{html}");
    let (_, me, _) = app.get(&format!("/me/?akid={akid}")).await;
    assert!(me.contains(&format!("/unsubscribe/unsubscribe/?akid={akid}")), "/me/ links to it");

    let (status, text, _) =
        app.post_form("/act/", &format!("page=unsubscribe&email=eva%40example.org&akid={akid}")).await;
    assert_eq!(status, 302, "{text}");
    assert!(subscriptions(&app, id).is_empty(), "off every list");
    let statuses: Vec<String> = app.query(move |c| {
        core_privacyrecord::table.filter(core_privacyrecord::user_id.eq(id)).select(core_privacyrecord::status).load(c)
    });
    assert!(!statuses.is_empty() && statuses.iter().all(|s| s == "withdrawn"), "P13: {statuses:?}");

    let message = mail_with_subject(&mut sink, "You are unsubscribed").await;
    assert_eq!(message.rcpt_to, vec!["eva@example.org".to_owned()]);
    let html = message.html().expect("HTML part");
    assert!(html.contains("Sorry to see you go."), "{html}");
    assert!(!html.contains("/unsubscribe/unsubscribe/?akid="), "P16: no unsubscribe link once unsubscribed");
});
