//! The templatesets screen in a real headless Chromium (SPEC S2, T1; issue 8): sign in,
//! create a set, save a template with an error and see its line, fix it and see the public
//! page change. Uses the WebDriver harness of `browser.rs` (skipped with a note when
//! Chromium is missing).

use crate::admin::{add_staff, staff_id};
use crate::browser::{BrowserTest, Js};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_template};
use placard::staff::Role;
use serde_json::json;

const EDITOR: &str = "writer@example.org";
const PASSWORD: &str = "a long staff password";
const MARKER: &str = "Fixed in the browser";

#[actix_web::test]
async fn t1_browser_template_error_shows_its_line_and_the_fix_changes_the_page() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    add_staff(&t.app, EDITOR, Role::Editor);
    let b = &t.browser;
    b.goto(&t.app.url("/admin/")).await;
    b.wait_for("the login page", "return location.pathname === '/admin/login/' && !!document.getElementById('email')")
        .await;
    b.type_into("#email", EDITOR).await;
    b.type_into("#password", PASSWORD).await;
    b.click("form[action='/admin/login/'] button[type=submit]").await;
    b.wait_for("the dashboard", "return location.pathname === '/admin/' && !!document.querySelector('main h1')").await;

    b.click("nav.admin-nav a[href='/admin/templatesets/']").await;
    b.wait_for("the templatesets screen", "return !!document.getElementById('create-set')").await;
    b.type_into("#name", "Browser").await;
    b.click("#create-set").await;
    b.wait_for("the new set", "return !!document.getElementById('template-files')").await;
    let set: i64 = t.app.query(|c| {
        use placard::db::schema::core_templateset;
        core_templateset::table.filter(core_templateset::name.eq("Browser")).select(core_templateset::id).first(c)
    });
    let page = t.app.query(|c| placard::pages::store::find_by_name(c, "save-the-bees")).unwrap();
    t.app
        .state
        .db
        .writer
        .submit_now(move |c| Ok(placard::pages::store::set_templateset(c, page.id, Some(set))?))
        .unwrap();

    b.click("#template-files a[href$='file=petition.html']").await;
    b.wait_for("the editor", "return !!document.getElementById('code')").await;
    b.clear("#code").await;
    b.type_into("#code", "<main>\n{{ page.title }}\n{% frobnicate %}\n</main>").await;
    b.click("#save-template").await;
    b.wait_for("the error", "return !!document.getElementById('template-error')").await;
    let message = b.js("return document.getElementById('template-error-message').textContent").await;
    let message = message.as_str().unwrap();
    assert!(message.starts_with("line 3: ") && message.contains("frobnicate"), "{message}");
    assert_eq!(b.js("return document.getElementById('error-line').dataset.line").await, json!("3"));
    let kept = b.js("return document.getElementById('code').value").await;
    assert!(kept.as_str().unwrap().contains("{% frobnicate %}"), "the text stays in the editor: {kept}");
    let stored: i64 = t.app.query(|c| core_template::table.count().get_result(c));
    assert_eq!(stored, 0, "nothing stored");

    b.clear("#code").await;
    b.type_into("#code", &format!("<main>\n<h1>{{{{ page.title }}}}</h1>\n<p id=\"fixed\">{MARKER}</p>\n</main>"))
        .await;
    b.click("#save-template").await;
    b.wait_for("the saved notice", "return !!document.getElementById('notice')").await;

    b.goto(&t.app.url(&page.url())).await;
    b.wait_for("the public page", "return !!document.getElementById('fixed')").await;
    assert_eq!(b.js("return document.getElementById('fixed').textContent").await, json!(MARKER));

    let actor = format!("staff:{}", staff_id(&t.app, EDITOR));
    let verbs: Vec<String> = t.app.query(move |c| {
        core_auditlog::table.filter(core_auditlog::actor.eq(actor)).select(core_auditlog::verb).load(c)
    });
    assert_eq!(verbs, vec!["templateset_create".to_owned(), "template_save".to_owned()]);
}
