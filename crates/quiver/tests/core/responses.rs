use futures_util::stream;
use quiver::prelude::*;
use serde_json::{Value, json};

#[derive(Serialize)]
struct Item {
    id: u32,
    name: &'static str,
}

#[get("/json")]
async fn json_item() -> Json<Item> {
    Json(Item { id: 1, name: "tea" })
}

#[get("/html")]
async fn html() -> Html<&'static str> {
    Html("<h1>hi</h1>")
}

#[get("/text")]
async fn text() -> &'static str {
    "plain"
}

#[get("/redirect")]
async fn redirect() -> Redirect {
    Redirect::to("/text")
}

#[post("/items")]
async fn create() -> Created<Item> {
    Created::new(Item { id: 2, name: "cake" }).location("/items/2")
}

#[delete("/items/{id}")]
async fn remove(#[path] id: u32) -> Result<NoContent> {
    if id == 404 {
        return Err(HttpError::not_found("Item not found").with_header("x-reason", "gone").into());
    }
    Ok(NoContent)
}

#[get("/custom")]
async fn custom() -> impl IntoResponse {
    (StatusCode::ACCEPTED, [("x-custom", "yes")], Json(json!({"queued": true})))
}

#[get("/stream")]
async fn streamed() -> Streaming {
    let chunks = stream::iter(["a", "b", "c"].map(|s| Ok::<_, std::io::Error>(s.to_owned())));
    Streaming::new(chunks).content_type("text/plain")
}

#[get("/file")]
async fn file() -> Result<FileResponse> {
    Ok(FileResponse::open(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .await?
        .download_as("Cargo.toml"))
}

#[get("/missing-file")]
async fn missing_file() -> Result<FileResponse> {
    FileResponse::open("/nonexistent/file.txt").await
}

#[get("/panic")]
async fn panics() -> &'static str {
    panic!("handler bug")
}

#[get("/internal")]
async fn internal() -> Result<String> {
    let n: u32 = "not a number".parse()?;
    Ok(n.to_string())
}

fn client() -> TestClient {
    TestClient::new(App::new().routes(routes![
        json_item,
        html,
        text,
        redirect,
        create,
        remove,
        custom,
        streamed,
        file,
        missing_file,
        panics,
        internal
    ]))
}

#[tokio::test]
async fn bodies_carry_their_content_types() {
    let c = client();
    let r = c.get("/json").await;
    assert_eq!(r.content_type(), Some("application/json"));
    assert_eq!(r.json::<Value>(), json!({"id": 1, "name": "tea"}));
    assert!(c.get("/html").await.content_type().unwrap().starts_with("text/html"));
    assert!(c.get("/text").await.content_type().unwrap().starts_with("text/plain"));
    let r = c.get("/stream").await;
    assert_eq!((r.text().as_str(), r.content_type()), ("abc", Some("text/plain")));
}

#[tokio::test]
async fn redirects_created_no_content_and_custom_status() {
    let c = client();
    let r = c.get("/redirect").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.header("location"), Some("/text"));
    let r = c.post("/items").await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.header("location"), Some("/items/2"));
    assert_eq!(r.json::<Value>()["name"], "cake");
    let r = c.delete("/items/1").await;
    assert_eq!(r.status(), 204);
    assert!(r.bytes().is_empty());
    let r = c.get("/custom").await;
    assert_eq!((r.status(), r.header("x-custom")), (StatusCode::ACCEPTED, Some("yes")));
}

#[tokio::test]
async fn http_errors_render_detail_with_their_headers() {
    let r = client().delete("/items/404").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.header("x-reason"), Some("gone"));
    assert_eq!(r.json::<Value>(), json!({"detail": "Item not found"}));
}

#[tokio::test]
async fn files_stream_with_type_length_and_disposition() {
    let r = client().get("/file").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().contains("[package]"));
    assert_eq!(r.header("content-disposition"), Some("attachment; filename=\"Cargo.toml\""));
    assert_eq!(r.header("content-length").unwrap().parse::<usize>().unwrap(), r.bytes().len());
    assert_eq!(client().get("/missing-file").await.status(), 404);
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_and_the_next_request_still_works() {
    let c = client();
    let r = c.get("/panic").await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>(), json!({"detail": "Internal Server Error"}));
    assert_eq!(c.get("/text").await.text(), "plain");
}

#[tokio::test]
async fn internal_errors_do_not_leak_their_message() {
    let r = client().get("/internal").await;
    assert_eq!(r.status(), 500);
    assert!(!r.text().contains("invalid digit"), "{}", r.text());
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow_as_json() {
    let c = client();
    let r = c.get("/nowhere").await;
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>(), json!({"detail": "Not Found"}));
    let r = c.post("/json").await;
    assert_eq!(r.status(), 405);
    assert_eq!(r.json::<Value>(), json!({"detail": "Method Not Allowed"}));
    let allow = r.header("allow").expect("an Allow header");
    assert!(allow.contains("GET"), "{allow}");
}

#[tokio::test]
async fn a_panic_in_a_mounted_axum_router_is_a_500_too() {
    use quiver::deps::axum;
    async fn boom() -> &'static str {
        panic!("mounted bug")
    }
    let legacy = axum::Router::new().route("/boom", axum::routing::get(boom));
    let c = TestClient::new(App::new().mount("/legacy", legacy).routes(routes![text]));
    let r = c.get("/legacy/boom").await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>(), json!({"detail": "Internal Server Error"}));
    assert_eq!(c.get("/text").await.text(), "plain");
}
