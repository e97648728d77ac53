//! Server-rendered pages through the facade, as a shop app uses them: templates with overrides,
//! the names every template gets, flash messages, static and media files, the debug page.

mod debug;
mod files;
mod messages;
mod templates;

use quiver::auth::password::PasswordHasher;
use quiver::auth::{Auth, LoginThrottle};
use quiver::pages::context;
use quiver::prelude::*;

/// The shop's templates, as an app embeds them.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "shop/base.html",
        r#"<!doctype html><title>{% block title %}Shop{% endblock %}</title>
<link rel="stylesheet" href="{{ static('shop/site.css') }}">
<nav>{% if user %}Signed in as {{ user.username }}{% else %}Anonymous{% endif %}</nav>
{% for message in messages %}<p class="message {{ message.level }}">{{ message }}</p>{% endfor %}
<main>{% block body %}{% endblock %}</main>
<footer>at {{ request.path }}</footer>"#,
    ),
    (
        "shop/home.html",
        r#"{% extends "shop/base.html" %}{% block body %}<h1>{{ title }}</h1>
<ul>{% for p in products %}<li>{{ p.name }}</li>{% endfor %}</ul>{% endblock %}"#,
    ),
    (
        "shop/review.html",
        r#"{% extends "shop/base.html" %}{% block body %}<form method="post" action="/reviews">
{{ csrf_field }}<textarea name="text"></textarea><button>Send</button></form>{% endblock %}"#,
    ),
    ("shop/quiet.html", "{% if messages %}{{ messages|length }} waiting{% endif %}"),
    ("shop/broken.html", "line one\n{{ 1 + }}"),
];

/// The shop's static files.
pub const STATIC: &[(&str, &[u8])] = &[
    ("shop/site.css", b"body { color: #222 }"),
    ("shop/logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
];

/// A product, as the ORM would hand it over.
#[derive(Serialize)]
pub struct Product {
    /// Shown in a list item.
    pub name: String,
}

/// The home page: data with markup in it.
#[get("/", hidden)]
async fn home(page: Page) -> Result<Html<String>> {
    let products = vec![
        Product { name: "<script>alert('pwned')</script>".into() },
        Product { name: "Kettle & cups".into() },
    ];
    page.render("shop/home.html", context! { products, title => "Our <b>best</b> products" })
}

/// A form that posts back.
#[get("/review", hidden)]
async fn review_form(page: Page) -> Result<Html<String>> {
    page.render("shop/review.html", context! {})
}

#[derive(Deserialize, JsonSchema, Validate)]
struct Review {
    text: String,
}

/// Takes a review, thanks for it on the next page.
#[post("/reviews", hidden)]
async fn post_review(messages: Messages, Form(review): Form<Review>) -> Redirect {
    messages.success(format!("Thanks for <{}>", review.text));
    messages.warning("Reviews show after moderation");
    Redirect::to("/")
}

/// A page that counts the messages without listing them.
#[get("/quiet", hidden)]
async fn quiet(page: Page) -> Result<Html<String>> {
    page.render("shop/quiet.html", ())
}

/// Renders a template with a syntax error.
#[get("/broken", hidden)]
async fn broken(page: Page) -> Result<Html<String>> {
    page.render("shop/broken.html", ())
}

/// Fails inside.
#[get("/fail", hidden)]
async fn fail() -> Result<Html<String>> {
    Err(quiver::Error::internal("the disk <is> on fire"))
}

/// Panics.
#[get("/panic", hidden)]
async fn panics() -> Result<Html<String>> {
    panic!("the kettle boiled dry")
}

/// Renders the template the query names (careless, to show `..` cannot leave the folder).
#[get("/by-name", hidden)]
async fn by_name(page: Page, #[query] name: String) -> Result<Html<String>> {
    page.render(&name, ())
}

/// Signs out, saying so on the next page (Django's "You have been logged out").
#[post("/signout", hidden)]
async fn signout(
    auth: State<Auth>,
    session: quiver::auth::session::Session,
    messages: Messages,
) -> Redirect {
    auth.logout(&session).await;
    messages.info("You are signed out");
    Redirect::to("/")
}

/// Every page of the test shop.
pub fn shop_routes() -> Vec<quiver::Route> {
    routes![home, review_form, post_review, quiet, broken, fail, panics, by_name, signout]
}

/// The shop's pages, with `templates` (a folder) overriding the embedded ones when given.
pub fn pages(debug: bool, templates: Option<&std::path::Path>) -> Pages {
    let mut list = Templates::new().embedded(TEMPLATES);
    if let Some(dir) = templates {
        list = list.dir(dir);
    }
    Pages::new(list).static_files(StaticFiles::embedded(STATIC)).debug(debug)
}

/// The shop without the auth app.
pub fn shop(debug: bool) -> TestClient {
    TestClient::new(App::new().pages(pages(debug, None)).routes(shop_routes()))
}

/// The test users' password.
pub const PASSWORD: &str = "analytical-engine-1843";

/// The shop with the auth app on an in-memory SQLite database, and a user `ada`.
pub async fn shop_with_auth() -> TestClient {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    quiver::orm::schema::create_tables(&db, &quiver::auth::models()).await.unwrap();
    let auth = Auth::new(&db, [7u8; 32])
        .hasher(PasswordHasher::argon2id(8 * 1024, 1, 1))
        .login_throttle(LoginThrottle::default().without_delay());
    auth.create_user("ada", "ada@example.com", PASSWORD).await.unwrap();
    let app = App::new().state(db).auth(auth).pages(pages(false, None)).routes(shop_routes());
    TestClient::new(app)
}

/// Logs in through the auth app's session endpoint.
pub async fn login(client: &TestClient, username: &str) {
    let csrf: serde_json::Value = client.get("/auth/csrf").await.json();
    let response = client
        .post("/auth/login")
        .header("x-csrftoken", csrf["csrf_token"].as_str().unwrap())
        .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
        .await;
    assert_eq!(response.status(), 200, "{}", response.text());
}

/// The value of the hidden CSRF input in `html`.
pub fn csrf_from(html: &str) -> String {
    let field = html.split(r#"name="csrfmiddlewaretoken" value=""#).nth(1).expect("a CSRF field");
    field.split('"').next().unwrap().to_owned()
}

/// The `/static/...?v=...` URL of `name` in `html`.
pub fn static_url(html: &str, name: &str) -> String {
    let start = html.find(&format!("/static/{name}?v=")).expect("a hashed static URL");
    html[start..].split('"').next().unwrap().to_owned()
}
