//! The privacy screen in a real headless Chromium (issue 8, SPEC P1, P3, S2): sign in,
//! open Privacy from the navigation, pick German, write a new privacy notice and save; the
//! German page shows it in its privacy block once a listed country is picked. Uses the
//! WebDriver harness of `browser.rs` (skipped with a note when Chromium is missing).

use crate::admin::{add_staff, staff_id};
use crate::browser::{BrowserTest, Js};
use diesel::prelude::*;
use placard::db::schema::core_auditlog;
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "privacy.boss@example.org";
const PASSWORD: &str = "a long staff password";
const NOTICE: &str = "Neuer Datenschutzhinweis aus dem Browser.";

#[actix_web::test]
async fn p3_browser_admin_adds_a_german_notice_and_sees_it_on_the_german_page() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    add_staff(&t.app, ADMIN, Role::Admin);
    let b = &t.browser;
    b.goto(&t.app.url("/admin/")).await;
    b.wait_for("the login page", "return location.pathname === '/admin/login/' && !!document.getElementById('email')")
        .await;
    b.type_into("#email", ADMIN).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login/'] button[type=submit]").await;
    b.wait_for("the dashboard", "return location.pathname === '/admin/' && !!document.querySelector('main h1')").await;

    b.click("nav.admin-nav a[href='/admin/privacy/']").await;
    b.wait_for("the privacy screen", "return !!document.getElementById('lang-pick')").await;
    b.click("#lang-pick option[value='de']").await;
    b.click("form[action='/admin/privacy/'][method=get] button[type=submit]").await;
    b.wait_for(
        "the German texts",
        "return location.search.includes('lang=de') && !!document.getElementById('text-notice')",
    )
    .await;
    b.clear("#text-notice").await;
    b.type_into("#text-notice", &format!("<p>{NOTICE}</p>")).await;
    b.click("#save-texts").await;
    b.wait_for("the saved notice", "return !!document.getElementById('saved')").await;
    let saved = b.js("return document.getElementById('text-notice').value").await;
    assert_eq!(saved, json!(format!("<p>{NOTICE}</p>")), "the box shows what was stored");

    b.goto(&t.app.url("/sign/bienen-retten/")).await;
    b.wait_for("the German page", "return !!document.getElementById('id_country')").await;
    b.click("#id_country option[value='Germany']").await;
    b.wait_for("the block shown for Germany", "return !document.querySelector('.ak-privacy').hidden").await;
    let shown = b.js("return document.getElementById('ak-fieldbox-privacy_notice').innerText").await;
    assert!(shown.as_str().unwrap().contains(NOTICE), "the new notice is on the German page: {shown}");

    let staff = staff_id(&t.app, ADMIN);
    let actors: Vec<String> = t.app.query(|c| {
        core_auditlog::table.filter(core_auditlog::verb.eq("privacy_texts")).select(core_auditlog::actor).load(c)
    });
    assert_eq!(actors, vec![format!("staff:{staff}")]);
}
