//! The staff admin in a real headless Chromium (SPEC S1, S2, G3): sign in through the login
//! form, find a person, forget them through the confirmation step and see the hash in the
//! forgotten list; a form whose CSRF field was removed is refused. Uses the WebDriver
//! harness of `browser.rs` (skipped with a note when Chromium is missing).

use crate::admin::{add_staff, staff_id};
use crate::browser::{BrowserTest, Js};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_forgotten, core_user};
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "boss@example.org";
const PASSWORD: &str = "a long staff password";
const SUPPORTER: &str = "grace.hopper@example.org";

/// Signs in through the login page the way a person does.
async fn sign_in(t: &BrowserTest) {
    let b = &t.browser;
    b.goto(&t.app.url("/admin/")).await;
    b.wait_for("the login page", "return location.pathname === '/admin/login/' && !!document.getElementById('email')")
        .await;
    b.type_into("#email", ADMIN).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login/'] button[type=submit]").await;
    b.wait_for("the dashboard", "return location.pathname === '/admin/' && !!document.querySelector('main h1')").await;
    assert_eq!(b.js("return document.querySelector('main h1').textContent").await, json!("Dashboard"));
}

#[actix_web::test]
async fn g3_browser_admin_forgets_a_user_and_sees_the_hash() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    add_staff(&t.app, ADMIN, Role::Admin);
    let (status, body, _) = t
        .app
        .post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": SUPPORTER, "first_name": "Grace"}))
        .await;
    assert_eq!(status, 201, "{body}");
    let b = &t.browser;
    sign_in(&t).await;

    b.click("nav.admin-nav a[href='/admin/users/']").await;
    b.wait_for("the users screen", "return !!document.getElementById('q')").await;
    b.type_into("#q", "grace").await;
    b.click("form[role=search] button[type=submit]").await;
    // The users screen lists the newest users before any search: wait for the results page.
    b.wait_for(
        "the search result",
        "return new URLSearchParams(location.search).get('q') === 'grace' \
         && document.readyState === 'complete' && !!document.querySelector('#user-results a')",
    )
    .await;
    b.click("#user-results a").await;
    b.wait_for("the person's page", "return !!document.getElementById('user-email')").await;
    assert_eq!(b.js("return document.getElementById('user-email').textContent").await, json!(SUPPORTER));

    b.click("#forget").await;
    b.wait_for("the confirmation step", "return !!document.getElementById('confirm-forget')").await;
    b.click("#confirm").await;
    b.click("#confirm-forget").await;
    b.wait_for(
        "the forgotten list",
        "return location.pathname === '/admin/forgotten/' && !!document.getElementById('notice')",
    )
    .await;

    let hash = placard::gdpr::forget_hash(SUPPORTER);
    let listed = b.js("return [...document.querySelectorAll('#forgotten-emails code')].map(c => c.textContent)").await;
    assert_eq!(listed, json!([hash]), "the hash is in the forgotten list");
    let text = b.js("return document.body.textContent").await;
    assert!(!text.as_str().unwrap().contains(SUPPORTER), "the email itself is shown nowhere");

    let users: i64 = t.app.query(|c| core_user::table.filter(core_user::email.eq(SUPPORTER)).count().get_result(c));
    assert_eq!(users, 0, "the person is gone");
    let staff = staff_id(&t.app, ADMIN);
    let actors: Vec<(String, String)> = t.app.query(|c| {
        core_auditlog::table
            .filter(core_auditlog::verb.eq("forget"))
            .select((core_auditlog::actor, core_auditlog::via))
            .load(c)
    });
    assert_eq!(actors, vec![(format!("staff:{staff}"), "admin".to_owned())]);
}

#[actix_web::test]
async fn s1_browser_form_without_csrf_token_is_refused() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    add_staff(&t.app, ADMIN, Role::Admin);
    let b = &t.browser;
    sign_in(&t).await;

    b.goto(&t.app.url("/admin/forgotten/")).await;
    b.wait_for("the forgotten list", "return !!document.getElementById('forget-email')").await;
    // What a forged cross-site form would lack: the token.
    b.js("document.querySelector('form[action=\"/admin/forgotten/forget/\"] input[name=csrf_token]').remove(); return true")
        .await;
    b.type_into("#forget-email", SUPPORTER).await;
    b.click("form[action='/admin/forgotten/forget/'] button[type=submit]").await;
    b.wait_for("the refusal", "return !!document.getElementById('error-message')").await;
    assert_eq!(b.js("return document.querySelector('main h1').textContent").await, json!("403 · Forbidden"));
    let message = b.js("return document.getElementById('error-message').textContent").await;
    assert!(message.as_str().unwrap().starts_with("This form has expired or did not come from this admin."));

    let forgotten: i64 = t.app.query(|c| core_forgotten::table.count().get_result(c));
    assert_eq!(forgotten, 0, "nothing was forgotten");

    // The same form with its token works.
    b.goto(&t.app.url("/admin/forgotten/")).await;
    b.wait_for("the forgotten list", "return !!document.getElementById('forget-email')").await;
    b.type_into("#forget-email", SUPPORTER).await;
    b.click("form[action='/admin/forgotten/forget/'] button[type=submit]").await;
    b.wait_for("the notice", "return !!document.getElementById('notice')").await;
    let forgotten: i64 = t.app.query(|c| core_forgotten::table.count().get_result(c));
    assert_eq!(forgotten, 1);
}
