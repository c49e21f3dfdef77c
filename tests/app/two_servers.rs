//! Two servers on one database (SPEC O4): both serve; a staff save through one is shown
//! by the other once its revision watch sees the staff revision move (and a save made
//! straight in the database, as the CLI does, by both); an import is processed exactly
//! once when both servers' import workers run. (Each mail sent once:
//! `mail::o4_two_servers_deliver_each_mail_exactly_once`.)

use diesel::prelude::*;
use placard::db::schema::{core_action, core_upload, core_user};
use placard::pages::{NewPage, PageType};
use serde_json::json;
use std::fmt::Write as _;
use std::time::Duration;

use crate::helpers::{both_backends, TestApp};

/// Far longer than the revision watch's interval (one second): only a broken watch misses it.
const DEADLINE: Duration = Duration::from_secs(30);

/// GETs `path` on `server` until its body contains `wanted` or the deadline passes.
async fn shows_within_deadline(server: &TestApp, path: &str, wanted: &str) -> bool {
    let give_up = tokio::time::Instant::now() + DEADLINE;
    loop {
        let (status, body, _) = server.get(path).await;
        if status == 200 && body.contains(wanted) {
            return true;
        }
        if tokio::time::Instant::now() > give_up {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both_backends!(o4_a_staff_save_on_one_server_is_seen_on_the_other, |app| {
    let peer = app.spawn_peer().await;
    let auth = app.staff_basic_auth("two.servers@example.org", "a long staff password");
    for server in [&app, &peer] {
        let (status, body, _) = server.get("/sign/save-the-bees/").await;
        assert_eq!(status, 200, "both serve");
        assert!(body.contains("Save the bees: ban neonicotinoids"), "{body}");
    }
    let id: i64 = app.query(|c| Ok(placard::pages::store::find_by_name(c, "save-the-bees")?.expect("demo page").id));

    // Saved through the first server's REST API.
    let res = app
        .client
        .patch(app.url(&format!("/rest/v1/petitionpage/{id}/")))
        .insert_header(("Authorization", auth.as_str()))
        .insert_header(("Content-Type", "application/json"))
        .send_body(json!({"title": "Bees, saved on server one"}).to_string())
        .await
        .expect("PATCH is answered");
    assert_eq!(res.status().as_u16(), 202);
    assert!(app.get("/sign/save-the-bees/").await.1.contains("Bees, saved on server one"), "at once on the first");
    assert!(
        shows_within_deadline(&peer, "/sign/save-the-bees/", "Bees, saved on server one").await,
        "the second server shows the first's save"
    );

    // Saved in the database by neither server's requests (as `placard` commands do): both
    // see it.
    app.state
        .db
        .writer
        .submit_now(|c| {
            let now = chrono::Utc::now().naive_utc();
            Ok(placard::i18n::store::set_string(c, "en", "submit_petition", "Sign it, from the command line", now)?)
        })
        .expect("string stored");
    for server in [&app, &peer] {
        assert!(
            shows_within_deadline(server, "/sign/save-the-bees/", "Sign it, from the command line").await,
            "a language string saved elsewhere shows on every server"
        );
    }
});

/// An import page on the first list; its id.
fn import_page(app: &TestApp) -> i64 {
    app.state
        .db
        .writer
        .submit_now(|c| {
            let now = chrono::Utc::now().naive_utc();
            let list = placard::people::store::default_list(c)?.expect("the demo's default list").0;
            let page = NewPage {
                name: "members-import".into(),
                title: "Members".into(),
                page_type: Some(PageType::Import),
                lang: "en".into(),
                list_id: list,
                ..NewPage::default()
            };
            Ok(placard::pages::store::insert(c, &page, now)?)
        })
        .expect("import page")
}

const BOUNDARY: &str = "----placard-two-servers";

both_backends!(o4_an_import_is_processed_exactly_once_by_two_servers, |app| {
    let peer = app.spawn_peer().await;
    let auth = app.staff_basic_auth("importer@example.org", "a long staff password");
    let page_id = import_page(&app);
    let rows = 150_i64;
    let mut csv = String::from("Email,first_name,zip\n");
    for i in 0..rows {
        let _ = writeln!(csv, "member{i}@example.org,Member{i},12345");
    }
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\nmembers-import\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n\
         --{BOUNDARY}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, text, _) =
        app.post_with("/rest/v1/upload/", &[("Authorization", &auth), ("Content-Type", &content_type)], body).await;
    assert_eq!(status, 201, "{text}");
    let upload_id = serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap();

    // The upload woke the first server's worker; wake the second's too, so both race.
    let (mut first, mut second) = (app.state.imports.subscribe(), peer.state.imports.subscribe());
    peer.state.imports.wake();
    let finished =
        |a: &tokio::sync::watch::Receiver<u64>, b: &tokio::sync::watch::Receiver<u64>| *a.borrow() + *b.borrow();
    let give_up = tokio::time::Instant::now() + Duration::from_secs(120);
    while finished(&first, &second) == 0 {
        let either = futures_util::future::select(Box::pin(first.changed()), Box::pin(second.changed()));
        tokio::time::timeout_at(give_up, either).await.expect("a worker finishes the upload within two minutes");
        first.borrow_and_update();
        second.borrow_and_update();
    }
    assert_eq!(finished(&first, &second), 1, "one worker, on one server, finished the upload");

    let (completed, processed, ok): (bool, i64, i64) = app.query(move |c| {
        core_upload::table
            .find(upload_id)
            .select((core_upload::is_completed, core_upload::processed_rows, core_upload::ok_rows))
            .first(c)
    });
    assert_eq!((completed, processed, ok), (true, rows, rows), "each row counted once");
    let actions: i64 = app.query(|c| core_action::table.filter(core_action::page_id.eq(page_id)).count().get_result(c));
    assert_eq!(actions, rows, "each row's action stored once");
    let members: i64 =
        app.query(|c| core_user::table.filter(core_user::email.like("member%@example.org")).count().get_result(c));
    assert_eq!(members, rows, "each row's supporter stored once");
});
