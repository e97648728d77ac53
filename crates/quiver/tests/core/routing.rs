use quiver::deps::axum;
use quiver::deps::tower_http::set_header::SetResponseHeaderLayer;
use quiver::prelude::*;

/// Replace an item.
///
/// Every field is overwritten.
#[put("/items/{id}", tag = "items", name = "replace_item")]
async fn replace(#[path] id: u32) -> String {
    format!("put {id}")
}

/// Update some fields.
#[patch("/items/{id}", tag = "items", deprecated)]
async fn update(#[path] id: u32) -> String {
    format!("patch {id}")
}

#[get("/items/{id}")]
async fn read(#[path] id: u32) -> String {
    format!("get {id}")
}

#[tokio::test]
async fn macros_register_every_method_on_one_path() {
    let c = TestClient::new(App::new().routes(routes![replace, update, read]));
    assert_eq!(c.put("/items/1").await.text(), "put 1");
    assert_eq!(c.patch("/items/2").await.text(), "patch 2");
    assert_eq!(c.get("/items/3").await.text(), "get 3");
}

#[test]
fn macros_carry_names_docs_tags_and_deprecation() {
    let app = App::new()
        .routes(routes![replace, update])
        .include(Router::new().prefix("/v2").tag("v2").routes(routes![read]));
    let routes = app.route_list();
    let meta = routes[0].meta();
    assert_eq!(meta.name.as_deref(), Some("replace_item"));
    assert_eq!(meta.summary.as_deref(), Some("Replace an item."));
    assert_eq!(meta.description.as_deref(), Some("Every field is overwritten."));
    assert_eq!(meta.tags, ["items"]);
    assert!(!meta.deprecated);
    assert!(routes[1].meta().deprecated);
    assert_eq!(routes[1].meta().name.as_deref(), Some("update"));
    assert_eq!(routes[2].path(), "/v2/items/{id}");
    assert_eq!(routes[2].meta().tags, ["v2"]);
}

#[tokio::test]
async fn plain_functions_register_too() {
    async fn hello(Query(q): Query<Greeting>) -> String {
        format!("hello {}", q.name)
    }
    #[derive(Deserialize, JsonSchema, Validate)]
    struct Greeting {
        name: String,
    }
    let c = TestClient::new(App::new().get("/hello", hello));
    assert_eq!(c.get("/hello?name=ada").await.text(), "hello ada");
}

#[tokio::test]
async fn axum_routers_mount_and_tower_layers_wrap_the_app() {
    let legacy =
        axum::Router::new().route("/ping", axum::routing::get(|| async { "pong from axum" }));
    let app = App::new().routes(routes![read]).mount("/legacy", legacy).layer(
        SetResponseHeaderLayer::overriding(
            http::header::SERVER,
            http::HeaderValue::from_static("quiver-test"),
        ),
    );
    let c = TestClient::new(app);
    let r = c.get("/legacy/ping").await;
    assert_eq!(r.text(), "pong from axum");
    assert_eq!(r.header("server"), Some("quiver-test"));
    assert_eq!(c.get("/items/9").await.header("server"), Some("quiver-test"));
}
