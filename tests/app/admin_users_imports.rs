//! The admin's edit-a-user, imports, outbox and blackholed screens over HTTP (SPEC S2, S3,
//! P14, G3, G4): edits go through the domain with an audit entry and store nothing when
//! refused; the subscribe form is disabled for listed-country people; a CSV uploaded through
//! the form is processed by the server's worker with per-row errors and forgotten rows
//! counted; blackholed addresses are added and removed with audit entries; editors are refused.

use crate::admin::{add_staff, csrf_of, staff_id, Admin};
use crate::helpers::{both_backends, TestApp};
use diesel::prelude::*;
use placard::db::schema::{
    core_auditlog, core_blackholedemail, core_phone, core_privacyrecord, core_subscription, core_upload, core_user,
    core_userfield,
};
use placard::db::DbConnection;
use placard::pages::{NewPage, PageType};
use placard::staff::Role;
use serde_json::json;

const ADMIN: &str = "boss@example.org";
const EDITOR: &str = "writer@example.org";
const PASSWORD: &str = "a long staff password";
const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";
const BOUNDARY: &str = "----placard-admin-upload";

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A supporter through the REST action API (on the demo's signup page); their user id.
async fn supporter(app: &TestApp, email: &str, country: &str) -> i64 {
    // The demo's opt-in text (listed countries need a privacy answer on actions, P9).
    let optin = placard::privacy::PrivacyHash::of("optin", OPTIN).to_string();
    let (status, body, _) = app
        .post_json(
            "/rest/v1/action/",
            json!({"page": "stay-informed", "email": email, "first_name": "Ada", "last_name": "Lovelace",
                   "country": country, "privacy": optin}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let email = email.to_owned();
    app.query(move |c| core_user::table.filter(core_user::email.eq(email)).select(core_user::id).first(c))
}

async fn signed_in<'a>(app: &'a TestApp, email: &str, role: Role) -> Admin<'a> {
    add_staff(app, email, role);
    let mut admin = Admin::new(app);
    let (status, _, _) = admin.login(email, PASSWORD).await;
    assert_eq!(status, 303);
    admin
}

/// The stored `(email, first_name, city, country)` of a user.
fn stored(app: &TestApp, id: i64) -> (String, String, String, String) {
    app.query(move |c| {
        core_user::table
            .find(id)
            .select((core_user::email, core_user::first_name, core_user::city, core_user::country))
            .first(c)
    })
}

/// `(actor, via, verb, object_id)` of the audit entries with `verb`.
fn audits(app: &TestApp, verb: &str) -> Vec<(String, String, Option<i64>)> {
    let verb = verb.to_owned();
    app.query(move |c| {
        core_auditlog::table
            .filter(core_auditlog::verb.eq(verb))
            .order(core_auditlog::id.asc())
            .select((core_auditlog::actor, core_auditlog::via, core_auditlog::object_id))
            .load(c)
    })
}

/// Every field of the edit form with its stored value, then `changes` on top.
async fn edit(admin: &mut Admin<'_>, id: i64, changes: &[(&str, &str)]) -> (u16, String) {
    let page = format!("/admin/users/{id}/edit/");
    let (status, html, _) = admin.get(&page).await;
    assert_eq!(status, 200, "{html}");
    let mut fields: Vec<(String, String)> = vec![];
    // The form's text inputs: `name="…" value="…"` pairs, as a browser would send them.
    for part in html.split("<input").skip(1) {
        let attr = |name: &str| {
            part.find(&format!(" {name}=\"")).map(|at| {
                let rest = &part[at + name.len() + 3..];
                rest[..rest.find('"').unwrap()].to_owned()
            })
        };
        if let (Some(name), Some(value)) = (attr("name"), attr("value")) {
            if name != "csrf_token" && name != "list_id" && !changes.iter().any(|(k, _)| *k == name) {
                fields.push((name, html_unescape(&value)));
            }
        }
    }
    let mut body = format!("csrf_token={}", enc(&csrf_of(&html)));
    for (k, v) in fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(changes.iter().copied()) {
        body.push('&');
        body.push_str(k);
        body.push('=');
        body.push_str(&enc(v));
    }
    let (status, html, _) = admin.post(&page, &body).await;
    (status, html)
}

fn html_unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

both_backends!(s2_s3_admin_edit_user_changes_stored_values_and_audits, |app| {
    let id = supporter(&app, "ada@example.org", "United States").await;
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(|c| Ok(placard::people::allowed_fields::insert(c, "employer", false, now)?))
        .unwrap();
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;

    let (status, html) = edit(
        &mut admin,
        id,
        &[
            ("email", "Ada.King@Example.org"),
            ("first_name", "Augusta"),
            ("city", "London"),
            ("phone_mobile", "+44 20 7946 0000"),
            ("user_employer", "Analytical Engines Ltd"),
            ("lang", "de"),
        ],
    )
    .await;
    assert_eq!(status, 303, "saved and redirected: {html}");
    assert_eq!(
        stored(&app, id),
        ("ada.king@example.org".into(), "Augusta".into(), "London".into(), "United States".into())
    );
    let phone: String = app.query(move |c| {
        core_phone::table
            .filter(core_phone::user_id.eq(id))
            .filter(core_phone::type_.eq("mobile"))
            .select(core_phone::phone)
            .first(c)
    });
    assert_eq!(phone, "+44 20 7946 0000");
    let employer: String = app.query(move |c| {
        core_userfield::table
            .filter(core_userfield::parent_id.eq(id))
            .filter(core_userfield::name.eq("employer"))
            .select(core_userfield::value)
            .first(c)
    });
    assert_eq!(employer, "Analytical Engines Ltd");
    let lang =
        |app: &TestApp| -> String { app.query(move |c| core_user::table.find(id).select(core_user::lang).first(c)) };
    assert_eq!(lang(&app), "de");
    let staff = staff_id(&app, ADMIN);
    assert_eq!(audits(&app, "edit"), vec![(format!("staff:{staff}"), "admin".to_owned(), Some(id))]);
    let details: String = app
        .query(|c| core_auditlog::table.filter(core_auditlog::verb.eq("edit")).select(core_auditlog::details).first(c));
    assert!(!details.contains("Augusta") && !details.contains("ada.king"), "field names only: {details}");

    // P14: moving the person to a listed country with a note records it as admin_notes.
    let records = |app: &TestApp| -> i64 {
        app.query(move |c| core_privacyrecord::table.filter(core_privacyrecord::user_id.eq(id)).count().get_result(c))
    };
    let before = records(&app);
    let (status, html) = edit(&mut admin, id, &[("country", "DE"), ("privacy_note", "yes")]).await;
    assert_eq!(status, 400, "a placeholder is not a note");
    assert!(html.contains("placeholders, not notes"), "{html}");
    assert_eq!(stored(&app, id).3, "United States", "nothing stored");
    let (status, html) = edit(&mut admin, id, &[("country", "DE"), ("privacy_note", "Asked by phone on 3 May")]).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(stored(&app, id).3, "Germany", "stored by its English name");
    assert_eq!(lang(&app), "de", "fields not changed keep their stored values");
    let contexts: Vec<String> = app.query(move |c| {
        core_privacyrecord::table.filter(core_privacyrecord::user_id.eq(id)).select(core_privacyrecord::context).load(c)
    });
    assert_eq!(records(&app), before + 1);
    assert!(contexts.contains(&"admin_notes".to_owned()), "{contexts:?}");
});

both_backends!(s2_g4_admin_bad_edit_rerenders_with_messages_and_stores_nothing, |app| {
    let id = supporter(&app, "ada@example.org", "United States").await;
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let before = stored(&app, id);

    let (status, html) = edit(&mut admin, id, &[("email", "not an email"), ("first_name", "Changed")]).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("Enter a valid email address.") && html.contains("Nothing was saved."), "{html}");
    assert!(html.contains("value=\"Changed\""), "the submitted values are shown again");
    assert_eq!(stored(&app, id), before, "nothing half-stored");

    // G4: an email that was forgotten is refused, and nothing else of the edit is stored.
    let gone = placard::people::Email::parse("gone@example.org").unwrap();
    let actor = placard::gdpr::Actor { who: "test".into(), via: "test".into() };
    app.state
        .db
        .writer
        .submit_now(|c| placard::gdpr::erase::forget_email(c, &gone, &actor, chrono::Utc::now().naive_utc()))
        .unwrap();
    let (status, html) = edit(&mut admin, id, &[("email", "Gone@Example.org "), ("city", "Paris")]).await;
    assert_eq!(status, 400, "{html}");
    assert!(
        html.contains("forgotten at the person&#x27;s request") || html.contains("forgotten at the person's request"),
        "{html}"
    );
    assert_eq!(stored(&app, id), before, "nothing stored");
    let clear: i64 =
        app.query(|c| core_user::table.filter(core_user::email.eq("gone@example.org")).count().get_result(c));
    assert_eq!(clear, 0, "the forgotten address is stored nowhere");
    assert!(audits(&app, "edit").is_empty(), "no audit entry for a refused edit");
});

both_backends!(p14_s2_admin_subscribe_form_disabled_for_listed_country_user, |app| {
    let listed = supporter(&app, "hans@example.org", "Germany").await;
    let other = supporter(&app, "sam@example.org", "United States").await;
    let list_id: i64 =
        app.query(|c| placard::db::schema::core_list::table.select(placard::db::schema::core_list::id).first(c));
    let extra = app
        .state
        .db
        .writer
        .submit_now(|c| Ok(placard::people::store::insert_list(c, "extra", false, chrono::Utc::now().naive_utc())?))
        .unwrap()
        .0;
    assert_ne!(list_id, extra);
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let subs = |app: &TestApp, user: i64| -> i64 {
        app.query(move |c| core_subscription::table.filter(core_subscription::user_id.eq(user)).count().get_result(c))
    };

    let (status, html, _) = admin.get(&format!("/admin/users/{listed}/edit/")).await;
    assert_eq!(status, 200);
    let form = &html[html.find("id=\"subscribe-form\"").expect("the subscribe form")..];
    assert!(form.contains("<fieldset disabled"), "disabled for Germany: {form}");
    let before = subs(&app, listed);
    let (status, _, _) = admin
        .post(
            &format!("/admin/users/{listed}/subscribe/"),
            &format!("csrf_token={}&list_id={extra}", enc(&csrf_of(&html))),
        )
        .await;
    assert_eq!(status, 403, "the server refuses it too");
    assert_eq!(subs(&app, listed), before);

    let (status, html, _) = admin.get(&format!("/admin/users/{other}/edit/")).await;
    assert_eq!(status, 200);
    let form = &html[html.find("id=\"subscribe-form\"").unwrap()..];
    assert!(!form[..form.find("</form>").unwrap()].contains("disabled"), "enabled for the United States");
    let before = subs(&app, other);
    let (status, _, _) = admin
        .post(
            &format!("/admin/users/{other}/subscribe/"),
            &format!("csrf_token={}&list_id={extra}", enc(&csrf_of(&html))),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(subs(&app, other), before + 1);
    let staff = staff_id(&app, ADMIN);
    assert_eq!(audits(&app, "subscribe"), vec![(format!("staff:{staff}"), "admin".to_owned(), Some(other))]);
});

/// An import page on the first list; its id.
fn import_page(conn: &mut DbConnection, name: &str) -> i64 {
    let now = chrono::Utc::now().naive_utc();
    let list = placard::db::schema::core_list::table
        .select(placard::db::schema::core_list::id)
        .order(placard::db::schema::core_list::id.asc())
        .first::<i64>(conn)
        .expect("the demo's list");
    let page = NewPage {
        name: name.into(),
        title: "Members".into(),
        page_type: Some(PageType::Import),
        lang: "en".into(),
        list_id: list,
        ..NewPage::default()
    };
    placard::pages::store::insert(conn, &page, now).expect("import page")
}

fn multipart(fields: &[(&str, &str)], csv: &str) -> String {
    use std::fmt::Write as _;
    let mut body = String::new();
    for (name, value) in fields {
        let _ = write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
    }
    let _ = write!(
        body,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    );
    body
}

/// POSTs the upload form as a browser does: multipart, the CSRF token in the action's query.
async fn post_upload(app: &TestApp, admin: &Admin<'_>, csrf: &str, body: String) -> (u16, String, String) {
    let cookie = admin.set_cookies.last().expect("signed in").split(';').next().unwrap().to_owned();
    let mut res = app
        .client
        .post(app.url(&format!("/admin/imports/?csrf_token={}", enc(csrf))))
        .insert_header(("Cookie", cookie))
        .insert_header(("Content-Type", format!("multipart/form-data; boundary={BOUNDARY}")))
        .send_body(body)
        .await
        .expect("POST is answered");
    let text = String::from_utf8_lossy(&res.body().limit(8 << 20).await.unwrap()).into_owned();
    let location = res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
    (res.status().as_u16(), text, location)
}

const MEMBERS: &str = "email,first_name,zip\n\
ada@example.org,Ada,12345\n\
not-an-email,Bob,12345\n\
forgotten@example.org,Fay,12345\n\
dee@example.org,Dee,\n";

both_backends!(s2_p14_admin_upload_is_processed_with_row_errors_and_forgotten_rows_counted, |app| {
    let page_id = app.state.db.writer.submit_now(|c| Ok(import_page(c, "members-import"))).unwrap();
    let forgotten = placard::people::Email::parse("forgotten@example.org").unwrap();
    let actor = placard::gdpr::Actor { who: "test".into(), via: "test".into() };
    app.state
        .db
        .writer
        .submit_now(|c| placard::gdpr::erase::forget_email(c, &forgotten, &actor, chrono::Utc::now().naive_utc()))
        .unwrap();
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, html, _) = admin.get("/admin/imports/").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("<option value=\"{page_id}\"")), "the import page is offered: {html}");
    let csrf = csrf_of(&html);

    // Without the token in the action's query the multipart form is refused (S1).
    let (status, _, _) = post_upload(&app, &admin, "", multipart(&[("page", &page_id.to_string())], MEMBERS)).await;
    assert_eq!(status, 403);
    assert_eq!(app.query(|c| core_upload::table.count().get_result::<i64>(c)), 0);

    // A placeholder note is refused on the form, nothing stored.
    let (status, text, _) =
        post_upload(&app, &admin, &csrf, multipart(&[("page", &page_id.to_string()), ("privacy_note", "ok")], MEMBERS))
            .await;
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("says nothing"), "{text}");
    assert_eq!(app.query(|c| core_upload::table.count().get_result::<i64>(c)), 0);

    let mut finished = app.state.imports.subscribe();
    let (status, text, location) = post_upload(
        &app,
        &admin,
        &csrf,
        multipart(&[("page", &page_id.to_string()), ("privacy_note", "Signed up at the fair")], MEMBERS),
    )
    .await;
    assert_eq!(status, 303, "{text}");
    let id: i64 = app.query(|c| core_upload::table.select(core_upload::id).first(c));
    assert_eq!(location, format!("/admin/imports/{id}/"));
    loop {
        let done: bool = app.query(move |c| core_upload::table.find(id).select(core_upload::is_completed).first(c));
        if done {
            break;
        }
        tokio::time::timeout(std::time::Duration::from_secs(60), finished.changed())
            .await
            .expect("the import worker finishes within a minute")
            .expect("worker alive");
    }

    let (status, html, _) = admin.get(&location).await;
    assert_eq!(status, 200);
    assert!(html.contains("<span id=\"upload-state\">done</span>"), "{html}");
    assert!(html.contains("<td id=\"ok-rows\">2</td>"), "{html}");
    assert!(html.contains("<td id=\"error-rows\">1</td>"), "{html}");
    assert!(html.contains("<td id=\"forgotten-rows\">1</td>"), "forgotten rows counted: {html}");
    let table = &html[html.find("id=\"upload-errors\"").expect("the errors table")..];
    assert!(table.contains("<td>3</td><td>email</td>"), "the bad row with its line and field: {table}");
    assert!(!html.contains("forgotten@example.org"), "the forgotten address is shown nowhere");

    let (status, body, _) = admin.get(&format!("/admin/imports/{id}/status/")).await;
    assert_eq!(status, 200);
    let s: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (s["is_completed"].clone(), s["processed_rows"].clone(), s["forgotten_rows"].clone()),
        (json!(true), json!(4), json!(1))
    );

    let (_, list, _) = admin.get("/admin/imports/").await;
    assert!(list.contains(&format!("href=\"/admin/imports/{id}/\"")), "listed among uploads");
    let staff = staff_id(&app, ADMIN);
    assert_eq!(audits(&app, "upload"), vec![(format!("staff:{staff}"), "admin".to_owned(), Some(id))]);
});

both_backends!(s2_admin_blackholed_add_and_remove_are_audited, |app| {
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, html, _) = admin.submit("/admin/blackholed/", "/admin/blackholed/add/", &[("email", "nope")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("Enter a valid email address."), "{html}");
    let count = |app: &TestApp| app.query(|c| core_blackholedemail::table.count().get_result::<i64>(c));
    assert_eq!(count(&app), 0);

    let (status, _, _) =
        admin.submit("/admin/blackholed/", "/admin/blackholed/add/", &[("email", " Bounce@Example.org")]).await;
    assert_eq!(status, 303);
    let (id, email): (i64, String) = app.query(|c| {
        core_blackholedemail::table.select((core_blackholedemail::id, core_blackholedemail::email)).first(c)
    });
    assert_eq!(email, "bounce@example.org");
    let (status, html, _) = admin.get("/admin/blackholed/?q=bounce").await;
    assert_eq!(status, 200);
    assert!(html.contains("<td class=\"email\">bounce@example.org</td>"), "{html}");
    let (status, html, _) = admin.get("/admin/blackholed/?q=someone-else").await;
    assert_eq!(status, 200);
    assert!(!html.contains("<td class=\"email\">"), "search narrows the list");

    let (status, _, _) =
        admin.submit("/admin/blackholed/", "/admin/blackholed/remove/", &[("id", &id.to_string())]).await;
    assert_eq!(status, 303);
    assert_eq!(count(&app), 0);
    let staff = staff_id(&app, ADMIN);
    let me = format!("staff:{staff}");
    assert_eq!(audits(&app, "blackhole_add"), vec![(me.clone(), "admin".to_owned(), Some(id))]);
    assert_eq!(audits(&app, "blackhole_remove"), vec![(me, "admin".to_owned(), Some(id))]);
});

both_backends!(s2_admin_outbox_lists_mail_by_status, |app| {
    let now = chrono::Utc::now().naive_utc();
    app.state
        .db
        .writer
        .submit_now(|c| {
            let mail = placard::mail::store::NewMail {
                kind: "thanks",
                to_email: "reader@example.org",
                subject: "Thank you for signing",
                body_text: "Thanks",
                body_html: "",
                user_id: None,
                action_id: None,
            };
            placard::mail::store::enqueue(c, &mail, now)?;
            placard::mail::store::record_failed(
                c,
                &placard::mail::store::NewMail { subject: "Broken", ..mail },
                "no route",
                now,
            )?;
            Ok(())
        })
        .unwrap();
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;
    let (status, html, _) = admin.get("/admin/outbox/").await;
    assert_eq!(status, 200);
    assert!(html.contains("Thank you for signing") && html.contains("Broken"), "{html}");
    assert!(html.contains("data-status=\"queued\">(1)") && html.contains("data-status=\"failed\">(1)"), "{html}");
    let (status, html, _) = admin.get("/admin/outbox/?status=failed").await;
    assert_eq!(status, 200);
    assert!(html.contains("Broken") && html.contains("no route") && !html.contains("Thank you for signing"), "{html}");
    let (status, _, _) = admin.get("/admin/outbox/?status=bogus").await;
    assert_eq!(status, 400);
});

both_backends!(s2_editors_get_403_on_user_edit_imports_outbox_and_blackholed, |app| {
    let id = supporter(&app, "ada@example.org", "United States").await;
    let mut editor = signed_in(&app, EDITOR, Role::Editor).await;
    for path in [
        format!("/admin/users/{id}/edit/"),
        "/admin/imports/".to_owned(),
        "/admin/imports/1/".to_owned(),
        "/admin/imports/1/status/".to_owned(),
        "/admin/outbox/".to_owned(),
        "/admin/blackholed/".to_owned(),
    ] {
        let (status, body, _) = editor.get(&path).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (_, html, _) = editor.get("/admin/").await;
    let csrf = csrf_of(&html);
    let (status, _, _) = editor
        .post(&format!("/admin/users/{id}/edit/"), &format!("csrf_token={}&email=x%40example.org", enc(&csrf)))
        .await;
    assert_eq!(status, 403);
    let (status, _, _) =
        editor.post("/admin/blackholed/add/", &format!("csrf_token={}&email=x%40example.org", enc(&csrf))).await;
    assert_eq!(status, 403);
    assert_eq!(stored(&app, id).0, "ada@example.org");
    assert!(!html.contains("/admin/imports/"), "no nav entry for editors");
});

both_backends!(p14_admin_edit_of_listed_country_user_requires_a_note_when_the_switch_is_on, |app| {
    let id = supporter(&app, "hans@example.org", "Germany").await;
    let other = supporter(&app, "sam@example.org", "United States").await;
    app.state
        .db
        .writer
        .submit_now(|c| {
            let mut s = placard::privacy::store::load_settings(c)?;
            s.require_notes_user_admin = true;
            placard::privacy::store::save_settings(c, &s, chrono::Utc::now().naive_utc())?;
            Ok(())
        })
        .unwrap();
    let mut admin = signed_in(&app, ADMIN, Role::Admin).await;

    let (status, html) = edit(&mut admin, id, &[("city", "Berlin")]).await;
    assert_eq!(status, 400, "a listed country needs a note");
    assert!(html.contains("requires privacy records"), "{html}");
    assert_eq!(stored(&app, id).2, "", "nothing stored");
    let (status, _) = edit(&mut admin, other, &[("city", "Boston")]).await;
    assert_eq!(status, 303, "no note needed outside the listed countries");
    let (status, html) = edit(&mut admin, other, &[("country", "France"), ("city", "Lyon")]).await;
    assert_eq!(status, 400, "moving someone into a listed country needs one: {html}");
    assert_eq!(stored(&app, other).2, "Boston");

    let hash = placard::privacy::PrivacyHash::of("optin", OPTIN).to_string();
    let (status, html) = edit(&mut admin, id, &[("city", "Berlin"), ("privacy_note", &hash)]).await;
    assert_eq!(status, 303, "a text's hash is a note: {html}");
    assert_eq!(stored(&app, id).2, "Berlin");
    let notes: Vec<String> = app.query(move |c| {
        core_privacyrecord::table
            .filter(core_privacyrecord::user_id.eq(id))
            .filter(core_privacyrecord::context.eq("admin_notes"))
            .select(core_privacyrecord::note)
            .load(c)
    });
    assert_eq!(notes, vec![hash]);
});
