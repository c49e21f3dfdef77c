//! The admin's pages, lists and allowed-fields screens over HTTP (SPEC S1, S2, S3, P6, P9):
//! a page created through the form is served at its public URL; a bad form comes back with
//! messages beside its fields and stores nothing; edits, hiding and deleting; editors manage
//! pages and page fields but not lists or user fields; every write is audited as the staff
//! account; the preview shows the privacy block to a listed-country visitor only.

use crate::admin::{add_staff, staff_id, Admin};
use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{
    core_allowedpagefield, core_alloweduserfield, core_auditlog, core_list, core_page, core_pagefield,
    core_pagefollowup,
};
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "boss@example.org";
const EDITOR: &str = "writer@example.org";
/// The password `admin::add_staff` gives every account.
const PASSWORD: &str = "a long staff password";

async fn signed_in<'a>(app: &'a TestApp, email: &str, role: Role) -> Admin<'a> {
    add_staff(app, email, role);
    let mut admin = Admin::new(app);
    let (status, body, _) = admin.login(email, PASSWORD).await;
    assert_eq!(status, 303, "signed in: {body}");
    admin
}

fn location(headers: &awc::http::header::HeaderMap) -> String {
    headers.get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

fn page_id(app: &TestApp, name: &str) -> Option<i64> {
    let name = name.to_owned();
    app.query(move |c| core_page::table.filter(core_page::name.eq(name)).select(core_page::id).first(c).optional())
}

fn page_count(app: &TestApp) -> i64 {
    app.query(|c| core_page::table.count().get_result(c))
}

/// `(actor, via, verb, object_type, object_id)` of every audit entry, oldest first.
fn audit(app: &TestApp) -> Vec<(String, String, String, String, Option<i64>)> {
    app.query(|c| {
        core_auditlog::table
            .order(core_auditlog::id.asc())
            .select((
                core_auditlog::actor,
                core_auditlog::via,
                core_auditlog::verb,
                core_auditlog::object_type,
                core_auditlog::object_id,
            ))
            .load(c)
    })
}

/// A petition's form as staff fill it in.
fn petition_form<'a>(name: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("type", "Petition"),
        ("name", name),
        ("title", title),
        ("lang", "en"),
        ("list", ""),
        ("required_fields", "first_name, last_name"),
        ("goal", "5000"),
        ("introduction_text", "<p>Rivers belong to everyone.</p><script>alert('x')</script>"),
        ("statement_text", "<p>Stop the sewage dumping.</p>"),
        ("thank_you_text", "<p>Thanks for signing.</p>"),
    ]
}

both_backends!(s2_admin_creates_a_page_through_the_form_and_it_is_served, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, body, headers) = admin
        .submit("/admin/pages/new/", "/admin/pages/new/", &petition_form("clean-rivers", "Clean rivers now"))
        .await;
    assert_eq!(status, 303, "{body}");
    let id = page_id(&app, "clean-rivers").expect("the page is stored");
    assert_eq!(location(&headers), format!("/admin/pages/{id}/?saved=created"));

    let (status, body, _) = app.get("/sign/clean-rivers/").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Clean rivers now") && body.contains("Rivers belong to everyone."), "{body}");
    assert!(!body.contains("alert('x')"), "staff HTML is sanitized: {body}");
    let (required, goal): (String, Option<i64>) =
        app.query(move |c| core_page::table.find(id).select((core_page::required_fields, core_page::goal)).first(c));
    assert_eq!((required.as_str(), goal), ("first_name,last_name", Some(5000)));

    let staff = staff_id(&app, ADMIN);
    let entries = audit(&app);
    assert_eq!(
        entries.last().unwrap(),
        &(format!("staff:{staff}"), "admin".to_owned(), "create".to_owned(), "page".to_owned(), Some(id))
    );
    let (status, body, _) = admin.get(&location(&headers)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("The page was created.") && body.contains("&#x2f;sign&#x2f;clean-rivers&#x2f;</a>"),
        "{body}"
    );
});

both_backends!(s2_admin_bad_page_form_rerenders_with_field_messages_and_stores_nothing, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let before = (page_count(&app), audit(&app).len());
    // The demo already has save-the-bees; the title is missing.
    let (status, body, _) =
        admin.submit("/admin/pages/new/", "/admin/pages/new/", &petition_form("save-the-bees", "  ")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Please correct the errors below."), "{body}");
    let name_input = r#"id="f-name" name="name" value="save-the-bees" required aria-describedby="err-name help-name" aria-invalid="true""#;
    assert!(body.contains(name_input), "the name field is marked and described by its message: {body}");
    assert!(body.contains(r#"<small class="field-error" id="err-name">A page with this name already exists. </small>"#));
    assert!(body
        .contains(r#"id="f-title" name="title" value="  " required aria-describedby="err-title" aria-invalid="true""#));
    assert!(body.contains(r#"<small class="field-error" id="err-title">A title is required. </small>"#));
    assert!(body.contains("Rivers belong to everyone."), "what was typed is kept");
    assert_eq!((page_count(&app), audit(&app).len()), before, "nothing stored, nothing audited");

    // A custom field that is not allowed is refused too, and the page is not half-stored.
    let mut form = petition_form("clean-rivers", "Clean rivers");
    form.push(("new_field_name", "video"));
    form.push(("new_field_value", "https://example.org/v"));
    let (status, body, _) = admin.submit("/admin/pages/new/", "/admin/pages/new/", &form).await;
    assert_eq!(status, 400);
    assert!(body.contains("video is not an allowed page field"), "{body}");
    assert_eq!(page_id(&app, "clean-rivers"), None);
});

both_backends!(s2_admin_edit_changes_the_page_and_delete_hides_a_used_one, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let id = page_id(&app, "stay-informed").unwrap();
    let (status, body, _) = admin.get(&format!("/admin/pages/{id}/")).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"value="stay-informed""#) && body.contains("Get campaign news"),
        "the stored values: {body}"
    );

    let edit = format!("/admin/pages/{id}/");
    let fields = [
        ("name", "stay-in-touch"),
        ("title", "Stay in touch"),
        ("lang", "en"),
        ("list", ""),
        ("introduction_text", "<p>News twice a month.</p>"),
        ("field:privacy_notice", "<p>Signup pages have their own notice.</p>"),
        ("send_email", "1"),
        ("email_subject", "Welcome aboard"),
        ("email_body", "<p>Glad you joined.</p>"),
        ("redirect_url", "/cms/thanks/stay-in-touch/"),
    ];
    let (status, body, headers) = admin.submit(&edit, &edit, &fields).await;
    assert_eq!(status, 303, "{body}");
    assert_eq!(location(&headers), format!("/admin/pages/{id}/?saved=saved"));
    let (title, name): (String, String) =
        app.query(move |c| core_page::table.find(id).select((core_page::title, core_page::name)).first(c));
    assert_eq!((title.as_str(), name.as_str()), ("Stay in touch", "stay-in-touch"));
    let followup: (bool, String) = app.query(move |c| {
        core_pagefollowup::table
            .filter(core_pagefollowup::page_id.eq(id))
            .select((core_pagefollowup::send_email, core_pagefollowup::email_subject))
            .first(c)
    });
    assert_eq!(followup, (true, "Welcome aboard".to_owned()));
    let notice: String = app.query(move |c| {
        core_pagefield::table
            .filter(core_pagefield::parent_id.eq(id))
            .filter(core_pagefield::name.eq("privacy_notice"))
            .select(core_pagefield::value)
            .first(c)
    });
    assert_eq!(notice, "<p>Signup pages have their own notice.</p>");
    let (status, body, _) = app.get("/signup/stay-in-touch/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Stay in touch") && body.contains("News twice a month."), "{body}");
    assert_eq!(app.get("/signup/stay-informed/").await.0, 404, "the old name is gone");

    // A supporter acts on it: deleting it now hides it instead.
    let (status, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-in-touch", "email": "ann@example.org"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, headers) = admin.submit(&edit, &format!("/admin/pages/{id}/delete/"), &[("confirm", "yes")]).await;
    assert_eq!((status, location(&headers)), (303, "/admin/pages/?done=hidden".to_owned()));
    let status: String = app.query(move |c| core_page::table.find(id).select(core_page::status).first(c));
    assert_eq!(status, "hidden");
    assert_eq!(app.get("/signup/stay-in-touch/").await.0, 404);

    // A page nobody used is deleted; without the tick nothing happens.
    let (status, _, _) =
        admin.submit("/admin/pages/new/", "/admin/pages/new/", &petition_form("scratch", "Scratch")).await;
    assert_eq!(status, 303);
    let scratch = page_id(&app, "scratch").unwrap();
    let scratch_edit = format!("/admin/pages/{scratch}/");
    let (status, _, _) = admin.submit(&scratch_edit, &format!("/admin/pages/{scratch}/delete/"), &[]).await;
    assert_eq!(status, 303);
    assert!(page_id(&app, "scratch").is_some(), "not ticked: not deleted");
    let (status, _, headers) =
        admin.submit(&scratch_edit, &format!("/admin/pages/{scratch}/delete/"), &[("confirm", "yes")]).await;
    assert_eq!((status, location(&headers)), (303, "/admin/pages/?done=deleted".to_owned()));
    assert_eq!(page_id(&app, "scratch"), None);

    let verbs: Vec<String> = audit(&app).into_iter().filter(|e| e.3 == "page").map(|e| e.2).collect();
    assert_eq!(verbs, ["update", "hide", "create", "delete"]);
});

both_backends!(s2_admin_page_list_searches_filters_and_pages, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, body, _) = admin.get("/admin/pages/?q=BEES").await;
    assert_eq!(status, 200);
    assert!(body.contains(">save-the-bees</a>") && !body.contains(">stay-informed</a>"), "{body}");
    let (_, body, _) = admin.get("/admin/pages/?q=bienen").await;
    assert!(body.contains(">bienen-retten</a>") && !body.contains(">save-the-bees</a>"), "by name: {body}");
    let (_, body, _) = admin.get("/admin/pages/?type=Donation").await;
    assert!(body.contains(">support-our-work</a>") && !body.contains(">save-the-bees</a>"), "{body}");
    assert!(body.contains("1 page found."), "{body}");
    for n in 0..30 {
        let name = format!("extra-{n}");
        let (status, _, _) =
            admin.submit("/admin/pages/new/", "/admin/pages/new/", &petition_form(&name, "Extra")).await;
        assert_eq!(status, 303);
    }
    let (_, body, _) = admin.get("/admin/pages/?q=extra").await;
    assert!(body.contains("30 pages found, page 1 of 2.") && body.contains(">extra-29</a>"), "{body}");
    assert!(!body.contains(">extra-4</a>") && body.contains("rel=\"next\""), "{body}");
    let (_, body, _) = admin.get("/admin/pages/?q=extra&page=2").await;
    assert!(
        body.contains(">extra-4</a>") && body.contains(">extra-0</a>") && !body.contains(">extra-29</a>"),
        "{body}"
    );
});

both_backends!(s1_editor_manages_pages_and_page_fields_but_not_lists_or_user_fields, |app| {
    let mut editor = signed_in(&app, EDITOR, Role::Editor).await;
    let (status, body, _) = editor.get("/admin/pages/").await;
    assert_eq!(status, 200);
    assert!(body.contains("aria-current=\"page\">Pages</a>") && !body.contains(">Lists</a>"), "nav: {body}");
    let (status, body, _) =
        editor.submit("/admin/pages/new/", "/admin/pages/new/", &petition_form("editors-page", "By an editor")).await;
    assert_eq!(status, 303, "{body}");
    assert!(page_id(&app, "editors-page").is_some());

    let lists_before: i64 = app.query(|c| core_list::table.count().get_result(c));
    assert_eq!(editor.get("/admin/lists/").await.0, 403);
    let (status, _, _) = editor.submit("/admin/pages/", "/admin/lists/", &[("name", "Editors' list")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = editor.submit("/admin/pages/", "/admin/lists/1/default/", &[]).await;
    assert_eq!(status, 403);
    assert_eq!(app.query(|c| core_list::table.count().get_result::<i64>(c)), lists_before);

    let (status, body, _) = editor.get("/admin/fields/").await;
    assert_eq!(status, 200);
    assert!(body.contains("Page fields") && !body.contains("/admin/fields/user/"), "no user fields: {body}");
    let (status, _, _) = editor.submit("/admin/fields/", "/admin/fields/user/", &[("name", "occupation")]).await;
    assert_eq!(status, 403);
    let (status, _, _) = editor.submit("/admin/fields/", "/admin/fields/page/", &[("name", "video")]).await;
    assert_eq!(status, 303);
    assert_eq!(app.query(|c| core_alloweduserfield::table.count().get_result::<i64>(c)), 0);
    assert_eq!(app.query(|c| core_allowedpagefield::table.count().get_result::<i64>(c)), 1);
});

both_backends!(s3_admin_list_and_field_writes_are_audited_as_the_staff_account, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let staff = format!("staff:{}", staff_id(&app, ADMIN));
    let (status, body, _) =
        admin.submit("/admin/lists/", "/admin/lists/", &[("name", "Volunteers"), ("description", "Helpers")]).await;
    assert_eq!(status, 303, "{body}");
    let list: i64 =
        app.query(|c| core_list::table.filter(core_list::name.eq("Volunteers")).select(core_list::id).first(c));
    // A duplicate name is refused beside the field.
    let (status, body, _) = admin.submit("/admin/lists/", "/admin/lists/", &[("name", "Supporters")]).await;
    assert_eq!(status, 400);
    assert!(body.contains(r#"<small id="err-new" class="field-error">A list with this name already exists. </small>"#));
    let (status, _, _) = admin
        .submit("/admin/lists/", &format!("/admin/lists/{list}/"), &[("name", "Volunteer team"), ("description", "")])
        .await;
    assert_eq!(status, 303);
    let (status, body, _) =
        admin.submit("/admin/lists/", &format!("/admin/lists/{list}/"), &[("name", "Supporters")]).await;
    assert_eq!(status, 400, "a rename onto another list's name is refused");
    assert!(body.contains(&format!(
        r#"<small id="err-{list}" class="field-error">A list with this name already exists. </small>"#
    )));
    let (status, _, _) = admin.submit("/admin/lists/", &format!("/admin/lists/{list}/default/"), &[]).await;
    assert_eq!(status, 303);
    let defaults: Vec<(String, bool)> = app.query(|c| {
        core_list::table.filter(core_list::is_default.eq(true)).select((core_list::name, core_list::is_default)).load(c)
    });
    assert_eq!(defaults, [("Volunteer team".to_owned(), true)], "one default list");

    let (status, _, _) =
        admin.submit("/admin/fields/", "/admin/fields/user/", &[("name", "occupation"), ("always_show", "1")]).await;
    assert_eq!(status, 303);
    let (status, body, _) = admin.submit("/admin/fields/", "/admin/fields/user/", &[("name", "occupation")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("This user field is already allowed."), "{body}");
    let (status, body, _) = admin.submit("/admin/fields/", "/admin/fields/page/", &[("name", "Bad Name")]).await;
    assert_eq!(status, 400);
    assert!(body.contains("Use 1 to 64 lowercase letters, digits or _."), "{body}");
    let (status, _, _) = admin.submit("/admin/fields/", "/admin/fields/page/", &[("name", "video")]).await;
    assert_eq!(status, 303);
    let (_, body, _) = admin.get("/admin/fields/").await;
    assert!(body.contains("<code>occupation</code>") && body.contains("<code>video</code>"), "{body}");

    let entries: Vec<(String, String, String)> =
        audit(&app).into_iter().map(|e| (e.0, e.1, format!("{} {}", e.2, e.3))).collect();
    let expected =
        ["create list", "update list", "set_default list", "create alloweduserfield", "create allowedpagefield"];
    assert_eq!(entries, expected.map(|w| (staff.clone(), "admin".to_owned(), w.to_owned())));
});

both_backends!(p9_admin_preview_shows_privacy_block_to_listed_country_only, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let id = page_id(&app, "save-the-bees").unwrap();
    let (_, body, _) = admin.get(&format!("/admin/pages/{id}/")).await;
    assert!(body.contains(&format!("/admin/pages/{id}/preview/?country=Austria")), "a listed-country link: {body}");
    assert!(body.contains(&format!("/admin/pages/{id}/preview/?country=United%20States")), "{body}");
    let before = app.counts();

    let (status, listed, headers) = admin.get(&format!("/admin/pages/{id}/preview/?country=Germany")).await;
    assert_eq!(status, 200, "{listed}");
    assert!(listed.contains("class=\"ak-privacy\"") && listed.contains("id=\"privacy_optin\""), "{listed}");
    assert!(listed.contains("We process your data as described in our"), "the English notice: {listed}");
    assert!(listed.contains("<option value=\"Germany\" selected>"), "the country is chosen: {listed}");
    assert!(listed.contains("as a visitor from Germany (privacy records required"), "the banner says so");
    let csp = headers.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("form-action 'none'") && csp.contains("script-src 'none'"), "{csp}");

    let (status, other, _) = admin.get(&format!("/admin/pages/{id}/preview/?country=United+States")).await;
    assert_eq!(status, 200);
    assert!(!other.contains("class=\"ak-privacy\"") && !other.contains("We process your data"), "{other}");
    assert!(other.contains("Save the bees") && other.contains("not a listed country"), "{other}");

    let (_, german, _) = admin.get(&format!("/admin/pages/{id}/preview/?country=DE&lang=de")).await;
    assert!(german.contains("Wir verarbeiten Ihre Daten"), "the German notice in German: {german}");

    // A hidden page can be previewed, while its public URL answers 404.
    app.state
        .db
        .writer
        .submit_now(move |c| {
            Ok(diesel::update(core_page::table.find(id)).set(core_page::status.eq("hidden")).execute(c)?)
        })
        .unwrap();
    assert_eq!(app.get("/sign/save-the-bees/").await.0, 404);
    assert_eq!(admin.get(&format!("/admin/pages/{id}/preview/?country=France")).await.0, 200);
    assert_eq!(app.counts(), before, "previews store nothing");
    assert!(Admin::new(&app).get(&format!("/admin/pages/{id}/preview/")).await.0 == 303, "staff only");
});
