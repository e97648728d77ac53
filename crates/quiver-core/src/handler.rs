//! Async functions as handlers: every argument is extracted, validation problems from all of them
//! are gathered into one `422`, then the function runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use http::request::Parts;

use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::extract::{FromRequest, FromRequestParts, Request};
use crate::openapi::OperationDoc;
use crate::validation::ValidationErrors;

/// A check run before a route's own extractors, such as a router-wide dependency.
pub(crate) type Guard =
    Arc<dyn for<'a> Fn(&'a mut Parts, &'a AppContext) -> BoxFuture<'a, Result<()>> + Send + Sync>;

/// An async function usable as a route handler: each argument an extractor (the last may read
/// the body), the output anything that converts into a response.
///
/// ```
/// use quiver_core::{App, extract::Json};
///
/// async fn ping() -> &'static str { "pong" }
/// async fn echo(Json(v): Json<Vec<u32>>) -> Json<Vec<u32>> { Json(v) }
///
/// let app = App::new().get("/ping", ping).post("/echo", echo);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Quiver handler",
    label = "not a handler",
    note = "a handler is an `async fn` whose arguments are extractors (only the last may read the body) \
            and whose output implements `IntoResponse`",
    note = "to answer with a struct, wrap it: `Json<T>`; to fail, return `quiver::Result<T>`"
)]
pub trait Handler<Args>: Clone + Send + Sync + 'static {
    /// Answers one request.
    #[doc(hidden)]
    fn call(
        self,
        req: Request,
        app: AppContext,
        guards: Arc<[Guard]>,
    ) -> BoxFuture<'static, Response>;

    /// Declares what the extractors read, for the OpenAPI document.
    #[doc(hidden)]
    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator);
}

/// Adds an extractor's outcome to the gathered problems; any other error answers at once.
#[doc(hidden)]
#[allow(clippy::result_large_err)] // the `Err` is the finished response, built once per request at most
pub fn gather<T>(
    outcome: Result<T>,
    errors: &mut ValidationErrors,
) -> std::result::Result<Option<T>, Response> {
    match outcome {
        Ok(value) => Ok(Some(value)),
        Err(error) => match error.into_validation() {
            Ok(problems) => {
                errors.extend(problems);
                Ok(None)
            }
            Err(other) => Err(other.into_response()),
        },
    }
}

#[allow(clippy::result_large_err)] // as for `gather`
async fn run_guards(
    guards: &[Guard],
    parts: &mut Parts,
    app: &AppContext,
    errors: &mut ValidationErrors,
) -> std::result::Result<(), Response> {
    for guard in guards {
        gather(guard(parts, app).await, errors)?;
    }
    Ok(())
}

fn finish(mut errors: ValidationErrors) -> Response {
    errors.sort_by_source();
    errors.into_response()
}

/// Runs a handler's work in a scope that collects `defer`red cleanups, and attaches them to the
/// response body so they run once it has been sent.
///
/// One box per request: the work goes into the scope's future by value, and the scope's future
/// is what gets boxed.
///
/// A panic in the handler or an extractor becomes a logged 500 here, so the server keeps serving.
fn with_cleanups<W>(work: W) -> BoxFuture<'static, Response>
where
    W: Future<Output = Response> + Send + 'static,
{
    let scoped =
        crate::extract::dependency_scope(std::panic::AssertUnwindSafe(work).catch_unwind());
    Box::pin(Scoped { scoped })
}

pin_project_lite::pin_project! {
    /// The handler's work in its request scope; on completion, the scope's findings go on the
    /// response.
    struct Scoped<F> {
        #[pin]
        scoped: crate::extract::ScopeFuture<F>,
    }
}

impl<F> Future for Scoped<F>
where
    F: Future<Output = std::thread::Result<Response>>,
{
    type Output = Response;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let mut scoped = self.project().scoped;
        let outcome = std::task::ready!(scoped.as_mut().poll(cx));
        let scope = scoped.take_value().map(std::cell::RefCell::into_inner).unwrap_or_default();
        let mut response = outcome.unwrap_or_else(crate::middleware::panic_response);
        if let Some(secret) = scope.csrf_secret {
            response.extensions_mut().insert(crate::security::NewCsrfSecret(secret));
        }
        let cleanups = scope.cleanups;
        if cleanups.is_empty() {
            return Poll::Ready(response);
        }
        Poll::Ready(response.map(|body| Body::new(CleanupBody { inner: body, cleanups })))
    }
}

struct CleanupBody {
    inner: Body,
    cleanups: Vec<BoxFuture<'static, ()>>,
}

impl http_body::Body for CleanupBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for CleanupBody {
    fn drop(&mut self) {
        let cleanups = std::mem::take(&mut self.cleanups);
        let run = async move {
            for cleanup in cleanups.into_iter().rev() {
                cleanup.await;
            }
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(run);
            }
            Err(_) => tracing::warn!(
                "dependency cleanups skipped: the response was dropped outside a runtime"
            ),
        }
    }
}

impl<F, Fut, R> Handler<()> for F
where
    F: FnOnce() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = R> + Send,
    R: IntoResponse,
{
    fn call(
        self,
        req: Request,
        app: AppContext,
        guards: Arc<[Guard]>,
    ) -> BoxFuture<'static, Response> {
        with_cleanups(async move {
            let (mut parts, _body) = req.into_parts();
            let mut errors = ValidationErrors::new();
            if let Err(response) = run_guards(&guards, &mut parts, &app, &mut errors).await {
                return response;
            }
            if !errors.is_empty() {
                return finish(errors);
            }
            self().await.into_response()
        })
    }

    fn describe(_doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {}
}

macro_rules! impl_handler {
    ($($ty:ident),*; $last:ident) => {
        #[allow(non_snake_case, unused_mut)]
        impl<F, Fut, R, M, $($ty,)* $last> Handler<(M, $($ty,)* $last,)> for F
        where
            F: FnOnce($($ty,)* $last) -> Fut + Clone + Send + Sync + 'static,
            Fut: Future<Output = R> + Send,
            R: IntoResponse,
            $($ty: FromRequestParts,)*
            $last: FromRequest<M>,
        {
            fn call(self, req: Request, app: AppContext, guards: Arc<[Guard]>) -> BoxFuture<'static, Response> {
                with_cleanups(async move {
                    let (mut parts, body) = req.into_parts();
                    let mut errors = ValidationErrors::new();
                    if let Err(response) = run_guards(&guards, &mut parts, &app, &mut errors).await {
                        return response;
                    }
                    $(
                        let $ty = match gather($ty::from_request_parts(&mut parts, &app).await, &mut errors) {
                            Ok(value) => value,
                            Err(response) => return response,
                        };
                    )*
                    let req = Request::from_parts(parts, body);
                    let $last = match gather($last::from_request(req, &app).await, &mut errors) {
                        Ok(value) => value,
                        Err(response) => return response,
                    };
                    if !errors.is_empty() {
                        return finish(errors);
                    }
                    let ($(Some($ty),)* Some($last),) = ($($ty,)* $last,) else {
                        return Error::internal("an extractor produced neither a value nor an error").into_response();
                    };
                    self($($ty,)* $last).await.into_response()
                })
            }

            fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
                $(<$ty as FromRequestParts>::describe(doc, generator);)*
                <$last as FromRequest<M>>::describe(doc, generator);
            }
        }
    };
}

impl_handler!(; T1);
impl_handler!(T1; T2);
impl_handler!(T1, T2; T3);
impl_handler!(T1, T2, T3; T4);
impl_handler!(T1, T2, T3, T4; T5);
impl_handler!(T1, T2, T3, T4, T5; T6);
impl_handler!(T1, T2, T3, T4, T5, T6; T7);
impl_handler!(T1, T2, T3, T4, T5, T6, T7; T8);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8; T9);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9; T10);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10; T11);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11; T12);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12; T13);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13; T14);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14; T15);
impl_handler!(T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15; T16);
