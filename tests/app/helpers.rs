//! The test harness: `TestApp` (the real server on a random loopback port over a fresh
//! database with the demo seeded), the `both_backends!` macro that runs a test body on
//! SQLite and on PostgreSQL, and small helpers to read what was stored.

use actix_web::web;
use diesel::prelude::*;
use placard::db::schema::{core_action, core_subscription, core_user};
use placard::db::DbConnection;
use placard::{AppState, Application, Config};
use std::io::Write as _;
use std::sync::Once;

pub const POSTGRES_VAR: &str = "PLACARD_TEST_POSTGRES_URL";
/// Set by `.ci/run`: a suite that would be skipped fails instead.
pub const REQUIRE_VAR: &str = "PLACARD_TEST_REQUIRE_ALL";

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: String,
    pub client: awc::Client,
    pub state: web::Data<AppState>,
    _db: TestDb,
}

/// A fresh database that is removed when the test ends.
pub enum TestDb {
    /// Held for its `Drop`, which removes the folder.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Self::Postgres { admin_url, name } = self {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin_url) {
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut conn);
            }
        }
    }
}

static SKIP_NOTE: Once = Once::new();

impl TestDb {
    /// `None` when the PostgreSQL suite is not configured (and not required).
    pub fn create(backend: Backend) -> Option<(Self, String)> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("placard.db").display());
                Some((Self::Sqlite(dir), url))
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var(POSTGRES_VAR) else {
                    assert!(
                        std::env::var(REQUIRE_VAR).is_err(),
                        "{REQUIRE_VAR} is set but {POSTGRES_VAR} is not: the PostgreSQL suite would be skipped"
                    );
                    // Written past the test harness's capture so `cargo test` shows it once.
                    SKIP_NOTE.call_once(|| {
                        let _ = writeln!(
                            std::io::stderr(),
                            "\nnote: the PostgreSQL suite did not run (its tests pass as no-ops); set {POSTGRES_VAR}=postgres://postgres@127.0.0.1:5432/postgres to run it\n"
                        );
                    });
                    return None;
                };
                let name = format!("placard_test_{}", rand_suffix());
                let mut conn = diesel::PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("{POSTGRES_VAR}: cannot connect: {e}"));
                diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .expect("create test database");
                let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(b, _)| b).to_owned();
                let url = format!("{base}/{name}");
                Some((Self::Postgres { admin_url, name }, url))
            }
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{n:016x}")
}

pub fn test_config(database_url: String) -> Config {
    Config {
        database_url,
        bind: "127.0.0.1:0".into(),
        secret: Some("test secret, long enough to key every MAC".into()),
        client_name: "Test Org".into(),
        db_pool_size: 4,
        ..Config::default()
    }
}

/// The test side's HTTP client. It keeps an idle connection for 2 s, well under the
/// server's 5 s keep-alive: a connection reused just as the server closes it answers
/// `Connect(Disconnected)` (seen when a test waited ~5 s for Chromium between requests).
pub fn test_client() -> awc::Client {
    let connector = awc::Connector::new().conn_keep_alive(std::time::Duration::from_secs(2));
    awc::Client::builder().connector(connector).disable_redirects().finish()
}

impl TestApp {
    /// The real server with the demo site seeded; `None` when the backend is not configured.
    /// Async because the server is spawned on the running test runtime.
    #[allow(clippy::unused_async)]
    pub async fn spawn(backend: Backend) -> Option<Self> {
        placard::telemetry::init();
        let (db, url) = TestDb::create(backend)?;
        let state = web::Data::new(AppState::open(test_config(url)).expect("app state opens"));
        state.db.writer.submit_now(placard::demo::seed_if_empty).expect("demo seeds");
        state.reload_staff_edits().expect("strings reload");
        let app = Application::serve(state.clone()).expect("server binds");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = test_client();
        Some(Self { address, client, state, _db: db })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> (u16, String, awc::http::header::HeaderMap) {
        let mut res = self.client.get(self.url(path)).send().await.expect("GET is answered");
        let body = res.body().limit(4 << 20).await.expect("body");
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), res.headers().clone())
    }

    pub async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<String>,
    ) -> (u16, String, awc::http::header::HeaderMap) {
        let mut res = self
            .client
            .post(self.url(path))
            .insert_header(("Content-Type", content_type))
            .send_body(body.into())
            .await
            .expect("POST is answered");
        let body = res.body().limit(4 << 20).await.expect("body");
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), res.headers().clone())
    }

    pub async fn post_form(&self, path: &str, body: &str) -> (u16, String, awc::http::header::HeaderMap) {
        self.post(path, "application/x-www-form-urlencoded", body).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value, awc::http::header::HeaderMap) {
        let (status, text, headers) = self.post(path, "application/json", body.to_string()).await;
        let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON answer, got {status}: {text}"));
        (status, json, headers)
    }

    pub fn query<T>(&self, f: impl FnOnce(&mut DbConnection) -> QueryResult<T>) -> T {
        self.state.db.read_now(|conn| Ok(f(conn)?)).expect("test query")
    }

    /// `(users, actions, subscriptions)`: what a rejected action must leave unchanged.
    pub fn counts(&self) -> (i64, i64, i64) {
        self.query(|c| {
            Ok((
                core_user::table.count().get_result(c)?,
                core_action::table.count().get_result(c)?,
                core_subscription::table.count().get_result(c)?,
            ))
        })
    }
}

/// Runs `$body(app: TestApp)` once on SQLite and once on PostgreSQL, as `$name::sqlite`
/// and `$name::postgres`.
macro_rules! both_backends {
    ($(#[$meta:meta])* $name:ident, |$app:ident| $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            // A scenario reads top to bottom; splitting it would hide its steps.
            #[allow(clippy::too_many_lines)]
            async fn run($app: $crate::helpers::TestApp) $body

            #[actix_web::test]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await.expect("sqlite app")).await;
            }

            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    run(app).await;
                }
            }
        }
    };
}
pub(crate) use both_backends;

impl TestApp {
    /// A staff account for HTTP Basic calls; returns the `Authorization` header value.
    pub fn staff_basic_auth(&self, email: &str, password: &str) -> String {
        use base64::Engine as _;
        let parsed = placard::people::Email::parse(email).expect("staff email");
        self.state
            .db
            .writer
            .submit_now(|c| placard::staff::add_or_reset(c, &parsed, password, placard::staff::Role::Admin))
            .expect("staff account");
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}")))
    }

    /// POST with extra headers; returns status, body text and headers.
    pub async fn post_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<String>,
    ) -> (u16, String, awc::http::header::HeaderMap) {
        let mut req = self.client.post(self.url(path));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut res = req.send_body(body.into()).await.expect("POST is answered");
        let body = res.body().limit(4 << 20).await.expect("body");
        (res.status().as_u16(), String::from_utf8_lossy(&body).into_owned(), res.headers().clone())
    }
}

impl TestApp {
    /// As [`TestApp::spawn`], with mail delivered over SMTP to `smtp_url` by the server's
    /// own worker (SPEC P16).
    #[allow(clippy::unused_async)]
    pub async fn spawn_with_smtp(backend: Backend, smtp_url: &str) -> Option<Self> {
        placard::telemetry::init();
        let (db, url) = TestDb::create(backend)?;
        let config = Config { smtp_url: Some(smtp_url.to_owned()), ..test_config(url) };
        let state = web::Data::new(AppState::open(config).expect("app state opens"));
        state.db.writer.submit_now(placard::demo::seed_if_empty).expect("demo seeds");
        state.reload_staff_edits().expect("strings reload");
        let app = Application::serve(state.clone()).expect("server binds");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = test_client();
        Some(Self { address, client, state, _db: db })
    }
}

impl TestApp {
    /// A second server on this test's database (SPEC O4): its own pools, writer, listener
    /// and mail worker, the same configuration. The first app owns the database.
    #[allow(clippy::unused_async)]
    pub async fn spawn_peer(&self) -> Self {
        let state = web::Data::new(AppState::open(self.state.config.clone()).expect("peer state opens"));
        let app = Application::serve(state.clone()).expect("peer binds");
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = test_client();
        // An empty folder: dropping the peer removes nothing of the shared database.
        let db = TestDb::Sqlite(tempfile::tempdir().expect("temp dir"));
        Self { address, client, state, _db: db }
    }
}

impl TestApp {
    /// Puts page `page` on a new staff templateset `set` holding `files` (stored as they
    /// are, without the save-time compile check, so tests can store broken templates), and
    /// reloads what the renderer holds.
    pub fn page_on_staff_set(&self, page: &str, set: &str, files: &[(&str, &str)]) {
        let now = chrono::Utc::now().naive_utc();
        self.state
            .db
            .writer
            .submit_now(|c| {
                let set_id = placard::templatesets::store::create_set(c, set, "", now)?;
                for (file, code) in files {
                    placard::templatesets::store::save_template(c, set_id, file, code, None, None, now)?;
                }
                let page = placard::pages::store::find_by_name(c, page)?.ok_or(diesel::result::Error::NotFound)?;
                placard::pages::store::set_templateset(c, page.id, Some(set_id))?;
                Ok(())
            })
            .expect("staff set stored");
        self.state.reload_staff_edits().expect("reload");
    }
}
