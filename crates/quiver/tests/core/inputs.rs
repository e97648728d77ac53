use bytes::Bytes;
use futures_util::StreamExt;
use quiver::prelude::*;
use quiver::testing::MultipartForm;
use serde_json::{Value, json};

#[get("/search")]
async fn search(
    #[query] q: String,
    #[query] tag: Vec<String>,
    #[query] page: Option<u32>,
) -> Json<Value> {
    Json(json!({"q": q, "tag": tag, "page": page}))
}

#[get("/whoami")]
async fn whoami(
    #[header] user_agent: String,
    #[header("x-count")] count: Option<i32>,
    #[cookie] theme: Option<String>,
) -> Json<Value> {
    Json(json!({"ua": user_agent, "count": count, "theme": theme}))
}

#[derive(Deserialize, JsonSchema, Validate)]
struct ClientHeaders {
    #[validate(length(min = 8))]
    x_token: String,
    accept_language: Option<String>,
}

#[get("/headers")]
async fn headers_struct(Headers(h): Headers<ClientHeaders>) -> String {
    format!("{} {:?}", h.x_token, h.accept_language)
}

#[derive(Deserialize, JsonSchema, Validate)]
struct Prefs {
    theme: String,
    font_size: Option<u8>,
}

#[get("/prefs")]
async fn prefs(Cookies(p): Cookies<Prefs>) -> String {
    format!("{} {:?}", p.theme, p.font_size)
}

#[derive(Deserialize, JsonSchema)]
struct ItemPath {
    shop: String,
    id: u64,
}

#[get("/shops/{shop}/items/{id}")]
async fn item(Path(p): Path<ItemPath>) -> String {
    format!("{}:{}", p.shop, p.id)
}

#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Login {
    #[validate(length(min = 3))]
    username: String,
    remember: Option<bool>,
}

#[post("/login")]
async fn login(Form(f): Form<Login>) -> String {
    format!("{} {:?}", f.username, f.remember)
}

#[post("/raw")]
async fn raw(body: Bytes) -> String {
    format!("{} bytes", body.len())
}

#[post("/stream")]
async fn stream(BodyStream(mut s): BodyStream) -> String {
    let mut total = 0;
    while let Some(chunk) = s.next().await {
        total += chunk.map(|c| c.len()).unwrap_or(0);
    }
    total.to_string()
}

#[put("/whole")]
async fn whole(req: Request) -> String {
    format!("{} {}", req.method(), req.uri().path())
}

#[post("/upload")]
async fn upload(mut form: Multipart) -> Result<Json<Value>> {
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        if field.file_name().is_some() {
            let file = field.into_upload().await?;
            let content = file.bytes().await?;
            out.push(json!({"field": name, "file": file.file_name(), "size": file.size(), "on_disk": file.is_on_disk(),
                "type": file.content_type(), "first": content.first()}));
        } else {
            out.push(json!({"field": name, "text": field.text().await?}));
        }
    }
    Ok(Json(Value::Array(out)))
}

fn client() -> TestClient {
    let limits = quiver::extract::MultipartLimits {
        max_total_size: 64 * 1024,
        max_file_size: 32 * 1024,
        memory_threshold: 1024,
    };
    TestClient::new(
        App::new()
            .routes(routes![
                search,
                whoami,
                headers_struct,
                prefs,
                item,
                login,
                raw,
                stream,
                whole,
                upload
            ])
            .multipart_limits(limits)
            .body_limit(4096),
    )
}

#[tokio::test]
async fn single_query_parameters_take_values_lists_and_options() {
    let r = client().get("/search?q=tea&tag=a&tag=b").await;
    assert_eq!(r.json::<Value>(), json!({"q": "tea", "tag": ["a", "b"], "page": null}));
    let r = client().get("/search?tag=a&page=x").await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["loc"], json!(["query", "q"]));
    assert_eq!(body["detail"][1]["loc"], json!(["query", "page"]));
}

#[tokio::test]
async fn headers_and_cookies_by_name() {
    let c = client();
    c.set_cookie("theme", "dark");
    let r = c.get("/whoami").header("user-agent", "curl/8").header("x-count", "3").await;
    assert_eq!(r.json::<Value>(), json!({"ua": "curl/8", "count": 3, "theme": "dark"}));
    let r = client().get("/whoami").header("x-count", "three").await;
    let body: Value = r.json();
    assert_eq!(body["detail"][0]["loc"], json!(["header", "user-agent"]));
    assert_eq!(body["detail"][1]["loc"], json!(["header", "x-count"]));
}

#[tokio::test]
async fn header_and_cookie_structs_validate_every_field() {
    let r = client()
        .get("/headers")
        .header("x-token", "12345678")
        .header("accept-language", "fr")
        .await;
    assert_eq!(r.text(), "12345678 Some(\"fr\")");
    let r = client().get("/headers").header("x-token", "short").await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>()["detail"][0]["loc"], json!(["header", "x_token"]));

    let r = client().get("/prefs").header("cookie", "theme=dark; font_size=14").await;
    assert_eq!(r.text(), "dark Some(14)");
    let r = client().get("/prefs").header("cookie", "font_size=huge").await;
    let body: Value = r.json();
    assert_eq!(locs(&body), vec![json!(["cookie", "font_size"]), json!(["cookie", "theme"])]);
}

fn locs(body: &Value) -> Vec<Value> {
    let mut l: Vec<Value> =
        body["detail"].as_array().unwrap().iter().map(|e| e["loc"].clone()).collect();
    l.sort_by_key(|v| v.to_string());
    l
}

#[tokio::test]
async fn path_structs() {
    assert_eq!(client().get("/shops/north/items/7").await.text(), "north:7");
    let r = client().get("/shops/north/items/seven").await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>()["detail"][0]["loc"], json!(["path", "id"]));
}

#[tokio::test]
async fn url_encoded_forms() {
    let r = client().post("/login").form(&json!({"username": "ada", "remember": "on"})).await;
    assert_eq!(r.text(), "ada Some(true)");
    let r = client().post("/login").form(&json!({"username": "ad"})).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>()["detail"][0]["loc"], json!(["body", "username"]));
}

#[tokio::test]
async fn raw_bytes_streams_and_the_request_itself() {
    assert_eq!(client().post("/raw").body(vec![0u8; 100]).await.text(), "100 bytes");
    assert_eq!(client().post("/stream").body(vec![1u8; 3000]).await.text(), "3000");
    assert_eq!(client().put("/whole").await.text(), "PUT /whole");
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_with_a_json_detail() {
    let r = client().post("/raw").body(vec![0u8; 5000]).await;
    assert_eq!(r.status(), 413);
    assert!(r.json::<Value>()["detail"].as_str().unwrap().contains("4096"));
}

#[tokio::test]
async fn multipart_uploads_stay_in_memory_when_small_and_spool_to_disk_when_large() {
    let form = MultipartForm::new()
        .text("title", "cats")
        .file("small", "a.txt", "text/plain", b"hello")
        .file("big", "b.bin", "application/octet-stream", vec![7u8; 5000]);
    let r = client().post("/upload").multipart(form).await;
    assert_eq!(r.status(), 200, "{}", r.text());
    assert_eq!(
        r.json::<Value>(),
        json!([
            {"field": "title", "text": "cats"},
            {"field": "small", "file": "a.txt", "size": 5, "on_disk": false, "type": "text/plain", "first": 104},
            {"field": "big", "file": "b.bin", "size": 5000, "on_disk": true, "type": "application/octet-stream", "first": 7},
        ])
    );
}

#[tokio::test]
async fn multipart_files_over_the_limit_are_413() {
    let form =
        MultipartForm::new().file("big", "b.bin", "application/octet-stream", vec![0u8; 40 * 1024]);
    let r = client().post("/upload").multipart(form).await;
    assert_eq!(r.status(), 413, "{}", r.text());
    assert!(r.json::<Value>()["detail"].as_str().unwrap().contains("big"));
}
