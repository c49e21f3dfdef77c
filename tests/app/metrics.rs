//! `/metrics` (SPEC O5): Prometheus text with requests by route pattern, latency, actions
//! by source, the writer and the mail outbox; never a raw path or an email; served to
//! direct loopback clients, or to anyone with `PLACARD_METRICS_TOKEN` as a bearer token.

use crate::helpers::{both_backends, test_config, Backend, TestDb};
use actix_web::web;
use placard::{AppState, Application, Config};
use serde_json::json;

/// The value of the sample line that starts with `series` (name and labels), if any.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

const ACTION_POSTS: &str = r#"placard_http_requests_total{method="POST",route="/rest/v1/action/",status="2xx"}"#;
const API_ACTIONS: &str = r#"placard_actions_stored_total{source="restful_api"}"#;

both_backends!(o5_metrics_count_requests_by_route_pattern_without_personal_data, |app| {
    let (status, before, headers) = app.get("/metrics").await;
    assert_eq!(status, 200, "{before}");
    assert!(headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("openmetrics-text"));

    let (status, body, _) =
        app.post_json("/rest/v1/action/", json!({"page": "stay-informed", "email": "Metric.Person@example.org"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = app.get("/sign/save-the-bees/").await;
    assert_eq!(status, 200);
    // A raw path with an email in it, on a route that does not exist and one that does.
    let _ = app.get("/no/such/place/someone%40example.org").await;
    let _ = app.get("/rest/v1/user/?email=someone%40example.org").await;

    let (status, text, _) = app.get("/metrics").await;
    assert_eq!(status, 200);
    let count = |t: &str, s: &str| sample(t, s).unwrap_or(0.0);
    // The registry is the process's: other tests count too, so "at least one more".
    assert!(count(&text, ACTION_POSTS) >= count(&before, ACTION_POSTS) + 1.0, "{text}");
    assert!(count(&text, API_ACTIONS) >= count(&before, API_ACTIONS) + 1.0, "{text}");
    assert!(text.contains(r#"route="/{kind}/{name}/""#), "the page GET under its pattern: {text}");
    assert!(text.contains(r#"route="unmatched""#), "{text}");
    assert!(text.contains(r"placard_http_request_duration_seconds_bucket{le="), "{text}");
    assert!(text.contains(r#"placard_mail_outbox{status="queued"}"#), "{text}");
    if matches!(app.state.db.backend(), placard::db::Backend::Sqlite) {
        assert!(sample(&text, r#"placard_writer_commits_total{result="ok"}"#).unwrap_or(0.0) >= 1.0, "{text}");
        assert!(text.contains("placard_writer_queue_depth "), "{text}");
        assert!(text.contains("placard_writer_batch_size_bucket"), "{text}");
    }
    for personal in ["@", "example.org", "metric.person", "save-the-bees", "/no/such", "email="] {
        assert!(!text.to_lowercase().contains(personal), "{personal:?} must not appear in /metrics:\n{text}");
    }
});

both_backends!(o5_metrics_refuse_a_request_that_came_through_a_proxy, |app| {
    let mut res = app
        .client
        .get(app.url("/metrics"))
        .insert_header(("X-Forwarded-For", "203.0.113.9"))
        .send()
        .await
        .expect("answered");
    let body = res.body().await.expect("body");
    assert_eq!(res.status().as_u16(), 403, "{body:?}");
    assert!(String::from_utf8_lossy(&body).contains("PLACARD_METRICS_TOKEN"));
});

/// With a token configured, only a caller sending it reads the metrics (loopback or not).
#[actix_web::test]
async fn o5_metrics_with_a_token_need_the_bearer_token() {
    placard::telemetry::init();
    let (_db, url) = TestDb::create(Backend::Sqlite).expect("sqlite");
    let config = Config { metrics_token: Some("scrape-me-please".into()), ..test_config(url) };
    let state = web::Data::new(AppState::open(config).expect("app state opens"));
    let app = Application::serve(state).expect("server binds");
    let base = format!("http://127.0.0.1:{}/metrics", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    let client = awc::Client::default();
    for auth in [None, Some("Bearer wrong"), Some("scrape-me-please"), Some("Bearer scrape-me-pleasX")] {
        let mut req = client.get(&base);
        if let Some(value) = auth {
            req = req.insert_header(("Authorization", value));
        }
        let res = req.send().await.expect("answered");
        assert_eq!(res.status().as_u16(), 401, "{auth:?}");
        assert!(res.headers().contains_key("www-authenticate"));
    }
    let mut res =
        client.get(&base).insert_header(("Authorization", "Bearer scrape-me-please")).send().await.expect("answered");
    assert_eq!(res.status().as_u16(), 200);
    let text = String::from_utf8_lossy(&res.body().await.expect("body")).into_owned();
    assert!(text.contains("placard_http_requests_total"), "{text}");
}
