//! No personal data in logs or left behind after forgetting (SPEC G3, O2): the real
//! `placard serve` binary at `RUST_LOG=debug`, a supporter with a distinctive email, name
//! and phone created through the public form and the REST API, forgotten with
//! `POST /api/users/forget`, then that email driven through every path that takes it — the
//! form, the REST action, the Iterable user API, a CSV upload, `/me/` and its forget and
//! update forms. Afterwards the server's whole stderr and every column of every table of
//! the database are searched for the email (any case), the names and the phone: none may
//! be there in clear. Every request's log line must carry a request id.

use crate::helpers::{test_config, Backend, TestDb};
use base64::Engine as _;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_placard");
const EMAIL: &str = "Zyx.Leaky-Q7@Example.ORG";
const FIRST: &str = "Quixotelle";
const LAST: &str = "Vandermeerschaut";
const PHONE: &str = "+1 555 0199 7531";
/// What must not be found anywhere, lowercased: the email, the names, the phone (as typed
/// and as its digits).
const NEEDLES: [&str; 5] =
    ["zyx.leaky-q7@example.org", "quixotelle", "vandermeerschaut", "555 0199 7531", "15550199753"];
const BOUNDARY: &str = "leaksboundary";

struct Server {
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn placard(url: &str, log: Stdio) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url)
        .env("PLACARD_SECRET", test_config(url.to_owned()).secret.unwrap_or_default())
        .env("RUST_LOG", "debug")
        .stdin(Stdio::null())
        .stderr(log);
    cmd
}

/// `placard apikey add`: the printed key.
fn api_key(url: &str) -> String {
    let out = placard(url, Stdio::null()).args(["apikey", "add", "leaks"]).output().expect("placard apikey add runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .rsplit(": ")
        .next()
        .map(|k| k.trim().to_owned())
        .filter(|k| k.starts_with("plk_"))
        .unwrap_or_else(|| panic!("no key printed: {stdout} {}", String::from_utf8_lossy(&out.stderr)))
}

fn start(url: &str, dir: &std::path::Path) -> (Server, String) {
    let stderr = dir.join("stderr.log");
    let log = std::fs::File::create(&stderr).expect("log file");
    let mut child = placard(url, Stdio::from(log))
        .args(["serve", "--bind", "127.0.0.1:0", "--demo"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("placard serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(url) = line.strip_prefix("Placard is running at ") {
            base = Some(url.trim_end_matches('/').to_owned());
            break;
        }
    }
    let base = base.expect("placard printed its URL");
    (Server { child }, base)
}

async fn call(
    client: &awc::Client,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, String) {
    let mut req = match method {
        "GET" => client.get(url),
        "DELETE" => client.delete(url),
        _ => client.post(url),
    };
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let mut res = match body {
        Some(b) => req.send_body(b).await,
        None => req.send().await,
    }
    .expect("answered");
    let text = res.body().limit(4 << 20).await.unwrap_or_default();
    (res.status().as_u16(), String::from_utf8_lossy(&text).into_owned())
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `(table.column, needle)` for every column of every table holding a needle in clear.
fn database_hits(url: &str, backend: Backend) -> Vec<String> {
    let mut conn = placard::db::DbConnection::establish(url).expect("database opens");
    let columns: Vec<Column> = match backend {
        Backend::Sqlite => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
        )
        .load(&mut conn),
        Backend::Postgres => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
             WHERE table_schema = 'public'",
        )
        .load(&mut conn),
    }
    .expect("the catalog lists the columns");
    assert!(columns.len() > 100, "every column of every table: {}", columns.len());
    let mut hits = vec![];
    for c in &columns {
        for needle in NEEDLES {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{}\" WHERE LOWER(CAST(\"{}\" AS TEXT)) LIKE '%{needle}%'",
                c.table_name, c.column_name
            );
            let n = diesel::sql_query(&sql).get_result::<Hits>(&mut conn).map_or(0, |h| h.n);
            if n > 0 {
                hits.push(format!("{}.{} holds {needle:?} ({n} rows)", c.table_name, c.column_name));
            }
        }
    }
    hits
}

// One scenario, every path in turn: splitting it would hide the order that matters.
#[allow(clippy::too_many_lines)]
async fn nothing_personal_is_logged_or_kept_after_forgetting(backend: Backend) {
    let Some((db, url)) = TestDb::create(backend) else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let key = api_key(&url);
    let (server, base) = start(&url, dir.path());
    let client = awc::Client::builder().disable_redirects().timeout(Duration::from_secs(60)).finish();
    let form = "application/x-www-form-urlencoded";
    let json = "application/json";

    // Created through the form and the API.
    let body = format!(
        "page=stay-informed&email={}&first_name={FIRST}&last_name={LAST}&phone={}&country=United+States",
        enc(EMAIL),
        enc(PHONE)
    );
    let (status, text) = call(&client, "POST", &format!("{base}/act/"), &[("Content-Type", form)], Some(body)).await;
    assert_eq!(status, 302, "{text}");
    let action = serde_json::json!({"page": "stay-informed", "email": EMAIL, "name": format!("{FIRST} {LAST}"), "mobile_phone": PHONE});
    let (status, text) =
        call(&client, "POST", &format!("{base}/rest/v1/action/"), &[("Content-Type", json)], Some(action.to_string()))
            .await;
    assert_eq!(status, 201, "{text}");
    let (status, text) =
        call(&client, "GET", &format!("{base}/api/users/{}", enc(EMAIL)), &[("Api-Key", &key)], None).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.to_lowercase().contains(NEEDLES[0]), "the user API finds them: {text}");

    // Forgotten.
    let forget = serde_json::json!({"email": EMAIL}).to_string();
    let headers = [("Api-Key", key.as_str()), ("Content-Type", json)];
    let (status, text) = call(&client, "POST", &format!("{base}/api/users/forget"), &headers, Some(forget)).await;
    assert_eq!(status, 200, "{text}");

    // Every path again, with the forgotten email in several cases.
    let upper = EMAIL.to_uppercase();
    for email in [EMAIL, upper.as_str()] {
        let body = format!("page=stay-informed&email={}&first_name={FIRST}&phone={}", enc(email), enc(PHONE));
        let (status, _) =
            call(&client, "POST", &format!("{base}/act/"), &[("Content-Type", form)], Some(body.clone())).await;
        assert!(status < 500, "form: {status}");
        let action = serde_json::json!({"page": "stay-informed", "email": email, "first_name": FIRST, "last_name": LAST, "phone": PHONE});
        let (status, _) = call(
            &client,
            "POST",
            &format!("{base}/rest/v1/action/"),
            &[("Content-Type", json)],
            Some(action.to_string()),
        )
        .await;
        assert!(status < 500, "REST action: {status}");
        let user_url = format!("{base}/api/users/{}", enc(email));
        let (status, text) = call(&client, "GET", &user_url, &[("Api-Key", &key)], None).await;
        assert!(status < 500 && !text.to_lowercase().contains("quixotelle"), "user API: {status} {text}");
        let (status, _) = call(&client, "DELETE", &user_url, &[("Api-Key", &key)], None).await;
        assert!(status < 500, "user API delete: {status}");
        let export = format!("{base}/api/export/userEvents?email={}", enc(email));
        let (status, _) = call(&client, "GET", &export, &[("Api-Key", &key)], None).await;
        assert!(status < 500, "events export: {status}");
        for path in ["/me/", "/me/forget/"] {
            let body = format!("email={}", enc(email));
            let (status, _) =
                call(&client, "POST", &format!("{base}{path}"), &[("Content-Type", form)], Some(body)).await;
            assert!(status < 500, "{path}: {status}");
        }
        let body = format!("email={}&first_name={FIRST}&phone={}", enc(email), enc(PHONE));
        let (status, _) =
            call(&client, "POST", &format!("{base}/me/update/"), &[("Content-Type", form)], Some(body)).await;
        assert!(status < 500, "/me/update/: {status}");
    }
    // A CSV upload through the REST API, as staff; wait until the worker has done it.
    let staff = placard(&url, Stdio::null())
        .args(["staff", "add", "leaks-staff@example.org", "--password", "a long staff password"])
        .output()
        .expect("placard staff add");
    assert!(staff.status.success());
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("leaks-staff@example.org:a long staff password")
    );
    let (status, text) = call(
        &client,
        "POST",
        &format!("{base}/rest/v1/importpage/"),
        &[("Authorization", &basic), ("Content-Type", json)],
        Some(serde_json::json!({"name": "leaks-import", "title": "Leaks"}).to_string()),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let csv =
        format!("email,first_name,last_name,phone\n{EMAIL},{FIRST},{LAST},{PHONE}\nother@example.org,Ann,Other,\n");
    let upload = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"page\"\r\n\r\nleaks-import\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{BOUNDARY}--\r\n"
    );
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let (status, text) = call(
        &client,
        "POST",
        &format!("{base}/rest/v1/upload/"),
        &[("Authorization", &basic), ("Content-Type", &ct)],
        Some(upload),
    )
    .await;
    assert_eq!(status, 201, "{text}");
    let created: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let upload_id = created["id"].as_i64().expect("upload id");
    let mut completed = false;
    for _ in 0..600 {
        let (_, text) =
            call(&client, "GET", &format!("{base}/rest/v1/upload/{upload_id}/"), &[("Authorization", &basic)], None)
                .await;
        let upload: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        if upload["is_completed"] == true {
            completed = true;
            break;
        }
        let _ = call(&client, "GET", &format!("{base}/healthz"), &[], None).await;
    }
    assert!(completed, "the upload was processed");

    drop(server);
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).expect("the server's stderr");
    assert!(log.lines().count() > 20, "debug logging was on: {log}");
    let lower = log.to_lowercase();
    for needle in NEEDLES {
        let line = lower.lines().find(|l| l.contains(needle));
        assert!(line.is_none(), "the log holds {needle:?}: {}", line.unwrap_or_default());
    }
    // Every request is logged inside its span, and the span names its request id.
    let request_lines: Vec<&str> = log.lines().filter(|l| l.contains("request{")).collect();
    assert!(request_lines.len() >= 20, "requests were logged: {}", request_lines.len());
    for line in &request_lines {
        let id = line.split("request_id=").nth(1).and_then(|r| r.split([' ', '}']).next()).unwrap_or_default();
        assert!(id.len() >= 8, "a request's log line carries its request id: {line}");
    }

    let hits = database_hits(&url, backend);
    assert!(hits.is_empty(), "the database still holds personal data of the forgotten supporter:\n{}", hits.join("\n"));
    drop(db);
}

#[actix_web::test]
async fn g3_o2_nothing_personal_is_logged_or_kept_after_forgetting_sqlite() {
    nothing_personal_is_logged_or_kept_after_forgetting(Backend::Sqlite).await;
}

#[actix_web::test]
async fn g3_o2_nothing_personal_is_logged_or_kept_after_forgetting_postgres() {
    nothing_personal_is_logged_or_kept_after_forgetting(Backend::Postgres).await;
}
