//! Crash safety (issue 10 "no acknowledged action is ever lost", issue 11, SPEC A10): the
//! real `placard serve` binary takes a burst of concurrent action POSTs and is killed with
//! SIGKILL once a set number of 201s has arrived. Restarted on the same database, every
//! action whose 201 was received is there, no action is half-stored, the consent log
//! verifies, and the server serves again. Also: under overload the SQLite writer's bounded
//! queue sheds with 503 and `Retry-After` instead of queueing without end.

use diesel::prelude::*;
use placard::db::schema::{
    core_action, core_actionfield, core_consentlog, core_outbox, core_privacyrecord, core_subscription,
    core_subscriptionhistory, core_user,
};
use placard::db::DbConnection;
use placard::error::AppError;
use placard::privacy::PrivacyHash;
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;

use crate::helpers::{Backend, TestApp, TestDb};
use crate::smtp_sink::Received;

const BIN: &str = env!("CARGO_BIN_EXE_placard");
/// Concurrent clients, and the most actions each posts.
const CLIENTS: usize = 16;
const PER_CLIENT: usize = 60;
/// SIGKILL once this many 201s have been received (of at most CLIENTS × PER_CLIENT).
const KILL_AFTER: usize = 300;
/// The demo's opt-in text (privacy records are on for Germany on the demo site).
const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

pub(crate) fn placard(database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null());
    cmd
}

/// Kills the server when dropped (the test's end, passed or failed).
pub(crate) struct Server(Child);

impl Server {
    pub(crate) fn sigkill(mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown hook, no flush, no graceful anything.
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `placard serve` (seeding the demo when asked) and returns it with its base URL
/// once `/healthz` answers.
async fn start(database_url: &str, demo: bool) -> (Server, String) {
    start_with(database_url, demo, &[]).await
}

/// As [`start`], with extra environment (`PLACARD_SMTP_URL`, …).
pub(crate) async fn start_with(database_url: &str, demo: bool, env: &[(&str, String)]) -> (Server, String) {
    let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
    if demo {
        args.push("--demo");
    }
    let child = placard(database_url)
        .args(&args)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("placard starts");
    let mut server = Server(child);
    let stdout = server.0.stdout.take().expect("stdout");
    let mut base = None;
    let mut seen = vec![];
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(url) = line.strip_prefix("Placard is running at ") {
            base = Some(url.trim_end_matches('/').to_owned());
            break;
        }
        seen.push(line);
    }
    let base = base.unwrap_or_else(|| panic!("placard exited before printing its URL: {seen:?}"));
    // Readiness: a bounded number of requests, no sleeping.
    let client = awc::Client::default();
    let mut ready = false;
    for _ in 0..50 {
        if let Ok(res) = client.get(format!("{base}/healthz")).send().await {
            if res.status().is_success() {
                ready = true;
                break;
            }
        }
    }
    assert!(ready, "/healthz never answered");
    (server, base)
}

/// What a client was told: the action id and akid of each 201, with the email sent.
struct Acknowledged {
    action_id: i64,
    akid: String,
    email: String,
}

/// Fires the burst; SIGKILLs `server` from inside the burst when the `KILL_AFTER`th 201
/// arrives. Returns the acknowledged actions and how many requests failed (in flight at
/// the kill, or sent after it).
async fn burst_and_kill(base: &str, server: Server) -> (Vec<Acknowledged>, usize) {
    let server = Rc::new(RefCell::new(Some(server)));
    let acked = Rc::new(RefCell::new(Vec::<Acknowledged>::new()));
    let failed = Rc::new(Cell::new(0usize));
    let privacy = PrivacyHash::of("optin", OPTIN).to_string();
    let client = awc::Client::builder().timeout(std::time::Duration::from_secs(30)).finish();
    let clients = (0..CLIENTS).map(|c| {
        let (server, acked, failed, client, privacy) =
            (server.clone(), acked.clone(), failed.clone(), client.clone(), privacy.clone());
        async move {
            for i in 0..PER_CLIENT {
                let email = format!("crash-{c}-{i}@example.org");
                // Every action writes a user, an action field, a subscription and its
                // history, a privacy record and its consent-log entry.
                let body = serde_json::json!({
                    "page": "stay-informed",
                    "email": email,
                    "action_comment": format!("client {c} request {i}"),
                    "country": "Germany",
                    "privacy": privacy,
                });
                let answer = match client.post(format!("{base}/rest/v1/action/")).send_json(&body).await {
                    Ok(mut res) => {
                        let status = res.status().as_u16();
                        res.json::<serde_json::Value>().await.ok().map(|json| (status, json))
                    }
                    Err(_) => None,
                };
                let Some((status, json)) = answer else {
                    failed.set(failed.get() + 1);
                    break;
                };
                assert_eq!(status, 201, "before the kill every action is accepted: {json}");
                acked.borrow_mut().push(Acknowledged {
                    action_id: json["action_id"].as_i64().expect("action_id"),
                    akid: json["akid"].as_str().expect("akid").to_owned(),
                    email: email.clone(),
                });
                if acked.borrow().len() == KILL_AFTER {
                    if let Some(server) = server.borrow_mut().take() {
                        server.sigkill();
                    }
                }
            }
        }
    });
    futures_util::future::join_all(clients).await;
    let acked = Rc::try_unwrap(acked).ok().expect("clients done").into_inner();
    (acked, failed.get())
}

/// Counts of `child_table` rows per action id, for every action.
fn per_action(conn: &mut DbConnection, rows: &[Option<i64>]) -> BTreeMap<i64, usize> {
    let mut counts = BTreeMap::new();
    let actions: Vec<i64> = core_action::table.select(core_action::id).load(conn).expect("actions");
    for id in actions {
        counts.insert(id, 0);
    }
    for id in rows.iter().flatten() {
        *counts.get_mut(id).unwrap_or_else(|| panic!("a row points at action {id}, which is missing")) += 1;
    }
    counts
}

/// `(action id, rows)` pairs.
type PerAction = Vec<(i64, usize)>;

/// Every stored action (acknowledged or not) is whole: each has its user, one action
/// field, and the same number of subscription-history rows, privacy records and mails as
/// every other; each privacy record has its consent-log entry. An action whose supporter
/// was forgotten (SPEC G3) is wholly anonymous: no user, and none of those rows. Returns
/// how many actions are stored.
pub(crate) fn assert_nothing_half_stored(conn: &mut DbConnection) -> usize {
    let actions: Vec<(i64, Option<i64>)> =
        core_action::table.select((core_action::id, core_action::user_id)).load(conn).expect("actions");
    let live: Vec<i64> = actions.iter().filter(|(_, u)| u.is_some()).map(|(id, _)| *id).collect();
    let users: i64 = core_user::table.count().get_result(conn).expect("users");
    assert_eq!(users, i64::try_from(live.len()).unwrap(), "one new supporter per kept action, no user without one");
    let subscriptions: i64 = core_subscription::table.count().get_result(conn).expect("subscriptions");
    assert_eq!(subscriptions, users, "every supporter is subscribed by their action");

    let fields: Vec<Option<i64>> =
        core_actionfield::table.select(core_actionfield::parent_id.nullable()).load(conn).expect("fields");
    let history: Vec<Option<i64>> =
        core_subscriptionhistory::table.select(core_subscriptionhistory::action_id).load(conn).expect("history");
    // A forgotten supporter's records stay scrubbed (no person): count the live ones.
    let records: Vec<Option<i64>> = core_privacyrecord::table
        .filter(core_privacyrecord::user_id.is_not_null())
        .select(core_privacyrecord::action_id)
        .load(conn)
        .expect("records");
    let scrubbed: Vec<(Option<i64>, String)> = core_privacyrecord::table
        .filter(core_privacyrecord::user_id.is_null())
        .select((core_privacyrecord::action_id, core_privacyrecord::status))
        .load(conn)
        .expect("scrubbed records");
    for (action, status) in &scrubbed {
        assert!(action.is_none_or(|a| !live.contains(&a)), "only a forgotten supporter's record is scrubbed");
        assert_eq!(status, "erased");
    }
    let mails: Vec<Option<i64>> = core_outbox::table.select(core_outbox::action_id).load(conn).expect("mails");
    for (what, rows, at_least) in [
        ("action field", fields, 1),
        ("subscription history", history, 1),
        ("privacy record", records, 1),
        ("mail", mails, 0),
    ] {
        let counts = per_action(conn, &rows);
        let (kept, erased): (PerAction, PerAction) = counts.into_iter().partition(|(id, _)| live.contains(id));
        let first = kept.first().map_or(0, |(_, n)| *n);
        assert!(kept.is_empty() || first >= at_least, "each action has at least {at_least} {what}");
        assert!(kept.iter().all(|(_, n)| *n == first), "every action has {first} {what}(s): {kept:?}");
        assert!(erased.iter().all(|(_, n)| *n == 0), "a forgotten supporter's action keeps no {what}: {erased:?}");
    }
    let record_ids: Vec<i64> = core_privacyrecord::table.select(core_privacyrecord::id).load(conn).expect("ids");
    let logged: Vec<i64> = core_consentlog::table.select(core_consentlog::record_id).load(conn).expect("log");
    for id in &record_ids {
        assert!(logged.contains(id), "privacy record {id} has its consent-log entry");
    }
    actions.len()
}

/// Runs `placard verify-consent-log` on the database; asserts it verifies and returns the
/// number of log entries it checked.
pub(crate) fn assert_consent_log_verifies(url: &str) -> usize {
    let out = placard(url).arg("verify-consent-log").output().expect("placard runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("The consent log verifies."), "{stdout}");
    stdout
        .lines()
        .find_map(|l| l.split_once(" log entries")?.0.parse().ok())
        .unwrap_or_else(|| panic!("a count of log entries: {stdout}"))
}

async fn sigkill_mid_burst_loses_no_acknowledged_action(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else { return };
    let (server, base) = start(&url, true).await;
    let (acked, failed) = burst_and_kill(&base, server).await;
    assert!(acked.len() >= KILL_AFTER, "the kill came after {KILL_AFTER} 201s");
    assert!(acked.len() < CLIENTS * PER_CLIENT, "the burst was cut short");
    assert!(failed > 0, "requests were in flight when the server died");

    // Restart on the same database: recovery (SQLite's WAL, PostgreSQL's) runs on open.
    let (server, base) = start(&url, false).await;
    let mut conn = placard::db::DbTarget::parse(&url, "FULL").expect("url").connect().expect("connect");
    for ack in &acked {
        let stored: Option<(String, i64)> = core_action::table
            .inner_join(core_user::table.on(core_user::id.nullable().eq(core_action::user_id)))
            .filter(core_action::id.eq(ack.action_id))
            .select((core_user::email, core_user::id))
            .first(&mut conn)
            .optional()
            .expect("query");
        let (email, user_id) =
            stored.unwrap_or_else(|| panic!("acknowledged action {} for {} was lost", ack.action_id, ack.email));
        assert_eq!(email, ack.email, "action {} belongs to who was told", ack.action_id);
        assert_eq!(ack.akid.split('.').nth(1), Some(user_id.to_string().as_str()), "the akid names the stored user");
    }
    let stored = assert_nothing_half_stored(&mut conn);
    assert!(stored >= acked.len());

    let entries = assert_consent_log_verifies(&url);
    assert!(entries >= stored, "every stored action's consent was logged and checked ({entries} entries)");

    // It serves again, and takes new actions.
    let client = awc::Client::default();
    let mut res = client
        .post(format!("{base}/rest/v1/action/"))
        .send_json(&serde_json::json!({"page": "stay-informed", "email": "after@example.org"}))
        .await
        .expect("POST after restart");
    assert_eq!(res.status().as_u16(), 201, "{:?}", res.body().await);
    drop(server);
    eprintln!(
        "crash test ({backend:?}): {} acknowledged, {stored} stored, {failed} requests cut off by SIGKILL",
        acked.len()
    );
}

#[actix_web::test]
async fn a10_sigkill_mid_burst_loses_no_acknowledged_action_sqlite() {
    sigkill_mid_burst_loses_no_acknowledged_action(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a10_sigkill_mid_burst_loses_no_acknowledged_action_postgres() {
    sigkill_mid_burst_loses_no_acknowledged_action(Backend::Postgres).await;
}

/// SQLite's writer (one thread, a bounded queue): while one job holds it, fill the queue;
/// the jobs beyond its bound are refused at once with `Unavailable`, an action POST gets
/// 503 with `Retry-After`, and once the writer is free every queued job completes.
/// (PostgreSQL has no such queue: its bound is the connection pool.)
#[actix_web::test]
async fn a10_overload_sheds_with_503_and_retry_after_sqlite() {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::Poll;
    type Pending = Pin<Box<dyn Future<Output = Result<(), AppError>>>>;

    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let writer = app.state.db.writer.clone();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let blocker = {
        let writer = writer.clone();
        actix_web::rt::spawn(async move {
            writer
                .submit(move |_| {
                    let _ = started_tx.send(());
                    let _ = release_rx.recv();
                    Ok(())
                })
                .await
        })
    };
    started_rx.await.expect("the writer runs the blocking job");

    // More jobs than the queue holds (4096), each polled once: queued or refused.
    let mut jobs: Vec<Option<Pending>> = (0..4200)
        .map(|_| {
            let writer = writer.clone();
            Some(Box::pin(async move { writer.submit(|_| Ok(())).await }) as Pending)
        })
        .collect();
    let mut refused = 0;
    std::future::poll_fn(|cx| {
        for slot in &mut jobs {
            if let Some(job) = slot {
                if let Poll::Ready(result) = job.as_mut().poll(cx) {
                    assert!(matches!(result, Err(AppError::Unavailable)), "only refusals answer at once: {result:?}");
                    refused += 1;
                    *slot = None;
                }
            }
        }
        Poll::Ready(())
    })
    .await;
    assert!(refused > 0, "the queue is bounded: jobs beyond it are refused, not queued");

    let before = app.counts();
    let (status, body, headers) = app
        .post_json("/rest/v1/action/", serde_json::json!({"page": "stay-informed", "email": "busy@example.org"}))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
    assert_eq!(app.counts(), before, "nothing stored for a refused action");

    release_tx.send(()).expect("release the writer");
    blocker.await.expect("blocker task").expect("blocker job");
    let queued: Vec<Pending> = jobs.into_iter().flatten().collect();
    let accepted = queued.len();
    for result in futures_util::future::join_all(queued).await {
        result.expect("every queued job completes once the writer is free");
    }
    assert_eq!(accepted + refused, 4200);
    let (status, _, _) = app
        .post_json("/rest/v1/action/", serde_json::json!({"page": "stay-informed", "email": "busy@example.org"}))
        .await;
    assert_eq!(status, 201, "the server takes actions again");
}

/// Mixed load: REST and form actions, page GETs, forgets and staff writes at once.
const MIXED_REST_CLIENTS: usize = 6;
const MIXED_FORM_CLIENTS: usize = 4;
const MIXED_PAGE_CLIENTS: usize = 2;
/// Page GETs per page client at most (it stops at the kill).
const MIXED_PAGE_GETS: usize = 2000;
/// Action, forget and list requests per client at most.
const MIXED_PER_CLIENT: usize = 80;
/// SIGKILL once this many actions have been acknowledged, by any path.
const MIXED_KILL_AFTER: usize = 250;
/// How long the outbox may take to empty after the restart: the worker's tick and a few
/// hundred deliveries on a loaded machine; a passing run takes seconds.
const OUTBOX_DEADLINE: std::time::Duration = std::time::Duration::from_secs(120);
const PAGES: [&str; 3] = ["/", "/sign/save-the-bees/", "/cms/petition/save-the-bees/"];

/// What the mixed load was told.
#[derive(Default)]
struct MixedLog {
    /// Actions acknowledged (a REST 201 or a form's 302 to the thanks page): id and email.
    actions: Vec<(i64, String)>,
    /// Emails a forget was sent for, and those whose forget was acknowledged (200).
    forgetting: Vec<String>,
    forgotten: Vec<String>,
    /// Lists a staff REST call was told were created (201).
    lists: Vec<String>,
    /// Page GETs answered 200.
    pages: usize,
    /// Requests cut off by the kill.
    failed: usize,
}

/// The shared state of the mixed-load clients (one thread: the test's runtime).
struct MixedLoad {
    base: String,
    client: awc::Client,
    server: RefCell<Option<Server>>,
    log: RefCell<MixedLog>,
    privacy: String,
    api_key: String,
    staff_auth: String,
}

impl MixedLoad {
    /// An answer (status, `Location`, body), or `None` when the server did not answer (it
    /// died): counted as cut off.
    async fn answer(&self, request: awc::SendClientRequest) -> Option<(u16, String, String)> {
        let answered = match request.await {
            Ok(mut res) => {
                let location =
                    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                res.body().limit(4 << 20).await.ok().map(|b| (res.status().as_u16(), location, b))
            }
            Err(_) => None,
        };
        let Some((status, location, body)) = answered else {
            self.log.borrow_mut().failed += 1;
            return None;
        };
        Some((status, location, String::from_utf8_lossy(&body).into_owned()))
    }

    /// Records an acknowledged action; the one that reaches `MIXED_KILL_AFTER` kills the server.
    fn acknowledged(&self, action_id: i64, email: String) {
        let count = {
            let mut log = self.log.borrow_mut();
            log.actions.push((action_id, email));
            log.actions.len()
        };
        if count == MIXED_KILL_AFTER {
            if let Some(server) = self.server.borrow_mut().take() {
                server.sigkill();
            }
        }
    }

    fn alive(&self) -> bool {
        self.server.borrow().is_some()
    }

    fn action_body(&self, email: &str, comment: &str) -> serde_json::Value {
        serde_json::json!({
            "page": "stay-informed",
            "email": email,
            "action_comment": comment,
            "country": "Germany",
            "privacy": self.privacy,
        })
    }

    /// POST /rest/v1/action/; the action id of a 201.
    async fn rest_action(&self, email: &str, comment: &str) -> Option<i64> {
        let sent =
            self.client.post(format!("{}/rest/v1/action/", self.base)).send_json(&self.action_body(email, comment));
        let (status, _, body) = self.answer(sent).await?;
        assert_eq!(status, 201, "before the kill every action is accepted: {body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        Some(json["action_id"].as_i64().expect("action_id"))
    }

    async fn rest_actions(&self, c: usize) {
        for i in 0..MIXED_PER_CLIENT {
            let email = format!("mixed-rest-{c}-{i}@example.org");
            let Some(id) = self.rest_action(&email, &format!("rest {c} {i}")).await else { return };
            self.acknowledged(id, email);
        }
    }

    /// The HTML form: `POST /act/` answers 302 to the thanks page, naming the action.
    async fn form_actions(&self, c: usize) {
        for i in 0..MIXED_PER_CLIENT {
            let email = format!("mixed-form-{c}-{i}@example.org");
            let comment = format!("form {c} {i}");
            let form = [
                ("page", "stay-informed"),
                ("email", email.as_str()),
                ("action_comment", comment.as_str()),
                ("country", "Germany"),
                ("privacy", self.privacy.as_str()),
            ];
            let sent = self.client.post(format!("{}/act/", self.base)).send_form(&form);
            let Some((status, location, body)) = self.answer(sent).await else { return };
            assert_eq!(status, 302, "before the kill every form action is accepted: {body}");
            let id = location
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("action_id=")?.parse().ok())
                .unwrap_or_else(|| panic!("the thanks page names the action: {location}"));
            self.acknowledged(id, email);
        }
    }

    async fn page_gets(&self, c: usize) {
        for i in 0..MIXED_PAGE_GETS {
            if !self.alive() {
                return;
            }
            let sent = self.client.get(format!("{}{}", self.base, PAGES[(c + i) % PAGES.len()])).send();
            let Some((status, _, body)) = self.answer(sent).await else { return };
            assert_eq!(status, 200, "before the kill every page renders: {body}");
            self.log.borrow_mut().pages += 1;
        }
    }

    /// An action, then `POST /api/users/forget` for its email (SPEC G3).
    async fn forgets(&self) {
        for i in 0..MIXED_PER_CLIENT {
            let email = format!("mixed-forget-{i}@example.org");
            let Some(id) = self.rest_action(&email, "to be forgotten").await else { return };
            self.acknowledged(id, email.clone());
            self.log.borrow_mut().forgetting.push(email.clone());
            let sent = self
                .client
                .post(format!("{}/api/users/forget", self.base))
                .insert_header(("Api-Key", self.api_key.as_str()))
                .send_json(&serde_json::json!({ "email": email }));
            let Some((status, _, body)) = self.answer(sent).await else { return };
            assert_eq!(status, 200, "before the kill every forget is done: {body}");
            self.log.borrow_mut().forgotten.push(email);
        }
    }

    /// A staff write over REST: `POST /rest/v1/list/` with HTTP Basic.
    async fn staff_writes(&self) {
        for i in 0..MIXED_PER_CLIENT {
            if !self.alive() {
                return;
            }
            let name = format!("Crash list {i}");
            let sent = self
                .client
                .post(format!("{}/rest/v1/list/", self.base))
                .insert_header(("Authorization", self.staff_auth.as_str()))
                .send_json(&serde_json::json!({ "name": name }));
            let Some((status, _, body)) = self.answer(sent).await else { return };
            assert_eq!(status, 201, "before the kill every staff write is stored: {body}");
            self.log.borrow_mut().lists.push(name);
        }
    }
}

/// Sets up what the mixed load needs on the seeded database: a thank-you mail on the
/// page the actions use (SPEC P16), an API key for the forgets, a staff account for REST.
fn prepare_mixed(url: &str) -> (String, String) {
    use base64::Engine as _;
    let mut conn = placard::db::DbTarget::parse(url, "FULL").expect("url").connect().expect("connect");
    let now = chrono::Utc::now().naive_utc();
    let page = placard::pages::store::find_by_name(&mut conn, "stay-informed").expect("query").expect("demo page");
    let thanks = placard::pages::followup::FollowupChanges {
        send_email: true,
        email_subject: "Thanks for staying informed".into(),
        email_body: "<p>We will be in touch.</p>".into(),
        ..placard::pages::followup::FollowupChanges::default()
    };
    placard::pages::followup::upsert(&mut conn, page.id, &thanks).expect("follow-up saved");
    let api_key = placard::staff::apikeys::create(&mut conn, "crash test", now).expect("API key");
    let staff = placard::people::Email::parse("crash-staff@example.org").expect("staff email");
    placard::staff::add_or_reset(&mut conn, &staff, "crash staff password", placard::staff::Role::Admin)
        .expect("staff account");
    let auth = base64::engine::general_purpose::STANDARD.encode("crash-staff@example.org:crash staff password");
    (api_key, format!("Basic {auth}"))
}

/// Runs every mixed-load client against `server` until the kill ends them; what they were told.
async fn mixed_load_until_killed(base: String, server: Server, api_key: String, staff_auth: String) -> MixedLog {
    let load = Rc::new(MixedLoad {
        base,
        client: awc::Client::builder().disable_redirects().timeout(std::time::Duration::from_secs(30)).finish(),
        server: RefCell::new(Some(server)),
        log: RefCell::new(MixedLog::default()),
        privacy: PrivacyHash::of("optin", OPTIN).to_string(),
        api_key,
        staff_auth,
    });
    let mut clients: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>> = vec![];
    for c in 0..MIXED_REST_CLIENTS {
        let load = load.clone();
        clients.push(Box::pin(async move { load.rest_actions(c).await }));
    }
    for c in 0..MIXED_FORM_CLIENTS {
        let load = load.clone();
        clients.push(Box::pin(async move { load.form_actions(c).await }));
    }
    for c in 0..MIXED_PAGE_CLIENTS {
        let load = load.clone();
        clients.push(Box::pin(async move { load.page_gets(c).await }));
    }
    let forgetter = load.clone();
    clients.push(Box::pin(async move { forgetter.forgets().await }));
    let staff = load.clone();
    clients.push(Box::pin(async move { staff.staff_writes().await }));
    futures_util::future::join_all(clients).await;
    assert!(!load.alive(), "the server was killed mid-load");
    let log = Rc::try_unwrap(load).ok().expect("clients done").log.into_inner();
    assert!(log.failed > 0, "requests were in flight when the server died");
    assert!(log.pages > 0 && !log.forgotten.is_empty() && !log.lists.is_empty(), "every kind of request ran");
    log
}

/// Mail the dead server had claimed stays claimed until its claim is stale
/// (`STALE_AFTER_MINUTES`): ages those claims to stand for that wait. Returns their ids.
fn age_claims_of_the_dead(conn: &mut DbConnection) -> Vec<i64> {
    use placard::mail::store as outbox;
    let in_flight: Vec<i64> = core_outbox::table
        .filter(core_outbox::status.eq(outbox::SENDING))
        .select(core_outbox::id)
        .load(conn)
        .expect("claimed mail");
    let aged = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(outbox::STALE_AFTER_MINUTES + 1);
    diesel::update(core_outbox::table.filter(core_outbox::status.eq(outbox::SENDING)))
        .set(core_outbox::claimed_at.eq(Some(aged)))
        .execute(conn)
        .expect("age claims");
    in_flight
}

/// Every acknowledged action is stored with its supporter, unless their forget was
/// acknowledged too (then they are gone and listed as forgotten); every acknowledged
/// staff write is stored.
fn assert_acknowledged_kept(conn: &mut DbConnection, log: &MixedLog) {
    use placard::db::schema::{core_forgotten, core_list};
    for (action_id, email) in &log.actions {
        let user: Option<String> = core_action::table
            .inner_join(core_user::table.on(core_user::id.nullable().eq(core_action::user_id)))
            .filter(core_action::id.eq(action_id))
            .select(core_user::email)
            .first(conn)
            .optional()
            .expect("query");
        if log.forgotten.contains(email) {
            assert_eq!(user, None, "action {action_id}: its supporter was forgotten and stays so");
            let hash = placard::gdpr::forget_hash(email);
            let listed: i64 =
                core_forgotten::table.filter(core_forgotten::hash.eq(hash)).count().get_result(conn).expect("q");
            assert!(listed > 0, "an acknowledged forget of {email} is kept");
        } else if !log.forgetting.contains(email) {
            assert_eq!(user.as_ref(), Some(email), "acknowledged action {action_id} for {email} is stored");
        }
    }
    for name in &log.lists {
        let found: i64 = core_list::table.filter(core_list::name.eq(name)).count().get_result(conn).expect("q");
        assert_eq!(found, 1, "the acknowledged staff write {name:?} is stored");
    }
}

/// Waits until no mail is queued or being sent, taking what the sink receives meanwhile;
/// every message received, across the kill.
async fn drain_outbox(conn: &mut DbConnection, sink: &mut crate::smtp_sink::SmtpSink) -> Vec<Received> {
    use placard::mail::store as outbox;
    let mut received = vec![];
    let deadline = std::time::Instant::now() + OUTBOX_DEADLINE;
    loop {
        let pending: i64 = core_outbox::table
            .filter(core_outbox::status.eq_any([outbox::QUEUED, outbox::SENDING]))
            .count()
            .get_result(conn)
            .expect("pending mail");
        if pending == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{pending} mails still undelivered");
        received.extend(sink.next_message(std::time::Duration::from_millis(500)).await);
    }
    // A row is marked sent only after the sink took its message: nothing more is coming.
    while let Some(message) = sink.try_next() {
        received.push(message);
    }
    received
}

/// Each mail in the outbox arrived, once; twice only if the dead server had claimed it
/// (at-least-once across a crash), and then under one Message-ID so a receiver drops the
/// copy. Mail with no row left went to a since-forgotten supporter. Returns
/// `(mails, sent twice)`.
fn assert_each_mail_once(
    conn: &mut DbConnection,
    received: &[Received],
    in_flight: &[i64],
    log: &MixedLog,
) -> (usize, usize) {
    use placard::mail::store as outbox;
    let rows: Vec<(i64, String, String)> = core_outbox::table
        .select((core_outbox::id, core_outbox::to_email, core_outbox::status))
        .load(conn)
        .expect("outbox");
    let mut by_recipient: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
    for message in received {
        by_recipient.entry(message.rcpt_to.join(",")).or_default().push(message.header("Message-ID"));
    }
    let mut resent = 0;
    for (id, to, status) in &rows {
        assert_eq!(status, outbox::SENT, "mail {id} was delivered");
        let copies = by_recipient.remove(to).unwrap_or_default();
        assert!(!copies.is_empty(), "mail {id} to {to} is marked sent but never arrived");
        if copies.len() > 1 {
            assert!(
                in_flight.contains(id),
                "mail {id} arrived {} times though no server died sending it",
                copies.len()
            );
            assert!(copies.iter().all(|m| m.is_some() && *m == copies[0]), "copies share a Message-ID: {copies:?}");
            resent += 1;
        }
    }
    for (to, copies) in &by_recipient {
        assert!(log.forgetting.contains(to), "a mail to {to} arrived that no outbox row holds");
        assert_eq!(copies.len(), 1, "the thanks to a since-forgotten {to} went out once");
    }
    let live_acked = log.actions.iter().filter(|(_, e)| !log.forgetting.contains(e)).count();
    assert!(rows.len() > live_acked, "every kept action queued its thanks (and the one after restart)");
    (rows.len(), resent)
}

async fn sigkill_mid_mixed_load_loses_nothing_and_mails_once(backend: Backend) {
    let Some((_db, url)) = TestDb::create(backend) else { return };
    let mut sink = crate::smtp_sink::SmtpSink::start().await;
    let smtp = [("PLACARD_SMTP_URL", sink.url())];
    // Seed, then set up while no server runs, then serve with mail on.
    let (server, _) = start(&url, true).await;
    drop(server);
    let (api_key, staff_auth) = prepare_mixed(&url);
    let (server, base) = start_with(&url, false, &smtp).await;
    let log = mixed_load_until_killed(base, server, api_key, staff_auth).await;

    let mut conn = placard::db::DbTarget::parse(&url, "FULL").expect("url").connect().expect("connect");
    let in_flight = age_claims_of_the_dead(&mut conn);
    let (server, base) = start_with(&url, false, &smtp).await;
    assert_acknowledged_kept(&mut conn, &log);
    let stored = assert_nothing_half_stored(&mut conn);
    let entries = assert_consent_log_verifies(&url);

    // It serves again; the new action's thanks goes out too.
    let res = awc::Client::default()
        .post(format!("{base}/rest/v1/action/"))
        .send_json(&serde_json::json!({"page": "stay-informed", "email": "after-mixed@example.org"}))
        .await
        .expect("POST after restart");
    assert_eq!(res.status().as_u16(), 201);

    let received = drain_outbox(&mut conn, &mut sink).await;
    let (mails, resent) = assert_each_mail_once(&mut conn, &received, &in_flight, &log);
    drop(server);
    eprintln!(
        "mixed crash test ({backend:?}): {} actions acknowledged, {} forgotten, {} staff lists, {} page GETs, \
         {} cut off; {stored} actions stored, {entries} consent-log entries; {mails} mails delivered, {} claimed at \
         the kill, {resent} sent twice under one Message-ID",
        log.actions.len(),
        log.forgotten.len(),
        log.lists.len(),
        log.pages,
        log.failed,
        in_flight.len(),
    );
}

#[actix_web::test]
async fn a10_o4_p16_sigkill_mid_mixed_load_loses_nothing_and_mails_once_sqlite() {
    sigkill_mid_mixed_load_loses_nothing_and_mails_once(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a10_o4_p16_sigkill_mid_mixed_load_loses_nothing_and_mails_once_postgres() {
    sigkill_mid_mixed_load_loses_nothing_and_mails_once(Backend::Postgres).await;
}
