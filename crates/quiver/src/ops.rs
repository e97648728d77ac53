//! What an operator needs from a running app: `/healthz` (the process answers), `/readyz` (the
//! database answers too), Prometheus metrics at `/metrics` (requests by route and status, a
//! latency histogram, requests in flight, the database pool, the CPU pools' queues, waits and
//! refusals), and logs as JSON lines for log collectors. [`Project`](crate::Project) installs all of it; an app without a project adds it
//! with [`OpsAppExt::operations`].
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use quiver::ops::{Operations, OpsAppExt};
//! use quiver::prelude::*;
//!
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! let client = TestClient::new(App::new().operations(Operations::new().database(db)));
//! assert_eq!(client.get("/healthz").await.status(), 200);
//! assert_eq!(client.get("/readyz").await.json::<serde_json::Value>()["database"], "ok");
//! let metrics = client.get("/metrics").await.text();
//! assert!(metrics.contains("http_requests_total"), "{metrics}");
//! # });
//! ```

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::MatchedPath;
use http::{Method, StatusCode};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::orm::Db;
use crate::response::{IntoResponse, Response};
use crate::{App, Route};

/// The latency histogram's buckets, in seconds: from a cache hit to a slow report.
const LATENCY_BUCKETS: &[f64] =
    &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Health, readiness and metrics routes for an app ([`OpsAppExt::operations`]).
///
/// ```
/// let ops = quiver::ops::Operations::new().metrics_path(Some("/internal/metrics"));
/// # let _ = ops;
/// ```
#[derive(Debug, Clone)]
pub struct Operations {
    db: Option<Db>,
    metrics_path: Option<String>,
}

impl Default for Operations {
    fn default() -> Self {
        Self::new()
    }
}

impl Operations {
    /// `/healthz`, `/readyz` and `/metrics`, without a database.
    pub fn new() -> Self {
        Self { db: None, metrics_path: Some("/metrics".to_owned()) }
    }

    /// The database `/readyz` checks and whose pool `/metrics` reports.
    pub fn database(mut self, db: Db) -> Self {
        self.db = Some(db);
        self
    }

    /// Where the metrics are served (`None`: not served, still recorded).
    pub fn metrics_path(mut self, path: Option<&str>) -> Self {
        self.metrics_path = path.map(str::to_owned);
        self
    }
}

/// Adds [`Operations`] to an [`App`].
pub trait OpsAppExt {
    /// Serves `/healthz`, `/readyz` and `/metrics` (left out of the OpenAPI document) and counts
    /// every request for the metrics.
    ///
    /// ```
    /// use quiver::ops::{Operations, OpsAppExt};
    ///
    /// let app = quiver::App::new().operations(Operations::new());
    /// # let _ = app;
    /// ```
    fn operations(self, operations: Operations) -> Self;
}

impl OpsAppExt for App {
    fn operations(self, operations: Operations) -> Self {
        let metrics = prometheus();
        let Operations { db, metrics_path } = operations;
        let mut routes = vec![
            Route::new(Method::GET, "/healthz", || async {
                crate::response::Json(serde_json::json!({ "status": "ok" }))
            })
            .name("healthz")
            .hidden(),
            Route::new(Method::GET, "/readyz", {
                let db = db.clone();
                move || ready(db)
            })
            .name("readyz")
            .hidden(),
        ];
        if let Some(path) = metrics_path {
            routes.push(
                Route::new(Method::GET, path, move || {
                    let text = render_metrics(metrics, db.as_ref());
                    async move {
                        ([(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text)
                    }
                })
                .name("metrics")
                .hidden(),
            );
        }
        self.routes(routes).layer(axum::middleware::from_fn(count_request))
    }
}

/// `/readyz`: 200 when the database answers within two seconds, 503 otherwise.
async fn ready(db: Option<Db>) -> Response {
    let Some(db) = db else {
        return crate::response::Json(serde_json::json!({ "status": "ok" })).into_response();
    };
    let ping = db.fetch_raw("SELECT 1", [], |_| Ok(()));
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => crate::response::Json(serde_json::json!({ "status": "ok", "database": "ok" }))
            .into_response(),
        outcome => {
            let problem = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => "no answer within 2 s".to_owned(),
            };
            tracing::warn!(%problem, "readiness check failed");
            let body = serde_json::json!({ "status": "unavailable", "database": "unreachable" });
            (StatusCode::SERVICE_UNAVAILABLE, crate::response::Json(body)).into_response()
        }
    }
}

/// The process's Prometheus recorder, installed on first use.
fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Every duration (request latency, CPU pool waits) is a histogram with these buckets.
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
            .expect("the latency buckets are not empty");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed: /metrics will stay empty");
        }
        describe_metrics();
        handle
    })
}

fn describe_metrics() {
    metrics::describe_counter!("http_requests_total", "Requests answered, by route and status.");
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time from the request's arrival to its response's head."
    );
    metrics::describe_gauge!("http_requests_in_flight", "Requests being handled now.");
    metrics::describe_gauge!("db_pool_connections", "Database connections, open and idle.");
    metrics::describe_gauge!("cpu_pool_queue_length", "Jobs waiting for a CPU pool thread.");
    metrics::describe_gauge!("cpu_pool_busy_threads", "CPU pool threads running a job.");
    metrics::describe_histogram!(
        "cpu_pool_wait_seconds",
        metrics::Unit::Seconds,
        "Time a job waited for a CPU pool thread."
    );
    metrics::describe_counter!(
        "cpu_pool_rejected_total",
        "Jobs a CPU pool refused (503), by reason."
    );
    metrics::describe_counter!(
        "http_requests_shed_total",
        "Requests a route's concurrency limit refused (503)."
    );
}

/// The metrics in Prometheus' text format, with the pool read now.
fn render_metrics(handle: &PrometheusHandle, db: Option<&Db>) -> String {
    if let Some(db) = db {
        let status = db.pool_status();
        metrics::gauge!("db_pool_connections", "state" => "open").set(f64::from(status.open));
        metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(status.idle));
    }
    handle.run_upkeep();
    handle.render()
}

/// Counts a request under its route template (never the raw path: one series per route).
async fn count_request(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().as_str().to_owned();
    let in_flight = InFlight::start();
    let started = Instant::now();
    let response = next.run(request).await;
    drop(in_flight);
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels[..2])
        .record(started.elapsed().as_secs_f64());
    response
}

/// `http_requests_in_flight` up while alive, down when dropped (also when the client hangs up).
struct InFlight;

impl InFlight {
    fn start() -> Self {
        metrics::gauge!("http_requests_in_flight").increment(1.0);
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!("http_requests_in_flight").decrement(1.0);
    }
}

/// Logs to stderr: readable lines in development, one JSON object a line (with the request's
/// span: method, path, request ID) when `json` is true, as log collectors want. `RUST_LOG`
/// filters (default `info`). Does nothing when a logger is already set.
///
/// ```
/// quiver::ops::init_logging(false);
/// ```
pub fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        builder.json().with_current_span(true).with_span_list(false).try_init()
    } else {
        builder.try_init()
    };
}
