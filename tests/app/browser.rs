//! Browser tests (SPEC P9, T4): `static/actionkit.js` in a real headless Chromium, driven
//! over WebDriver by chromedriver (the small client below speaks the W3C protocol over awc,
//! so no extra crate is needed).
//!
//! Two kinds of test. Most load the page from a [`Site`], a tiny local server: it serves the
//! app's own rendering of `/sign/save-the-bees/` (the demo, with privacy records on for the
//! EU and the UK) with the script tags `user_form_wrapper.html` is to end with
//! ([`SCRIPT_SNIPPET`]; left alone once the templateset has them), the real
//! `static/actionkit.js` at `/resources/actionkit.js`, a JSONP `/context/<page>` whose answer
//! each test chooses (recognized users, `privacy_show_if` …), and an `/act/` that records
//! what the form posts. The `p9_app_…` tests run on the app itself — its page,
//! `/resources/actionkit.js`, `/context/` and `/act/` — and check what it stored; until the
//! templateset loads the script, [`ADD_SCRIPT_IF_MISSING`] adds it the way the snippet would.
//!
//! Skipped (with a note) when chromedriver or Chromium is missing, unless
//! `PLACARD_TEST_REQUIRE_ALL` is set. The tests share one lock so that at most one browser
//! runs at a time. Every wait polls a condition in the page with a deadline.

use crate::helpers::{Backend, TestApp, REQUIRE_VAR};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// What the lead adds at the very end of `user_form_wrapper.html` (after the privacy
/// include); the tests inject exactly this at that spot.
pub const SCRIPT_SNIPPET: &str =
    "<script src=\"/resources/actionkit.js\"></script>\n<script>actionkit.forms.initForm('act');</script>\n";

const PAGE: &str = "/sign/save-the-bees/";
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(25);
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
static SKIP_NOTE: Once = Once::new();

// ------------------------------------------------------------------ the tests

#[actix_web::test]
async fn p9_listed_country_shows_block_and_requires_choice() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    b.wait_for("the block hidden for no country", "return document.querySelector('.ak-privacy').hidden").await;
    assert!(!b.displayed(".ak-privacy").await);

    b.select("#id_country", "Germany").await;
    b.wait_for("the block shown for Germany", "return !document.querySelector('.ak-privacy').hidden").await;
    assert!(b.displayed(".ak-privacy").await, "visible for a listed country");
    for css in ["#privacy_optin", "#privacy_optout", ".ak-privacy input[name=required][value=privacy]"] {
        assert!(b.enabled(css).await, "{css} enabled");
    }

    b.fill_supporter("bee@example.org").await;
    b.click("button[type=submit]").await;
    b.wait_for("the missing choice reported", "return document.querySelectorAll('#ak-errors li').length > 0").await;
    let errors = b.js("return [...document.querySelectorAll('#ak-errors li')].map(li => li.textContent)").await;
    assert_eq!(errors, json!(["Your choice: We need more information to process your data."]));
    assert!(b.has_class("#ak-fieldbox-privacy_radio", "ak-error").await);
    assert!(site.posts().is_empty(), "an invalid form is not submitted");

    b.click("#privacy_optin").await;
    b.click("button[type=submit]").await;
    let post = site.wait_for_post(b).await;
    assert_eq!(post.get("country"), Some(&vec!["Germany".to_owned()]));
    assert_eq!(post.get("privacy").map(Vec::len), Some(1), "the choice is posted: {post:?}");
    assert!(post["required"].contains(&"privacy".to_owned()), "the requirement is posted: {post:?}");
    assert!(post.contains_key("privacy_hidden"), "the notice is posted: {post:?}");
}

#[actix_web::test]
async fn p9_other_country_hides_block_and_posts_no_privacy_fields() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    b.select("#id_country", "Germany").await;
    b.wait_for("the block shown", "return !document.querySelector('.ak-privacy').hidden").await;
    b.select("#id_country", "United States").await;
    b.wait_for("the block hidden", "return document.querySelector('.ak-privacy').hidden").await;
    assert!(!b.displayed(".ak-privacy").await);
    let enabled =
        b.js("return [...document.querySelectorAll('.ak-privacy input')].filter(i => !i.disabled).length").await;
    assert_eq!(enabled, json!(0), "every input of the hidden block is disabled");

    b.fill_supporter("bee@example.org").await;
    b.click("button[type=submit]").await;
    let post = site.wait_for_post(b).await;
    assert_eq!(post.get("country"), Some(&vec!["United States".to_owned()]));
    let privacy_keys: Vec<&String> = post.keys().filter(|k| k.starts_with("privacy")).collect();
    assert!(privacy_keys.is_empty(), "no privacy field is posted: {privacy_keys:?}");
    assert!(!post["required"].contains(&"privacy".to_owned()), "required=privacy is not posted: {post:?}");
    assert!(post["required"].contains(&"first_name".to_owned()), "the page's own requirements still are");
}

#[actix_web::test]
async fn p9_default_country_is_evaluated_at_load() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url("/default/Germany/")).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    assert_eq!(b.js("return document.getElementById('id_country').value").await, json!("Germany"));
    assert!(b.displayed(".ak-privacy").await, "a listed default country keeps the block");
    assert!(b.enabled("#privacy_optin").await);

    b.goto(&site.url("/default/United%20States/")).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    assert_eq!(b.js("return document.getElementById('id_country').value").await, json!("United States"));
    b.wait_for("the block hidden at load", "return document.querySelector('.ak-privacy').hidden").await;
    assert!(!b.displayed(".ak-privacy").await, "an unlisted default country hides the block");
    assert!(!b.enabled("#privacy_optin").await);
}

#[actix_web::test]
async fn p9_without_js_the_block_is_visible() {
    let Some(t) = BrowserTest::start(Js::Off).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url(PAGE)).await;
    b.wait_for_element("#privacy_optin").await;
    assert!(b.displayed(".ak-privacy").await, "visible without script");
    assert!(b.enabled("#privacy_optin").await && b.enabled("#privacy_optout").await, "enabled without script");
    assert_eq!(site.context_requests(), 0, "the script did not run");

    // Even with a country that is not listed, the block is part of what the form posts.
    b.select("#id_country", "United States").await;
    b.fill_supporter("bee@example.org").await;
    b.click("#privacy_optout").await;
    b.click("button[type=submit]").await;
    let post = site.wait_for_post_no_js().await;
    assert_eq!(post.get("country"), Some(&vec!["United States".to_owned()]));
    assert_eq!(post.get("privacy").map(Vec::len), Some(1), "{post:?}");
    assert!(post["required"].contains(&"privacy".to_owned()), "{post:?}");
}

#[actix_web::test]
async fn p9_choosing_optout_reveals_really_optout() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    b.select("#id_country", "France").await;
    b.wait_for("the block shown", "return !document.querySelector('.ak-privacy').hidden").await;
    assert!(!b.displayed("#really-opt-out").await, "hidden until opt-out is picked");

    b.click("#privacy_optout").await;
    b.wait_for(
        "really-opt-out shown",
        "return getComputedStyle(document.getElementById('really-opt-out')).display !== 'none'",
    )
    .await;
    assert!(b.displayed("#really-opt-out").await);
    let text = b.js("return document.getElementById('really-opt-out').textContent").await;
    assert_eq!(text, json!("Are you sure? We won't be able to tell you how this campaign goes."));

    b.click("#privacy_optin").await;
    b.wait_for(
        "really-opt-out hidden",
        "return getComputedStyle(document.getElementById('really-opt-out')).display === 'none'",
    )
    .await;
    assert!(!b.displayed("#really-opt-out").await);
}

#[actix_web::test]
async fn p9_event_fires_with_the_new_status() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    // Listen before the page's own scripts run, so the load-time evaluation is seen too. A
    // stand-in jQuery records the jQuery form of the event.
    b.before_page_scripts(
        "window.seen = []; window.seenJq = [];
         document.addEventListener('actionkit.privacyRequirementChanged', e => window.seen.push(
           {required: e.detail.required, target: e.target.name, bubbles: e.bubbles}));
         window.jQuery = el => ({trigger: (name, args) => window.seenJq.push([el.name, name, args])});",
    )
    .await;
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    // The form loads with no country: the block goes from rendered-visible to hidden.
    b.wait_for("the load-time event", "return window.seen.length === 1").await;

    b.select("#id_country", "Germany").await;
    b.wait_for("the event for Germany", "return window.seen.length === 2").await;
    b.select("#id_country", "Austria").await; // still listed: no change, no event
    b.select("#id_country", "Canada").await;
    b.wait_for("the event for Canada", "return window.seen.length === 3").await;

    let seen = b.js("return window.seen").await;
    assert_eq!(
        seen,
        json!([
            {"required": false, "target": "act", "bubbles": true},
            {"required": true, "target": "act", "bubbles": true},
            {"required": false, "target": "act", "bubbles": true},
        ])
    );
    let jq = b.js("return window.seenJq").await;
    assert_eq!(
        jq,
        json!([
            ["act", "actionkit.privacyRequirementChanged", [false]],
            ["act", "actionkit.privacyRequirementChanged", [true]],
            ["act", "actionkit.privacyRequirementChanged", [false]],
        ])
    );
    assert_eq!(b.js("return actionkit.form.name").await, json!("act"));
}

#[actix_web::test]
async fn t4_client_validation_marks_fieldboxes() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    assert_eq!(b.js("return document.getElementById('ak-errors')").await, Value::Null, "no summary yet");

    b.click("button[type=submit]").await;
    b.wait_for("the error summary", "return document.querySelectorAll('#ak-errors li').length > 0").await;
    let lines = b.js("return [...document.querySelectorAll('#ak-errors li')].map(li => li.textContent)").await;
    assert_eq!(
        lines,
        json!([
            "Email: Please enter your e-mail address.",
            "First name: This field is required.",
            "Last name: This field is required.",
        ])
    );
    for field in ["email", "first_name", "last_name"] {
        assert!(b.has_class(&format!("#ak-fieldbox-{field}"), "ak-error").await, "{field} marked");
    }
    assert!(!b.has_class("#ak-fieldbox-city", "ak-error").await, "optional fields are not marked");
    assert_eq!(b.js("return document.activeElement.id").await, json!("ak-errors"), "the summary has focus");
    assert_eq!(
        b.js("return document.querySelector('form[name=act]').firstElementChild.id").await,
        json!("ak-errors"),
        "created at the top of the form"
    );

    b.fill_supporter("not-an-email").await;
    b.click("button[type=submit]").await;
    b.wait_for(
        "only the e-mail reported",
        "return document.querySelectorAll('#ak-errors li').length === 1 && !document.querySelector('#ak-fieldbox-first_name.ak-error')",
    )
    .await;
    let lines = b.js("return [...document.querySelectorAll('#ak-errors li')].map(li => li.textContent)").await;
    assert_eq!(lines, json!(["Email: E-mail address is invalid."]));
    assert!(b.has_class("#ak-fieldbox-email", "ak-error").await);
    assert!(site.posts().is_empty(), "nothing was submitted");

    b.clear("#id_email").await;
    b.type_into("#id_email", "bee@example.org").await;
    b.click("button[type=submit]").await;
    let post = site.wait_for_post(b).await;
    assert_eq!(post.get("email"), Some(&vec!["bee@example.org".to_owned()]));
}

#[actix_web::test]
async fn p9_recognized_user_sees_block_only_when_show_if_holds() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    // The form submits no country here (the select stays blank), so the stored one decides.
    let cases = [
        ("Germany", "", false, false),
        ("Germany", "in_country", false, true),
        ("United States", "in_country", false, false),
        ("Germany", "missing", false, true),
        ("Germany", "missing", true, false),
        ("United States", "missing", false, false),
    ];
    for (stored, show_if, has_record, shown) in cases {
        let mut context = demo_context();
        context["user"] = json!({"first_name": "Bea", "country": stored});
        context["privacy"]["show_if"] = json!(show_if);
        context["privacy"]["user_has_active_record"] = json!(has_record);
        site.set_context(context);
        b.goto(&site.url(PAGE)).await;
        b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
        assert_eq!(
            b.displayed(".ak-privacy").await,
            shown,
            "stored {stored}, show_if {show_if:?}, active record {has_record}"
        );
        assert_eq!(b.enabled("#privacy_optin").await, shown);
    }

    // A recognized user who submits a listed country sees the block whatever show_if says:
    // "require on actions" (SPEC P11) asks for a choice on that action.
    let mut context = demo_context();
    context["user"] = json!({"first_name": "Bea", "country": "United States"});
    context["privacy"]["user_has_active_record"] = json!(true);
    site.set_context(context);
    b.goto(&site.url(PAGE)).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    b.wait_for("hidden with no country", "return document.querySelector('.ak-privacy').hidden").await;
    b.select("#id_country", "Germany").await;
    b.wait_for("shown for Germany", "return !document.querySelector('.ak-privacy').hidden").await;
    b.select("#id_country", "United States").await;
    b.wait_for("hidden again", "return document.querySelector('.ak-privacy').hidden").await;
}

#[actix_web::test]
async fn t4_recognized_user_switch_and_prefill() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    let mut context = demo_context();
    context["user"] = json!({"first_name": "Bea", "last_name": "Keeper", "country": "Germany"});
    context["akid"] = json!(".3.jcWz_1");
    context["prefill"] = json!({
        "email": "bee@example.org", "first_name": "Bea", "last_name": "Keeper",
        "city": "Berlin", "country": "Germany",
    });
    site.set_context(context);
    b.goto(&site.url("/ak-markup/?akid=.3.jcWz_1")).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    let query: HashMap<String, String> =
        form_urlencoded::parse(site.shared.context_query.lock().unwrap().as_bytes()).into_owned().collect();
    assert_eq!(query.get("callback").map(String::as_str), Some("actionkit.forms.onContextLoaded"));
    assert_eq!(query.get("form_name").map(String::as_str), Some("act"));
    assert_eq!(query.get("akid").map(String::as_str), Some(".3.jcWz_1"), "the akid travels to the context");
    assert!(b.displayed("#known_user").await, "the greeting shows");
    assert!(!b.displayed("#unknown_user").await, "the visitors' box hides");
    assert_eq!(b.js("return document.getElementById('known_user_name').textContent").await, json!("Bea Keeper"));
    let values = b.js("return ['id_email', 'id_first_name', 'id_city', 'id_country'].map(id => document.getElementById(id).value)").await;
    assert_eq!(values, json!(["bee@example.org", "Bea", "Berlin", "Germany"]));
    assert!(b.displayed(".ak-privacy").await, "the prefilled country is listed, so the block shows");

    b.click("#privacy_optin").await;
    b.click("button[type=submit]").await;
    let post = site.wait_for_post(b).await;
    assert_eq!(post.get("privacy").map(Vec::len), Some(1), "{post:?}");
    assert_eq!(post.get("akid"), Some(&vec![".3.jcWz_1".to_owned()]));
    assert_eq!(post.get("city"), Some(&vec!["Berlin".to_owned()]));
    assert!(!post["required"].contains(&"phone".to_owned()), "the hidden box's requirement lapsed: {post:?}");
}

#[actix_web::test]
async fn t4_anonymous_visitor_sees_the_visitor_box() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.goto(&site.url("/ak-markup/")).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    assert!(!b.displayed("#known_user").await);
    assert!(b.enabled("#unknown_user input").await, "the visitors' box stays enabled");
    b.fill_supporter("bee@example.org").await;
    b.click("button[type=submit]").await;
    b.wait_for("the missing phone reported", "return document.querySelectorAll('#ak-errors li').length === 1").await;
    assert!(b.has_class("#ak-fieldbox-phone", "ak-error").await, "a visitor must give the phone");
}

#[actix_web::test]
async fn t4_loading_the_script_twice_changes_nothing() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let (site, b) = (&t.site, &t.browser);
    b.before_page_scripts(
        "window.seen = 0; document.addEventListener('actionkit.privacyRequirementChanged', () => window.seen++);",
    )
    .await;
    b.goto(&site.url("/twice/")).await;
    b.wait_for("the context to load", "return !!(window.actionkit && actionkit.context)").await;
    b.wait_for("the load-time event", "return window.seen === 1").await;
    b.select("#id_country", "Germany").await;
    b.wait_for("the event for Germany", "return window.seen >= 2").await;
    b.click("button[type=submit]").await;
    b.wait_for("the error summary", "return document.querySelectorAll('#ak-errors li').length > 0").await;
    assert_eq!(b.js("return window.seen").await, json!(2), "one event per change");
    assert_eq!(b.js("return document.querySelectorAll('#ak-errors').length").await, json!(1));
    assert_eq!(b.js("return document.querySelectorAll('#ak-fieldbox-email .ak-field-error').length").await, json!(1));
}

/// Until the templateset loads the script itself ([`SCRIPT_SNIPPET`]), adds it to a page the
/// app serves, as the snippet would (registered before the page's own scripts).
const ADD_SCRIPT_IF_MISSING: &str = "document.addEventListener('DOMContentLoaded', () => {
    if (document.querySelector('script[src*=\"actionkit.js\"]')) return;
    const script = document.createElement('script');
    script.src = '/resources/actionkit.js';
    script.onload = () => actionkit.forms.initForm('act');
    document.head.appendChild(script);
});";

/// The stored country of `email` and the types of their privacy records, sorted.
fn stored(app: &TestApp, email: &str) -> (String, Vec<String>) {
    use diesel::prelude::*;
    use placard::db::schema::{core_privacyrecord, core_privacytext, core_user};
    let email = email.to_owned();
    app.query(move |c| {
        let (id, country) = core_user::table
            .filter(core_user::email.eq(email))
            .select((core_user::id, core_user::country))
            .first::<(i64, String)>(c)?;
        let mut types: Vec<String> = core_privacyrecord::table
            .inner_join(core_privacytext::table)
            .filter(core_privacyrecord::user_id.eq(id))
            .select(core_privacytext::type_)
            .load(c)?;
        types.sort();
        Ok((country, types))
    })
}

/// Submits and waits for the thanks page, reporting the form's errors if it does not come.
async fn submit_to_thanks(b: &Browser) {
    b.click("button[type=submit]").await;
    b.wait_for(
        "the thanks page or the form again",
        "return document.readyState === 'complete' && (location.pathname.includes('/thanks/') ||
                location.pathname === '/act/' || !!document.querySelector('#ak-errors li'))",
    )
    .await;
    let path = b.js("return location.pathname").await;
    let errors = b.js("const e = document.getElementById('ak-errors'); return e ? e.textContent : ''").await;
    assert!(path.as_str().unwrap_or_default().contains("/thanks/"), "not thanked ({path}): {errors}");
}

/// End to end on the app itself (its page, `/resources/actionkit.js`, `/context/` and `/act/`),
/// with the demo's settings: privacy records for the EU and the UK, required on actions.
#[actix_web::test]
async fn p9_app_listed_country_records_the_choice() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let b = &t.browser;
    b.before_page_scripts(ADD_SCRIPT_IF_MISSING).await;
    b.goto(&t.app.url(PAGE)).await;
    b.wait_for("the app's context", "return !!(window.actionkit && actionkit.context)").await;
    b.wait_for("the block hidden for no country", "return document.querySelector('.ak-privacy').hidden").await;
    b.select("#id_country", "Germany").await;
    b.wait_for("the block shown for Germany", "return !document.querySelector('.ak-privacy').hidden").await;
    b.fill_supporter("bee@example.org").await;
    b.click("#privacy_optin").await;
    submit_to_thanks(b).await;
    assert_eq!(
        stored(&t.app, "bee@example.org"),
        ("Germany".to_owned(), vec!["notice".to_owned(), "optin".to_owned()])
    );
}

#[actix_web::test]
async fn p9_app_other_country_stores_no_privacy_record() {
    let Some(t) = BrowserTest::start(Js::On).await else { return };
    let b = &t.browser;
    b.before_page_scripts(ADD_SCRIPT_IF_MISSING).await;
    b.goto(&t.app.url(PAGE)).await;
    b.wait_for("the app's context", "return !!(window.actionkit && actionkit.context)").await;
    b.select("#id_country", "United States").await;
    b.wait_for("the block hidden", "return document.querySelector('.ak-privacy').hidden").await;
    b.fill_supporter("bee@example.org").await;
    submit_to_thanks(b).await;
    assert_eq!(stored(&t.app, "bee@example.org"), ("United States".to_owned(), vec![]));
}

#[actix_web::test]
async fn t4_the_script_is_served_by_the_app() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    for path in ["/resources/actionkit.js", "/static/actionkit.js"] {
        let (status, body, headers) = app.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            headers.get("content-type").and_then(|v| v.to_str().ok()),
            Some("text/javascript; charset=utf-8"),
            "{path}"
        );
        assert!(body.contains("forms.initForm = function"), "{path} is the script itself");
    }
}

// ------------------------------------------------------------------ the harness

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Js {
    On,
    Off,
}

/// One test's browser and site; dropping it closes the session and stops chromedriver.
pub(crate) struct BrowserTest {
    pub(crate) browser: Browser,
    site: Site,
    _one_at_a_time: tokio::sync::MutexGuard<'static, ()>,
    pub(crate) app: TestApp,
}

impl BrowserTest {
    /// `None` (after a note) when chromedriver or Chromium is not installed.
    pub(crate) async fn start(js: Js) -> Option<Self> {
        let (Some(driver), Some(chromium)) = (chromedriver_path(), chromium_path()) else {
            assert!(
                std::env::var(REQUIRE_VAR).is_err(),
                "{REQUIRE_VAR} is set but chromedriver or Chromium is missing: the browser suite would be skipped"
            );
            SKIP_NOTE.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\nnote: the browser suite did not run (its tests pass as no-ops); install chromium and chromium-driver to run it\n"
                );
            });
            return None;
        };
        let guard = ONE_BROWSER.lock().await;
        let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
        let (status, html, _) = app.get(PAGE).await;
        assert_eq!(status, 200, "the demo petition renders");
        let site = Site::start(&html, demo_context());
        let browser = Browser::start(&driver, &chromium, js).await;
        Some(Self { browser, site, _one_at_a_time: guard, app })
    }
}

/// The `/context/save-the-bees` answer for an anonymous visitor with the demo's settings.
fn demo_context() -> Value {
    json!({
        "page": "save-the-bees",
        "user": null,
        "prefill": {},
        "required": ["first_name", "last_name"],
        "privacy": {
            "enabled": true,
            "countries": placard::demo::EU_AND_UK,
            "show_if": "",
            "user_has_active_record": false,
        },
        "progress": {"goal": 10_000, "current": 0},
    })
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]).collect();
    names.iter().flat_map(|n| dirs.iter().map(move |d| d.join(n))).find(|p| p.is_file())
}

fn chromedriver_path() -> Option<PathBuf> {
    find_in_path(&["chromedriver"])
}

fn chromium_path() -> Option<PathBuf> {
    find_in_path(&["chromium", "chromium-browser", "google-chrome"])
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

// ------------------------------------------------------------------ the site

/// What the browser loads: the rendered page with the script tags, the real script, a
/// JSONP context, and `/act/` recording what is posted.
struct Site {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

struct Shared {
    /// Path → HTML.
    pages: HashMap<String, String>,
    context: Mutex<Value>,
    posts: Mutex<Vec<String>>,
    context_requests: AtomicUsize,
    /// The query string of the last `/context/` request.
    context_query: Mutex<String>,
    stop: AtomicBool,
}

type Post = HashMap<String, Vec<String>>;

impl Site {
    /// Serves `rendered` (the app's page) at [`PAGE`] with [`SCRIPT_SNIPPET`] at the end of
    /// the user form wrapper; at `/default/<country>/` with that country preselected; at
    /// `/ak-markup/` with ActionKit's `#known_user`/`#unknown_user` boxes; and at `/twice/`
    /// with the script tags twice.
    fn start(rendered: &str, context: Value) -> Self {
        let marker = "<div class=\"ak-submit\">";
        assert!(rendered.contains(marker), "the petition form ends with its submit box");
        assert!(rendered.contains("class=\"ak-privacy\""), "the demo page renders the privacy block");
        // Once the templateset loads the script itself, the page is served as rendered.
        let with_script = if rendered.contains("/resources/actionkit.js") {
            rendered.to_owned()
        } else {
            rendered.replacen(marker, &format!("{SCRIPT_SNIPPET}{marker}"), 1)
        };
        let mut pages = HashMap::new();
        for country in ["Germany", "United States"] {
            let option = format!("<option value=\"{country}\">");
            assert!(with_script.contains(&option), "{country} is offered");
            let preselected = with_script.replacen(&option, &format!("<option value=\"{country}\" selected>"), 1);
            pages.insert(format!("/default/{}/", country.replace(' ', "%20")), preselected);
        }
        // ActionKit's known-user markup, which the Original templateset does not use: a
        // greeting, and a box for visitors only (here: a requirement that then lapses).
        let ak_markup = concat!(
            "<div id=\"known_user\" hidden>Welcome back, <span id=\"known_user_name\"></span>.</div>\n",
            "<div id=\"unknown_user\"><input type=\"hidden\" name=\"required\" value=\"phone\"></div>\n",
        );
        pages.insert("/ak-markup/".to_owned(), with_script.replacen(marker, &format!("{ak_markup}{marker}"), 1));
        pages.insert("/twice/".to_owned(), with_script.replacen(marker, &format!("{SCRIPT_SNIPPET}{marker}"), 1));
        pages.insert(PAGE.to_owned(), with_script);
        let shared = Arc::new(Shared {
            pages,
            context: Mutex::new(context),
            posts: Mutex::new(Vec::new()),
            context_requests: AtomicUsize::new(0),
            context_query: Mutex::new(String::new()),
            stop: AtomicBool::new(false),
        });
        let listener = TcpListener::bind("127.0.0.1:0").expect("site binds");
        let addr = listener.local_addr().expect("site address");
        let accept_shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_shared.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let shared = Arc::clone(&accept_shared);
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        Self { addr, shared }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// What later `/context/` requests answer.
    fn set_context(&self, context: Value) {
        *self.shared.context.lock().unwrap() = context;
    }

    fn posts(&self) -> Vec<String> {
        self.shared.posts.lock().unwrap().clone()
    }

    fn context_requests(&self) -> usize {
        self.shared.context_requests.load(Ordering::SeqCst)
    }

    /// The one form post, once the browser shows the answer page.
    async fn wait_for_post(&self, b: &Browser) -> Post {
        b.wait_for("the answer to the post", "return !!document.getElementById('received')").await;
        self.only_post()
    }

    /// As [`Site::wait_for_post`] in a browser without script (polls the site instead).
    async fn wait_for_post_no_js(&self) -> Post {
        let deadline = Instant::now() + WAIT;
        while self.posts().is_empty() {
            assert!(Instant::now() < deadline, "timed out after {WAIT:?} waiting for the form post");
            actix_web::rt::time::sleep(POLL).await;
        }
        self.only_post()
    }

    fn only_post(&self) -> Post {
        let posts = self.posts();
        assert_eq!(posts.len(), 1, "one post: {posts:?}");
        let mut fields: Post = HashMap::new();
        for (k, v) in form_urlencoded::parse(posts[0].as_bytes()) {
            fields.entry(k.into_owned()).or_default().push(v.into_owned());
        }
        fields
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
    }
}

/// Answers one request on `stream` (one request per connection).
fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some((method, target, body)) = read_request(&mut stream) else { return };
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    let (status, content_type, body) = match (method.as_str(), path) {
        ("GET", "/resources/actionkit.js") => {
            let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("static/actionkit.js");
            ("200 OK", "text/javascript; charset=utf-8", std::fs::read_to_string(file).expect("static/actionkit.js"))
        }
        ("GET", "/context/save-the-bees") => {
            shared.context_requests.fetch_add(1, Ordering::SeqCst);
            query.clone_into(&mut shared.context_query.lock().unwrap());
            let callback = form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "callback")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            let valid = !callback.is_empty()
                && callback.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$');
            if valid {
                ("200 OK", "text/javascript; charset=utf-8", format!("{callback}({});", shared.context.lock().unwrap()))
            } else {
                ("400 Bad Request", "text/plain", "bad callback".to_owned())
            }
        }
        ("POST", "/act/") => {
            shared.posts.lock().unwrap().push(body);
            (
                "200 OK",
                "text/html; charset=utf-8",
                "<!DOCTYPE html><title>received</title><p id=\"received\">received</p>".to_owned(),
            )
        }
        ("GET", p) => match shared.pages.get(p) {
            Some(html) => ("200 OK", "text/html; charset=utf-8", html.clone()),
            None => ("404 Not Found", "text/plain", "not found".to_owned()),
        },
        _ => ("405 Method Not Allowed", "text/plain", "no".to_owned()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes()));
}

/// `(method, target, body)` of a request (or the status line's first words and the body of
/// an answer), or `None` for a connection that sends nothing.
fn read_request(stream: &mut TcpStream) -> Option<(String, String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut words = head.split_whitespace();
    let (method, target) = (words.next()?.to_owned(), words.next()?.to_owned());
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).ok().filter(|n| *n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    Some((method, target, body))
}

// ------------------------------------------------------------------ the WebDriver client

/// A chromedriver process and one session in headless Chromium.
pub(crate) struct Browser {
    driver: Child,
    port: u16,
    session: String,
    client: awc::Client,
    profile: tempfile::TempDir,
}

impl Browser {
    async fn start(chromedriver: &Path, chromium: &Path, js: Js) -> Self {
        let port = free_port();
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().expect("profile dir");
        let client = awc::Client::builder().timeout(Duration::from_secs(60)).finish();
        let mut browser = Self { driver, port, session: String::new(), client, profile };

        let deadline = Instant::now() + WAIT;
        loop {
            let ready = browser.client.get(browser.driver_url("/status")).send().await.is_ok();
            if ready {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer within {WAIT:?}");
            actix_web::rt::time::sleep(POLL).await;
        }

        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1024,1400".to_owned(),
            format!("--user-data-dir={}", browser.profile.path().display()),
        ];
        if js == Js::Off {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        }}});
        let answer = browser.call("POST", "/session", Some(caps)).await;
        answer["sessionId"].as_str().expect("a session id").clone_into(&mut browser.session);
        browser
    }

    fn driver_url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// One WebDriver command; returns its `value`, panicking with the driver's message.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = self.driver_url(path);
        let req = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url),
        };
        let mut res = match body {
            Some(b) => req.send_json(&b).await,
            None => req.send().await,
        }
        .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let bytes = res.body().limit(16 << 20).await.expect("WebDriver answer");
        let answer: Value = serde_json::from_slice(&bytes).expect("WebDriver JSON");
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        assert!(
            res.status().is_success(),
            "WebDriver {method} {path}: {} {}",
            value["error"].as_str().unwrap_or("error"),
            value["message"].as_str().unwrap_or_default()
        );
        value
    }

    pub(crate) async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body).await
    }

    /// Runs `source` in every new document before the page's own scripts.
    async fn before_page_scripts(&self, source: &str) {
        let body = json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": source}});
        self.cmd("POST", "/goog/cdp/execute", Some(body)).await;
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url}))).await;
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub(crate) async fn js(&self, script: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// Polls `script` until it returns `true`, for at most [`WAIT`].
    pub(crate) async fn wait_for(&self, what: &str, script: &str) {
        self.wait_for_within(what, script, WAIT).await;
    }

    /// Polls `script` until it returns `true`, for at most `wait` (for work that takes the
    /// server a while, such as a 10,000-row import in a debug build on a busy machine).
    pub(crate) async fn wait_for_within(&self, what: &str, script: &str, wait: Duration) {
        let deadline = Instant::now() + wait;
        loop {
            if self.js(script).await == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out after {wait:?} waiting for {what}");
            actix_web::rt::time::sleep(POLL).await;
        }
    }

    /// Polls for an element (works without page script), for at most [`WAIT`].
    async fn wait_for_element(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.cmd("POST", "/elements", Some(json!({"using": "css selector", "value": css}))).await;
            if let Some(id) = found.get(0).and_then(|e| e[ELEMENT_KEY].as_str()) {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "timed out after {WAIT:?} waiting for {css}");
            actix_web::rt::time::sleep(POLL).await;
        }
    }

    async fn find(&self, css: &str) -> String {
        let found = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css}))).await;
        found[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("no element {css}: {found}")).to_owned()
    }

    pub(crate) async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({}))).await;
    }

    /// Picks `value` in the select `css` the way a user does: by clicking its option.
    async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]")).await;
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
    }

    pub(crate) async fn clear(&self, css: &str) {
        let id = self.find(css).await;
        self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({}))).await;
    }

    async fn displayed(&self, css: &str) -> bool {
        let id = self.find(css).await;
        self.cmd("GET", &format!("/element/{id}/displayed"), None).await == Value::Bool(true)
    }

    async fn enabled(&self, css: &str) -> bool {
        let id = self.find(css).await;
        self.cmd("GET", &format!("/element/{id}/enabled"), None).await == Value::Bool(true)
    }

    async fn has_class(&self, css: &str, class: &str) -> bool {
        let id = self.find(css).await;
        let classes = self.cmd("GET", &format!("/element/{id}/attribute/class"), None).await;
        classes.as_str().unwrap_or_default().split_whitespace().any(|c| c == class)
    }

    /// Email, first and last name (the demo petition's required fields).
    async fn fill_supporter(&self, email: &str) {
        self.type_into("#id_email", email).await;
        self.type_into("#id_first_name", "Bea").await;
        self.type_into("#id_last_name", "Keeper").await;
    }
}

impl Drop for Browser {
    /// Ends the session (Chromium quits) and stops chromedriver, also after a failed test.
    fn drop(&mut self) {
        if !self.session.is_empty() {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let request = format!(
                    "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    self.session, self.port
                );
                if s.write_all(request.as_bytes()).is_ok() {
                    // The answer comes once Chromium has quit (it is read like a request).
                    let _ = read_request(&mut s);
                }
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
