use super::*;

#[tokio::test]
async fn the_sixth_wrong_password_in_the_window_is_refused_even_when_right() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    for _ in 0..5 {
        assert_eq!(login(&client, "ada", "wrong").await, 401);
    }
    let locked = client
        .post("/auth/login")
        .header("x-csrftoken", &csrf_token(&client).await)
        .json(&serde_json::json!({ "username": "ada", "password": PASSWORD }))
        .await;
    assert_eq!(locked.status(), 429);
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(locked.text().contains("Too many failed logins"));
    // The token endpoint shares the lock.
    let token =
        client.post("/auth/token").form(&[("username", "ada"), ("password", PASSWORD)]).await;
    assert_eq!(token.status(), 429);
}

#[tokio::test]
async fn failures_slow_the_answers_down() {
    let db = database().await;
    let throttle =
        LoginThrottle { delay: std::time::Duration::from_millis(200), ..LoginThrottle::default() };
    let auth = auth(&db).login_throttle(throttle);
    ada(&auth).await;
    let client = client(&db, auth);
    let started = std::time::Instant::now();
    for _ in 0..2 {
        login(&client, "ada", "wrong").await;
    }
    let quick = started.elapsed();
    let started = std::time::Instant::now();
    login(&client, "ada", "wrong").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(200), "the 3rd failure waits");
    assert!(quick < std::time::Duration::from_millis(2000));
}

#[tokio::test]
async fn a_right_login_resets_the_count() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    for _ in 0..4 {
        login(&client, "ada", "wrong").await;
    }
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    for _ in 0..4 {
        login(&client, "ada", "wrong").await;
    }
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
}

#[tokio::test]
async fn weak_passwords_are_refused_with_every_reason_and_never_echoed() {
    let db = database().await;
    let auth = auth(&db);
    let error = auth.create_user("grace", "grace@navy.mil", "12345678").await.unwrap_err();
    let response = error.into_response();
    assert_eq!(response.status(), 422);
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let kinds: Vec<&str> =
        body["detail"].as_array().unwrap().iter().map(|d| d["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["password_too_common", "password_entirely_numeric"]);
    assert_eq!(body["detail"][0]["loc"], serde_json::json!(["body", "password"]));
    assert!(!body.to_string().contains("12345678"), "the password never comes back: {body}");
}

#[tokio::test]
async fn a_422_never_echoes_a_password() {
    let db = database().await;
    let client = client(&db, auth(&db));
    // Too long a username, and a password that is present: the body comes back without it.
    let response = client
        .post("/auth/login")
        .json(&serde_json::json!({ "username": "", "password": "hunter2-secret" }))
        .await;
    assert_eq!(response.status(), 422);
    assert!(!response.text().contains("hunter2"), "{}", response.text());
}
