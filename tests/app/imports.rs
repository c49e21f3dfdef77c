//! CSV uploads to import pages (SPEC P14, R1 `upload`/`uploaderror`, O3 `import`, G4):
//! through REST with the server's own worker, through the domain with a simulated crash,
//! and through the real `placard import` binary.

use diesel::prelude::*;
use placard::db::schema::{
    core_action, core_actionfield, core_page, core_upload, core_uploaderror, core_uploadfile, core_user,
};
use placard::db::DbConnection;
use placard::imports::{self, Step, UploadRequest};
use placard::pages::{NewPage, PageType};
use std::process::{Command, Stdio};

use crate::helpers::{both_backends, Backend, TestApp, TestDb};

const BOUNDARY: &str = "----placard-test-boundary";

/// An import page on the first list; its id.
fn import_page(conn: &mut DbConnection, name: &str) -> i64 {
    let now = chrono::Utc::now().naive_utc();
    let list = placard::db::schema::core_list::table
        .select(placard::db::schema::core_list::id)
        .order(placard::db::schema::core_list::id.asc())
        .first::<i64>(conn)
        .optional()
        .expect("lists")
        .unwrap_or_else(|| placard::people::store::insert_list(conn, "main", true, now).expect("list").0);
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

/// Test set-up written on the write connection.
fn write<T>(app: &TestApp, f: impl FnOnce(&mut DbConnection) -> T) -> T {
    app.state.db.writer.submit_now(|c| Ok(f(c))).expect("written")
}

fn multipart(fields: &[(&str, &str)], file: Option<&str>) -> String {
    use std::fmt::Write as _;
    let mut body = String::new();
    for (name, value) in fields {
        let _ = write!(body, "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
    }
    if let Some(csv) = file {
        let _ = write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"members.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n"
        );
    }
    let _ = write!(body, "--{BOUNDARY}--\r\n");
    body
}

async fn post_upload(app: &TestApp, auth: &str, body: String) -> (u16, serde_json::Value, Option<String>) {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, text, headers) =
        app.post_with("/rest/v1/upload/", &[("Authorization", auth), ("Content-Type", &content_type)], body).await;
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON answer, got {status}: {text}"));
    (status, json, headers.get("location").map(|l| l.to_str().unwrap().to_owned()))
}

async fn get_json(app: &TestApp, auth: &str, path: &str) -> (u16, serde_json::Value) {
    let mut res = app.client.get(app.url(path)).insert_header(("Authorization", auth)).send().await.expect("GET");
    let body = res.body().await.expect("body");
    (res.status().as_u16(), serde_json::from_slice(&body).expect("JSON"))
}

fn actions_on(app: &TestApp, page_id: i64) -> i64 {
    app.query(|c| core_action::table.filter(core_action::page_id.eq(page_id)).count().get_result(c))
}

const MEMBERS: &str = "Email,first_name,zip,action_comment\n\
ada@example.org,Ada,12345,hi\n\
not-an-email,Bob,12345,\n\
cy@example.org,Cy,abc,\n\
dee@example.org,Dee,,from the fair\n";

both_backends!(r1_p14_rest_upload_is_processed_by_the_worker_with_per_row_errors, |app| {
    let auth = app.staff_basic_auth("uploader@example.org", "a long staff password");
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let mut finished = app.state.imports.subscribe();

    let (status, created, location) = post_upload(
        &app,
        &auth,
        multipart(&[("page", "members-import"), ("autocreate_user_fields", "0")], Some(MEMBERS)),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        location.as_deref(),
        Some(app.url(&format!("/rest/v1/upload/{id}/")).as_str()),
        "absolute, as ActionKit"
    );
    assert_eq!(created["total_rows"], 4);

    // The server's worker was woken by the upload; wait for its "finished" signal.
    let mut upload = serde_json::Value::Null;
    for _ in 0..50 {
        let (status, body) = get_json(&app, &auth, &format!("/rest/v1/upload/{id}/")).await;
        assert_eq!(status, 200);
        upload = body;
        if upload["is_completed"] == true {
            break;
        }
        tokio::time::timeout(std::time::Duration::from_secs(60), finished.changed())
            .await
            .expect("the import worker finishes within a minute")
            .expect("worker alive");
    }
    assert_eq!(upload["is_completed"], true, "{upload}");
    assert_eq!(upload["status"], "complete");
    assert_eq!(
        (&upload["processed_rows"], &upload["ok_rows"], &upload["error_rows"], &upload["forgotten_rows"]),
        (&4.into(), &2.into(), &2.into(), &0.into())
    );
    assert_eq!(upload["has_errors"], 2);

    let (status, errors) = get_json(&app, &auth, &format!("/rest/v1/uploaderror/?upload={id}")).await;
    assert_eq!(status, 200);
    assert_eq!(errors["meta"]["total_count"], 2);
    let listed: Vec<(i64, String)> = errors["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row_number"].as_i64().unwrap(), e["field"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(listed, vec![(3, "email".to_owned()), (4, "zip".to_owned())]);
    assert_eq!(errors["objects"][0]["upload"], format!("/rest/v1/upload/{id}/"));

    // Good rows went through the engine as actions on the import page; bad rows left nothing.
    assert_eq!(actions_on(&app, page_id), 2);
    let emails: Vec<String> =
        app.query(|c| core_user::table.filter(core_user::source.eq("import")).select(core_user::email).load(c));
    assert_eq!(emails, vec!["ada@example.org".to_owned(), "dee@example.org".to_owned()]);
    let comments: Vec<String> = app.query(|c| {
        core_actionfield::table.filter(core_actionfield::name.eq("comment")).select(core_actionfield::value).load(c)
    });
    assert!(comments.contains(&"from the fair".to_owned()), "{comments:?}");
    let files: i64 = app.query(|c| core_uploadfile::table.find(id).count().get_result(c));
    assert_eq!(files, 0, "the stored file is dropped once processed");
});

both_backends!(r3_upload_refusals_are_clear_json_before_anything_is_stored, |app| {
    let auth = app.staff_basic_auth("uploader@example.org", "a long staff password");
    write(&app, |c| import_page(c, "members-import"));
    let (status, _, _) =
        post_upload(&app, "Basic bm9ib2R5Om5vcGU=", multipart(&[("page", "members-import")], Some(MEMBERS))).await;
    assert_eq!(status, 401);
    let no_email = "first_name,zip\nAda,12345\n";
    let (status, body, _) = post_upload(&app, &auth, multipart(&[("page", "members-import")], Some(no_email))).await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("no email column"), "{body}");
    let (status, body, _) = post_upload(&app, &auth, multipart(&[("page", "save-the-bees")], Some(MEMBERS))).await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("not an import page"), "{body}");
    let (status, body, _) = post_upload(&app, &auth, multipart(&[("page", "members-import")], None)).await;
    assert_eq!(status, 400, "{body}");
    let (status, body, _) = post_upload(&app, &auth, "not multipart at all".into()).await;
    assert_eq!(status, 400, "{body}");
    let (status, body, _) =
        post_upload(&app, &auth, multipart(&[("page", "members-import"), ("privacy_note", "yes")], Some(MEMBERS)))
            .await;
    assert_eq!(status, 400, "a placeholder note is refused: {body}");
    let (status, body, _) =
        post_upload(&app, &auth, multipart(&[("page", "members-import")], Some("email,user_shoe\na@b.org,9\n"))).await;
    assert_eq!(status, 400);
    assert!(body.to_string().contains("user_shoe"), "{body}");
    assert_eq!(app.query(|c| core_upload::table.count().get_result::<i64>(c)), 0);
    let (status, _) = get_json(&app, &auth, "/rest/v1/upload/999/").await;
    assert_eq!(status, 404);
});

fn forget(app: &TestApp, email: &str) {
    let email = placard::people::Email::parse(email).unwrap();
    let actor = placard::gdpr::Actor { who: "cli".into(), via: "test".into() };
    let now = chrono::Utc::now().naive_utc();
    app.state.db.writer.submit_now(|c| placard::gdpr::erase::forget_email(c, &email, &actor, now)).expect("forget");
}

both_backends!(g4_forgotten_rows_are_counted_and_stored_nowhere, |app| {
    write(&app, |c| import_page(c, "members-import"));
    forget(&app, "gone@example.org");
    let csv = "email,first_name,action_note\nok@example.org,Ok,fine\n GONE@example.org ,Secretname,secretnote\nlate@example.org,Latename,latenote\n";
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    // Held by a worker name that is not running, so the server's worker leaves it alone.
    let id = imports::create::create_now(&app.state.db, &request, csv.as_bytes().to_vec(), "holder").expect("created");
    let stored: String = app.query(|c| core_uploadfile::table.find(id).select(core_uploadfile::content).first(c));
    assert!(!stored.to_lowercase().contains("gone@") && !stored.contains("Secretname"), "{stored}");

    // Forgotten after the upload was stored: the engine refuses the row.
    forget(&app, "late@example.org");
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.ok_rows, upload.error_rows, upload.forgotten_rows), (1, 0, 2));
    let emails: Vec<String> = app.query(|c| core_user::table.select(core_user::email).load(c));
    assert!(emails.iter().all(|e| !e.contains("gone@") && !e.contains("late@")), "{emails:?}");
    let values: Vec<String> = app.query(|c| core_actionfield::table.select(core_actionfield::value).load(c));
    assert!(values.iter().all(|v| !v.contains("secret") && !v.contains("latenote")), "{values:?}");
    let errors: i64 = app.query(|c| core_uploaderror::table.count().get_result(c));
    assert_eq!(errors, 0, "a forgotten row is not an error row either");
    let files: i64 = app.query(|c| core_uploadfile::table.find(id).count().get_result(c));
    assert_eq!(files, 0, "the stored file is dropped once processed");
});

// A forgotten person's row that the engine also finds faulty (here a list that does not
// exist, checked before the forgotten list) is counted as forgotten: an error row would
// say the row was read as someone's and keep their line in the upload's errors. The `akid`
// column sends the rows through `engine::process` rather than the bulk path, which decides
// the same on its own.
both_backends!(g4_a_forgotten_row_with_other_faults_is_counted_as_forgotten, |app| {
    write(&app, |c| import_page(c, "members-import"));
    let csv = "email,lists,akid\nfaulty@example.org,99999,\nvalid@example.org,99999,\n";
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.as_bytes().to_vec(), "holder").expect("created");
    // Forgotten after the upload was stored, so the engine is what refuses the row.
    forget(&app, "faulty@example.org");
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.ok_rows, upload.error_rows, upload.forgotten_rows), (0, 1, 1));
    let error_rows: Vec<i64> = app.query(|c| core_uploaderror::table.select(core_uploaderror::row_number).load(c));
    assert_eq!(error_rows, vec![3], "only the person who is not forgotten has an error row");
});

both_backends!(p14_upload_resumes_after_a_crash_without_duplicates, |app| {
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let csv: String = std::iter::once("email,first_name\n".to_owned())
        .chain((1..=5).map(|n| format!("person{n}@example.org,P{n}\n")))
        .collect();
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.into_bytes(), "crashing").expect("created");

    // One chunk of two rows commits, then the worker dies (its runner is dropped).
    let now = chrono::Utc::now().naive_utc();
    let deps = app.state.engine.clone();
    let step = app
        .state
        .db
        .writer
        .submit_now(|c| {
            let mut runner = imports::Runner::open(c, id, "crashing", now)?.expect("claimed");
            runner.step(c, &deps, 2, now)
        })
        .unwrap();
    assert!(matches!(step, Step::Chunk(counts) if counts.processed == 2 && counts.ok == 2));
    assert_eq!(actions_on(&app, page_id), 2);

    // While the dead worker's claim is fresh, nobody else takes the upload.
    assert!(imports::run::run_now(&app.state.db, &app.state.engine, id, "other", |_| {}).unwrap().is_none());

    // Time passes: the claim goes stale, and a restarted worker continues from row 3.
    let long_ago = now - chrono::Duration::seconds(imports::store::STALE_AFTER_SECONDS + 60);
    write(&app, |c| {
        diesel::update(core_upload::table.find(id)).set(core_upload::updated_at.eq(long_ago)).execute(c).unwrap()
    });
    let mut seen = vec![];
    let upload =
        imports::run::run_now(&app.state.db, &app.state.engine, id, "restarted", |p| seen.push(p.processed_rows))
            .unwrap()
            .expect("the restarted worker takes over");
    assert_eq!(seen, vec![5]);
    assert!(upload.is_completed);
    assert_eq!((upload.processed_rows, upload.ok_rows, upload.error_rows), (5, 5, 0));
    assert_eq!(actions_on(&app, page_id), 5, "every row once, none twice");
    let users: i64 = app.query(|c| core_user::table.filter(core_user::email.like("person%")).count().get_result(c));
    assert_eq!(users, 5);
});

// Rows are stored a group at a time without a savepoint each (issue 8's speed); a row that
// fails after it began writing (here: its privacy note names no known text, which is only
// found out when the note is recorded, after the supporter and the action) rolls back the
// group, which is then stored row by row: the good rows around it are kept, it leaves
// nothing, and its error is listed.
both_backends!(p14_a_row_failing_after_it_wrote_leaves_nothing_and_its_neighbours_stay, |app| {
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let unknown = "ab".repeat(32);
    let csv = format!(
        "email,first_name,privacy\nfirst@example.org,First,\nhalf@example.org,Half,{unknown}\nlast@example.org,Last,\n"
    );
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.into_bytes(), "holder").expect("created");
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.processed_rows, upload.ok_rows, upload.error_rows), (3, 2, 1));
    let mut emails: Vec<String> = app.query(|c| core_user::table.select(core_user::email).load(c));
    emails.sort();
    assert_eq!(emails, vec!["first@example.org".to_owned(), "last@example.org".to_owned()]);
    assert_eq!(actions_on(&app, page_id), 2, "the failed row's action was rolled back with it");
    let errors: Vec<(i64, String, String)> = app.query(|c| {
        core_uploaderror::table
            .select((core_uploaderror::row_number, core_uploaderror::field, core_uploaderror::message))
            .load(c)
    });
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1.as_str()), (3, "privacy"), "{errors:?}");
    assert!(errors[0].2.contains("no known text"), "{errors:?}");
});

// Rows are validated beside the writer by the rules as they were when the upload was opened;
// if staff change them before a chunk is stored, the chunk is checked again by the new ones.
both_backends!(p14_rows_are_checked_by_the_rules_in_force_when_they_are_stored, |app| {
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let csv = "email,first_name,zip\nnozip@example.org,A,\nzip@example.org,B,12345\n";
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.as_bytes().to_vec(), "holder").expect("created");
    let now = chrono::Utc::now().naive_utc();
    let deps = app.state.engine.clone();
    let runner = app.state.db.writer.submit_now(|c| imports::Runner::open(c, id, "holder", now)).unwrap().unwrap();
    let (claim, mut reader) = runner.split();
    let chunk = reader.read(10).unwrap();
    write(&app, |c| {
        diesel::update(core_page::table.find(page_id)).set(core_page::required_fields.eq("zip")).execute(c).unwrap()
    });
    let step = app.state.db.writer.submit_now(|c| claim.store(c, &deps, &chunk, now)).unwrap();
    assert!(matches!(step, Step::Chunk(counts) if counts.ok == 1 && counts.errors == 1), "{step:?}");
    let emails: Vec<String> = app.query(|c| core_user::table.select(core_user::email).load(c));
    assert_eq!(emails, vec!["zip@example.org".to_owned()]);
    let fields: Vec<String> = app.query(|c| core_uploaderror::table.select(core_uploaderror::field).load(c));
    assert_eq!(fields, vec!["zip".to_owned()]);
});

const BIN: &str = env!("CARGO_BIN_EXE_placard");

fn placard(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("placard runs")
}

fn cli_import_prints_progress_errors_and_counts(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else { return };
    assert!(placard(&url, &["migrate"]).status.success());
    let mut conn = placard::db::DbTarget::parse(&url, "FULL").unwrap().connect().unwrap();
    import_page(&mut conn, "cli-import");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.csv");
    std::fs::write(&file, "email,first_name\nada@example.org,Ada\nnope,Bob\nbo@example.org,Bo\n").unwrap();
    let file = file.to_str().unwrap();

    let out = placard(&url, &["import", file, "--page", "cli-import"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("3 of 3 rows processed"), "plain progress without a terminal: {stdout}");
    assert!(stdout.contains("row 3: email: "), "{stdout}");
    assert!(stdout.trim_end().ends_with("complete: 3 rows, 2 imported, 1 with errors, 0 forgotten."), "{stdout}");
    assert_eq!(core_user::table.count().get_result::<i64>(&mut conn).unwrap(), 2);

    for (args, expected) in [
        (vec!["import", "/no/such/file.csv", "--page", "cli-import"], "cannot read /no/such/file.csv"),
        (vec!["import", file, "--page", "no-such-page"], "No page \"no-such-page\" exists."),
    ] {
        let out = placard(&url, &args);
        assert_eq!(out.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "name\nAda\n").unwrap();
    let out = placard(&url, &["import", bad.to_str().unwrap(), "--page", "cli-import"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no email column"));
}

#[test]
fn o3_cli_import_prints_progress_errors_and_counts_sqlite() {
    cli_import_prints_progress_errors_and_counts(Backend::Sqlite);
}

#[test]
fn o3_cli_import_prints_progress_errors_and_counts_postgres() {
    cli_import_prints_progress_errors_and_counts(Backend::Postgres);
}

both_backends!(p14_an_uploads_privacy_note_becomes_an_import_notes_record_per_stored_row, |app| {
    use placard::db::schema::core_privacyrecord;
    write(&app, |c| import_page(c, "members-import"));
    let request = UploadRequest {
        page: "members-import".into(),
        privacy_note: "Signed the paper list at the summer fair".into(),
        ..UploadRequest::default()
    };
    let id = imports::create::create_now(&app.state.db, &request, MEMBERS.as_bytes().to_vec(), "holder").unwrap();
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.ok_rows, upload.error_rows), (2, 2));
    let notes: Vec<(String, String)> = app.query(|c| {
        core_privacyrecord::table
            .filter(core_privacyrecord::context.eq("import_notes"))
            .select((core_privacyrecord::context, core_privacyrecord::note))
            .load(c)
    });
    assert_eq!(notes.len(), 2, "one record per stored row, none for rows with errors: {notes:?}");
    assert!(notes.iter().all(|(_, note)| note == "Signed the paper list at the summer fair"));
});

both_backends!(p14_a_chunk_matches_repeated_and_stored_addresses_and_checks_named_lists, |app| {
    use placard::db::schema::{core_list, core_subscription};
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let list: i64 = app.query(|c| core_list::table.select(core_list::id).order(core_list::id.asc()).first(c));
    // Stored before the upload: the import matches the address and updates the person.
    let known = placard::people::Email::parse("known@example.org").unwrap();
    let now = chrono::Utc::now().naive_utc();
    write(&app, |c| {
        placard::people::store::insert(c, &known, &placard::people::UserChanges::default(), "website", now)
            .expect("stored")
    });
    let csv = format!(
        "email,first_name,lists\nnew@example.org,First,{list}\nNEW@example.org,Second,\nknown@example.org,Known,{list}\nbad@example.org,Bad,999999\n"
    );
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.into_bytes(), "holder").unwrap();
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.ok_rows, upload.error_rows, upload.forgotten_rows), (3, 1, 0));
    let users: Vec<(String, String)> = app.query(|c| {
        core_user::table.order(core_user::email.asc()).select((core_user::email, core_user::first_name)).load(c)
    });
    assert_eq!(
        users,
        vec![("known@example.org".to_owned(), "Known".to_owned()), ("new@example.org".to_owned(), "Second".to_owned())],
        "a repeated address is one person, updated by its later row; a bad row stores no one"
    );
    let created: Vec<bool> = app.query(|c| {
        core_action::table
            .filter(core_action::page_id.eq(page_id))
            .order(core_action::id.asc())
            .select(core_action::created_user)
            .load(c)
    });
    assert_eq!(created, vec![true, false, false]);
    let subscribed: i64 =
        app.query(|c| core_subscription::table.filter(core_subscription::list_id.eq(list)).count().get_result(c));
    assert_eq!(subscribed, 2, "both named subscriptions stored");
    let errors: Vec<(i64, String)> =
        app.query(|c| core_uploaderror::table.select((core_uploaderror::row_number, core_uploaderror::field)).load(c));
    assert_eq!(errors, vec![(5, "lists".to_owned())]);
});

// New supporters' rows wait in memory with ids reserved up front and go in a few multi-row
// inserts (issue 8's speed). The ids must never reuse an erased supporter's (a forget keeps
// the hash of the id), the next insert by any other path must follow them, and the rows
// must be what the engine's own path stores: supporter, action, named list, history, fields.
both_backends!(p14_deferred_rows_take_fresh_ids_and_are_stored_as_the_engine_stores_them, |app| {
    use placard::db::schema::{core_list, core_subscription, core_subscriptionhistory};
    let page_id = write(&app, |c| import_page(c, "members-import"));
    let list: i64 = app.query(|c| core_list::table.select(core_list::id).order(core_list::id.asc()).first(c));
    let now = chrono::Utc::now().naive_utc();
    let insert = |email: &str| {
        let email = placard::people::Email::parse(email).unwrap();
        write(&app, |c| {
            placard::people::store::insert(c, &email, &placard::people::UserChanges::default(), "website", now)
                .expect("stored")
                .id
        })
    };
    insert("before@example.org");
    let erased = insert("erased@example.org");
    forget(&app, "erased@example.org");

    let csv =
        format!("email,first_name,lists,action_comment\nnew1@example.org,One,{list},hello\nnew2@example.org,Two,,\n");
    let request = UploadRequest { page: "members-import".into(), ..UploadRequest::default() };
    let id = imports::create::create_now(&app.state.db, &request, csv.into_bytes(), "holder").unwrap();
    let upload = imports::run::run_now(&app.state.db, &app.state.engine, id, "holder", |_| {}).unwrap().unwrap();
    assert_eq!((upload.ok_rows, upload.error_rows), (2, 0));

    let users: Vec<(i64, String, String, String, String)> = app.query(|c| {
        core_user::table
            .filter(core_user::email.like("new%"))
            .order(core_user::id.asc())
            .select((
                core_user::id,
                core_user::email,
                core_user::first_name,
                core_user::source,
                core_user::subscription_status,
            ))
            .load(c)
    });
    assert_eq!(users.len(), 2, "{users:?}");
    assert!(users.iter().all(|u| u.0 > erased), "an erased supporter's id is never handed out again: {users:?}");
    assert_eq!(
        users.iter().map(|u| (u.1.as_str(), u.2.as_str(), u.3.as_str(), u.4.as_str())).collect::<Vec<_>>(),
        vec![("new1@example.org", "One", "import", "subscribed"), ("new2@example.org", "Two", "import", "never")]
    );
    let actions: Vec<(i64, Option<i64>, String, bool, bool)> = app.query(|c| {
        core_action::table
            .filter(core_action::page_id.eq(page_id))
            .order(core_action::id.asc())
            .select((
                core_action::id,
                core_action::user_id,
                core_action::source,
                core_action::created_user,
                core_action::subscribed_user,
            ))
            .load(c)
    });
    assert_eq!(
        actions.iter().map(|a| (a.1, a.2.as_str(), a.3, a.4)).collect::<Vec<_>>(),
        vec![(Some(users[0].0), "import", true, true), (Some(users[1].0), "import", true, false)]
    );
    let fields: Vec<(i64, String, String)> = app.query(|c| {
        core_actionfield::table
            .select((core_actionfield::parent_id, core_actionfield::name, core_actionfield::value))
            .load(c)
    });
    // An empty column is stored empty, as the engine stores a blank form field.
    assert_eq!(
        fields,
        vec![
            (actions[0].0, "comment".to_owned(), "hello".to_owned()),
            (actions[1].0, "comment".to_owned(), String::new())
        ]
    );
    let subscriptions: Vec<(i64, i64)> = app
        .query(|c| core_subscription::table.select((core_subscription::user_id, core_subscription::list_id)).load(c));
    assert_eq!(subscriptions, vec![(users[0].0, list)]);
    let history: Vec<(i64, String, String, Option<i64>)> = app.query(|c| {
        core_subscriptionhistory::table
            .select((
                core_subscriptionhistory::user_id,
                core_subscriptionhistory::change,
                core_subscriptionhistory::cause,
                core_subscriptionhistory::action_id,
            ))
            .load(c)
    });
    assert_eq!(history, vec![(users[0].0, "subscribe".to_owned(), "action".to_owned(), Some(actions[0].0))]);

    // The next supporter stored any other way follows the imported ones.
    let after = insert("after@example.org");
    assert!(after > users[1].0, "{after} after {users:?}");
});
