use quiver::prelude::*;
use serde_json::{Value, json};

/// A product in the catalogue.
#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Product {
    /// What customers see.
    #[validate(length(min = 1, max = 80))]
    name: String,
    #[validate(range(min = 0.0))]
    price: f64,
}

#[derive(Deserialize, JsonSchema, Validate)]
struct Page {
    /// How many items to return.
    #[validate(range(min = 1, max = 100))]
    limit: Option<u32>,
}

/// List products.
///
/// Newest first.
#[get("/products", tag = "products")]
async fn list_products(
    Query(_page): Query<Page>,
    #[header] x_trace: Option<String>,
) -> Json<Vec<Product>> {
    let _ = x_trace;
    Json(vec![])
}

/// Create a product.
#[post("/products", tag = "products")]
async fn create_product(Json(p): Json<Product>) -> Created<Product> {
    Created::new(p)
}

#[delete("/products/{id}", deprecated)]
async fn delete_product(#[path] id: u32) -> Result<NoContent> {
    let _ = id;
    Ok(NoContent)
}

#[get("/health")]
async fn health() -> impl IntoResponse {
    "ok"
}

fn app() -> App {
    App::new().title("Catalogue").version("1.2.3").routes(routes![
        list_products,
        create_product,
        delete_product,
        health
    ])
}

#[test]
fn operations_come_from_the_handlers() {
    let doc = app().openapi();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"], json!({"title": "Catalogue", "version": "1.2.3"}));
    let list = &doc["paths"]["/products"]["get"];
    assert_eq!(list["operationId"], "list_products");
    assert_eq!(list["summary"], "List products.");
    assert_eq!(list["description"], "Newest first.");
    assert_eq!(list["tags"], json!(["products"]));
    assert_eq!(
        list["parameters"],
        json!([
            {"name": "limit", "in": "query", "required": false, "description": "How many items to return.",
             "schema": {"type": "integer", "format": "uint32", "minimum": 1, "maximum": 100}},
            {"name": "x-trace", "in": "header", "required": false, "schema": {"type": "string"}},
        ])
    );
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Product"}})
    );
    assert_eq!(
        list["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HTTPValidationError"
    );
}

#[test]
fn bodies_responses_and_shared_schemas() {
    let doc = app().openapi();
    let create = &doc["paths"]["/products"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Product"
    );
    assert_eq!(
        create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Product"
    );
    assert!(create["responses"]["413"].is_object());
    let product = &doc["components"]["schemas"]["Product"];
    assert_eq!(product["description"], "A product in the catalogue.");
    assert_eq!(product["properties"]["name"]["minLength"], 1);
    assert_eq!(product["properties"]["name"]["description"], "What customers see.");
    assert!(doc["components"]["schemas"]["HTTPValidationError"].is_object());

    let delete = &doc["paths"]["/products/{id}"]["delete"];
    assert_eq!(delete["deprecated"], true);
    assert_eq!(delete["parameters"][0]["in"], "path");
    assert_eq!(delete["parameters"][0]["required"], true);
    assert!(delete["responses"]["204"].is_object());
    assert!(doc["paths"]["/health"]["get"]["responses"]["200"].is_object());
}

#[tokio::test]
async fn the_document_is_served_and_can_be_moved_or_turned_off() {
    let c = TestClient::new(app());
    let r = c.get("/openapi.json").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.content_type(), Some("application/json"));
    assert_eq!(r.json::<Value>(), app().openapi());
    let moved = TestClient::new(app().openapi_url(Some("/api/schema.json")));
    assert_eq!(moved.get("/api/schema.json").await.status(), 200);
    assert_eq!(moved.get("/openapi.json").await.status(), 404);
    let off = TestClient::new(app().openapi_url(None));
    assert_eq!(off.get("/openapi.json").await.status(), 404);
}

#[tokio::test]
async fn swagger_ui_and_redoc_are_served_from_the_binary() {
    let c = TestClient::new(app());
    let page = c.get("/docs").await;
    assert_eq!(page.status(), 200);
    assert!(page.content_type().unwrap().starts_with("text/html"));
    assert!(page.header("content-security-policy").unwrap().contains("default-src 'self'"));
    let html = page.text();
    assert!(html.contains("<title>Catalogue - Swagger UI</title>"), "{html}");
    assert!(!html.contains("http"), "the page loads nothing from elsewhere: {html}");
    let init = c.get("/docs/assets/5.35.0/init.js").await.text();
    assert!(
        init.contains("\"url\":\"/openapi.json\"") && init.contains("\"validatorUrl\":null"),
        "{init}"
    );
    let bundle = c.get("/docs/assets/5.35.0/swagger-ui-bundle.js").await;
    assert_eq!(bundle.content_type(), Some("text/javascript"));
    assert!(bundle.bytes().len() > 1_000_000);
    assert!(bundle.header("cache-control").unwrap().contains("immutable"));

    let redoc = c.get("/redoc").await.text();
    assert!(redoc.contains("spec-url=\"/openapi.json\""), "{redoc}");
    let js = c.get("/redoc/assets/2.5.4/redoc.standalone.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.bytes().len() > 500_000);
}

#[tokio::test]
async fn the_pages_can_be_moved_or_turned_off() {
    let c = TestClient::new(app().docs_url(Some("/api/docs")).redoc_url(None));
    assert_eq!(c.get("/api/docs").await.status(), 200);
    assert_eq!(c.get("/docs").await.status(), 404);
    assert_eq!(c.get("/redoc").await.status(), 404);
    let no_document = TestClient::new(app().openapi_url(None));
    assert_eq!(no_document.get("/docs").await.status(), 404, "no document, no pages");
}

#[derive(Clone)]
struct ApiUser;

impl Dependency for ApiUser {
    async fn provide(_: &mut quiver::deps::http::request::Parts, _: &AppContext) -> Result<Self> {
        Err(HttpError::unauthorized("Not authenticated").into())
    }

    fn describe(
        doc: &mut quiver::openapi::OperationDoc,
        _: &mut quiver::deps::schemars::SchemaGenerator,
    ) {
        doc.security("bearerAuth", quiver::openapi::SecurityScheme::bearer(Some("JWT")), &[]);
        doc.error_response(401, "Not authenticated");
    }
}

#[get("/me")]
async fn me(Dep(_user): Dep<ApiUser>) -> &'static str {
    "me"
}

#[test]
fn auth_dependencies_put_their_scheme_on_the_operations_that_use_them() {
    let doc = App::new().routes(routes![me, health]).openapi();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    );
    assert_eq!(doc["paths"]["/me"]["get"]["security"], json!([{"bearerAuth": []}]));
    assert!(doc["paths"]["/me"]["get"]["responses"]["401"].is_object());
    assert!(doc["paths"]["/health"]["get"].get("security").is_none());
}

#[test]
fn app_metadata_and_a_last_hand_edit() {
    let doc = app()
        .description("Everything we sell.")
        .server("https://api.example.com", "production")
        .contact("API team", "https://example.com/team", "api@example.com")
        .license("Apache 2.0", "Apache-2.0")
        .tag_description("products", "What is for sale")
        .external_docs("https://example.com/guide", "The guide")
        .openapi_extra(|doc| doc["info"]["x-audience"] = json!("public"))
        .openapi();
    assert_eq!(doc["info"]["description"], "Everything we sell.");
    assert_eq!(doc["info"]["contact"]["email"], "api@example.com");
    assert_eq!(doc["info"]["license"], json!({"name": "Apache 2.0", "identifier": "Apache-2.0"}));
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://api.example.com", "description": "production"}])
    );
    assert_eq!(doc["tags"], json!([{"name": "products", "description": "What is for sale"}]));
    assert_eq!(doc["externalDocs"]["url"], "https://example.com/guide");
    assert_eq!(doc["info"]["x-audience"], "public");
}

#[test]
fn request_examples_are_attached_to_the_body() {
    let route = quiver::routing::IntoRoute::into_route(create_product {})
        .request_example("tea", json!({"name": "Tea", "price": 3.5}));
    let doc = App::new().route(route).openapi();
    let examples = &doc["paths"]["/products"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"];
    assert_eq!(examples["tea"]["value"]["name"], "Tea");
}

/// Optional fields may be left out of a request but are always in a response.
#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Note {
    text: String,
    pinned: Option<bool>,
}

#[post("/notes")]
async fn add_note(Json(note): Json<Note>) -> Created<Note> {
    Created::new(note)
}

#[test]
fn a_type_read_and_written_differently_gets_an_input_and_an_output_schema() {
    let doc = App::new().routes(routes![add_note, create_product]).openapi();
    let op = &doc["paths"]["/notes"]["post"];
    assert_eq!(
        op["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Note-Input"
    );
    assert_eq!(
        op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/Note-Output"
    );
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Note-Input"]["required"], json!(["text"]));
    assert_eq!(schemas["Note-Output"]["required"], json!(["text", "pinned"]));
    assert!(schemas.get("Note").is_none());
    assert!(
        schemas["Product"].is_object(),
        "a type that reads and writes the same stays one schema"
    );
}

/// A page of anything.
#[derive(Serialize, JsonSchema)]
struct PageOf<T> {
    items: Vec<T>,
    total: u64,
}

#[derive(Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum Status {
    Draft,
    Published,
}

#[derive(Deserialize, JsonSchema, Validate)]
struct Filter {
    status: Option<Status>,
}

#[get("/pages")]
async fn pages(Query(f): Query<Filter>) -> Json<PageOf<Product>> {
    let _ = f.status;
    Json(PageOf { items: vec![], total: 0 })
}

#[test]
fn generics_enums_and_serde_renames_are_described() {
    let doc = App::new().routes(routes![pages]).openapi();
    let op = &doc["paths"]["/pages"]["get"];
    let response = &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
    let name = response.as_str().unwrap().trim_start_matches("#/components/schemas/");
    let page = &doc["components"]["schemas"][name];
    assert_eq!(page["properties"]["items"]["items"]["$ref"], "#/components/schemas/Product");
    assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{name}");
    let status = &op["parameters"][0]["schema"];
    let status = if let Some(r) = status["$ref"].as_str() {
        doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")].clone()
    } else {
        status.clone()
    };
    assert_eq!(status["enum"], json!(["draft", "published"]), "{status:#}");
}
