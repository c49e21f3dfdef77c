//! The pages screen in a real headless Chromium (SPEC S2): sign in, create a page through
//! the form, open its public address from the saved page, and preview it as a visitor from
//! a listed country. Uses the WebDriver harness of `browser.rs` (skipped with a note when
//! Chromium is missing).

use crate::admin::{add_staff, staff_id};
use crate::browser::{BrowserTest, Js};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_page};
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "pages.boss@example.org";
/// The password `admin::add_staff` gives every account.
const PASSWORD: &str = "a long staff password";

#[actix_web::test]
async fn s2_browser_admin_creates_a_page_and_opens_it() {
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

    b.click("nav.admin-nav a[href='/admin/pages/']").await;
    b.wait_for("the pages screen", "return !!document.getElementById('new-page')").await;
    b.click("#new-page").await;
    b.wait_for("the new page form", "return !!document.getElementById('f-name')").await;
    b.click("#f-type option[value='Letter']").await;
    b.type_into("#f-name", "fix-the-bridge").await;
    b.type_into("#f-title", "Fix the footbridge").await;
    b.type_into("#f-introduction_text", "<p>The footbridge has been closed for a year.</p>").await;
    b.type_into("#f-statement_text", "<p>Please reopen the footbridge.</p>").await;
    b.click("#save-page").await;
    b.wait_for(
        "the saved page",
        "return /^\\/admin\\/pages\\/\\d+\\/$/.test(location.pathname) && !!document.getElementById('notice')",
    )
    .await;
    assert_eq!(b.js("return document.getElementById('notice').textContent").await, json!("The page was created."));

    b.click("#public-url").await;
    b.wait_for("the public page", "return location.pathname === '/letter/fix-the-bridge/'").await;
    b.wait_for("its form", "return !!document.querySelector('form[action=\"/act/\"]')").await;
    let text = b.js("return document.body.textContent").await;
    let text = text.as_str().unwrap();
    assert!(
        text.contains("Fix the footbridge") && text.contains("The footbridge has been closed for a year."),
        "{text}"
    );

    let id: i64 =
        t.app.query(|c| core_page::table.filter(core_page::name.eq("fix-the-bridge")).select(core_page::id).first(c));
    let kind: String = t.app.query(move |c| core_page::table.find(id).select(core_page::type_).first(c));
    assert_eq!(kind, "Letter");
    let staff = staff_id(&t.app, ADMIN);
    let created: Vec<String> = t.app.query(move |c| {
        core_auditlog::table
            .filter(core_auditlog::verb.eq("create"))
            .filter(core_auditlog::object_id.eq(id))
            .select(core_auditlog::actor)
            .load(c)
    });
    assert_eq!(created, [format!("staff:{staff}")]);

    // The preview as a visitor from a listed country shows the privacy block.
    b.goto(&t.app.url(&format!("/admin/pages/{id}/"))).await;
    b.wait_for("the preview links", "return !!document.getElementById('preview-listed')").await;
    let href = b.js("return document.getElementById('preview-listed').getAttribute('href')").await;
    b.goto(&t.app.url(href.as_str().unwrap())).await;
    b.wait_for("the preview", "return !!document.getElementById('placard-preview')").await;
    let shown = b.js("return !!document.querySelector('.ak-privacy #ak-fieldbox-privacy_notice')").await;
    assert_eq!(shown, json!(true), "a listed-country visitor sees the privacy notice");
}
