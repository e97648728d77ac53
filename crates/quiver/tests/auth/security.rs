use quiver::security::Https;

use super::*;

/// Sets a cookie of the app's own.
#[get("/theme")]
async fn theme() -> ([(http::HeaderName, &'static str); 1], &'static str) {
    ([(http::header::SET_COOKIE, "theme=dark; Path=/")], "ok")
}

/// Lets the page be framed by its own site: the app's own value must stay.
#[get("/framed")]
async fn framed() -> ([(http::HeaderName, &'static str); 1], &'static str) {
    ([(http::header::X_FRAME_OPTIONS, "SAMEORIGIN")], "ok")
}

#[tokio::test]
async fn a_security_header_the_app_sets_itself_is_kept_not_doubled() {
    let client = TestClient::new(App::new().routes(routes![framed]));
    let response = client.get("/framed").await;
    let values: Vec<_> = response.headers().get_all("x-frame-options").iter().collect();
    assert_eq!(values, ["SAMEORIGIN"]);
    assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(response.header("content-length"), Some("2"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let client = TestClient::new(App::new().routes(routes![theme]));
    for path in ["/theme", "/nope", "/docs"] {
        let response = client.get(path).await;
        assert_eq!(response.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(response.header("referrer-policy"), Some("same-origin"));
        assert_eq!(response.header("cross-origin-opener-policy"), Some("same-origin"));
        assert_eq!(response.header("strict-transport-security"), None, "no HSTS without HTTPS");
        let length = response.header("content-length").map(|v| v.parse::<usize>().unwrap());
        assert_eq!(length, Some(response.bytes().len()), "{path}");
    }
}

#[tokio::test]
async fn under_https_plain_http_is_redirected_and_cookies_are_secure() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let app = App::new()
        .state(db.clone())
        .https(Https::default())
        .behind_proxy()
        .auth(auth)
        .routes(routes![theme]);
    let client = TestClient::new(app);

    let plain = client.get("/theme?x=1").header("x-forwarded-proto", "http").await;
    assert_eq!(plain.status(), 301);
    assert_eq!(plain.header("location"), Some("https://testserver/theme?x=1"));

    let secure = client.get("/theme").header("x-forwarded-proto", "https").await;
    assert_eq!(secure.header("strict-transport-security"), Some("max-age=31536000"));
    assert_eq!(secure.header("set-cookie"), Some("theme=dark; Path=/; Secure"));

    let csrf: serde_json::Value =
        client.get("/auth/csrf").header("x-forwarded-proto", "https").await.json();
    let login = client
        .post("/auth/login")
        .header("x-forwarded-proto", "https")
        .header("x-csrftoken", csrf["csrf_token"].as_str().unwrap())
        .header("referer", "https://testserver/login")
        .json(&serde_json::json!({ "username": "ada", "password": PASSWORD }))
        .await;
    assert_eq!(login.status(), 200, "{}", login.text());
    let session = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("sessionid="))
        .unwrap();
    assert!(session.ends_with("; Secure"), "{session}");
}

#[tokio::test]
async fn a_proxy_header_is_not_believed_unless_the_app_is_behind_one() {
    let app = App::new().https(Https::default()).routes(routes![theme]);
    let client = TestClient::new(app);
    let spoofed = client.get("/theme").header("x-forwarded-proto", "https").await;
    assert_eq!(spoofed.status(), 301, "a client cannot claim HTTPS by itself");
}

#[tokio::test]
async fn under_https_an_unsafe_request_needs_a_same_origin_referer() {
    let app = App::new().https(Https::default()).behind_proxy().routes(routes![theme]);
    let client = TestClient::new(app);
    let response = client
        .post("/theme")
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=1")
        .await;
    assert_eq!(response.status(), 403);
    assert!(response.text().contains("Referer checking failed - no Referer."));
}
