//! The bench server's database routes answer as ../shared/bench/check.py expects.

use quiver::orm::{Db, Model};
use quiver::testing::TestClient;
use quiver_bench::{Fortune, World};
use serde_json::Value;

async fn client() -> (TestClient, Db) {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    quiver::orm::schema::create_tables(&db, &[World::meta(), Fortune::meta()]).await.unwrap();
    let worlds: Vec<World> = (1..=10_000).map(|id| World { id, random_number: 1 }).collect();
    World::bulk_create(&db, worlds).await.unwrap();
    let fortunes = vec![
        Fortune {
            id: 1,
            message:
                "<script>alert(\"This should not be displayed in a browser alert box.\");</script>"
                    .into(),
        },
        Fortune {
            id: 2,
            message: "A computer scientist is someone who fixes things that aren't broken.".into(),
        },
    ];
    Fortune::bulk_create(&db, fortunes).await.unwrap();
    (TestClient::new(quiver_bench::app(db.clone())), db)
}

#[tokio::test]
async fn db_and_queries() {
    let (client, _) = client().await;
    let one: Value = client.get("/db").await.json();
    assert!(one["id"].as_i64().unwrap() >= 1 && one["randomNumber"] == 1, "{one}");
    for (query, n) in [
        ("?queries=20", 20),
        ("?queries=0", 1),
        ("?queries=foo", 1),
        ("?queries=1000", 500),
        ("", 1),
    ] {
        let rows: Value = client.get(&format!("/queries{query}")).await.json();
        assert_eq!(rows.as_array().unwrap().len(), n, "{query}");
    }
}

#[tokio::test]
async fn updates_are_stored() {
    let (client, db) = client().await;
    let rows: Value = client.get("/updates?queries=5").await.json();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let mut last = std::collections::HashMap::new();
    for row in rows {
        last.insert(
            row["id"].as_i64().unwrap() as i32,
            row["randomNumber"].as_i64().unwrap() as i32,
        );
    }
    for (id, number) in last {
        let stored = World::objects().filter(World::ID.eq(id)).get(&db).await.unwrap();
        assert_eq!(stored.random_number, number, "the last value for id {id} is stored");
    }
}

#[tokio::test]
async fn fortunes_are_sorted_and_escaped() {
    let (client, _) = client().await;
    let page = client.get("/fortunes").await;
    assert_eq!(page.header("content-type").unwrap(), "text/html; charset=utf-8");
    let html = page.text();
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"), "{html}");
    let added = html.find("Additional fortune").unwrap();
    let computer = html.find("A computer scientist").unwrap();
    assert!(computer < added, "sorted by message");
    assert_eq!(html.matches("<tr>").count(), 4, "header + 2 rows + the added one");
}

#[tokio::test]
async fn me_answers_the_token_subject_and_refuses_bad_tokens() {
    use quiver::auth::tokens::{Claims, Jwt};

    let (client, _) = client().await;
    let jwt = Jwt::hs256(quiver_bench::JWT_SECRET);
    let now = 1_900_000_000;
    let token = |exp: i64, sub: Option<&str>| {
        let claims = serde_json::json!({ "sub": sub, "exp": exp });
        let claims: serde_json::Map<String, Value> = claims
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        jwt.encode(&claims)
    };
    let ok = client.get("/me").bearer(&token(now + 3600 * 24 * 365 * 10, Some("42"))).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<Value>(), serde_json::json!({ "sub": "42" }));
    let expired = jwt.encode(&Claims { sub: "42".into(), exp: 1, iat: 0, typ: None, jti: None });
    assert_eq!(client.get("/me").bearer(&expired).await.status(), 401);
    let wrong = Jwt::hs256(b"wrong-secret").access_token("42");
    assert_eq!(client.get("/me").bearer(&wrong).await.status(), 401);
    assert_eq!(client.get("/me").bearer(&token(now + 86400 * 3650, None)).await.status(), 401);
    assert_eq!(client.get("/me").await.status(), 401);
}
