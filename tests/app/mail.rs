//! Mail (SPEC P16, A7, G3, O4): the outbox is written in the action's transaction, the
//! worker delivers over real SMTP to the loopback sink, blackholed addresses get nothing,
//! failures back off, claims are exclusive.

use crate::helpers::{both_backends, Backend, TestApp};
use crate::smtp_sink::SmtpSink;
use chrono::Utc;
use placard::mail::smtp::Mailer;
use placard::mail::store::{self, NewMail};
use placard::mail::worker::deliver_due;
use placard::pages::followup::{self, FollowupChanges};
use placard::people::Email;
use std::time::Duration;

/// Long enough for the worker's tick on a loaded machine; a passing test waits far less.
const MAIL_WAIT: Duration = Duration::from_secs(30);

/// Like `both_backends!`, with an SMTP sink and the server's worker delivering to it.
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

fn page_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.query(move |c| placard::pages::store::find_by_name(c, &name)).expect("demo page").id
}

fn set_followup(app: &TestApp, page: &str, changes: FollowupChanges) {
    let id = page_id(app, page);
    app.state.db.writer.submit_now(move |c| Ok(followup::upsert(c, id, &changes)?)).expect("follow-up saved");
}

fn thanks_on(app: &TestApp, page: &str, subject: &str, body: &str) {
    set_followup(
        app,
        page,
        FollowupChanges {
            send_email: true,
            email_subject: subject.into(),
            email_body: body.into(),
            ..FollowupChanges::default()
        },
    );
}

fn outbox(app: &TestApp, action_id: i64) -> Vec<store::OutboxRow> {
    app.query(move |c| store::for_action(c, action_id))
}

fn mailer(url: &str) -> Mailer {
    Mailer::new(url, "Test Org <no-reply@example.org>").expect("mailer")
}

/// Posts a REST action to `save-the-bees`; the action id.
async fn sign(app: &TestApp, email: &str, extra: serde_json::Value) -> i64 {
    let mut body = serde_json::json!({
        "page": "save-the-bees", "email": email, "first_name": "Ann", "last_name": "Lee", "zip": "12345",
    });
    if let (Some(map), Some(more)) = (body.as_object_mut(), extra.as_object()) {
        map.extend(more.clone());
    }
    let (status, json, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 201, "{json}");
    json["action_id"].as_i64().expect("action_id")
}

with_sink!(p16_thank_you_mail_arrives_rendered_in_the_page_language, |app, sink| {
    thanks_on(
        &app,
        "bienen-retten",
        "Danke für Ihre Unterschrift",
        "<p>Wir halten Sie auf dem Laufenden &amp; mehr.</p>",
    );
    let (status, html, _) = app
        .post_form("/act/", "page=bienen-retten&email=Anna%40Example.org&first_name=Anna&last_name=Schmidt&zip=10115")
        .await;
    assert_eq!(status, 302, "{html}");

    let message = sink.next_message(MAIL_WAIT).await.expect("the thank-you mail arrives");
    assert_eq!(message.rcpt_to, vec!["anna@example.org".to_owned()]);
    assert_eq!(message.mail_from, "no-reply@localhost");
    assert!(message.header("To").expect("To").contains("anna@example.org"));
    assert!(message.header("From").expect("From").contains("no-reply@localhost"), "PLACARD_MAIL_FROM default");
    assert_eq!(message.header("Subject").as_deref(), Some("Danke für Ihre Unterschrift"));
    assert!(message.header("Message-ID").is_some_and(|id| id.starts_with("<placard.")), "a stable Message-ID");
    assert_eq!(message.header("Auto-Submitted").as_deref(), Some("auto-generated"));
    let html = message.html().expect("an HTML part");
    assert!(html.contains("<html lang=\"de\""), "the page's language: {html}");
    assert!(html.contains("Hallo Anna,"), "German greeting");
    assert!(html.contains("Wir halten Sie auf dem Laufenden &amp; mehr."), "staff body as HTML");
    assert!(html.contains("Test Org"), "client name in the footer");
    assert!(
        html.contains("Abmelden") && html.contains("/unsubscribe/unsubscribe/?akid="),
        "subscribed: unsubscribe link"
    );
    assert!(!html.contains("Sie erhalten diese E-Mail, weil"), "no mailing footer: mailing_id is empty");
    let text = message.text().expect("a text part");
    assert!(text.contains("Hallo Anna,") && text.contains("Wir halten Sie auf dem Laufenden & mehr."), "{text}");
    assert!(!text.contains('<'), "no markup in the text part: {text}");
});

both_backends!(p16_skip_confirmation_sends_nothing, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    let skipped = sign(&app, "skip@example.org", serde_json::json!({"skip_confirmation": "1"})).await;
    assert!(outbox(&app, skipped).is_empty(), "skip_confirmation=1: nothing queued");

    let sent = sign(&app, "ann@example.org", serde_json::json!({})).await;
    let rows = outbox(&app, sent);
    assert_eq!(rows.len(), 1, "without it the mail is queued");
    let row = &rows[0];
    assert_eq!(
        (row.kind.as_str(), row.status.as_str(), row.to_email.as_str()),
        ("thanks", "queued", "ann@example.org")
    );
    assert_eq!(row.subject, "Thanks!");
    assert!(row.body_html.contains("Hello Ann,") && row.body_text.contains("Hello Ann,"));
});

both_backends!(p16_no_follow_up_no_mail, |app| {
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    assert!(outbox(&app, action).is_empty(), "a page without a follow-up sends nothing");
    set_followup(&app, "save-the-bees", FollowupChanges { send_email: false, ..FollowupChanges::default() });
    let action = sign(&app, "ben@example.org", serde_json::json!({})).await;
    assert!(outbox(&app, action).is_empty(), "send_email off sends nothing");
});

both_backends!(p16_blackholed_addresses_get_nothing, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    let now = Utc::now().naive_utc();
    app.state.db.writer.submit_now(move |c| Ok(store::add_blackhole(c, " Blocked@Example.org", now)?)).unwrap();
    app.state.db.writer.submit_now(move |c| Ok(store::add_blackhole(c, "blocked@example.org", now)?)).unwrap();
    let action = sign(&app, "blocked@example.org", serde_json::json!({})).await;
    assert!(outbox(&app, action).is_empty(), "nothing queued for a blackholed address (the action is stored)");

    // Blackholed after queueing: delivery checks again right before sending.
    let action = sign(&app, "late@example.org", serde_json::json!({})).await;
    assert_eq!(outbox(&app, action).len(), 1);
    app.state.db.writer.submit_now(move |c| Ok(store::add_blackhole(c, "late@example.org", now)?)).unwrap();
    let mut sink = SmtpSink::start().await;
    let pass = deliver_due(&app.state.db, &mailer(&sink.url()), "test-worker").await.unwrap();
    assert_eq!((pass.claimed, pass.sent, pass.skipped), (1, 0, 1));
    assert_eq!(outbox(&app, action)[0].status, "skipped");
    assert!(sink.try_next().is_none(), "the sink received nothing");
});

both_backends!(a7_tell_a_friend_mails_up_to_ten_friends_and_stores_none, |app| {
    set_followup(
        &app,
        "save-the-bees",
        FollowupChanges {
            send_taf: true,
            taf_subject: "Help the bees".into(),
            taf_body: "<p>I signed this petition.</p>".into(),
            ..FollowupChanges::default()
        },
    );
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    let users_before = app.counts().0;
    let now = Utc::now().naive_utc();
    app.state.db.writer.submit_now(move |c| Ok(store::add_blackhole(c, "blocked@example.org", now)?)).unwrap();

    let mut emails = vec!["ann@example.org".to_owned(), "blocked@example.org".to_owned(), "f1@example.org".to_owned()];
    emails.extend((1..=11).map(|i| format!("f{i}@example.org")));
    let emails: Vec<Email> = emails.iter().map(|e| Email::parse(e).unwrap()).collect();
    let deps = app.state.engine.clone();
    let ids = app
        .state
        .db
        .writer
        .submit(move |c| {
            let page = placard::pages::store::find_by_name(c, "save-the-bees")?.unwrap();
            let sender = placard::people::store::find_by_email(c, &Email::parse("ann@example.org").unwrap())?.unwrap();
            placard::mail::queue_tell_a_friend(
                c,
                &deps,
                &placard::mail::TellAFriend {
                    page: &page,
                    sender: &sender,
                    action_id: action,
                    emails: &emails,
                    subject: "Bees need you",
                    note: "Please sign <b>today</b>!",
                },
            )
        })
        .await
        .unwrap();
    // Own address and the duplicate dropped, ten kept, the blackholed one of them skipped.
    assert_eq!(ids.len(), 9);
    assert_eq!(app.counts().0, users_before, "friends are never stored as users");

    let mut sink = SmtpSink::start().await;
    let pass = deliver_due(&app.state.db, &mailer(&sink.url()), "test-worker").await.unwrap();
    assert_eq!((pass.claimed, pass.sent), (9, 9));
    let mut recipients = Vec::new();
    for _ in 0..9 {
        let message = sink.next_message(MAIL_WAIT).await.expect("a tell-a-friend mail");
        assert_eq!(message.header("Subject").as_deref(), Some("Bees need you"));
        let html = message.html().unwrap();
        assert!(html.contains("Please sign &lt;b&gt;today&lt;/b&gt;!"), "the note, escaped");
        assert!(html.contains("<p>I signed this petition.</p>"), "the page's tell-a-friend body");
        assert!(html.contains("/sign/save-the-bees/?referring_akid="), "link credits the sender");
        assert!(!html.contains("Unsubscribe"), "no unsubscribe link of the sender's");
        assert!(message.text().unwrap().contains("Please sign <b>today</b>!"));
        recipients.extend(message.rcpt_to);
    }
    recipients.sort();
    let mut expected: Vec<String> = (1..=9).map(|i| format!("f{i}@example.org")).collect();
    expected.sort();
    assert_eq!(recipients, expected);
});

both_backends!(mail_failed_delivery_is_retried_with_backoff, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    // A port nobody listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let before = Utc::now().naive_utc();
    let pass = deliver_due(&app.state.db, &mailer(&format!("smtp://{closed}")), "test-worker").await.unwrap();
    assert_eq!((pass.claimed, pass.sent, pass.retried), (1, 0, 1));

    let row = outbox(&app, action).remove(0);
    assert_eq!((row.status.as_str(), row.attempts), ("queued", 1));
    assert!(row.next_attempt_at >= before + chrono::Duration::seconds(59), "backs off a minute");
    assert!(!row.last_error.is_empty(), "the error is kept for staff");
    assert!(row.claimed_by.is_empty() && row.claimed_at.is_none(), "the claim is released");
    let again = deliver_due(&app.state.db, &mailer(&format!("smtp://{closed}")), "test-worker").await.unwrap();
    assert_eq!(again.claimed, 0, "not due again before its time");
});

both_backends!(o4_claims_are_exclusive, |app| {
    let now = Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            for i in 0..5 {
                let to = format!("p{i}@example.org");
                let mail = NewMail {
                    kind: "thanks",
                    to_email: &to,
                    subject: "s",
                    body_text: "t",
                    body_html: "",
                    user_id: None,
                    action_id: None,
                };
                store::enqueue(c, &mail, now)?;
            }
            Ok(())
        })
        .unwrap();
    let claim = |worker: &'static str| {
        app.state.db.writer.submit(move |c| Ok(store::claim_due(c, worker, 3, Utc::now().naive_utc())?))
    };
    // Two claims at once (separate connections on PostgreSQL): no row in both.
    let (a, b) = futures_util::future::join(claim("server-a"), claim("server-b")).await;
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(&b).map(|r| r.id).collect();
    assert_eq!(ids.len(), 5, "every due row claimed once: {} + {}", a.len(), b.len());
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 5, "no row claimed twice");
    assert!(a.iter().all(|r| r.status == "sending" && r.claimed_by == "server-a"));
    assert!(b.iter().all(|r| r.status == "sending" && r.claimed_by == "server-b"));
    assert!(claim("server-c").await.unwrap().is_empty(), "nothing left to claim");

    // Another server's claim is not this one's to finish.
    let id = a[0].id;
    assert!(!app.state.db.writer.submit_now(move |c| Ok(store::mark_sent(c, id, "server-b", now)?)).unwrap());
    // A server that died mid-delivery: its claims are queued again once stale.
    let later = now + chrono::Duration::minutes(store::STALE_AFTER_MINUTES + 1);
    assert_eq!(app.state.db.writer.submit_now(move |c| Ok(store::reclaim_stale(c, later)?)).unwrap(), 5);
    assert_eq!(claim("server-c").await.unwrap().len(), 3);
});

/// Gives `save-the-bees` a staff templateset holding `file` = `code`.
fn staff_set_with(app: &TestApp, file: &'static str, code: &'static str) {
    let id = page_id(app, "save-the-bees");
    let now = Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            let set = placard::templatesets::store::create_set(c, "Mail 2026", "", now)?;
            placard::templatesets::store::save_template(c, set, file, code, None, None, now)?;
            placard::pages::store::set_templateset(c, id, Some(set))?;
            Ok(())
        })
        .unwrap();
    app.state.reload_staff_edits().unwrap();
}

both_backends!(p16_thank_you_mail_uses_the_page_templateset_wrapper, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    staff_set_with(
        &app,
        "email_wrapper.html",
        "<div class=\"mail-2026\" data-mailing=\"{{ mailing_id }}\" data-status=\"{{ user.subscription_status }}\">\
         {% block content %}{% endblock %}</div>",
    );
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    let row = outbox(&app, action).remove(0);
    assert!(
        row.body_html.starts_with("<div class=\"mail-2026\" data-mailing=\"\" data-status=\"subscribed\">"),
        "the set's wrapper sees an empty mailing_id and the fresh subscription status: {}",
        row.body_html
    );
    assert!(row.body_html.contains("Hello Ann,"), "Original's email_thanks.html inside it");
});

both_backends!(p16_a_mail_template_that_fails_keeps_the_action_and_records_why, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    staff_set_with(&app, "email_thanks.html", "{% include \"no-such-file.html\" %}");
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    let row = outbox(&app, action).remove(0);
    assert_eq!(row.status, "failed", "never delivered");
    assert!(row.last_error.contains("email_thanks.html"), "staff see which template: {}", row.last_error);
});

both_backends!(o4_two_servers_deliver_each_mail_exactly_once, |app| {
    let peer = app.spawn_peer().await;
    let now = Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            for i in 0..30 {
                let to = format!("r{i}@example.org");
                let mail = NewMail {
                    kind: "thanks",
                    to_email: &to,
                    subject: "s",
                    body_text: "t",
                    body_html: "",
                    user_id: None,
                    action_id: None,
                };
                store::enqueue(c, &mail, now)?;
            }
            Ok(())
        })
        .unwrap();
    let mut sink = SmtpSink::start().await;
    let mailer = mailer(&sink.url());
    let mut sent = 0;
    // Both servers deliver at the same moment until neither finds work (on SQLite one of
    // two writers may be told to retry: the next round does).
    for _ in 0..20 {
        let (a, b) = futures_util::future::join(
            deliver_due(&app.state.db, &mailer, "server-a"),
            deliver_due(&peer.state.db, &mailer, "server-b"),
        )
        .await;
        let claimed: usize = [&a, &b].iter().filter_map(|r| r.as_ref().ok()).map(|p| p.claimed).sum();
        sent += [&a, &b].iter().filter_map(|r| r.as_ref().ok()).map(|p| p.sent).sum::<usize>();
        if a.is_ok() && b.is_ok() && claimed == 0 {
            break;
        }
    }
    assert_eq!(sent, 30, "every mail sent once");
    let mut recipients = Vec::new();
    while let Some(message) = sink.try_next() {
        recipients.extend(message.rcpt_to);
    }
    assert_eq!(recipients.len(), 30, "the sink got 30 mails");
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 30, "each recipient got exactly one mail, none twice");
    let queued = app.query(store::count_queued);
    assert_eq!(queued, 0);
});

both_backends!(g2_erase_removes_queued_mail_to_and_about_a_person, |app| {
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    let ann = sign(&app, "ann@example.org", serde_json::json!({})).await;
    let ben = sign(&app, "ben@example.org", serde_json::json!({})).await;
    let user_id = outbox(&app, ann)[0].user_id;
    let removed =
        app.state.db.writer.submit_now(move |c| Ok(store::erase_for(c, user_id, "Ann@example.org")?)).unwrap();
    assert_eq!(removed, 1);
    assert!(outbox(&app, ann).is_empty());
    assert_eq!(outbox(&app, ben).len(), 1, "others' mail stays");
});

both_backends!(g3_forgotten_addresses_are_never_mailed, |app| {
    use sha2::Digest as _;
    thanks_on(&app, "save-the-bees", "Thanks!", "<p>Thank you.</p>");
    let action = sign(&app, "ann@example.org", serde_json::json!({})).await;
    assert_eq!(outbox(&app, action).len(), 1);
    // Forgotten after queueing (G3 stores SHA-256 of the lowercased, blank-free identifier).
    let hash = hex::encode(sha2::Sha256::digest(b"ann@example.org"));
    let now = Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            use diesel::prelude::*;
            use placard::db::schema::core_forgotten;
            diesel::insert_into(core_forgotten::table)
                .values((
                    core_forgotten::kind.eq("email"),
                    core_forgotten::hash.eq(hash),
                    core_forgotten::created_at.eq(now),
                ))
                .execute(c)?;
            Ok(())
        })
        .unwrap();
    assert!(app.query(|c| store::is_suppressed(c, " Ann@Example.org ")));
    let mut sink = SmtpSink::start().await;
    let pass = deliver_due(&app.state.db, &mailer(&sink.url()), "test-worker").await.unwrap();
    assert_eq!((pass.sent, pass.skipped), (0, 1));
    assert!(sink.try_next().is_none());
});

both_backends!(b3_the_thank_you_mail_links_the_receipt_when_the_page_says_so, |app| {
    set_followup(
        &app,
        "save-the-bees",
        FollowupChanges {
            send_email: true,
            email_subject: "Thanks".into(),
            email_body: "<p>Thank you.</p>".into(),
            send_receipt: true,
            ..FollowupChanges::default()
        },
    );
    let optin =
        placard::privacy::PrivacyHash::of("optin", "Yes, keep me informed by email about this and related campaigns.");
    let body = format!("page=save-the-bees&email=rcpt%40example.org&name=R+C&country=Austria&privacy={optin}");
    let (status, _, headers) = app.post_form("/act/", &body).await;
    assert_eq!(status, 302);
    let location = headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let action_id: i64 =
        location.split("action_id=").nth(1).and_then(|s| s.split('&').next()).unwrap().parse().unwrap();
    let rows = outbox(&app, action_id);
    assert_eq!(rows.len(), 1);
    assert!(rows[0].body_html.contains("/receipts/"), "receipt link in the mail: {}", rows[0].body_html);
});
