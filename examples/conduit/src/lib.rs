//! The RealWorld "Conduit" API (`../shared/specs/realworld`) on Quiver: users with JWTs in the
//! `Authorization: Token <jwt>` scheme, profiles and follows, articles with tags, favourites
//! and comments, and the admin for every model. Errors use the spec's format,
//! `{"errors": {"field": ["message"]}}`, set in one place with `App::error_handler`.

pub mod api;
pub mod auth;
pub mod models;

use std::time::Duration;

use quiver::admin::AdminSite;
use quiver::auth::tokens::Jwt;
use quiver::deps::tower_http::cors::{Any, CorsLayer};
use quiver::error::ErrorReport;
use quiver::prelude::*;
use quiver::response::{IntoResponse, Response};
use quiver::validation::LocItem;

use crate::models::{Article, Comment, Favorite, Follow, Profile, Tag};

/// The migrations of Conduit's own models, built into the binary.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_initial", include_str!("../migrations/0001_initial.toml"))];

/// The project's apps: auth, the admin's history, and Conduit's models (for `migrate`).
pub fn apps() -> Vec<quiver::manage::App> {
    vec![
        quiver::manage::App::auth(),
        quiver::manage::App::admin(),
        quiver::manage::App::embedded("conduit", MIGRATIONS, models::models()),
    ]
}

/// Applies every migration (auth, admin, Conduit) to `db`.
pub async fn migrate(db: &Db) -> quiver::orm::Result<()> {
    quiver::manage::migrate_apps(db, &apps()).await.map(drop)
}

/// The auth settings: JWTs valid for a day (the spec's clients keep one token).
pub fn auth_settings(db: &Db, secret: &[u8]) -> Auth {
    Auth::new(db, secret).jwt(Jwt::hs256(secret).access_ttl(Duration::from_secs(24 * 3600)))
}

/// The whole app on `db`, signing tokens with `secret`.
pub fn app(db: Db, secret: &[u8]) -> App {
    let auth = auth_settings(&db, secret).without_routes();
    let site = AdminSite::new()
        .register::<Article>(|a| {
            a.list_display(["title", "author", "created_at"])
                .search_fields(["title", "author__username"])
                .list_filter(["created_at"])
        })
        .register::<Comment>(|c| c.list_display(["id", "article", "author", "created_at"]))
        .register::<Tag>(|t| t.search_fields(["name"]))
        .model::<Favorite>()
        .model::<Follow>()
        .register::<Profile>(|p| p.list_display(["user", "bio"]));
    App::new()
        .title("Conduit API")
        .description("The RealWorld backend spec on Quiver.")
        .state(db)
        .auth(auth)
        .admin(site)
        .cors(CorsLayer::new().allow_origin(Any).allow_methods(Any).allow_headers(Any))
        .routes(api::routes())
        .error_handler(spec_errors)
        .error_schema::<ErrorBody>()
}

/// The spec's error body: the problems by field (`body` when not about one field).
#[derive(Debug, Serialize, JsonSchema)]
pub struct ErrorBody {
    /// Messages by field.
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

/// Every error in the spec's format: `{"errors": {"field": ["message"]}}`. A 422 names each
/// invalid field (the last part of its location); other errors put their message under
/// `body`, the spec's catch-all key.
pub fn spec_errors(report: &ErrorReport) -> Response {
    let mut errors = serde_json::Map::new();
    for problem in report.validation_errors() {
        // The innermost key names the field (`["body", "user", "email"]` → `email`).
        let field = problem
            .loc
            .iter()
            .skip(1)
            .rev()
            .find_map(|item| match item {
                LocItem::Key(key) => Some(key.to_string()),
                LocItem::Index(_) => None,
            })
            .unwrap_or_else(|| "body".into());
        let messages = errors.entry(field).or_insert_with(|| serde_json::json!([]));
        if let Some(list) = messages.as_array_mut() {
            list.push(problem.msg.clone().into());
        }
    }
    if errors.is_empty() {
        let message = match report.detail() {
            Some(serde_json::Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
            None => report.status().canonical_reason().unwrap_or("error").to_owned(),
        };
        errors.insert("body".into(), serde_json::json!([message]));
    }
    (report.status(), Json(serde_json::json!({ "errors": errors }))).into_response()
}

/// A timestamp as the spec writes it: ISO 8601, UTC, milliseconds.
pub fn timestamp(t: &quiver::deps::chrono::DateTime<quiver::deps::chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `How to Train Your Dragon!` → `how-to-train-your-dragon`.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() { "article".into() } else { slug }
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_become_slugs() {
        assert_eq!(super::slugify("How to Train Your Dragon!"), "how-to-train-your-dragon");
        assert_eq!(super::slugify("  Ünïcode  tïtle "), "ünïcode-tïtle");
        assert_eq!(super::slugify("!!!"), "article");
    }
}
