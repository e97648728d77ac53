//! The debug error page: for browsers, in debug mode, never otherwise.

use super::*;

#[tokio::test]
async fn a_browser_sees_what_failed_in_debug_mode() {
    let client = shop(true);
    let page = client
        .get("/fail?x=1")
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("x-request-id", "req-42")
        .header("authorization", "Bearer secret-token")
        .await;
    assert_eq!(page.status(), 500);
    assert_eq!(page.content_type(), Some("text/html; charset=utf-8"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let html = page.text();
    assert!(html.contains("500 Internal Server Error"), "{html}");
    assert!(html.contains("GET &#x2f;fail"), "{html}");
    assert!(html.contains("req-42"), "{html}");
    assert!(html.contains("the disk &lt;is&gt; on fire"), "the message, escaped: {html}");
    assert!(!html.contains("secret-token"), "credentials are masked: {html}");
}

#[tokio::test]
async fn panics_and_template_errors_show_their_message() {
    let client = shop(true);
    let panic = client.get("/panic").header("accept", "text/html").await;
    assert_eq!(panic.status(), 500);
    assert!(panic.text().contains("the kettle boiled dry"), "{}", panic.text());

    let broken = client.get("/broken").header("accept", "text/html").await;
    assert_eq!(broken.status(), 500);
    let html = broken.text();
    assert!(html.contains("shop&#x2f;broken.html"), "{html}");
    assert!(html.contains("broken.html:2"), "the line: {html}");
    assert!(html.contains("2 &gt; {{ 1 + }}"), "the source: {html}");
}

#[tokio::test]
async fn api_clients_and_production_get_the_plain_500() {
    let debug = shop(true);
    let api = debug.get("/fail").header("accept", "application/json").await;
    assert_eq!(api.status(), 500);
    assert_eq!(
        api.json::<serde_json::Value>(),
        serde_json::json!({"detail": "Internal Server Error"})
    );

    let production = shop(false);
    let browser = production.get("/fail").header("accept", "text/html").await;
    assert_eq!(browser.status(), 500);
    assert!(!browser.text().contains("fire"), "{}", browser.text());
    assert_eq!(
        browser.json::<serde_json::Value>(),
        serde_json::json!({"detail": "Internal Server Error"})
    );
    let panic = production.get("/panic").header("accept", "text/html").await;
    assert!(!panic.text().contains("kettle"), "{}", panic.text());
}

#[tokio::test]
async fn other_errors_keep_their_own_answer() {
    let client = shop(true);
    let missing = client.get("/no-such-page").header("accept", "text/html").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<serde_json::Value>()["detail"], "Not Found");
}
