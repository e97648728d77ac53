//! Hello, Quiver: typed routes, validation, dependencies, routers and responses in one file.

use std::sync::atomic::{AtomicU64, Ordering};

use quiver::deps::http::request::Parts;
use quiver::deps::tower_http::cors::CorsLayer;
use quiver::extract::FromRequestParts;
use quiver::openapi::{OperationDoc, SecurityScheme};
use quiver::prelude::*;

#[get("/plaintext")]
async fn plaintext() -> &'static str {
    "Hello, World!"
}

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

#[get("/json")]
async fn json() -> Json<Message> {
    Json(Message { message: "Hello, World!" })
}

fn tag_lengths(
    tags: &[String],
) -> std::result::Result<(), quiver::deps::validator::ValidationError> {
    match tags.iter().all(|t| (1..=20).contains(&t.chars().count())) {
        true => Ok(()),
        false => Err(quiver::deps::validator::ValidationError::new("tag_length")),
    }
}

/// A new user: every rule is checked and every broken one reported.
#[derive(Deserialize, Serialize, JsonSchema, Validate)]
pub struct NewUser {
    #[validate(length(min = 1, max = 50))]
    name: String,
    #[validate(email)]
    email: String,
    #[validate(range(min = 0, max = 150))]
    age: i64,
    #[validate(length(max = 10), custom(function = "tag_lengths"))]
    #[schemars(inner(length(min = 1, max = 20)))]
    tags: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
struct User {
    id: u64,
    #[serde(flatten)]
    user: NewUser,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Create a user.
#[post("/validate", tag = "users")]
async fn validate(Json(user): Json<NewUser>) -> Created<User> {
    Created::new(User { id: NEXT_ID.fetch_add(1, Ordering::Relaxed), user })
}

/// App-wide settings, registered once with `App::state`.
#[derive(Clone)]
pub struct Settings {
    /// The bearer token `/admin` routes accept.
    pub api_token: String,
    /// Browser origins allowed to call the API (CORS); none by default.
    pub cors_origins: Vec<String>,
}

/// The caller, known from their token; a dependency that needs another (the settings).
#[derive(Clone)]
struct Caller(String);

impl Dependency for Caller {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let State(settings) = State::<Settings>::from_request_parts(parts, app).await?;
        let token = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
        match token.and_then(|t| t.strip_prefix("Bearer ")) {
            Some(t) if t == settings.api_token => Ok(Caller("admin".into())),
            _ => Err(HttpError::unauthorized("Not authenticated")
                .with_header("www-authenticate", "Bearer")
                .into()),
        }
    }

    fn describe(doc: &mut OperationDoc, _: &mut quiver::deps::schemars::SchemaGenerator) {
        doc.security("bearerAuth", SecurityScheme::bearer(None), &[]);
        doc.error_response(401, "Not authenticated");
    }
}

/// Read one item; `verbose` is an optional query flag.
#[get("/items/{id}", tag = "items", error(404, "Item not found"))]
async fn get_item(
    #[path] id: u32,
    #[query] verbose: Option<bool>,
) -> Result<Json<serde_json::Value>> {
    if id == 0 {
        return Err(HttpError::not_found("Item not found").into());
    }
    Ok(Json(serde_json::json!({"id": id, "verbose": verbose.unwrap_or(false)})))
}

/// Who am I? Needs a bearer token.
#[get("/me", tag = "admin")]
async fn me(Dep(caller): Dep<Caller>) -> String {
    caller.0
}

/// Store an uploaded file's size; the upload streams to disk past 1 MiB.
#[post("/upload", tag = "admin")]
async fn upload(mut form: Multipart) -> Result<Json<Vec<u64>>> {
    let mut sizes = Vec::new();
    while let Some(field) = form.next_field().await? {
        sizes.push(field.into_upload().await?.size());
    }
    Ok(Json(sizes))
}

#[get("/")]
async fn home() -> Html<&'static str> {
    Html("<h1>Hello, Quiver</h1><p>Try <a href=\"/json\">/json</a>.</p>")
}

#[get("/home")]
async fn old_home() -> Redirect {
    Redirect::permanent("/")
}

/// The whole app; `main` serves it, tests drive it with `TestClient`.
pub fn app(settings: Settings) -> App {
    let admin = Router::new()
        .prefix("/admin")
        .tag("admin")
        .dependency::<Caller>()
        .routes(routes![me, upload]);
    let mut app = App::new()
        .routes(routes![plaintext, json, validate, get_item, home, old_home])
        .include(admin);
    if !settings.cors_origins.is_empty() {
        let origins =
            settings.cors_origins.iter().filter_map(|o| o.parse().ok()).collect::<Vec<_>>();
        app = app.cors(CorsLayer::new().allow_origin(origins));
    }
    app.state(settings)
}
