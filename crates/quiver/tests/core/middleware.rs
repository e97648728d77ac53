use std::time::Duration;

use quiver::deps::tower_http::cors::CorsLayer;
use quiver::prelude::*;

#[get("/data")]
async fn data() -> String {
    "x".repeat(4000)
}

#[get("/slow")]
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(5)).await;
    "late"
}

fn app() -> App {
    App::new().routes(routes![data, slow])
}

#[tokio::test]
async fn cors_answers_preflights_for_allowed_origins() {
    let cors = CorsLayer::new()
        .allow_origin([
            http::HeaderValue::from_static("https://app.example.com"),
            http::HeaderValue::from_static("https://admin.example.com"),
        ])
        .allow_methods([http::Method::GET, http::Method::POST]);
    let c = TestClient::new(app().cors(cors));
    let r = c
        .options("/data")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://app.example.com"));
    let r = c.get("/data").header("origin", "https://evil.example").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let c = TestClient::new(app().compression());
    let r = c.get("/data").header("accept-encoding", "gzip").await;
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.bytes().len() < 200);
    let r = c.get("/data").header("accept-encoding", "br").await;
    assert_eq!(r.header("content-encoding"), Some("br"));
    let r = c.get("/data").await;
    assert_eq!(r.header("content-encoding"), None);
    assert_eq!(r.bytes().len(), 4000);
}

#[tokio::test]
async fn request_ids_are_kept_or_generated_and_echoed() {
    let c = TestClient::new(app());
    let r = c.get("/data").header("x-request-id", "abc-123").await;
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let generated = c.get("/data").await.header("x-request-id").map(str::to_owned).expect("an id");
    assert_eq!(generated.len(), 36);
    let error = c.get("/nowhere").await;
    assert!(error.header("x-request-id").is_some(), "errors carry the id too");
    let flood = "a".repeat(500);
    let replaced = c.get("/data").header("x-request-id", &flood).await;
    assert_eq!(
        replaced.header("x-request-id").map(str::len),
        Some(36),
        "an oversized id is replaced"
    );
}

#[tokio::test(start_paused = true)]
async fn slow_requests_time_out_with_a_json_408() {
    let c = TestClient::new(app().timeout(Duration::from_secs(1)));
    let r = c.get("/slow").await;
    assert_eq!(r.status(), 408);
    assert!(r.json::<serde_json::Value>()["detail"].as_str().unwrap().contains("1000 ms"));
}

#[tokio::test]
async fn hosts_outside_the_allowed_list_get_400() {
    let c = TestClient::new(app());
    assert_eq!(c.get("/data").await.status(), 200, "the test client's host is allowed by default");
    let r = c.get("/data").header("host", "evil.example.com").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>()["detail"], "Invalid Host header");
    let c = TestClient::new(app().allowed_hosts(["api.example.com"]));
    assert_eq!(c.get("/data").header("host", "api.example.com:443").await.status(), 200);
    assert_eq!(c.get("/data").await.status(), 400);
}
