//! {{name}} as its users see it: the API, the home page and its form, templates that compile,
//! and migration files that match the models.

use quiver::deps::serde_json::{Value, json};
use quiver::orm::testing::check_app_migrations;
use quiver::prelude::*;

use {{name}} as project;

/// The app as `cargo run` serves it, with the `[test]` settings of quiver.toml: a new
/// in-memory database with every migration applied.
async fn client() -> TestClient {
    let (_, app) = project::project().test_app().await.expect("the test app");
    TestClient::new(app)
}

#[tokio::test]
async fn notes_are_written_and_listed_through_the_api() {
    let client = client().await;
    assert_eq!(client.get("/api/notes").await.json::<Value>(), json!([]));

    let created = client
        .post("/api/notes")
        .json(&json!({"text": "Buy milk"}))
        .await;
    assert_eq!(created.status(), 201, "{}", created.text());
    assert_eq!(created.json::<Value>()["text"], "Buy milk");
    let notes: Value = client.get("/api/notes").await.json();
    assert_eq!(notes[0]["text"], "Buy milk");

    let empty = client.post("/api/notes").json(&json!({"text": ""})).await;
    assert_eq!(empty.status(), 422);
    assert_eq!(
        empty.json::<Value>()["detail"][0]["loc"],
        json!(["body", "text"])
    );
}

#[tokio::test]
async fn the_home_page_lists_the_notes_and_its_form_adds_one() {
    let client = client().await;
    let home = client.get("/").await;
    assert_eq!(home.status(), 200);
    let html = home.text();
    assert!(html.contains("No notes yet."), "{html}");

    // The style sheet's URL carries its content hash.
    let css = attribute(&html, "href=\"/static/css/site.css");
    let css = client.get(&format!("/static/css/site.css{css}")).await;
    assert_eq!(css.status(), 200);
    assert!(
        css.content_type()
            .is_some_and(|t| t.starts_with("text/css"))
    );

    // A form without the page's CSRF token is refused; with it, the note is saved.
    let forged = client.post("/").form(&[("text", "forged")]).await;
    assert_eq!(forged.status(), 403);
    let token = attribute(&html, "name=\"csrfmiddlewaretoken\" value=\"");
    let saved = client
        .post("/")
        .form(&[("csrfmiddlewaretoken", token), ("text", "<b>hi</b>")])
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    assert_eq!(saved.header("location"), Some("/"));

    let html = client.get("/").await.text();
    assert!(html.contains("Note saved."), "{html}");
    assert!(
        html.contains("&lt;b&gt;hi") && !html.contains("<b>hi"),
        "escaped: {html}"
    );
}

#[test]
fn every_template_compiles() {
    project::pages::templates().check().unwrap();
}

/// After changing a model: `cargo run -- makemigrations` (or run this test with
/// `QUIVER_WRITE_MIGRATIONS=1`) writes the migration; then add it to `MIGRATIONS`.
#[test]
fn the_migrations_match_the_models() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let models = project::models::models();
    check_app_migrations(project::LABEL, &dir, &models, &[], project::MIGRATIONS);
}

/// What follows `start` in `html`, up to the next quote.
fn attribute<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"))
        + start.len();
    let rest = &html[from..];
    &rest[..rest.find('"').unwrap_or(rest.len())]
}
