//! # quiver-admin
//!
//! A back office generated from the models (Django's admin): log in as a staff user, browse,
//! search, filter and sort every registered model, add, change and delete objects through
//! forms generated from the field types, run bulk actions, and read each object's history.
//! Server-rendered with minijinja templates; its CSS and JS are built into the binary.
//!
//! Built only on the public APIs of `quiver-core`, `quiver-orm` and `quiver-auth`.
//!
//! ```
//! use quiver_admin::{AdminAppExt, AdminSite};
//! use quiver_auth::{Auth, AuthAppExt};
//! use quiver_core::App;
//! use quiver_orm::prelude::*;
//!
//! #[derive(Model, Debug)]
//! #[model(table = "blog_article")]
//! pub struct Article {
//!     pub id: Auto<i64>,
//!     #[field(max_length = 200)]
//!     pub title: String,
//!     pub published: bool,
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! let site = AdminSite::new().register::<Article>(|article| {
//!     article.list_display(["title", "published"]).search_fields(["title"]).list_filter(["published"])
//! });
//! let app = App::new().state(db.clone()).auth(Auth::new(&db, [7u8; 32])).admin(site);
//! # let _ = app;
//! # });
//! ```
//!
//! Guide: the `quiver` crate's `docs::admin`.

mod changelist;
mod collect;
mod form;
mod models;
mod ops;
mod render;
mod site;
mod values;
mod views;

pub use models::{Action, LogEntry, models};
pub use site::{AdminAppExt, AdminSite, ModelAdmin};

/// The admin app's migrations, built into the binary: `(name, TOML)` in order.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_initial", include_str!("../migrations/0001_initial.toml"))];
