//! The templatesets and languages screens over HTTP (SPEC S2, S3, T1, P3, P4): a template
//! that does not compile is refused with its line and nothing stored; a fixed one changes
//! the public page at once; a stale save is a conflict; preview stores nothing; restoring a
//! revision and reverting to Original; a German staff string shows on the German page;
//! every write leaves an audit entry naming the staff account.

use crate::admin::{add_staff, staff_id, Admin};
use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{core_auditlog, core_template, core_templaterevision};
use placard::staff::Role;

const ADMIN: &str = "boss@example.org";
const EDITOR: &str = "writer@example.org";
const PASSWORD: &str = "a long staff password";
const MARKER_V1: &str = "Custom petition, first version";
const MARKER_V2: &str = "Custom petition, second version";

fn location(headers: &awc::http::header::HeaderMap) -> String {
    headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

async fn signed_in<'a>(app: &'a TestApp, email: &str, role: Role) -> Admin<'a> {
    add_staff(app, email, role);
    let mut admin = Admin::new(app);
    let (status, body, _) = admin.login(email, PASSWORD).await;
    assert_eq!(status, 303, "signed in: {body}");
    admin
}

/// Creates an empty set through the screen and shows `page` with it; the set's id.
async fn set_for_page(admin: &mut Admin<'_>, app: &TestApp, page: &str) -> i64 {
    let (status, body, headers) =
        admin.submit("/admin/templatesets/", "/admin/templatesets/", &[("name", "Campaign"), ("start", "empty")]).await;
    assert_eq!(status, 303, "{body}");
    let at = location(&headers);
    let id: i64 = at.trim_start_matches("/admin/templatesets/").split('/').next().unwrap().parse().unwrap();
    let page = placard_page(app, page);
    app.state.db.writer.submit_now(move |c| Ok(placard::pages::store::set_templateset(c, page.id, Some(id))?)).unwrap();
    id
}

fn placard_page(app: &TestApp, name: &str) -> placard::pages::Page {
    let name = name.to_owned();
    app.query(move |c| placard::pages::store::find_by_name(c, &name)).expect("the demo page")
}

fn edit_path(set: i64, file: &str) -> String {
    format!("/admin/templatesets/{set}/edit/?file={file}")
}

async fn save(admin: &mut Admin<'_>, set: i64, file: &str, code: &str, revision: &str) -> (u16, String) {
    let (status, body, _) = admin
        .submit(
            &edit_path(set, file),
            &format!("/admin/templatesets/{set}/save/"),
            &[("file", file), ("code", code), ("revision", revision), ("page", "save-the-bees")],
        )
        .await;
    (status, body)
}

/// `(filename, revision, is_active)` of the set's stored templates.
fn stored(app: &TestApp, set: i64) -> Vec<(String, i64, bool)> {
    app.query(move |c| {
        core_template::table
            .filter(core_template::templateset_id.eq(set))
            .select((core_template::filename, core_template::revision, core_template::is_active))
            .load(c)
    })
}

/// `(actor, verb)` of every audit entry whose verb starts with `prefix`, oldest first.
fn audited(app: &TestApp, prefix: &str) -> Vec<(String, String)> {
    let all: Vec<(String, String)> = app.query(|c| {
        core_auditlog::table.order(core_auditlog::id.asc()).select((core_auditlog::actor, core_auditlog::verb)).load(c)
    });
    all.into_iter().filter(|(_, verb)| verb.starts_with(prefix)).collect()
}

both_backends!(t1_s2_template_with_syntax_error_shows_its_line_and_stores_nothing, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let set = set_for_page(&mut admin, &app, "save-the-bees").await;
    let broken =
        "<main>\n<h1>{{ page.title }}</h1>\n{% if page.title %}\n<p>open block</p>\n{% frobnicate %}\n</main>\n";
    let (status, body) = save(&mut admin, set, "petition.html", broken, "").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("id=\"template-error\""), "the error is shown: {body}");
    let message = body.split("id=\"template-error-message\">").nth(1).unwrap().split("</p>").next().unwrap();
    assert!(message.starts_with("line 5: "), "the message names line 5: {message}");
    assert!(message.contains("frobnicate"), "and the construct: {message}");
    assert!(body.contains("<mark id=\"error-line\" data-line=\"5\">"), "line 5 is marked: {body}");
    assert!(body.contains("{% frobnicate %}"), "the text typed is kept in the editor");
    assert_eq!(stored(&app, set), vec![], "nothing stored");
    let revisions: i64 = app.query(|c| core_templaterevision::table.count().get_result(c));
    assert_eq!(revisions, 0);
    assert_eq!(audited(&app, "template_"), vec![], "nothing audited");

    let url = placard_page(&app, "save-the-bees").url();
    let (status, page, _) = app.get(&url).await;
    assert_eq!(status, 200);
    assert!(!page.contains(MARKER_V1) && page.contains("Save the bees"), "the page is unchanged");

    let fixed = format!("<main>\n<h1>{{{{ page.title }}}}</h1>\n<p id=\"marker\">{MARKER_V1}</p>\n</main>\n");
    let (status, body) = save(&mut admin, set, "petition.html", &fixed, "").await;
    assert_eq!(status, 303, "{body}");
    let (status, page, _) = app.get(&url).await;
    assert_eq!(status, 200);
    assert!(page.contains(MARKER_V1), "the next GET shows the fixed template: {page}");
    assert_eq!(stored(&app, set), vec![("petition.html".to_owned(), 1, true)]);
    let id = staff_id(&app, ADMIN);
    assert_eq!(audited(&app, "template_"), vec![(format!("staff:{id}"), "template_save".to_owned())]);
});

both_backends!(t1_s2_stale_template_save_is_a_conflict, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let set = set_for_page(&mut admin, &app, "save-the-bees").await;
    let (status, _) = save(&mut admin, set, "petition.html", MARKER_V1, "").await;
    assert_eq!(status, 303);
    // A second tab opened revision 1 too; the first tab saves revision 2.
    let (status, _) = save(&mut admin, set, "petition.html", MARKER_V2, "1").await;
    assert_eq!(status, 303);
    let (status, body) = save(&mut admin, set, "petition.html", "the second tab's text", "1").await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("id=\"template-conflict\"") && body.contains("(revision 2)"), "{body}");
    assert!(body.contains("the second tab&#x27;s text") || body.contains("the second tab's text"), "kept: {body}");
    assert_eq!(stored(&app, set), vec![("petition.html".to_owned(), 2, true)], "not overwritten");
    // A tab that opened the file before the set had its own version is stale too.
    let (status, body) = save(&mut admin, set, "petition.html", "a tab opened before the first save", "").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(stored(&app, set), vec![("petition.html".to_owned(), 2, true)], "still not overwritten");
    let (_, page, _) = app.get(&placard_page(&app, "save-the-bees").url()).await;
    assert!(page.contains(MARKER_V2));
});

both_backends!(t1_s2_preview_renders_the_edited_template_without_storing_it, |app| {
    let mut admin = signed_in(&app, EDITOR, Role::Editor).await;
    let set = set_for_page(&mut admin, &app, "save-the-bees").await;
    let code = "<p id=\"preview\">Preview of {{ page.title }} in {{ page.lang.iso_code }}</p>";
    let (status, body, _) = admin
        .submit(
            &edit_path(set, "petition.html"),
            &format!("/admin/templatesets/{set}/preview/"),
            &[("file", "petition.html"), ("code", code), ("revision", ""), ("page", "bienen-retten")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Preview of Rettet die Bienen in de"), "rendered on the chosen page: {body}");
    let (_, _, headers) = admin
        .submit(
            &edit_path(set, "petition.html"),
            &format!("/admin/templatesets/{set}/preview/"),
            &[("file", "petition.html"), ("code", code), ("revision", ""), ("page", "bienen-retten")],
        )
        .await;
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.starts_with("sandbox "), "staff HTML previews in a sandbox: {csp}");
    assert_eq!(stored(&app, set), vec![], "a preview stores nothing");
    let (_, page, _) = app.get(&placard_page(&app, "save-the-bees").url()).await;
    assert!(!page.contains("Preview of"), "the live page is unchanged");
});

both_backends!(t1_s2_restoring_a_revision_and_reverting_to_original, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let set = set_for_page(&mut admin, &app, "save-the-bees").await;
    let url = placard_page(&app, "save-the-bees").url();
    assert_eq!(save(&mut admin, set, "petition.html", MARKER_V1, "").await.0, 303);
    assert_eq!(save(&mut admin, set, "petition.html", MARKER_V2, "1").await.0, 303);
    assert!(app.get(&url).await.1.contains(MARKER_V2));

    let revisions = format!("/admin/templatesets/{set}/revisions/?file=petition.html");
    let (status, body, _) = admin.get(&revisions).await;
    assert_eq!(status, 200);
    assert!(body.contains(ADMIN), "each revision names who saved it: {body}");
    let (status, _, headers) = admin
        .submit(
            &revisions,
            &format!("/admin/templatesets/{set}/restore/"),
            &[("file", "petition.html"), ("revision", "1")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location(&headers).contains("restored=1"));
    let (_, page, _) = app.get(&url).await;
    assert!(page.contains(MARKER_V1) && !page.contains(MARKER_V2), "revision 1 is live again: {page}");
    assert_eq!(stored(&app, set), vec![("petition.html".to_owned(), 3, true)], "restoring is a new revision");

    let (status, _, _) =
        admin.submit(&revisions, &format!("/admin/templatesets/{set}/revert/"), &[("file", "petition.html")]).await;
    assert_eq!(status, 303);
    let (_, page, _) = app.get(&url).await;
    assert!(!page.contains(MARKER_V1) && page.contains("Save the bees"), "Original's petition.html: {page}");
    assert_eq!(stored(&app, set), vec![("petition.html".to_owned(), 3, false)], "the history stays");
    let (_, body, _) = admin.get(&format!("/admin/templatesets/{set}/")).await;
    assert!(body.contains("data-file=\"petition.html\" data-status=\"reverted\""), "{body}");
    assert!(body.contains("data-file=\"thanks.html\" data-status=\"inherited\""), "{body}");

    let id = staff_id(&app, ADMIN);
    let actor = format!("staff:{id}");
    let verbs: Vec<(String, String)> = ["template_save", "template_save", "template_restore", "template_revert"]
        .iter()
        .map(|v| (actor.clone(), (*v).to_owned()))
        .collect();
    assert_eq!(audited(&app, "template_"), verbs);
});

both_backends!(s2_copy_of_original_overrides_every_file, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, body, headers) =
        admin.submit("/admin/templatesets/", "/admin/templatesets/", &[("name", "Copy"), ("start", "original")]).await;
    assert_eq!(status, 303, "{body}");
    let set: i64 =
        location(&headers).trim_start_matches("/admin/templatesets/").split('/').next().unwrap().parse().unwrap();
    assert_eq!(stored(&app, set).len(), placard::render::original_files().len());
    let (status, body, _) =
        admin.submit("/admin/templatesets/", "/admin/templatesets/", &[("name", "copy"), ("start", "empty")]).await;
    assert_eq!(status, 400, "a second set of the same name is refused: {body}");
    assert!(body.contains("exists already"), "{body}");
});

both_backends!(p3_s2_german_staff_string_shows_on_the_german_page, |app| {
    let mut admin = signed_in(&app, EDITOR, Role::Editor).await;
    let german = placard_page(&app, "bienen-retten").url();
    let english = placard_page(&app, "save-the-bees").url();
    let (_, page, _) = app.get(&german).await;
    assert!(page.contains("Petition unterschreiben"), "the built-in German text first: {page}");

    let (status, body, _) = admin.get("/admin/languages/de/").await;
    assert_eq!(status, 200);
    assert!(body.contains("data-key=\"submit_petition\""), "the built-in key is listed: {body}");
    assert!(body.contains("Petition unterschreiben"), "beside its built-in text");
    assert!(body.contains("data-key=\"privacy_notice\" data-overridden=\"true\""), "the demo's staff strings too");

    let (status, _, headers) = admin
        .submit(
            "/admin/languages/de/",
            "/admin/languages/de/",
            &[("key", "submit_petition"), ("text", "Jetzt mitzeichnen"), ("action", "save")],
        )
        .await;
    assert_eq!(status, 303);
    assert!(location(&headers).starts_with("/admin/languages/de/?saved=submit_petition"));
    let (_, page, _) = app.get(&german).await;
    assert!(page.contains("Jetzt mitzeichnen") && !page.contains("Petition unterschreiben"), "{page}");
    let (_, page, _) = app.get(&english).await;
    assert!(!page.contains("Jetzt mitzeichnen"), "English is untouched");

    // "Translate another piece of text": any key, any language.
    let (status, _, _) = admin
        .submit(
            "/admin/languages/",
            "/admin/languages/strings/",
            &[("lang", "de"), ("key", "label_first_name"), ("text", "Ihr Vorname")],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page, _) = app.get(&german).await;
    assert!(page.contains("Ihr Vorname"), "{page}");
    let (status, body, _) = admin
        .submit("/admin/languages/", "/admin/languages/strings/", &[("lang", "de"), ("key", "bad key!"), ("text", "x")])
        .await;
    assert_eq!(status, 400, "{body}");

    let (status, _, _) = admin
        .submit("/admin/languages/de/", "/admin/languages/de/", &[("key", "submit_petition"), ("action", "clear")])
        .await;
    assert_eq!(status, 303);
    let (_, page, _) = app.get(&german).await;
    assert!(page.contains("Petition unterschreiben"), "cleared: the built-in text again");

    let actor = format!("staff:{}", staff_id(&app, EDITOR));
    assert_eq!(
        audited(&app, "language_string_"),
        vec![
            (actor.clone(), "language_string_set".to_owned()),
            (actor.clone(), "language_string_set".to_owned()),
            (actor, "language_string_clear".to_owned()),
        ]
    );
});
