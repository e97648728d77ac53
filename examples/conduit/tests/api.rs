//! What the official Postman collection does not check: ownership (403), missing objects
//! (404), validation (422 with field messages), pagination and ordering, the feed after follow
//! and unfollow, slugs following titles, cascades, CORS, timestamps, the OpenAPI document.

use quiver::prelude::*;
use serde_json::{Value, json};

const PASSWORD: &str = "correct-horse-battery-9";

async fn client() -> TestClient {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    conduit::migrate(&db).await.unwrap();
    TestClient::new(conduit::app(db, b"test-secret-test-secret-test-secret!"))
}

/// Registers `name`; their token.
async fn register(client: &TestClient, name: &str) -> String {
    let body = json!({"user": {"username": name, "email": format!("{name}@example.com"), "password": PASSWORD}});
    let response = client.post("/api/users").json(&body).await;
    assert_eq!(response.status(), 201, "{}", response.text());
    response.json::<Value>()["user"]["token"].as_str().unwrap().to_owned()
}

fn auth(token: &str) -> String {
    format!("Token {token}")
}

/// Posts an article by the owner of `token`; its slug.
async fn write(client: &TestClient, token: &str, title: &str, tags: &[&str]) -> String {
    let body =
        json!({"article": {"title": title, "description": "d", "body": "b", "tagList": tags}});
    let response =
        client.post("/api/articles").header("authorization", &auth(token)).json(&body).await;
    assert_eq!(response.status(), 201, "{}", response.text());
    response.json::<Value>()["article"]["slug"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn invalid_input_gets_422_naming_each_field() {
    let client = client().await;
    let bad = client
        .post("/api/users")
        .json(&json!({"user": {"username": "", "email": "not-an-email", "password": PASSWORD}}))
        .await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        bad.json::<Value>(),
        json!({"errors": {"username": ["can't be empty"], "email": ["is invalid"]}})
    );

    register(&client, "jake").await;
    let taken = client
        .post("/api/users")
        .json(&json!({"user": {"username": "jake", "email": "other@example.com", "password": PASSWORD}}))
        .await;
    assert_eq!(taken.json::<Value>(), json!({"errors": {"username": ["has already been taken"]}}));
    let taken = client
        .post("/api/users")
        .json(&json!({"user": {"username": "jane", "email": "JAKE@example.com", "password": PASSWORD}}))
        .await;
    assert_eq!(taken.json::<Value>(), json!({"errors": {"email": ["has already been taken"]}}));

    let weak = client
        .post("/api/users")
        .json(&json!({"user": {"username": "weak", "email": "weak@example.com", "password": "12345678"}}))
        .await;
    assert_eq!(weak.status(), 422);
    assert!(weak.json::<Value>()["errors"]["password"].as_array().is_some_and(|m| !m.is_empty()));

    let missing = client.post("/api/users").json(&json!({"person": {}})).await;
    assert_eq!(missing.status(), 422);
    assert!(missing.json::<Value>()["errors"]["user"].is_array(), "{}", missing.text());

    let token = register(&client, "writer").await;
    let empty = client
        .post("/api/articles")
        .header("authorization", &auth(&token))
        .json(&json!({"article": {"title": "", "description": "d", "body": ""}}))
        .await;
    assert_eq!(
        empty.json::<Value>(),
        json!({"errors": {"title": ["can't be empty"], "body": ["can't be empty"]}})
    );
}

#[tokio::test]
async fn credentials_and_tokens_are_checked() {
    let client = client().await;
    register(&client, "jake").await;
    let wrong = client
        .post("/api/users/login")
        .json(&json!({"user": {"email": "jake@example.com", "password": "wrong-password-1"}}))
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.json::<Value>()["errors"]["body"][0].is_string());
    let right = client
        .post("/api/users/login")
        .json(&json!({"user": {"email": "Jake@Example.com", "password": PASSWORD}}))
        .await;
    assert_eq!(right.status(), 200);

    assert_eq!(client.get("/api/user").await.status(), 401);
    let forged = client.get("/api/user").header("authorization", "Token not.a.jwt").await;
    assert_eq!(forged.status(), 401);
    assert_eq!(forged.header("www-authenticate"), Some("Token"));
    let anonymous_with_bad_token =
        client.get("/api/articles").header("authorization", "Token x").await;
    assert_eq!(anonymous_with_bad_token.status(), 401, "a bad token is never read as anonymous");
}

#[tokio::test]
async fn only_authors_change_or_delete_and_missing_things_are_404() {
    let client = client().await;
    let jake = register(&client, "jake").await;
    let jane = register(&client, "jane").await;
    let slug = write(&client, &jake, "Jake's post", &[]).await;

    let url = format!("/api/articles/{slug}");
    let edit = json!({"article": {"body": "hijacked"}});
    let response = client.put(&url).header("authorization", &auth(&jane)).json(&edit).await;
    assert_eq!(response.status(), 403);
    assert!(response.json::<Value>()["errors"]["body"][0].as_str().unwrap().contains("author"));
    assert_eq!(client.delete(&url).header("authorization", &auth(&jane)).await.status(), 403);
    assert_eq!(client.put(&url).json(&edit).await.status(), 401);

    let comment = client
        .post(&format!("{url}/comments"))
        .header("authorization", &auth(&jake))
        .json(&json!({"comment": {"body": "mine"}}))
        .await
        .json::<Value>()["comment"]["id"]
        .as_i64()
        .unwrap();
    let comment_url = format!("{url}/comments/{comment}");
    assert_eq!(
        client.delete(&comment_url).header("authorization", &auth(&jane)).await.status(),
        403
    );
    assert_eq!(
        client.delete(&comment_url).header("authorization", &auth(&jake)).await.status(),
        204
    );
    assert_eq!(
        client.delete(&comment_url).header("authorization", &auth(&jake)).await.status(),
        404
    );

    let missing = client.get("/api/articles/no-such-article").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>(), json!({"errors": {"body": ["Article not found"]}}));
    assert_eq!(client.get("/api/profiles/nobody").await.status(), 404);
    assert_eq!(client.get(&url).await.json::<Value>()["article"]["body"], "b", "nothing changed");
}

#[tokio::test]
async fn lists_are_newest_first_paged_counted_and_filtered() {
    let client = client().await;
    let jake = register(&client, "jake").await;
    let jane = register(&client, "jane").await;
    for i in 0..5 {
        let tags: &[&str] = if i % 2 == 0 { &["even"] } else { &["odd"] };
        write(&client, &jake, &format!("Post {i}"), tags).await;
    }
    write(&client, &jane, "Jane's", &["odd"]).await;

    let page: Value = client.get("/api/articles?limit=2&offset=1").await.json();
    assert_eq!(page["articlesCount"], 6);
    let titles: Vec<&str> =
        page["articles"].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["Post 4", "Post 3"]);
    assert!(page["articles"][0].get("body").is_none(), "lists leave the body out");

    let by_tag: Value = client.get("/api/articles?tag=odd").await.json();
    assert_eq!(by_tag["articlesCount"], 3);
    let by_author: Value = client.get("/api/articles?author=jane").await.json();
    assert_eq!(by_author["articles"][0]["title"], "Jane's");
    assert_eq!(by_author["articlesCount"], 1);

    client.post("/api/articles/post-1/favorite").header("authorization", &auth(&jane)).await;
    let liked: Value = client
        .get("/api/articles?favorited=jane")
        .header("authorization", &auth(&jane))
        .await
        .json();
    assert_eq!(liked["articlesCount"], 1);
    assert_eq!(liked["articles"][0]["favorited"], true);
    assert_eq!(liked["articles"][0]["favoritesCount"], 1);
    assert_eq!(client.get("/api/articles?limit=0").await.status(), 422);

    let tags: Value = client.get("/api/tags").await.json();
    assert_eq!(tags, json!({"tags": ["even", "odd"]}));
}

#[tokio::test]
async fn the_feed_follows_follow_and_unfollow() {
    let client = client().await;
    let jake = register(&client, "jake").await;
    let jane = register(&client, "jane").await;
    write(&client, &jane, "By Jane", &[]).await;
    let feed = |token: String| {
        let client = &client;
        async move {
            client
                .get("/api/articles/feed")
                .header("authorization", &auth(&token))
                .await
                .json::<Value>()
        }
    };
    assert_eq!(feed(jake.clone()).await["articlesCount"], 0);
    let followed: Value =
        client.post("/api/profiles/jane/follow").header("authorization", &auth(&jake)).await.json();
    assert_eq!(followed["profile"]["following"], true);
    let page = feed(jake.clone()).await;
    assert_eq!(page["articlesCount"], 1);
    assert_eq!(page["articles"][0]["author"]["following"], true);
    let unfollowed: Value = client
        .delete("/api/profiles/jane/follow")
        .header("authorization", &auth(&jake))
        .await
        .json();
    assert_eq!(unfollowed["profile"]["following"], false);
    assert_eq!(feed(jake).await["articlesCount"], 0);
    assert_eq!(client.get("/api/articles/feed").await.status(), 401);
}

#[tokio::test]
async fn a_new_title_gives_a_new_slug() {
    let client = client().await;
    let jake = register(&client, "jake").await;
    let slug = write(&client, &jake, "How to Train Your Dragon", &[]).await;
    assert_eq!(slug, "how-to-train-your-dragon");
    let twin = write(&client, &jake, "How to train your dragon!", &[]).await;
    assert!(twin.starts_with("how-to-train-your-dragon-") && twin != slug, "{twin}");

    let changed = client
        .put(&format!("/api/articles/{slug}"))
        .header("authorization", &auth(&jake))
        .json(&json!({"article": {"title": "Dragons, Tamed"}}))
        .await;
    let article = &changed.json::<Value>()["article"];
    assert_eq!(article["slug"], "dragons-tamed");
    assert_ne!(article["updatedAt"], article["createdAt"]);
    assert_eq!(client.get(&format!("/api/articles/{slug}")).await.status(), 404);
    assert_eq!(client.get("/api/articles/dragons-tamed").await.status(), 200);
}

#[tokio::test]
async fn deleting_an_article_takes_its_comments_and_favourites() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    conduit::migrate(&db).await.unwrap();
    let client = TestClient::new(conduit::app(db.clone(), b"test-secret-test-secret-test-secret!"));
    let jake = register(&client, "jake").await;
    let jane = register(&client, "jane").await;
    let slug = write(&client, &jake, "Short-lived", &["tmp"]).await;
    client
        .post(&format!("/api/articles/{slug}/favorite"))
        .header("authorization", &auth(&jane))
        .await;
    client
        .post(&format!("/api/articles/{slug}/comments"))
        .header("authorization", &auth(&jane))
        .json(&json!({"comment": {"body": "nice"}}))
        .await;
    assert_eq!(conduit::models::Comment::objects().count(&db).await.unwrap(), 1);
    let deleted =
        client.delete(&format!("/api/articles/{slug}")).header("authorization", &auth(&jake)).await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(conduit::models::Comment::objects().count(&db).await.unwrap(), 0);
    assert_eq!(conduit::models::Favorite::objects().count(&db).await.unwrap(), 0);
    assert_eq!(conduit::models::Tag::objects().count(&db).await.unwrap(), 1, "tags stay");
}

#[tokio::test]
async fn timestamps_have_milliseconds_and_cors_answers_preflights() {
    let client = client().await;
    let jake = register(&client, "jake").await;
    let slug = write(&client, &jake, "Timely", &[]).await;
    let article: Value = client.get(&format!("/api/articles/{slug}")).await.json();
    let created = article["article"]["createdAt"].as_str().unwrap();
    let re = regex_lite(created);
    assert!(re, "{created} is ISO 8601 with milliseconds");

    let preflight = client
        .request(quiver::deps::http::Method::OPTIONS, "/api/articles")
        .header("origin", "https://conduit.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .await;
    assert_eq!(preflight.status(), 200);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    assert!(preflight.header("access-control-allow-headers").is_some());
}

/// `2026-11-27T09:30:00.123Z`.
fn regex_lite(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 24
        && bytes[10] == b'T'
        && bytes[19] == b'.'
        && bytes[23] == b'Z'
        && text[20..23].chars().all(|c| c.is_ascii_digit())
}

#[tokio::test]
async fn the_openapi_document_is_stable_and_lists_the_api_only() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    let doc = conduit::app(db, b"x").openapi();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert!(paths.iter().all(|p| p.starts_with("/api/")), "{paths:?}");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi-conduit.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    insta::assert_json_snapshot!("conduit-openapi", doc);
}

#[tokio::test]
async fn refusals_of_the_security_layers_use_the_spec_format_too() {
    let client = client().await;
    let wrong_host = client.get("/api/tags").header("host", "evil.example").await;
    assert_eq!(wrong_host.status(), 400);
    assert!(wrong_host.json::<Value>()["errors"]["body"][0].is_string(), "{}", wrong_host.text());
    // A cookie-carrying form post from another site: the CSRF check refuses it.
    client.set_cookie("sessionid", "x");
    let forged = client
        .post("/api/users/login")
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=x")
        .await;
    assert_eq!(forged.status(), 403);
    assert!(forged.json::<Value>()["errors"]["body"][0].is_string(), "{}", forged.text());
}
