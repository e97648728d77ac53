use super::*;

#[tokio::test]
async fn a_cross_site_post_with_the_session_cookie_but_no_token_is_refused() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);

    // What a page on another site can make the browser send: the cookie, an Origin, no token.
    let forged = client
        .post("/notes")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("text=pwned")
        .await;
    assert_eq!(forged.status(), 403);
    assert!(
        forged.text().contains("Origin checking failed - https://evil.example"),
        "{}",
        forged.text()
    );

    // Same origin but no token: still refused.
    let tokenless = client.post("/notes").body("hi").await;
    assert_eq!(tokenless.status(), 403);
    assert!(tokenless.text().contains("CSRF"), "{}", tokenless.text());
}

#[tokio::test]
async fn the_token_from_the_page_lets_the_form_and_the_header_through() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);

    let page = client.get("/form").await.text();
    let token = page.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    assert!(client.cookie("csrftoken").is_some(), "asking for a token sets the cookie");

    let form = client
        .post("/notes")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrfmiddlewaretoken={token}&text=hello"))
        .await;
    assert_eq!(form.status(), 200, "{}", form.text());
    assert_eq!(form.json::<String>(), format!("ada: csrfmiddlewaretoken={token}&text=hello"));

    let ajax = client.post("/notes").header("x-csrftoken", &token).body("via header").await;
    assert_eq!(ajax.status(), 200);

    let wrong = client.post("/notes").header("x-csrftoken", &"a".repeat(64)).body("x").await;
    assert_eq!(wrong.status(), 403);
    assert!(wrong.text().contains("CSRF token incorrect"));
}

#[tokio::test]
async fn bearer_requests_are_not_csrf_checked_and_json_without_cookies_is_not_either() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    let pair = token(&client, "ada", PASSWORD).await;
    client.set_cookie("sessionid", "anything");
    let response = client
        .post("/notes")
        .bearer(pair["access_token"].as_str().unwrap())
        .header("origin", "https://other.example")
        .body("from a script")
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_is_refused_even_without_cookies() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    // Login CSRF: a form on another site logs the victim into the attacker's account.
    let body = format!(r#"{{"username": "ada", "password": "{PASSWORD}"}}"#);
    let response = client
        .post("/auth/login")
        .header("origin", "https://evil.example")
        .header("content-type", "text/plain")
        .body(body)
        .await;
    assert_eq!(response.status(), 403);
    assert!(client.cookie("sessionid").is_none());
}
