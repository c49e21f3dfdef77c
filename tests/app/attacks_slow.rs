//! Slow clients (SPEC O1, availability): a client that sends its request head slowly, or
//! stops mid-way, is answered 408 and disconnected (`client_request_timeout`); one that
//! stops sending a body, or trickles it a byte at a time, is cut off by the body pacing
//! of `http::body::cut_stalled_bodies`, and the half-sent action is not stored. Raw TCP
//! connections against a server whose client timeout is one second; the only clock is a
//! generous deadline after which the test fails, never a duration it asserts.

use crate::helpers::{test_config, Backend, TestDb};
use actix_web::web;
use placard::{AppState, Application};
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Fails the test if the server has not cut the client off by then.
const DEADLINE: Duration = Duration::from_secs(60);
/// How often the trickling client sends its next byte (the attack's pace, well within
/// the one-second stall limit, so only the average-rate rule can stop it).
const TRICKLE: Duration = Duration::from_millis(200);

struct SlowApp {
    addr: String,
    state: web::Data<AppState>,
    _db: TestDb,
}

#[allow(clippy::unused_async)] // awaited like every other spawn, in an actix runtime
async fn spawn(backend: Backend) -> Option<SlowApp> {
    placard::telemetry::init();
    let (db, url) = TestDb::create(backend)?;
    let config = placard::Config { client_timeout: Duration::from_secs(1), ..test_config(url) };
    let state = web::Data::new(AppState::open(config).expect("app state opens"));
    state.db.writer.submit_now(placard::demo::seed_if_empty).expect("demo seeds");
    let app = Application::serve(state.clone()).expect("server binds");
    let addr = format!("127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    Some(SlowApp { addr, state, _db: db })
}

fn users(app: &SlowApp) -> i64 {
    use diesel::prelude::*;
    app.state.db.read_now(|c| Ok(placard::db::schema::core_user::table.count().get_result::<i64>(c)?)).expect("count")
}

/// Reads until the server closes the connection (or resets it); what it sent.
async fn read_until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&got).into_owned(),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}

/// Sends `first`, then (when `trickle` is given) one byte of it every [`TRICKLE`] until
/// the server closes; returns what the server answered before closing.
async fn attack(addr: &str, first: &[u8], trickle: Option<&[u8]>) -> String {
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut read, mut write) = stream.into_split();
    write.write_all(first).await.expect("first bytes sent");
    let reader = read_until_closed(&mut read);
    let writer = async {
        if let Some(rest) = trickle {
            for byte in rest.iter().cycle() {
                if write.write_all(&[*byte]).await.is_err() {
                    break;
                }
                actix_web::rt::time::sleep(TRICKLE).await;
            }
        }
        std::future::pending::<()>().await;
    };
    let answered = actix_web::rt::time::timeout(DEADLINE, async {
        match futures_util::future::select(Box::pin(reader), Box::pin(writer)).await {
            futures_util::future::Either::Left((got, _)) => got,
            futures_util::future::Either::Right(((), _)) => unreachable!("the writer only ends by being dropped"),
        }
    })
    .await;
    answered.unwrap_or_else(|_| panic!("the server did not cut the slow client off within {DEADLINE:?}"))
}

async fn slow_head_is_answered_408_and_closed(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    // A head that never ends.
    let got = attack(&app.addr, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n", None).await;
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 408"), "a stalled head: {got:?}");
    // A head trickled a byte at a time (slowloris).
    let got = attack(&app.addr, b"GET /healthz HTTP/1.1\r\n", Some(b"X-Slow: a\r\n")).await;
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 408"), "a trickled head: {got:?}");
    // The server still serves others.
    let got = attack(&app.addr, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", None).await;
    assert!(got.starts_with("HTTP/1.1 200"), "a normal client is served: {got:?}");
}

async fn slow_body_is_cut_off_and_nothing_stored(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    let before = users(&app);
    let fields = b"page=stay-informed&email=slow%40example.org&first_name=Slow&comment=";
    for (path, trickle) in [("/act/", None), ("/act/", Some(&b"x"[..])), ("/rest/v1/action/", Some(&b"x"[..]))] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        );
        let mut first = head.into_bytes();
        first.extend_from_slice(fields);
        let got = attack(&app.addr, &first, trickle).await;
        let status = got.get(9..12).unwrap_or_default();
        assert!(
            got.is_empty() || status.starts_with('4'),
            "{path} (trickled: {}): a client error or a closed connection, got {got:?}",
            trickle.is_some()
        );
    }
    assert_eq!(users(&app), before, "no half-sent action was stored");
    // A body sent at once still goes through.
    let body = "page=stay-informed&email=fast%40example.org&first_name=Fast";
    let request = format!(
        "POST /act/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let got = attack(&app.addr, request.as_bytes(), None).await;
    assert!(got.starts_with("HTTP/1.1 302"), "a normal action is stored: {got:?}");
    assert_eq!(users(&app), before + 1);
}

#[actix_web::test]
async fn o1_slow_request_heads_are_answered_408_and_closed_sqlite() {
    slow_head_is_answered_408_and_closed(Backend::Sqlite).await;
}

#[actix_web::test]
async fn o1_slow_request_heads_are_answered_408_and_closed_postgres() {
    slow_head_is_answered_408_and_closed(Backend::Postgres).await;
}

#[actix_web::test]
async fn o1_stalled_and_trickled_bodies_are_cut_off_and_store_nothing_sqlite() {
    slow_body_is_cut_off_and_nothing_stored(Backend::Sqlite).await;
}

#[actix_web::test]
async fn o1_stalled_and_trickled_bodies_are_cut_off_and_store_nothing_postgres() {
    slow_body_is_cut_off_and_nothing_stored(Backend::Postgres).await;
}
