//! # Quiver
//!
//! A Rust web framework for APIs and data-backed web apps: FastAPI's typed handlers, validation
//! and dependency injection, with Django's batteries on the way, on tokio + hyper + axum.
//!
//! ```
//! use quiver::prelude::*;
//!
//! #[derive(Deserialize, Serialize, JsonSchema, Validate)]
//! struct NewItem {
//!     #[validate(length(min = 1, max = 50))]
//!     name: String,
//!     #[validate(range(min = 0.0))]
//!     price: f64,
//! }
//!
//! /// Get one item.
//! #[get("/items/{id}", tag = "items")]
//! async fn get_item(#[path] id: u32, #[query] verbose: Option<bool>) -> Result<Json<String>> {
//!     if id == 0 {
//!         return Err(HttpError::not_found("no item 0").into());
//!     }
//!     Ok(Json(format!("item {id}, verbose: {}", verbose.unwrap_or(false))))
//! }
//!
//! /// Create an item.
//! #[post("/items", tag = "items")]
//! async fn create_item(Json(item): Json<NewItem>) -> Created<NewItem> {
//!     Created::new(item)
//! }
//!
//! # async fn demo() {
//! let app = App::new().routes(routes![get_item, create_item]);
//! let client = TestClient::new(app);
//! let bad = client.post("/items").json(&serde_json::json!({"name": "", "price": -1})).await;
//! assert_eq!(bad.status(), 422); // both problems listed in one answer
//! # }
//! ```
//!
//! Guides: [`docs::validation`] (how the 422 answers are built), [`docs::openapi`] (the document
//! and the docs pages), [`docs::orm`] (models, queries, transactions), [`docs::migrations`].

pub use quiver_core::{
    App, AppContext, Error, ErrorKind, HttpError, Result, Route, Router, Server, init_logging,
    routes,
};
pub use quiver_core::{
    cpu, error, extract, handler, middleware, openapi, response, routing, security, server,
    testing, validation,
};
pub use quiver_macros::{delete, get, patch, post, put};

/// The ORM (the `quiver-orm` crate): models, QuerySet, databases, transactions.
///
/// Models derive `Model` (in the prelude); handlers take the database as `State<Db>` and turn
/// ORM errors into HTTP answers with [`orm::OrmResultExt::or_404`].
///
/// ```
/// use quiver::prelude::*;
///
/// #[derive(Model, Serialize, JsonSchema, Debug)]
/// pub struct Book {
///     pub id: Auto<i64>,
///     #[field(max_length = 100)]
///     pub title: String,
/// }
///
/// /// One book.
/// #[get("/books/{id}")]
/// async fn book(db: State<Db>, #[path] id: i64) -> Result<Json<Book>> {
///     let book = Book::objects().filter(Book::ID.eq(id)).get(&*db).await.or_404()?;
///     Ok(Json(book))
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = Db::connect("sqlite::memory:").await.unwrap();
/// quiver::orm::schema::create_tables(&db, &[Book::meta()]).await.unwrap();
/// Book { id: Auto::new(), title: "Dune".into() }.insert(&db).await.unwrap();
///
/// let client = TestClient::new(App::new().state(db).routes(routes![book]));
/// assert_eq!(client.get("/books/1").await.json::<serde_json::Value>()["title"], "Dune");
/// let missing = client.get("/books/2").await;
/// assert_eq!(missing.status(), 404);
/// assert_eq!(missing.json::<serde_json::Value>()["detail"], "Book not found");
/// # });
/// ```
pub mod orm {
    pub use quiver_orm::*;

    mod http;
    pub use http::OrmResultExt;
}

/// Auth (the `quiver-auth` crate): users, groups, permissions, passwords, sessions, tokens,
/// API keys, login throttling and rate limits. Install it with `App::auth` (from
/// [`auth::AuthAppExt`], in the prelude); see the [auth guide](crate::docs::auth).
pub mod auth {
    pub use quiver_auth::*;
}

/// The admin site (the `quiver-admin` crate): a back office generated from the models. Install
/// it with `App::admin` (from [`admin::AdminAppExt`], in the prelude); see the
/// [admin guide](crate::docs::admin).
pub mod admin {
    pub use quiver_admin::*;
}

pub mod manage;
pub mod ops;
pub mod pages;
pub mod project;
pub mod settings;

pub use project::{Project, ProjectContext};

/// The crates Quiver builds on, re-exported so apps use the same versions.
pub mod deps {
    pub use axum;
    pub use bytes;
    pub use chrono;
    pub use http;
    pub use rust_decimal;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use tokio;
    pub use tower;
    pub use tower_http;
    pub use tracing;
    pub use uuid;
    pub use validator;
}

/// Guides.
pub mod docs {
    #[doc = include_str!("../docs/validation.md")]
    pub mod validation {}

    #[doc = include_str!("../docs/openapi.md")]
    pub mod openapi {}

    #[doc = include_str!("../docs/orm.md")]
    pub mod orm {}

    #[doc = include_str!("../docs/migrations.md")]
    pub mod migrations {}

    #[doc = include_str!("../docs/auth.md")]
    pub mod auth {}

    #[doc = include_str!("../docs/admin.md")]
    pub mod admin {}

    #[doc = include_str!("../docs/project.md")]
    pub mod project {}

    #[doc = include_str!("../docs/cpu.md")]
    pub mod cpu {}

    #[doc = include_str!("../docs/pages.md")]
    pub mod pages {}
}

/// Everything a typical app file needs: `use quiver::prelude::*;`.
pub mod prelude {
    pub use crate::admin::{AdminAppExt, AdminSite};
    pub use crate::auth::{Auth, AuthAppExt, CurrentUser, OptionalUser, Require, perm};
    pub use crate::cpu::CpuPool;
    pub use crate::extract::{
        BodyStream, Cookies, Dep, Dependency, Form, Headers, Json, Multipart, Path, Query, Request,
        State, UploadedFile,
    };
    pub use crate::ops::OpsAppExt;
    pub use crate::orm::{
        Auto, Db, F, ForeignKey, ManyToMany, Model, OneToOne, OrmResultExt, Q, QuerySet, Reverse,
        Transaction,
    };
    pub use crate::pages::{Messages, Page, Pages, PagesAppExt, StaticFiles, Templates, context};
    pub use crate::project::{Project, ProjectContext};
    pub use crate::response::{
        Created, FileResponse, Html, IntoResponse, NoContent, Redirect, Response, Streaming,
    };
    pub use crate::security::{ClientIp, CsrfToken};
    pub use crate::testing::TestClient;
    pub use crate::{
        App, AppContext, HttpError, Result, Router, delete, get, patch, post, put, routes,
    };
    pub use http::StatusCode;
    pub use schemars::JsonSchema;
    pub use serde::{Deserialize, Serialize};
    pub use validator::Validate;
}

#[doc(hidden)]
pub mod __private {
    pub use quiver_core::__private::*;
}

/// The README's example compiles (checked by `cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
