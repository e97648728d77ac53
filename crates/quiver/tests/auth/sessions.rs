use quiver::auth::session::SessionBackend;

use super::*;

#[tokio::test]
async fn a_session_cookie_from_before_login_does_not_survive_login() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);

    assert_eq!(client.get("/visit").await.json::<u64>(), 1);
    let planted = client.cookie("sessionid").expect("the visit started a session");
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    let after = client.cookie("sessionid").unwrap();
    assert_ne!(planted, after, "login must give the session a new key");
    assert_eq!(client.get("/visit").await.json::<u64>(), 2, "the data moves to the new key");

    // Whoever held the old key (an attacker who planted it) gets nothing.
    let attacker = TestClient::new(app(&db, super::auth(&db)));
    attacker.set_cookie("sessionid", &planted);
    assert_eq!(attacker.get("/whoami").await.status(), 401);
    assert_eq!(client.get("/whoami").await.json::<String>(), "ada");
}

#[tokio::test]
async fn the_session_cookie_is_httponly_and_lax_and_logout_ends_the_session() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    let response = client
        .post("/auth/login")
        .header("x-csrftoken", &csrf_token(&client).await)
        .json(&serde_json::json!({ "username": "ada", "password": PASSWORD }))
        .await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("sessionid="))
        .unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: not Secure");
    let key = client.cookie("sessionid").unwrap();

    let csrf = client.get("/auth/csrf").await.json::<serde_json::Value>()["csrf_token"].clone();
    let out = client.post("/auth/logout").header("x-csrftoken", csrf.as_str().unwrap()).await;
    assert_eq!(out.status(), 204);
    assert_eq!(client.get("/whoami").await.status(), 401);
    let replay = TestClient::new(app(&db, super::auth(&db)));
    replay.set_cookie("sessionid", &key);
    assert_eq!(replay.get("/whoami").await.status(), 401, "the session is gone from the store");
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let db = database().await;
    let auth = auth(&db);
    let mut user = ada(&auth).await;
    let client = client(&db, auth.clone());
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    auth.set_password(&mut user, "a-brand-new-passphrase").await.unwrap();
    user.save(&db).await.unwrap();
    assert_eq!(client.get("/whoami").await.status(), 401);
}

#[tokio::test]
async fn expired_sessions_are_refused_and_cleared() {
    let db = database().await;
    let auth = auth(&db).session_age(std::time::Duration::from_secs(1));
    ada(&auth).await;
    let client = client(&db, auth.clone());
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(client.get("/whoami").await.status(), 401);
    let SessionBackend::Store(store) = auth.session_backend() else { unreachable!() };
    assert_eq!(store.clear_expired().await.unwrap(), 1);
}

#[tokio::test]
async fn signed_cookie_sessions_hold_the_login_and_a_tampered_cookie_is_nobody() {
    let db = database().await;
    let auth = auth(&db).sessions(SessionBackend::SignedCookie);
    ada(&auth).await;
    let client = client(&db, auth);
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    assert_eq!(client.get("/whoami").await.json::<String>(), "ada");
    let cookie = client.cookie("sessionid").unwrap();
    let (body, signature) = cookie.split_once('.').unwrap();
    let tampered = format!("{}A.{signature}", &body[..body.len() - 1]);
    client.set_cookie("sessionid", &tampered);
    assert_eq!(client.get("/whoami").await.status(), 401);
}

#[tokio::test]
async fn redis_sessions_are_shared_by_two_instances() {
    let Some(url) = limits::redis_url() else { return };
    let db = database().await;
    let backend = SessionBackend::redis(&url).await.unwrap();
    let first = auth(&db).sessions(backend.clone());
    ada(&first).await;
    let one = client(&db, first);
    assert_eq!(login(&one, "ada", PASSWORD).await, 200);
    let key = one.cookie("sessionid").unwrap();

    // Another instance (its own app, same Redis) knows the session.
    let two = client(&db, auth(&db).sessions(backend));
    two.set_cookie("sessionid", &key);
    assert_eq!(two.get("/whoami").await.json::<String>(), "ada");
}
