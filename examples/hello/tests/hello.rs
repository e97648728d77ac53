use quiver::testing::{MultipartForm, TestClient};
use serde_json::{Value, json};

fn client() -> TestClient {
    TestClient::new(hello::app(hello::Settings {
        api_token: "t0k3n".into(),
        cors_origins: vec!["https://app.example".into()],
    }))
}

#[tokio::test]
async fn the_benchmark_endpoints_answer_as_the_workloads_specify() {
    let c = client();
    let r = c.get("/plaintext").await;
    assert_eq!(
        (r.text().as_str(), r.content_type()),
        ("Hello, World!", Some("text/plain; charset=utf-8"))
    );
    assert_eq!(c.get("/json").await.json::<Value>(), json!({"message": "Hello, World!"}));
    let user =
        json!({"name": "Ada", "email": "ada@example.com", "age": 36, "tags": ["math", "engines"]});
    let r = c.post("/validate").json(&user).await;
    assert_eq!(r.status(), 201);
    let mut body: Value = r.json();
    assert!(body["id"].is_u64());
    body.as_object_mut().unwrap().remove("id");
    assert_eq!(body, user);
}

#[tokio::test]
async fn every_broken_rule_of_a_new_user_is_reported_once() {
    let bad = json!({"name": "", "email": "not-an-email", "age": 200, "tags": ["x".repeat(21), "t", "t", "t", "t", "t", "t", "t", "t", "t", "t"]});
    let r = client().post("/validate").json(&bad).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    let locs: Vec<Value> =
        body["detail"].as_array().unwrap().iter().map(|e| e["loc"].clone()).collect();
    assert_eq!(
        locs,
        vec![
            json!(["body", "name"]),
            json!(["body", "email"]),
            json!(["body", "age"]),
            json!(["body", "tags"]),
            json!(["body", "tags", 0])
        ],
        "{body:#}"
    );
}

#[tokio::test]
async fn items_validate_their_path_and_query() {
    let c = client();
    assert_eq!(
        c.get("/items/3?verbose=true").await.json::<Value>(),
        json!({"id": 3, "verbose": true})
    );
    assert_eq!(c.get("/items/0").await.status(), 404);
    let r = c.get("/items/x?verbose=perhaps").await;
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["loc"], json!(["path", "id"]));
    assert_eq!(body["detail"][1]["loc"], json!(["query", "verbose"]));
}

#[tokio::test]
async fn the_admin_router_requires_the_token_on_every_route() {
    let c = client();
    assert_eq!(c.get("/admin/me").await.status(), 401);
    assert_eq!(c.get("/admin/me").bearer("wrong").await.status(), 401);
    assert_eq!(c.get("/admin/me").bearer("t0k3n").await.text(), "admin");
    let form = MultipartForm::new().file("doc", "a.txt", "text/plain", "hello");
    assert_eq!(c.post("/admin/upload").multipart(form.clone()).await.status(), 401);
    assert_eq!(
        c.post("/admin/upload").bearer("t0k3n").multipart(form).await.json::<Vec<u64>>(),
        vec![5]
    );
}

#[tokio::test]
async fn pages_redirects_and_cors() {
    let c = client();
    assert!(c.get("/").await.text().contains("Hello, Quiver"));
    let r = c.get("/home").await;
    assert_eq!((r.status().as_u16(), r.header("location")), (308, Some("/")));
    let r = c.get("/json").header("origin", "https://app.example").await;
    assert_eq!(r.header("access-control-allow-origin"), Some("https://app.example"));
    let r = c.get("/json").header("origin", "https://elsewhere.example").await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

/// The API description is an artifact users review and generate clients from: any change to it
/// shows up here. The file written beside the target dir is what CI checks with an independent
/// OpenAPI validator.
#[test]
fn the_openapi_document_is_stable() {
    let doc = hello::app(hello::Settings { api_token: "t".into(), cors_origins: vec![] }).openapi();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi-hello.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    insta::assert_json_snapshot!("hello-openapi", doc);
}
