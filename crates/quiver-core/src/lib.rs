//! Quiver's HTTP layer: an [`App`] of typed handlers on axum, FastAPI-style validation that
//! reports every problem in one `422`, dependency injection, responses, middleware, a server
//! with graceful shutdown, and an in-process [`TestClient`](testing::TestClient).
//!
//! This crate knows nothing of databases. Most users depend on the `quiver` facade instead,
//! which re-exports everything here with the route macros and the batteries.
//!
//! ```
//! use quiver_core::{App, HttpError, Result, extract::{Json, Path}};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct ItemId { id: u32 }
//!
//! async fn item(Path(p): Path<ItemId>) -> Result<Json<String>> {
//!     if p.id == 0 {
//!         return Err(HttpError::not_found("no item 0").into());
//!     }
//!     Ok(Json(format!("item {}", p.id)))
//! }
//!
//! let app = App::new().get("/items/{id}", item);
//! ```

pub mod app;
mod context;
pub mod cpu;
pub mod error;
pub mod extract;
pub mod handler;
pub mod middleware;
pub mod openapi;
pub mod response;
pub mod routing;
pub mod security;
pub mod server;
pub mod testing;
pub mod validation;

pub use app::App;
pub use context::AppContext;
pub use error::{Error, ErrorKind, HttpError, Result};
pub use routing::{Route, Router};
pub use server::Server;

/// Installs a `tracing` subscriber writing to stderr, filtered by `RUST_LOG` (default `info`),
/// unless one is already installed.
///
/// ```
/// quiver_core::init_logging();
/// ```
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

#[doc(hidden)]
pub mod __private {
    //! Items the route macros expand to; not a public API.
    pub use http::Method;

    /// Fails to compile, at the argument, when `T` cannot be read from the request head.
    pub fn assert_head_argument<T: crate::extract::FromRequestParts>() {}

    /// Fails to compile, at the argument, when `T` cannot be a handler's last argument.
    pub fn assert_last_argument<T: crate::extract::FromRequest<M>, M>() {}
}
