//! Prometheus metrics (SPEC O5): one process-wide registry, the functions the rest of the
//! code calls to count (`action_stored`, `writer_*`, `import_rows`), the request
//! middleware, and the text the `/metrics` handler (`http::metrics`) serves.
//!
//! Labels never carry personal data: requests are labelled by the route *pattern* actix
//! matched (`/rest/v1/user/{id}/`), never the raw path, and by a fixed set of methods;
//! unmatched paths share one label, so a scanner cannot grow the series without bound.
//! The registry is process-wide (a static), as Prometheus clients usually are: the writer
//! and the engine count without being handed a handle, and one process serves one site.

use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The content type of the OpenMetrics text `encode` writes (Prometheus reads it).
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels<const N: usize> = [(&'static str, String); N];

/// A request's labels: only the route pattern is not a fixed string (one allocation).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    method: &'static str,
    route: String,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram>,
    actions: Family<Labels<1>, Counter>,
    writer_queue: Gauge,
    writer_commits: Family<Labels<1>, Counter>,
    writer_batch: Histogram,
    outbox: Family<Labels<1>, Gauge>,
    import_rows: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("placard");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register("http_requests", "HTTP requests by method, route pattern and status class", requests.clone());
    // 0.25 ms … about 4 s: a page render is well under a millisecond, a durable commit a few.
    let latency = Family::<LatencyLabels, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.000_25, 2.0, 15))
    });
    registry.register("http_request_duration_seconds", "HTTP request latency by method and route", latency.clone());
    let actions = Family::<Labels<1>, Counter>::default();
    registry.register("actions_stored", "Actions stored by the engine, by source", actions.clone());
    let writer_queue = Gauge::default();
    registry.register(
        "writer_queue_depth",
        "Write jobs waiting for the SQLite group-commit thread",
        writer_queue.clone(),
    );
    let writer_commits = Family::<Labels<1>, Counter>::default();
    registry.register("writer_commits", "Group commits on SQLite, by result (ok or failed)", writer_commits.clone());
    let writer_batch = Histogram::new(exponential_buckets(1.0, 2.0, 9));
    registry.register("writer_batch_size", "Jobs per SQLite group commit", writer_batch.clone());
    let outbox = Family::<Labels<1>, Gauge>::default();
    registry.register("mail_outbox", "Mail in the outbox by status, read at scrape time", outbox.clone());
    let import_rows = Counter::default();
    registry.register(
        "import_rows_processed",
        "CSV import rows processed (stored, failed or skipped)",
        import_rows.clone(),
    );
    Metrics { registry, requests, latency, actions, writer_queue, writer_commits, writer_batch, outbox, import_rows }
});

/// The engine stored an action from `source` (`website`, `restful_api`, `import`). Counted
/// inside the job: a group commit that then fails (rare, and logged) over-counts.
pub fn action_stored(source: &'static str) {
    METRICS.actions.get_or_create(&[("source", source.to_owned())]).inc();
}

/// A job entered the SQLite writer's queue.
pub fn writer_queued() {
    METRICS.writer_queue.inc();
}

/// The writer thread took `jobs` off its queue.
pub fn writer_dequeued(jobs: usize) {
    METRICS.writer_queue.dec_by(i64::try_from(jobs).unwrap_or(i64::MAX));
}

/// A group commit of `jobs` jobs ended.
pub fn writer_committed(jobs: usize, ok: bool) {
    let result = if ok { "ok" } else { "failed" };
    METRICS.writer_commits.get_or_create(&[("result", result.to_owned())]).inc();
    #[allow(clippy::cast_precision_loss)] // batch sizes are at most a few hundred
    METRICS.writer_batch.observe(jobs as f64);
}

/// An import step processed `rows` rows.
pub fn import_rows(rows: usize) {
    METRICS.import_rows.inc_by(u64::try_from(rows).unwrap_or(u64::MAX));
}

/// The exposition text, with the outbox gauges set from `outbox` (`(status, count)` pairs
/// just read from the database, so every server reports the shared queue alike).
pub fn render(outbox: &[(String, i64)]) -> String {
    for status in ["queued", "sending", "failed"] {
        let count = outbox.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n);
        METRICS.outbox.get_or_create(&[("status", status.to_owned())]).set(count);
    }
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = encode(&mut text, &METRICS.registry);
    text
}

/// Request middleware: counts every answer and times it, labelled by route pattern.
pub async fn track_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let result = next.call(req).await;
    let (route, status) = match &result {
        Ok(res) => (res.request().match_pattern(), res.status()),
        Err(e) => (None, e.as_response_error().status_code()),
    };
    let elapsed = started.elapsed().as_secs_f64();
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    let status = match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    let latency = LatencyLabels { method, route };
    METRICS.latency.get_or_create(&latency).observe(elapsed);
    METRICS.requests.get_or_create(&RequestLabels { method, route: latency.route, status }).inc();
    result
}

/// A fixed set, so a client cannot mint label values with made-up methods.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
