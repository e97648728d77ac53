//! Dependency injection like FastAPI's `Depends`: values computed once per request from the
//! request and other dependencies, shared by everything in that request, replaceable in tests.

use std::any::TypeId;
use std::cell::RefCell;
use std::future::Future;

use futures_util::future::BoxFuture;
use http::request::Parts;

use super::FromRequestParts;
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::openapi::OperationDoc;

/// A value a handler (or another dependency) asks for with [`Dep<T>`].
///
/// `provide` may read the request and ask for other dependencies; it runs at most once per
/// request, and every later [`Dep<T>`] in the same request gets a clone. Fail with an
/// [`HttpError`](crate::HttpError) to answer at once (401, 403, ...), or with validation
/// problems to have them listed with the request's others.
///
/// ```
/// use http::request::Parts;
/// use quiver_core::extract::{Dep, Dependency, FromRequestParts, HeaderParam, ParamName};
/// use quiver_core::{AppContext, HttpError, Result};
///
/// #[derive(Clone)]
/// struct CurrentUser { name: String }
///
/// impl Dependency for CurrentUser {
///     async fn provide(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
///         match parts.headers.get("x-user").and_then(|v| v.to_str().ok()) {
///             Some(name) => Ok(CurrentUser { name: name.to_owned() }),
///             None => Err(HttpError::unauthorized("Not authenticated").into()),
///         }
///     }
/// }
///
/// async fn me(Dep(user): Dep<CurrentUser>) -> String {
///     user.name
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a dependency",
    note = "implement `quiver::Dependency` for `{Self}` (an async `provide`), or register a singleton with \
            `App::state` and ask for it with `State<{Self}>`"
)]
pub trait Dependency: Clone + Send + Sync + 'static {
    /// Builds the value for this request.
    fn provide(parts: &mut Parts, app: &AppContext) -> impl Future<Output = Result<Self>> + Send;

    /// Declares, in the OpenAPI document, what this dependency reads (its own parameters, its
    /// sub-dependencies', the errors it answers with). Nothing by default.
    fn describe(_doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {}
}

/// A dependency resolved for this request (see [`Dependency`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dep<T>(pub T);

impl<T> std::ops::Deref for Dep<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A resolved dependency, kept in the request's extensions so later askers share it.
#[derive(Clone)]
struct Resolved<T>(T);

impl<T: Dependency> FromRequestParts for Dep<T> {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        if let Some(Resolved(value)) = parts.extensions.get::<Resolved<T>>() {
            return Ok(Dep(value.clone()));
        }
        let value = match app.override_for(TypeId::of::<T>()) {
            Some(replacement) => {
                let boxed = replacement(parts).await?;
                *boxed.downcast::<T>().map_err(|_| {
                    Error::internal(format!(
                        "the override registered for {} built a value of another type",
                        std::any::type_name::<T>()
                    ))
                })?
            }
            None => T::provide(parts, app).await?,
        };
        parts.extensions.insert(Resolved(value.clone()));
        Ok(Dep(value))
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        T::describe(doc, generator);
    }
}

type Cleanup = BoxFuture<'static, ()>;

/// What one handler's run collects: `defer`red cleanups, and a CSRF secret made for the response
/// to set as a cookie ([`CsrfToken`](crate::security::CsrfToken)). One task-local for both.
#[derive(Default)]
pub(crate) struct RequestScope {
    pub(crate) cleanups: Vec<Cleanup>,
    pub(crate) csrf_secret: Option<String>,
}

tokio::task_local! {
    static SCOPE: RefCell<RequestScope>;
}

/// Runs `f` on this handler's scope; `None` outside a handler.
pub(crate) fn with_request_scope<R>(f: impl FnOnce(&mut RequestScope) -> R) -> Option<R> {
    SCOPE.try_with(|scope| f(&mut scope.borrow_mut())).ok()
}

/// Runs `cleanup` after the response has been sent (or the client went away) — the code after
/// `yield` in a FastAPI dependency. Cleanups run in reverse order of registration.
///
/// Call it while handling a request (in a dependency's `provide` or a handler); elsewhere it
/// returns the cleanup back as an error so nothing is silently dropped.
///
/// ```
/// use http::request::Parts;
/// use quiver_core::extract::{Dependency, defer};
/// use quiver_core::{AppContext, Result};
///
/// #[derive(Clone)]
/// struct Audit;
///
/// impl Dependency for Audit {
///     async fn provide(_parts: &mut Parts, _app: &AppContext) -> Result<Self> {
///         let _ = defer(async { tracing::info!("request finished") });
///         Ok(Audit)
///     }
/// }
/// ```
pub fn defer(
    cleanup: impl Future<Output = ()> + Send + 'static,
) -> std::result::Result<(), Cleanup> {
    let boxed: Cleanup = Box::pin(cleanup);
    let mut slot = Some(boxed);
    let _ = SCOPE.try_with(|scope| {
        if let Some(c) = slot.take() {
            scope.borrow_mut().cleanups.push(c);
        }
    });
    match slot {
        None => Ok(()),
        Some(unregistered) => Err(unregistered),
    }
}

/// A handler's work running in its request scope; its `take_value` gives the scope back once the
/// work is done.
pub(crate) type ScopeFuture<F> = tokio::task::futures::TaskLocalFuture<RefCell<RequestScope>, F>;

/// Runs `work` in a scope where [`defer`] registers cleanups.
pub(crate) fn dependency_scope<F: Future>(work: F) -> ScopeFuture<F> {
    SCOPE.scope(RefCell::new(RequestScope::default()), work)
}
