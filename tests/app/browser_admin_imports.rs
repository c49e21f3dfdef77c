//! Imports in a real headless Chromium (SPEC S2, P14): sign in, upload a 10,000-row CSV with
//! some bad rows through the upload form, and watch the upload's progress bar (moved by
//! `static/admin/upload-progress.js`) reach done with the per-row errors listed. Uses the
//! WebDriver harness of `browser.rs` (skipped with a note when Chromium is missing).

use crate::admin::add_staff;
use crate::browser::{BrowserTest, Js};
use diesel::prelude::*;
use placard::db::schema::{core_list, core_upload};
use placard::pages::{NewPage, PageType};
use placard::staff::Role;
use serde_json::json;
use std::fmt::Write as _;

const ADMIN: &str = "boss@example.org";
const PASSWORD: &str = "a long staff password";
const ROWS: usize = 10_000;
/// Every this many rows has an invalid email.
const BAD_EVERY: usize = 1_000;

async fn sign_in(t: &BrowserTest) {
    let b = &t.browser;
    b.goto(&t.app.url("/admin/")).await;
    b.wait_for("the login page", "return location.pathname === '/admin/login/' && !!document.getElementById('email')")
        .await;
    b.type_into("#email", ADMIN).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login/'] button[type=submit]").await;
    b.wait_for("the dashboard", "return location.pathname === '/admin/'").await;
}

/// The CSV: `ROWS` people, every `BAD_EVERY`th with an invalid email.
fn members_csv() -> String {
    let mut csv = String::from("email,first_name,zip\n");
    for i in 1..=ROWS {
        if i % BAD_EVERY == 0 {
            let _ = writeln!(csv, "broken-{i}-at-example.org,Bad,12345");
        } else {
            let _ = writeln!(csv, "member{i}@example.org,Member{i},{:05}", i % 100_000);
        }
    }
    csv
}

#[actix_web::test]
async fn s2_p14_browser_admin_uploads_10000_rows_and_watches_the_progress_bar_reach_done() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    add_staff(&t.app, ADMIN, Role::Admin);
    let page_id = t
        .app
        .state
        .db
        .writer
        .submit_now(|c| {
            let now = chrono::Utc::now().naive_utc();
            let list = core_list::table.select(core_list::id).order(core_list::id.asc()).first::<i64>(c)?;
            let page = NewPage {
                name: "fair-signups".into(),
                title: "Signed up at the fair".into(),
                page_type: Some(PageType::Import),
                lang: "en".into(),
                list_id: list,
                ..NewPage::default()
            };
            Ok(placard::pages::store::insert(c, &page, now)?)
        })
        .unwrap();
    let dir = std::env::temp_dir().join(format!("placard-browser-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fair-signups.csv");
    std::fs::write(&file, members_csv()).unwrap();

    let b = &t.browser;
    sign_in(&t).await;
    b.click("nav.admin-nav a[href='/admin/imports/']").await;
    b.wait_for("the imports screen", "return !!document.getElementById('upload-form')").await;
    b.type_into("#upload", file.to_str().unwrap()).await;
    b.type_into("#privacy_note", "Signed up on paper at the summer fair").await;
    assert_eq!(b.js("return document.getElementById('page').value").await, json!(page_id.to_string()));
    b.click("#upload-submit").await;

    b.wait_for("the upload's page", "return /^\\/admin\\/imports\\/\\d+\\/$/.test(location.pathname)").await;
    let id: i64 = t.app.query(|c| core_upload::table.select(core_upload::id).first(c));
    assert_eq!(b.js("return location.pathname").await, json!(format!("/admin/imports/{id}/")));
    assert_eq!(b.js("return document.getElementById('total-rows').textContent").await, json!(ROWS.to_string()));

    // The script polls the status and, once done, reloads the page so the errors are listed.
    b.wait_for_within(
        "the progress bar to reach done with the errors listed",
        "const bar = document.getElementById('upload-progress');
         return document.getElementById('upload-state').textContent === 'done'
             && bar.value === bar.max && bar.max === 10000
             && document.querySelectorAll('#upload-errors tbody tr').length > 0",
        std::time::Duration::from_secs(90),
    )
    .await;
    let bad = ROWS / BAD_EVERY;
    assert_eq!(b.js("return document.getElementById('ok-rows').textContent").await, json!((ROWS - bad).to_string()));
    assert_eq!(b.js("return document.getElementById('error-rows').textContent").await, json!(bad.to_string()));
    let rows = b
        .js("return [...document.querySelectorAll('#upload-errors tbody tr')].map(r => [r.cells[0].textContent, r.cells[1].textContent])")
        .await;
    // Line numbers count the header as line 1, so data row i is line i + 1.
    let expected: Vec<_> = (1..=bad).map(|k| json!([(k * BAD_EVERY + 1).to_string(), "email"])).collect();
    assert_eq!(rows, json!(expected), "every bad row with its line and field");
    let _ = std::fs::remove_dir_all(&dir);
}
