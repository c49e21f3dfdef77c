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

const BIN: &str = env!("CARGO_BIN_EXE_placard");
/// Concurrent clients, and the most actions each posts.
const CLIENTS: usize = 16;
const PER_CLIENT: usize = 60;
/// SIGKILL once this many 201s have been received (of at most CLIENTS × PER_CLIENT).
const KILL_AFTER: usize = 300;
/// The demo's opt-in text (privacy records are on for Germany on the demo site).
const OPTIN: &str = "Yes, keep me informed by email about this and related campaigns.";

fn placard(database_url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null());
    cmd
}

/// Kills the server when dropped (the test's end, passed or failed).
struct Server(Child);

impl Server {
    fn sigkill(mut self) {
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
    let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
    if demo {
        args.push("--demo");
    }
    let child = placard(database_url)
        .args(&args)
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

/// Every stored action (acknowledged or not) is whole: each has its user, one action
/// field, and the same number of subscription-history rows, privacy records and mails as
/// every other; each privacy record has its consent-log entry.
fn assert_nothing_half_stored(conn: &mut DbConnection) -> usize {
    let actions: Vec<(i64, Option<i64>)> =
        core_action::table.select((core_action::id, core_action::user_id)).load(conn).expect("actions");
    let users: i64 = core_user::table.count().get_result(conn).expect("users");
    assert_eq!(users, i64::try_from(actions.len()).unwrap(), "one new supporter per action, no user without one");
    assert!(actions.iter().all(|(_, u)| u.is_some()), "every action has its user");
    let subscriptions: i64 = core_subscription::table.count().get_result(conn).expect("subscriptions");
    assert_eq!(subscriptions, users, "every supporter is subscribed by their action");

    let fields: Vec<Option<i64>> =
        core_actionfield::table.select(core_actionfield::parent_id.nullable()).load(conn).expect("fields");
    let history: Vec<Option<i64>> =
        core_subscriptionhistory::table.select(core_subscriptionhistory::action_id).load(conn).expect("history");
    let records: Vec<Option<i64>> =
        core_privacyrecord::table.select(core_privacyrecord::action_id).load(conn).expect("records");
    let mails: Vec<Option<i64>> = core_outbox::table.select(core_outbox::action_id).load(conn).expect("mails");
    for (what, rows, at_least) in [
        ("action field", fields, 1),
        ("subscription history", history, 1),
        ("privacy record", records, 1),
        ("mail", mails, 0),
    ] {
        let counts = per_action(conn, &rows);
        let first = counts.values().next().copied().unwrap_or_default();
        assert!(first >= at_least, "each action has at least {at_least} {what}");
        assert!(counts.values().all(|n| *n == first), "every action has {first} {what}(s): {counts:?}");
    }
    let record_ids: Vec<i64> = core_privacyrecord::table.select(core_privacyrecord::id).load(conn).expect("ids");
    let logged: Vec<i64> = core_consentlog::table.select(core_consentlog::record_id).load(conn).expect("log");
    for id in &record_ids {
        assert!(logged.contains(id), "privacy record {id} has its consent-log entry");
    }
    actions.len()
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

    let out = placard(&url).arg("verify-consent-log").output().expect("placard runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains("The consent log verifies."), "{stdout}");
    let entries: usize = stdout
        .lines()
        .find_map(|l| l.split_once(" log entries")?.0.parse().ok())
        .unwrap_or_else(|| panic!("a count of log entries: {stdout}"));
    assert!(entries >= stored, "every stored action's consent was logged and checked: {stdout}");

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
