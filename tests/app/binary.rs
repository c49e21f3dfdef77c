//! The real `placard` binary (SPEC O1–O3): `serve --demo` on a fresh database answers over
//! HTTP and stores a signature; bad configuration ends with one clear line and a non-zero
//! exit, never a panic.

use diesel::prelude::*;
use placard::db::schema::{core_action, core_subscription, core_user};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::helpers::{test_client, Backend, TestDb};

const BIN: &str = env!("CARGO_BIN_EXE_placard");

fn placard(database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

/// Kills the server when the test ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `placard serve --demo` and reads its stdout up to the line with the URL.
fn start_demo(database_url: &str) -> (Server, String, Vec<String>) {
    let child = placard(database_url)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("placard starts");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().expect("stdout");
    let mut seen = vec![];
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        seen.push(line.clone());
        if let Some(url) = line.strip_prefix("Placard is running at ") {
            return (server, url.trim_end_matches('/').to_owned(), seen);
        }
    }
    panic!("placard exited before printing its URL: {seen:?}");
}

async fn serves_the_demo_and_stores_a_signature(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else { return };
    let (_server, base, printed) = start_demo(&url);
    assert!(
        printed.iter().any(|l| l.starts_with("Demo site created. Staff login: admin@example.org / ")),
        "{printed:?}"
    );

    let client = test_client();
    let mut res = client.get(format!("{base}/sign/save-the-bees/")).send().await.expect("GET");
    assert_eq!(res.status().as_u16(), 200);
    let html = String::from_utf8_lossy(&res.body().await.expect("body")).into_owned();
    assert!(html.contains("Save the bees"));

    let res = client
        .post(format!("{base}/act/"))
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .send_body("page=save-the-bees&email=bin%40example.org&first_name=Bo&last_name=Lin")
        .await
        .expect("POST");
    assert_eq!(res.status().as_u16(), 302);

    let mut conn = placard::db::DbTarget::parse(&url, "FULL").expect("url").connect().expect("connect");
    let users: Vec<String> = core_user::table.select(core_user::email).load(&mut conn).expect("users");
    assert_eq!(users, vec!["bin@example.org".to_owned()]);
    assert_eq!(core_action::table.count().get_result::<i64>(&mut conn).expect("actions"), 1);
    assert_eq!(core_subscription::table.count().get_result::<i64>(&mut conn).expect("subs"), 1);
}

#[actix_web::test]
async fn o1_binary_serves_the_demo_and_stores_a_signature_sqlite() {
    serves_the_demo_and_stores_a_signature(Backend::Sqlite).await;
}

#[actix_web::test]
async fn o1_binary_serves_the_demo_and_stores_a_signature_postgres() {
    serves_the_demo_and_stores_a_signature(Backend::Postgres).await;
}

/// Runs a command expected to fail; returns its stderr.
fn fails(cmd: &mut Command) -> String {
    let out = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).output().expect("placard runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "a plain error exit, not a panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn o2_a_bad_database_url_is_one_clear_line() {
    let err = fails(placard("mysql://root@localhost/x").arg("migrate"));
    assert!(err.contains("DATABASE_URL") && err.contains("sqlite://") && err.contains("postgres://"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn o2_an_unwritable_sqlite_path_names_the_folder() {
    let err = fails(placard("sqlite:///no/such/folder/placard.db").arg("migrate"));
    assert!(err.contains("/no/such/folder") && err.contains("does not exist"), "{err}");
}

#[test]
fn o2_an_unreachable_postgres_says_so_without_the_password() {
    let err = fails(placard("postgres://postgres:secret@127.0.0.1:1/placard").arg("migrate"));
    assert!(err.contains("cannot connect to the database"), "{err}");
    assert!(!err.contains("secret"), "the password is not printed: {err}");
}

#[test]
fn o2_a_port_in_use_names_the_address() {
    let dir = tempfile::tempdir().expect("temp dir");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = busy.local_addr().expect("addr").to_string();
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let err = fails(placard(&url).args(["serve", "--bind", &addr]));
    assert!(err.contains(&format!("cannot listen on {addr}")) && err.contains("PLACARD_BIND"), "{err}");
}

#[test]
fn o3_staff_add_prints_a_generated_password_once_and_refuses_short_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("p.db").display());
    let out = placard(&url).args(["staff", "add", "Ed@Example.org", "--role", "editor"]).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("Created staff account ed@example.org (editor)"), "{stdout}");
    let password = stdout.lines().find_map(|l| l.strip_prefix("Password (shown once): ")).expect("password printed");
    let mut conn = placard::db::DbTarget::parse(&url, "FULL").expect("url").connect().expect("connect");
    let email = placard::people::Email::parse("ed@example.org").expect("email");
    let hash = placard::staff::password_hash_of(&mut conn, &email).expect("query").expect("stored");
    assert!(hash.starts_with("$argon2id$") && placard::staff::verify_password(&hash, password));
    let err = fails(placard(&url).args(["staff", "add", "ed@example.org", "--password", "short"]));
    assert!(err.contains("at least 10 characters"), "{err}");
}
