//! The operations endpoints as a monitoring system sees them: `/healthz`, `/readyz` and the
//! Prometheus metrics, counted per route template (never per raw path).

use quiver::ops::{Operations, OpsAppExt};
use quiver::prelude::*;

/// One item.
#[get("/items/{id}")]
async fn item(#[path] id: u32) -> Json<u32> {
    Json(id)
}

/// Always fails.
#[get("/broken")]
async fn broken() -> Result<Json<u32>> {
    Err(quiver::Error::internal(std::io::Error::other("disk full")))
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    let app = App::new().routes(routes![item, broken]).operations(Operations::new().database(db));
    let client = TestClient::new(app);
    for id in [1, 2, 3] {
        assert_eq!(client.get(&format!("/items/{id}")).await.status(), 200);
    }
    assert_eq!(client.get("/items/x").await.status(), 422);
    assert_eq!(client.get("/broken").await.status(), 500);
    assert_eq!(client.get("/nowhere").await.status(), 404);

    let metrics = client.get("/metrics").await;
    assert_eq!(metrics.status(), 200);
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
    let text = metrics.text();
    let has = |line: &str| text.lines().any(|l| l == line);
    assert!(
        has(r#"http_requests_total{method="GET",route="/items/{id}",status="200"} 3"#),
        "{text}"
    );
    assert!(
        has(r#"http_requests_total{method="GET",route="/items/{id}",status="422"} 1"#),
        "{text}"
    );
    assert!(has(r#"http_requests_total{method="GET",route="/broken",status="500"} 1"#), "{text}");
    assert!(!text.contains("/items/1"), "one series per route, not per path: {text}");
    assert!(!text.contains("/nowhere"), "unknown paths cannot grow the series: {text}");
    assert!(
        has(r#"http_request_duration_seconds_count{method="GET",route="/items/{id}"} 4"#),
        "{text}"
    );
    assert!(
        text.contains(
            r#"http_request_duration_seconds_bucket{method="GET",route="/items/{id}",le="0.005"}"#
        ),
        "a histogram with buckets: {text}"
    );
    // The /metrics request itself is in flight while the text is made (the other tests of
    // this file share the process-wide recorder, so theirs may be too).
    let in_flight = text.lines().find_map(|l| l.strip_prefix("http_requests_in_flight "));
    assert!(in_flight.and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n >= 1), "{text}");
    assert!(has(r#"db_pool_connections{state="open"} 1"#), "{text}");
    assert!(text.contains("# HELP http_requests_total"), "{text}");
}

#[tokio::test]
async fn health_and_readiness_answer_and_stay_out_of_the_document() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    let app = App::new().routes(routes![item]).operations(Operations::new().database(db));
    let document = app.openapi();
    let client = TestClient::new(app);
    let health = client.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text(), r#"{"status":"ok"}"#);
    let ready = client.get("/readyz").await;
    assert_eq!(ready.json::<serde_json::Value>()["database"], "ok");
    let paths = document["paths"].as_object().unwrap();
    assert_eq!(paths.keys().collect::<Vec<_>>(), ["/items/{id}"]);
}

#[tokio::test]
async fn readiness_fails_with_503_when_the_database_is_gone() {
    let Ok(url) = std::env::var("QUIVER_TEST_POSTGRES_URL") else {
        eprintln!("skipped: set QUIVER_TEST_POSTGRES_URL to run this test against PostgreSQL");
        return;
    };
    // A database that existed at start and was dropped while the app ran.
    let admin = Db::connect(&url).await.unwrap();
    let name = format!("quiver_readyz_{}", std::process::id());
    admin.execute_raw(&format!("DROP DATABASE IF EXISTS {name}"), []).await.unwrap();
    admin.execute_raw(&format!("CREATE DATABASE {name}"), []).await.unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let options =
        quiver::orm::PoolOptions::default().acquire_timeout(std::time::Duration::from_secs(1));
    let db = Db::connect_with(&format!("{base}/{name}"), options).await.unwrap();
    let client = TestClient::new(App::new().operations(Operations::new().database(db.clone())));
    assert_eq!(client.get("/readyz").await.status(), 200);
    admin.execute_raw(&format!("DROP DATABASE {name} WITH (FORCE)"), []).await.unwrap();
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.json::<serde_json::Value>(),
        serde_json::json!({"status": "unavailable", "database": "unreachable"}),
        "the reason is logged, not sent"
    );
    assert_eq!(client.get("/healthz").await.status(), 200, "the process itself is fine");
}

#[tokio::test]
async fn cpu_pool_queues_waits_and_refusals_are_exported() {
    use quiver::cpu::CpuPool;
    let pool = CpuPool::builder().name("resize").threads(1).queue(0).build().unwrap();
    let client = TestClient::new(App::new().operations(Operations::new()));
    let (started, release) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let busy = {
        let pool = pool.clone();
        let (tell, wait) = (started.0, release.1);
        tokio::spawn(async move {
            pool.run(move |_| {
                tell.send(()).unwrap();
                wait.recv().unwrap();
            })
            .await
        })
    };
    tokio::task::spawn_blocking(move || started.1.recv().unwrap()).await.unwrap();
    let refused = pool.run(|_| ()).await.unwrap_err();
    assert_eq!(refused.retry_after(), 1);
    release.0.send(()).unwrap();
    busy.await.unwrap().unwrap();

    let text = client.get("/metrics").await.text();
    let has = |line: &str| text.lines().any(|l| l == line);
    assert!(has(r#"cpu_pool_rejected_total{pool="resize",reason="queue_full"} 1"#), "{text}");
    assert!(has(r#"cpu_pool_jobs_total{pool="resize"} 1"#), "{text}");
    assert!(has(r#"cpu_pool_queue_length{pool="resize"} 0"#), "{text}");
    assert!(has(r#"cpu_pool_wait_seconds_count{pool="resize"} 1"#), "{text}");
    assert!(text.contains(r#"cpu_pool_wait_seconds_bucket{pool="resize",le="0.001"}"#), "{text}");
}
