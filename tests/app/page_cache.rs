//! The page cache (SPEC O4, issue "Page GETs"): a warm public page GET makes no database
//! round trip, counted by the pools' checkout counter (every read and every writer job
//! checks a connection out), and a staff save through the admin or the REST API is shown
//! by the very next GET on the same server.

use placard::staff::Role;
use serde_json::json;

use crate::admin::{add_staff, Admin};
use crate::helpers::{both_backends, TestApp};

const STAFF: &str = "cache.keeper@example.org";
const PASSWORD: &str = "a long staff password";

/// Whether GETting `path` once left the checkout counter where it was. Background workers
/// (mail, imports, the revision watch) also check connections out, so a moved counter
/// proves nothing; an unmoved one proves the GET touched no database. Tries a few times.
async fn a_get_touches_no_database(app: &TestApp, path: &str) -> bool {
    for _ in 0..20 {
        let before = app.state.db.checkouts();
        let (status, body, _) = app.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        if app.state.db.checkouts() == before {
            return true;
        }
    }
    false
}

both_backends!(o4_a_warm_public_page_get_makes_no_database_round_trip, |app| {
    for path in ["/sign/save-the-bees/", "/signup/stay-informed/", "/", "/cms/thanks/save-the-bees/"] {
        // Cold: the cache is dropped, so this GET must read, and the counter sees it.
        app.state.pages.clear();
        let before = app.state.db.checkouts();
        let (status, body, _) = app.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert!(app.state.db.checkouts() > before, "{path}: a cold GET reads the page, and the counter counts it");
        assert!(a_get_touches_no_database(&app, path).await, "{path}: a warm GET makes no database round trip");
    }
    // A query string (without an akid, whose supporter is read each time) is no miss.
    let (status, _, _) = app.get("/sign/save-the-bees/?source=mail").await;
    assert_eq!(status, 200);
    assert!(a_get_touches_no_database(&app, "/sign/save-the-bees/?source=mail").await, "warm with a query string");
});

both_backends!(o4_a_rest_page_save_is_seen_on_the_next_get_of_the_same_server, |app| {
    let auth = app.staff_basic_auth(STAFF, PASSWORD);
    let (_, before, _) = app.get("/sign/save-the-bees/").await;
    assert!(before.contains("Save the bees: ban neonicotinoids"), "{before}");
    assert!(a_get_touches_no_database(&app, "/sign/save-the-bees/").await, "warm before the save");

    let id = page_id(&app, "save-the-bees");
    let mut res = app
        .client
        .patch(app.url(&format!("/rest/v1/petitionpage/{id}/")))
        .insert_header(("Authorization", auth.as_str()))
        .insert_header(("Content-Type", "application/json"))
        .send_body(json!({"title": "Save every bee", "statement_leadin": "To every minister:"}).to_string())
        .await
        .expect("PATCH is answered");
    assert_eq!(res.status().as_u16(), 202, "{:?}", res.body().await);

    let (status, after, _) = app.get("/sign/save-the-bees/").await;
    assert_eq!(status, 200);
    assert!(
        after.contains("Save every bee") && after.contains("To every minister:"),
        "the save shows at once: {after}"
    );
    assert!(!after.contains("Save the bees: ban neonicotinoids"), "nothing stale");

    // Deleted through REST (nobody acted on it): gone from the next GET and the home page.
    let res = app
        .client
        .delete(app.url(&format!("/rest/v1/petitionpage/{id}/")))
        .insert_header(("Authorization", auth.as_str()))
        .send()
        .await
        .expect("DELETE is answered");
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(app.get("/sign/save-the-bees/").await.0, 404, "a deleted page is not served from the cache");
    assert!(!app.get("/").await.1.contains("Save every bee"), "nor listed on the home page");
});

both_backends!(o4_an_admin_page_save_is_seen_on_the_next_get_of_the_same_server, |app| {
    add_staff(&app, STAFF, Role::Admin);
    let mut admin = Admin::new(&app);
    let (status, body, _) = admin.login(STAFF, PASSWORD).await;
    assert_eq!(status, 303, "{body}");
    let (_, before, _) = app.get("/signup/stay-informed/").await;
    assert!(!before.contains("News twice a month, cached nowhere."), "{before}");
    assert!(a_get_touches_no_database(&app, "/signup/stay-informed/").await, "warm before the save");

    let id = page_id(&app, "stay-informed");
    let edit = format!("/admin/pages/{id}/");
    let fields = [
        ("name", "stay-informed"),
        ("title", "Stay informed, freshly"),
        ("lang", "en"),
        ("list", ""),
        ("introduction_text", "<p>News twice a month, cached nowhere.</p>"),
        ("field:privacy_notice", "<p>A notice saved as a page field.</p>"),
        ("redirect_url", ""),
    ];
    let (status, body, _) = admin.submit(&edit, &edit, &fields).await;
    assert_eq!(status, 303, "{body}");

    let (status, after, _) = app.get("/signup/stay-informed/").await;
    assert_eq!(status, 200);
    assert!(after.contains("Stay informed, freshly"), "the title shows at once: {after}");
    assert!(after.contains("News twice a month, cached nowhere."), "the text shows at once: {after}");
});

fn page_id(app: &TestApp, name: &str) -> i64 {
    let name = name.to_owned();
    app.query(move |c| Ok(placard::pages::store::find_by_name(c, &name)?.expect("a demo page").id))
}
