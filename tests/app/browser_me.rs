//! `/me/update/` in a real headless Chromium at phone size (SPEC U1, issue 9's "done
//! when"): a supporter opens their akid link on a 390×844 screen, changes their city,
//! submits, sees the thanks, and the stored value has changed. Uses the WebDriver harness
//! of `browser.rs` (skipped the same way when Chromium is missing).

use crate::browser::{BrowserTest, Js};
use serde_json::json;

#[actix_web::test]
async fn u1_phone_sized_update_from_an_akid_link() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (app, b) = (&t.app, &t.browser);
    b.cmd("POST", "/window/rect", Some(json!({"width": 390, "height": 844}))).await;
    let body = json!({"page": "save-the-bees", "email": "marge@example.org", "first_name": "Marge",
                      "last_name": "Bouvier", "city": "Springfield", "zip": "49007", "country": "United States"});
    let (status, answer, _) = app.post_json("/rest/v1/action/", body).await;
    assert_eq!(status, 201, "{answer}");
    let akid = answer["akid"].as_str().expect("akid");

    b.goto(&app.url(&format!("/me/update/?akid={akid}"))).await;
    b.wait_for("the form", "return document.readyState === 'complete' && !!document.getElementById('id_city')").await;
    assert_eq!(b.js("return document.getElementById('id_city').value").await, json!("Springfield"));
    let width = b.js("return window.innerWidth").await.as_i64().unwrap_or(0);
    assert!(width > 0 && width <= 400, "a phone-sized viewport: {width}px");
    let overflow = b.js("return document.documentElement.scrollWidth - window.innerWidth").await;
    assert!(overflow.as_i64().unwrap_or(1) <= 0, "nothing wider than the screen: {overflow}px");
    // A US supporter: the privacy block is hidden and posts nothing (SPEC P9) once the
    // context for the form's page has loaded.
    b.wait_for("the context", "return !!(window.actionkit && actionkit.context)").await;

    b.clear("#id_city").await;
    b.type_into("#id_city", "Shelbyville").await;
    b.click("button[type=submit]").await;
    b.wait_for("the thanks", "return document.readyState === 'complete' && location.pathname === '/me/update/done/'")
        .await;
    let text = b.js("return document.body.textContent").await;
    assert!(text.as_str().unwrap_or_default().contains("Your details are saved."), "{text}");

    let city: String = app.query(|c| {
        use diesel::prelude::*;
        use placard::db::schema::core_user;
        core_user::table.filter(core_user::email.eq("marge@example.org")).select(core_user::city).first(c)
    });
    assert_eq!(city, "Shelbyville");
}
