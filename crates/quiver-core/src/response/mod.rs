//! What handlers return. Anything implementing [`IntoResponse`] works: `&str`/`String` (text),
//! [`Json`], [`Html`], [`Redirect`], [`Created`], [`NoContent`], [`FileResponse`],
//! [`Streaming`], a `(StatusCode, ...)` or `(headers, ...)` tuple, and `Result<T>` of any of
//! them (errors render as `{"detail": ...}`).
//!
//! ```
//! use http::StatusCode;
//! use quiver_core::response::{Html, IntoResponse, Redirect};
//!
//! async fn teapot() -> impl IntoResponse {
//!     (StatusCode::IM_A_TEAPOT, [("x-tea", "earl grey")], Html("<p>short and stout</p>"))
//! }
//! async fn old() -> Redirect {
//!     Redirect::permanent("/new")
//! }
//! ```

mod created;
mod file;
mod stream;

pub use axum::response::{Html, IntoResponse, IntoResponseParts, Redirect, Response};
pub use created::{Created, NoContent};
pub use file::FileResponse;
pub use stream::Streaming;

pub use crate::extract::Json;
