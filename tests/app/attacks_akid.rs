//! Attacks on the identifiers of supporter self-service (SPEC U1, G1, G3 and the akid of
//! §1): forged, re-targeted and truncated akids against every `/me` screen, akids of
//! erased and forgotten supporters, and signed forget links replayed, moved to another
//! user or used after their expiry. Each is refused with exactly the answer a visitor with
//! no identifier gets, so nothing tells whether the supporter exists.

use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_forgotten, core_outbox, core_user};
use placard::people::UserId;
use serde_json::json;

/// The `/me` screens that take an akid in the query string.
const AKID_SCREENS: &[&str] = &["/me/", "/me/update/", "/me/update/done/", "/me/forget/"];

/// Signs the demo signup as a supporter; `(user id, akid)`.
async fn supporter(app: &TestApp, email: &str, first_name: &str) -> (i64, String) {
    let body = json!({"page": "stay-informed", "email": email, "first_name": first_name, "last_name": "Target",
                      "city": "Secretville", "country": "United States"});
    let (status, json, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 201, "{json}");
    let akid = json["akid"].as_str().expect("akid").to_owned();
    let id = akid.split('.').nth(1).and_then(|u| u.parse().ok()).expect("user id in the akid");
    (id, akid)
}

fn mac_of(akid: &str) -> &str {
    akid.rsplit('.').next().expect("a MAC part")
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn outbox_rows(app: &TestApp) -> i64 {
    app.query(|c| core_outbox::table.count().get_result(c))
}

fn user_exists(app: &TestApp, id: i64) -> bool {
    app.query(move |c| core_user::table.find(id).count().get_result::<i64>(c)) == 1
}

/// What each akid screen answers a visitor without an akid: `(path, status, body)`.
async fn anonymous_answers(app: &TestApp) -> Vec<(String, u16, String)> {
    let mut answers = vec![];
    for path in AKID_SCREENS {
        let (status, body, _) = app.get(path).await;
        answers.push(((*path).to_owned(), status, body));
    }
    answers
}

/// Asserts `akid` earns exactly the anonymous answer on every screen, no export, and
/// names nobody.
async fn assert_refused_like_nobody(app: &TestApp, anonymous: &[(String, u16, String)], akid: &str, why: &str) {
    for (path, status, body) in anonymous {
        let (got_status, got, _) = app.get(&format!("{path}?akid={}", enc(akid))).await;
        assert_eq!((got_status, &got), (*status, body), "{why}: {path}?akid={akid} answers differently from no akid");
        assert!(!got.contains("Secretville") && !got.contains("Target"), "{why}: {path} shows the supporter");
    }
    let (status, body, _) = app.get(&format!("/me/export.json?akid={}", enc(akid))).await;
    let (none_status, none_body, _) = app.get("/me/export.json?akid=.1.AAAAAAAA").await;
    assert_eq!((status, &body), (none_status, &none_body), "{why}: the export answers like for a junk akid");
    assert_eq!(status, 404, "{why}: no export");
}

both_backends!(u1_forged_retargeted_and_truncated_akids_are_refused_like_no_akid, |app| {
    let (victim, victim_akid) = supporter(&app, "victim@example.org", "Vera").await;
    let (_, own_akid) = supporter(&app, "attacker@example.org", "Mallory").await;
    let anonymous = anonymous_answers(&app).await;
    let unknown_id = victim + 1000;
    let mut last = victim_akid.clone();
    let flipped = if last.pop() == Some('A') { 'B' } else { 'A' };
    let attacks = [
        (format!("{last}{flipped}"), "a forged MAC (last character changed)"),
        (format!(".{victim}.{}", mac_of(&own_akid)), "the victim's id with the attacker's own valid MAC"),
        (format!(".{unknown_id}.{}", mac_of(&victim_akid)), "an unknown id with a real MAC"),
        (format!("7.{victim}.{}", mac_of(&victim_akid)), "a mailing id added to a real akid"),
        (victim_akid[..victim_akid.len() - 1].to_owned(), "a truncated MAC"),
        (victim_akid[..victim_akid.len() - 4].to_owned(), "half a MAC"),
        (format!(".{victim}."), "no MAC"),
        (format!(".{victim}"), "no MAC part"),
        (format!("{victim_akid}AA"), "a lengthened MAC"),
        (format!(".{victim}.AAAAAAAA"), "an all-zero MAC"),
        (format!(".-{victim}.{}", mac_of(&victim_akid)), "a negative id"),
        (format!(".{victim}.{}", mac_of(&victim_akid).to_lowercase()), "a case-changed MAC"),
    ];
    let mails_before = outbox_rows(&app);
    for (akid, why) in &attacks {
        assert_refused_like_nobody(&app, &anonymous, akid, why).await;
        // Writes named by a bad akid change nobody and mail nobody.
        let (status, body, _) =
            app.post_form("/me/update/", &format!("akid={}&city=Hacked&first_name=Pwned", enc(akid))).await;
        assert_eq!(status, 400, "{why}: an update with a bad akid and no email is refused: {body}");
        let (_, body, _) = app.post_form("/me/forget/", &format!("akid={}", enc(akid))).await;
        assert!(!body.contains("Vera"), "{why}: the forget form names nobody");
    }
    let city: String = app.query(move |c| core_user::table.find(victim).select(core_user::city).first(c));
    assert_eq!(city, "Secretville", "no forged akid rewrote the victim");
    assert_eq!(outbox_rows(&app), mails_before, "no forged akid mailed anyone");
    // The real akid still works: the refusals above were about the akid, not the screen.
    let (_, body, _) = app.get(&format!("/me/?akid={}", enc(&victim_akid))).await;
    assert!(body.contains("Secretville"), "the victim's own akid shows their data");
});

both_backends!(g2_g3_akids_of_erased_and_forgotten_supporters_are_refused_like_no_akid, |app| {
    let (erased, erased_akid) = supporter(&app, "erased@example.org", "Erin").await;
    let (forgotten, forgotten_akid) = supporter(&app, "forgotten@example.org", "Fred").await;
    let anonymous = anonymous_answers(&app).await;
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(move |c| {
            placard::gdpr::erase::erase(c, UserId(erased), &placard::selfservice::actor(), now)?;
            placard::gdpr::erase::forget_user(c, UserId(forgotten), &placard::selfservice::actor(), now)?;
            Ok(())
        })
        .expect("erased and forgotten");
    assert!(!user_exists(&app, erased) && !user_exists(&app, forgotten));
    assert_refused_like_nobody(&app, &anonymous, &erased_akid, "an erased supporter's akid").await;
    assert_refused_like_nobody(&app, &anonymous, &forgotten_akid, "a forgotten supporter's akid").await;
    // An update with the old akid does not bring the forgotten supporter back.
    let users_before = app.counts().0;
    let body = format!("akid={}&city=Back&email=forgotten%40example.org", enc(&forgotten_akid));
    let (status, _, _) = app.post_form("/me/update/", &body).await;
    assert!(status == 303 || status == 400, "answered {status}");
    assert_eq!(app.counts().0, users_before, "nobody is re-created from a forgotten supporter's akid");
});

both_backends!(g3_forget_links_refuse_replay_expiry_and_retargeting_alike, |app| {
    let (victim, _) = supporter(&app, "linked@example.org", "Lena").await;
    let (other, _) = supporter(&app, "bystander@example.org", "Bob").await;
    let key = app.state.engine.link_key.clone();
    let now = chrono::Utc::now().naive_utc();
    let valid = key.sign(UserId(victim), "linked@example.org", now);
    let expired = key.sign(UserId(victim), "linked@example.org", now - chrono::Duration::hours(49));
    let retargeted = valid.replacen(&format!("{victim}."), &format!("{other}."), 1);
    let unknown = valid.replacen(&format!("{victim}."), &format!("{}.", other + 1000), 1);
    let truncated = valid[..valid.len() - 2].to_owned();
    // The answer to a link that is plainly junk: what every bad link must look like.
    let (_, junk_page, _) = app.get("/me/forget/confirm/?token=junk").await;
    let (_, junk_post, _) = app.post_form("/me/forget/confirm/", "token=junk").await;
    assert!(!junk_page.contains("Lena") && !junk_post.contains("Lena"));
    for (token, why) in [
        (&expired, "an expired link"),
        (&retargeted, "a link moved to another supporter"),
        (&unknown, "a link moved to an unknown id"),
        (&truncated, "a truncated link"),
    ] {
        let (status, page, _) = app.get(&format!("/me/forget/confirm/?token={}", enc(token))).await;
        assert_eq!((status, &page), (200, &junk_page), "{why}: the confirm page is the junk one");
        let (status, post, _) = app.post_form("/me/forget/confirm/", &format!("token={}", enc(token))).await;
        assert_eq!((status, &post), (200, &junk_post), "{why}: the confirmation is refused like junk");
    }
    assert!(user_exists(&app, victim) && user_exists(&app, other), "no bad link forgot anyone");
    // The real link works once …
    let (_, page, _) = app.get(&format!("/me/forget/confirm/?token={}", enc(&valid))).await;
    assert_ne!(page, junk_page, "the valid link shows the confirmation");
    let (status, done, _) = app.post_form("/me/forget/confirm/", &format!("token={}", enc(&valid))).await;
    assert_eq!(status, 200);
    assert_ne!(done, junk_post, "the valid link forgets");
    assert!(!user_exists(&app, victim));
    let hashes: i64 = app.query(|c| core_forgotten::table.count().get_result(c));
    assert!(hashes >= 2, "the email and the user id are remembered as hashes");
    // … and a replay is refused like junk, saying nothing about the supporter now gone.
    let (_, again_page, _) = app.get(&format!("/me/forget/confirm/?token={}", enc(&valid))).await;
    assert_eq!(again_page, junk_page, "a used link's page is the junk one");
    let (status, again, _) = app.post_form("/me/forget/confirm/", &format!("token={}", enc(&valid))).await;
    assert_eq!((status, &again), (200, &junk_post), "a replayed link is refused like junk");
    assert!(user_exists(&app, other), "the bystander is untouched");
});
