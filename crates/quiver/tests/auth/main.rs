//! The auth app through the facade, as a user's app uses it: each guarantee of issue 6 is shown
//! failing closed.

mod backends;
mod csrf;
mod django;
mod limits;
mod manage;
mod passwords;
mod permissions;
mod security;
mod sessions;
mod tokens;

use quiver::auth::password::PasswordHasher;
use quiver::auth::{Auth, LoginThrottle, User};
use quiver::prelude::*;

/// The test users' password.
pub const PASSWORD: &str = "analytical-engine-1843";

/// A database with the auth tables and a user `ada`.
pub async fn database() -> Db {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    quiver::orm::schema::create_tables(&db, &quiver::auth::models()).await.unwrap();
    db
}

/// Auth with a fast hasher (tests only) and no throttling delay.
pub fn auth(db: &Db) -> Auth {
    Auth::new(db, [7u8; 32])
        .hasher(PasswordHasher::argon2id(8 * 1024, 1, 1))
        .login_throttle(LoginThrottle::default().without_delay())
}

/// Makes the user `ada`.
pub async fn ada(auth: &Auth) -> User {
    auth.create_user("ada", "ada@example.com", PASSWORD).await.unwrap()
}

/// Who is asking.
#[get("/whoami")]
async fn whoami(user: CurrentUser) -> Json<String> {
    Json(user.username.clone())
}

/// A change that needs a permission.
#[post("/articles/{id}/publish")]
async fn publish(_: Require<perm!("blog.change_article")>, #[path] id: i64) -> Json<i64> {
    Json(id)
}

/// An unsafe request a logged-in browser makes.
#[post("/notes")]
async fn add_note(user: CurrentUser, body: String) -> Json<String> {
    Json(format!("{}: {body}", user.username))
}

/// A page with a form.
#[get("/form")]
async fn form(csrf: CsrfToken) -> Html<String> {
    Html(format!(r#"<form method="post" action="/notes">{}</form>"#, csrf.form_field()))
}

/// Counts visits in the session.
#[get("/visit")]
async fn visit(session: quiver::auth::session::Session) -> Result<Json<u64>> {
    let n: u64 = session.get("visits").await?.unwrap_or(0) + 1;
    session.insert("visits", n).await?;
    Ok(Json(n))
}

/// The test app.
pub fn app(db: &Db, auth: Auth) -> App {
    App::new().state(db.clone()).auth(auth).routes(routes![whoami, publish, add_note, form, visit])
}

/// A client of the test app.
pub fn client(db: &Db, auth: Auth) -> TestClient {
    TestClient::new(app(db, auth))
}

/// A CSRF token (and its cookie), as a single-page app gets one.
pub async fn csrf_token(client: &TestClient) -> String {
    let body: serde_json::Value = client.get("/auth/csrf").await.json();
    body["csrf_token"].as_str().unwrap().to_owned()
}

/// Logs in through the session endpoint, as a single-page app does (with the CSRF header: the
/// browser may hold cookies already).
pub async fn login(client: &TestClient, username: &str, password: &str) -> u16 {
    let csrf = csrf_token(client).await;
    client
        .post("/auth/login")
        .header("x-csrftoken", &csrf)
        .json(&serde_json::json!({ "username": username, "password": password }))
        .await
        .status()
        .as_u16()
}

/// A bearer token from the OAuth2 endpoint.
pub async fn token(client: &TestClient, username: &str, password: &str) -> serde_json::Value {
    let response =
        client.post("/auth/token").form(&[("username", username), ("password", password)]).await;
    assert_eq!(response.status(), 200, "{}", response.text());
    response.json()
}
