//! Typed inputs a handler declares as arguments.
//!
//! Each argument type implements [`FromRequestParts`] (reads the head: path, query, headers,
//! cookies, state, dependencies) or, for the last argument only, [`FromRequest`] (may read the
//! body). Validation problems from every argument are gathered into one `422`; any other error
//! (a `401` from a dependency, say) answers at once.

mod body;
mod cookie;
mod dependency;
mod form;
mod header;
mod json;
mod multipart;
mod param;
mod path;
mod query;
mod state;

use std::future::Future;

use http::request::Parts;

pub use body::{BodyStream, Request};
pub use cookie::{CookieParam, Cookies, cookie_value};
pub use dependency::{Dep, Dependency, defer};
pub(crate) use dependency::{ScopeFuture, dependency_scope, with_request_scope};
pub use form::Form;
pub use header::{HeaderParam, Headers};
pub use json::Json;
pub(crate) use json::json_response;
pub use multipart::{Field, Multipart, MultipartLimits, UploadedFile};
pub use param::{ParamName, ParamValue};
pub use path::{Path, PathParam};
pub use query::{Query, QueryParam};
pub use state::State;

use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::Result;
use crate::openapi::OperationDoc;

/// A handler argument read from the request head. Implement it for your own extractors; for
/// values computed once per request and shared, implement [`Dependency`] instead.
///
/// ```
/// use quiver_core::{AppContext, HttpError, Result, extract::FromRequestParts};
/// use http::request::Parts;
///
/// struct ApiVersion(u8);
///
/// impl FromRequestParts for ApiVersion {
///     async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
///         match parts.headers.get("x-api-version").map(|v| v.as_bytes()) {
///             Some(b"2") => Ok(ApiVersion(2)),
///             None | Some(b"1") => Ok(ApiVersion(1)),
///             Some(_) => Err(HttpError::bad_request("unknown API version").into()),
///         }
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be read from the request head",
    label = "not an extractor",
    note = "handler arguments must be extractors such as `Path<T>`, `Query<T>`, `Json<T>`, `State<T>` or `Dep<T>`",
    note = "only the last argument may read the body (`Json<T>`, `Form<T>`, `Multipart`, `Bytes`, `Request`)"
)]
pub trait FromRequestParts: Sized + Send {
    /// Reads the value, or fails with validation problems (gathered with the other arguments')
    /// or another error (answered at once).
    fn from_request_parts(
        parts: &mut Parts,
        app: &AppContext,
    ) -> impl Future<Output = Result<Self>> + Send;

    /// Declares, in the OpenAPI document, the parameters this extractor reads (none by default).
    fn describe(_doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {}
}

/// A handler argument that may consume the request body; only the last argument can be one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not an extractor",
    note = "handler arguments must be extractors such as `Path<T>`, `Query<T>`, `Json<T>`, `State<T>` or `Dep<T>`"
)]
pub trait FromRequest<M = private::ViaRequest>: Sized + Send {
    /// Reads the value from the whole request.
    fn from_request(req: Request, app: &AppContext) -> impl Future<Output = Result<Self>> + Send;

    /// Declares, in the OpenAPI document, what this extractor reads (nothing by default).
    fn describe(_doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {}
}

impl<T: FromRequestParts> FromRequest<private::ViaParts> for T {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (mut parts, _body) = req.into_parts();
        T::from_request_parts(&mut parts, app).await
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        T::describe(doc, generator);
    }
}

impl<T: FromRequestParts> FromRequestParts for Option<T> {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        Ok(T::from_request_parts(parts, app).await.ok())
    }
}

impl FromRequestParts for http::Method {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        Ok(parts.method.clone())
    }
}

impl FromRequestParts for http::Uri {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        Ok(parts.uri.clone())
    }
}

impl FromRequestParts for http::HeaderMap {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        Ok(parts.headers.clone())
    }
}

impl FromRequestParts for AppContext {
    async fn from_request_parts(_parts: &mut Parts, app: &AppContext) -> Result<Self> {
        Ok(app.clone())
    }
}

#[doc(hidden)]
pub mod private {
    /// Marks a [`FromRequest`](super::FromRequest) that reads the whole request.
    #[derive(Debug, Clone, Copy)]
    pub enum ViaRequest {}
    /// Marks a [`FromRequest`](super::FromRequest) that only reads the head.
    #[derive(Debug, Clone, Copy)]
    pub enum ViaParts {}
    /// Marks a body extractor whose type validates through marker `M`.
    #[derive(Debug, Clone, Copy)]
    pub struct ViaBody<M>(std::marker::PhantomData<M>);
}
