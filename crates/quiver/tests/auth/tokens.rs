use quiver::auth::tokens::{Claims, Jwt};

use super::*;

#[tokio::test]
async fn the_oauth2_token_works_and_expired_or_tampered_tokens_are_401() {
    let db = database().await;
    let auth = auth(&db);
    let user = ada(&auth).await;
    let jwt = auth.tokens().clone();
    let client = client(&db, auth);

    let pair = token(&client, "ada", PASSWORD).await;
    assert_eq!(pair["token_type"], "bearer");
    assert_eq!(pair["expires_in"], 900);
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(client.get("/whoami").bearer(access).await.json::<String>(), "ada");

    let tampered = format!("{}x", access);
    let response = client.get("/whoami").bearer(&tampered).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.header("www-authenticate"), Some(r#"Bearer error="invalid_token""#));
    assert_eq!(
        response.json::<serde_json::Value>()["detail"],
        "Invalid token: the token is invalid"
    );

    let now = chrono::Utc::now().timestamp();
    let expired = jwt.encode(&Claims {
        sub: user.pk().to_string(),
        exp: now - 10,
        iat: now - 100,
        typ: None,
        jti: None,
    });
    let response = client.get("/whoami").bearer(&expired).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<serde_json::Value>()["detail"],
        "Invalid token: the token has expired"
    );

    let forged = Jwt::hs256(b"another secret").access_token(&user.pk().to_string());
    assert_eq!(client.get("/whoami").bearer(&forged).await.status(), 401);

    let missing = client.get("/whoami").await;
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(missing.json::<serde_json::Value>()["detail"], "Not authenticated");
}

#[tokio::test]
async fn wrong_credentials_get_401_with_www_authenticate() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    let response =
        client.post("/auth/token").form(&[("username", "ada"), ("password", "nope")]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    assert_eq!(response.json::<serde_json::Value>()["detail"], "Incorrect username or password");
    let unknown =
        client.post("/auth/token").form(&[("username", "zed"), ("password", "nope")]).await;
    assert_eq!(unknown.json::<serde_json::Value>(), response.json::<serde_json::Value>());
    // A NUL in the name (schemathesis sent one) is wrong credentials too, not a 500.
    let nul = client.post("/auth/token").form(&[("username", "ad\0a"), ("password", "nope")]).await;
    assert_eq!(nul.status(), 401, "{}", nul.text());
    assert_eq!(nul.json::<serde_json::Value>(), response.json::<serde_json::Value>());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_whole_login() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = client(&db, auth);
    let first = token(&client, "ada", PASSWORD).await;
    let refresh = |token: &str| {
        client
            .post("/auth/token")
            .form(&[("grant_type", "refresh_token"), ("refresh_token", token)])
    };
    let second = refresh(first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(second.status(), 200, "{}", second.text());
    let second: serde_json::Value = second.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);

    // The first refresh token comes back (stolen): refused, and the second dies with it.
    let reuse = refresh(first["refresh_token"].as_str().unwrap()).await;
    assert_eq!(reuse.status(), 401);
    assert!(reuse.text().contains("already used"), "{}", reuse.text());
    assert_eq!(refresh(second["refresh_token"].as_str().unwrap()).await.status(), 401);

    // An access token is not a refresh token, nor the other way round.
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(refresh(access).await.status(), 401);
    let other = token(&client, "ada", PASSWORD).await;
    assert_eq!(
        client.get("/whoami").bearer(other["refresh_token"].as_str().unwrap()).await.status(),
        401
    );

    // Revocation (RFC 7009) ends a login.
    let revoked = client
        .post("/auth/revoke")
        .form(&[("token", other["refresh_token"].as_str().unwrap())])
        .await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(refresh(other["refresh_token"].as_str().unwrap()).await.status(), 401);
}

#[tokio::test]
async fn api_keys_authenticate_service_clients_until_revoked() {
    let db = database().await;
    let auth = auth(&db);
    let user = ada(&auth).await;
    let (record, key) = auth.create_api_key(&user, "ci", None).await.unwrap();
    let client = client(&db, auth.clone());
    assert_eq!(client.get("/whoami").header("x-api-key", &key).await.json::<String>(), "ada");
    let header = format!("Api-Key {key}");
    assert_eq!(client.get("/whoami").header("authorization", &header).await.status(), 200);
    let wrong = format!("{}x", key);
    assert_eq!(client.get("/whoami").header("x-api-key", &wrong).await.status(), 401);
    assert!(auth.revoke_api_key(&record.prefix).await.unwrap());
    assert_eq!(client.get("/whoami").header("x-api-key", &key).await.status(), 401);
}

#[tokio::test]
async fn ed25519_tokens_verify_with_the_public_key_only() {
    let private = include_bytes!("fixtures/ed25519-private.pem");
    let public = include_bytes!("fixtures/ed25519-public.pem");
    let signer = Jwt::ed25519(private, public).unwrap();
    let verifier = Jwt::ed25519_verify_only(public).unwrap();
    let token = signer.access_token("7");
    assert_eq!(verifier.decode::<Claims>(&token).unwrap().sub, "7");
    assert!(Jwt::hs256(b"x").decode::<Claims>(&token).is_err(), "no algorithm confusion");
}

#[tokio::test]
async fn the_openapi_document_declares_the_security_schemes() {
    let db = database().await;
    let doc = app(&db, auth(&db)).openapi();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"], "/auth/token");
    assert_eq!(schemes["APIKeyHeader"]["name"], "X-API-Key");
    let whoami = &doc["paths"]["/whoami"]["get"];
    assert_eq!(
        whoami["security"],
        serde_json::json!([{ "OAuth2PasswordBearer": [] }, { "APIKeyHeader": [] }])
    );
    assert!(whoami["responses"]["401"].is_object());
    let publish = &doc["paths"]["/articles/{id}/publish"]["post"];
    assert_eq!(
        publish["responses"]["403"]["description"],
        "Permission denied: needs the permission blog.change_article"
    );
    assert!(doc["paths"]["/auth/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"].is_object());
}
