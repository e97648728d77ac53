//! Routes and routers: what the route macros produce, and groups of routes sharing a path
//! prefix, tags and dependencies (FastAPI's `APIRouter`).

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use http::Method;

use crate::context::AppContext;
use crate::extract::{Dep, Dependency, FromRequestParts, Request};
use crate::handler::{Guard, Handler};
use crate::openapi::OperationDoc;
use schemars::SchemaGenerator;

type BoxedHandler =
    Arc<dyn Fn(Request, AppContext, Arc<[Guard]>) -> BoxFuture<'static, Response> + Send + Sync>;

/// One endpoint: a method, a path with `{name}` parameters, a handler, and what documents it.
///
/// ```
/// use http::Method;
/// use quiver_core::routing::Route;
///
/// async fn health() -> &'static str { "ok" }
///
/// let route = Route::new(Method::GET, "/healthz", health).name("health").tag("ops");
/// assert_eq!(route.path(), "/healthz");
/// ```
#[derive(Clone)]
pub struct Route {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) handler: BoxedHandler,
    pub(crate) guards: Vec<Guard>,
    pub(crate) meta: RouteMeta,
    pub(crate) describe: DescribeFn,
    pub(crate) describe_responses: Option<DescribeFn>,
    /// What the dependencies run before this route declare.
    pub(crate) describe_guards: Vec<DescribeFn>,
    /// The handler takes the app's default [`CpuPool`](crate::cpu::CpuPool) ([`Route::cpu`]).
    pub(crate) cpu: bool,
}

/// Fills in an operation's OpenAPI description.
pub type DescribeFn = fn(&mut OperationDoc, &mut SchemaGenerator);

/// What documents a route: its name, summary, tags. The route macros fill it from the function.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteMeta {
    /// A unique name (the function's name), used as the OpenAPI `operationId`.
    pub name: Option<String>,
    /// The first line of the doc comment.
    pub summary: Option<String>,
    /// The rest of the doc comment.
    pub description: Option<String>,
    /// OpenAPI tags, the router's first.
    pub tags: Vec<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Errors the handler answers with itself, as (status, description).
    pub errors: Vec<(u16, String)>,
    /// Named examples of the request body, shown in Swagger UI's "Try it out".
    pub request_examples: Vec<(String, serde_json::Value)>,
    /// Left out of the OpenAPI document (FastAPI's `include_in_schema=False`).
    pub hidden: bool,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl Route {
    /// A route answering `method` on `path` (parameters written `{name}`) with `handler`.
    pub fn new<H, Args>(method: Method, path: impl Into<String>, handler: H) -> Self
    where
        H: Handler<Args>,
        Args: 'static,
    {
        let handler: BoxedHandler =
            Arc::new(move |req, app, guards| handler.clone().call(req, app, guards));
        Self {
            method,
            path: path.into(),
            handler,
            guards: Vec::new(),
            meta: RouteMeta::default(),
            describe: <H as Handler<Args>>::describe,
            describe_responses: None,
            describe_guards: Vec::new(),
            cpu: false,
        }
    }

    /// The method this route answers.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path, with the prefixes of the routers it was included in.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What documents this route.
    pub fn meta(&self) -> &RouteMeta {
        &self.meta
    }

    /// Names the route (the OpenAPI `operationId`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.meta.name = Some(name.into());
        self
    }

    /// Adds an OpenAPI tag.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.meta.tags.push(tag.into());
        self
    }

    /// Sets the one-line summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.meta.summary = Some(summary.into());
        self
    }

    /// Sets the longer description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.meta.description = Some(description.into());
        self
    }

    /// Sets how the OpenAPI document describes this route's responses (the route macros pass
    /// the return type's [`ResponseDoc`](crate::openapi::ResponseDoc)).
    pub fn responses(mut self, describe: DescribeFn) -> Self {
        self.describe_responses = Some(describe);
        self
    }

    /// Leaves the route out of the OpenAPI document (it still answers): HTML pages such as
    /// the admin's, which are not part of the API.
    ///
    /// ```
    /// use http::Method;
    /// use quiver_core::{App, Route};
    ///
    /// async fn page() -> &'static str { "<h1>hi</h1>" }
    ///
    /// let app = App::new().route(Route::new(Method::GET, "/page", page).hidden());
    /// assert!(app.openapi()["paths"].get("/page").is_none());
    /// ```
    pub fn hidden(mut self) -> Self {
        self.meta.hidden = true;
        self
    }

    /// Marks the route deprecated.
    pub fn deprecated(mut self) -> Self {
        self.meta.deprecated = true;
        self
    }

    /// Adds a named example of the request body to the OpenAPI document.
    ///
    /// ```
    /// use http::Method;
    /// use quiver_core::{Route, extract::Json};
    ///
    /// async fn create(Json(v): Json<Vec<u32>>) -> Json<Vec<u32>> { Json(v) }
    ///
    /// let route = Route::new(Method::POST, "/numbers", create)
    ///     .request_example("three numbers", serde_json::json!([1, 2, 3]));
    /// ```
    pub fn request_example(mut self, name: &str, value: serde_json::Value) -> Self {
        self.meta.request_examples.push((name.to_owned(), value));
        self
    }

    /// Documents an error the handler itself answers with (for example a 404 from
    /// `HttpError::not_found`): `#[get("/items/{id}", error(404, "Item not found"))]`.
    pub fn error(mut self, status: u16, description: impl Into<String>) -> Self {
        self.meta.errors.push((status, description.into()));
        self
    }

    /// Declares that the handler takes the app's default pool, `CpuPool` (what
    /// `#[post("/path", cpu)]` on a plain `fn` generates): an app with such a route and no
    /// `CpuPool` of its own in [`App::state`](crate::App::state) builds one when it starts, with
    /// [`CpuPool::builder`](crate::cpu::CpuPool::builder)'s defaults (a thread per core, a queue of
    /// four jobs per thread).
    ///
    /// ```
    /// use http::Method;
    /// use quiver_core::{App, Result, Route, cpu::CpuPool};
    ///
    /// async fn checksum(pool: CpuPool) -> Result<String> {
    ///     let sum = pool.run(|_| (0..1_000_000u64).sum::<u64>()).await?;
    ///     Ok(sum.to_string())
    /// }
    ///
    /// // No `.state(CpuPool::builder()...)`: the app makes its default pool.
    /// let app = App::new().route(Route::new(Method::GET, "/checksum", checksum).cpu());
    /// # let _ = app.into_router();
    /// ```
    pub fn cpu(mut self) -> Self {
        self.cpu = true;
        self
    }

    /// Admission control for this route: at most `running` requests run its handler at once,
    /// `waiting` more wait for a turn, and any beyond those are answered at once with
    /// `503 Service Unavailable` and `Retry-After: 1` instead of queueing without bound.
    ///
    /// ```
    /// use http::Method;
    /// use quiver_core::{App, Route};
    ///
    /// async fn report() -> &'static str { "a slow report" }
    ///
    /// let app = App::new().route(Route::new(Method::GET, "/report", report).concurrency_limit(4, 16));
    /// assert!(app.openapi()["paths"]["/report"]["get"]["responses"].get("503").is_some());
    /// ```
    pub fn concurrency_limit(mut self, running: usize, waiting: usize) -> Self {
        let limit = Arc::new(Limit {
            permits: tokio::sync::Semaphore::new(running.max(1)),
            admitted: std::sync::atomic::AtomicUsize::new(0),
            most: running.max(1) + waiting,
        });
        let inner = self.handler.clone();
        let route: Arc<str> = self.path.as_str().into();
        self.handler = Arc::new(move |req, app, guards| {
            let limit = limit.clone();
            let inner = inner.clone();
            let route = route.clone();
            Box::pin(async move {
                let Some(_admitted) = Admitted::try_new(&limit) else {
                    metrics::counter!("http_requests_shed_total", "route" => route.to_string())
                        .increment(1);
                    return crate::error::HttpError::new(
                        http::StatusCode::SERVICE_UNAVAILABLE,
                        "The server is busy: this route is at its concurrency limit. Retry in 1 s.",
                    )
                    .with_header("retry-after", "1")
                    .into_response();
                };
                let Ok(_permit) = limit.permits.acquire().await else {
                    unreachable!("the semaphore is never closed")
                };
                inner(req, app, guards).await
            })
        });
        self.meta.errors.push((
            503,
            "Busy: too many requests at once; retry after `Retry-After` seconds".to_owned(),
        ));
        self
    }

    /// Runs dependency `T` before this route's handler (its value is discarded; its errors answer).
    pub fn dependency<T: Dependency>(mut self) -> Self {
        self.guards.push(guard::<T>());
        self.describe_guards.push(T::describe);
        self
    }
}

/// A route's concurrency limit ([`Route::concurrency_limit`]).
struct Limit {
    permits: tokio::sync::Semaphore,
    admitted: std::sync::atomic::AtomicUsize,
    most: usize,
}

/// A request counted against a [`Limit`] (running or waiting) until dropped, also when the
/// client hangs up while waiting.
struct Admitted<'a>(&'a Limit);

impl<'a> Admitted<'a> {
    fn try_new(limit: &'a Limit) -> Option<Self> {
        use std::sync::atomic::Ordering;
        let admitted = limit.admitted.fetch_add(1, Ordering::AcqRel);
        if admitted >= limit.most {
            limit.admitted.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        Some(Self(limit))
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        self.0.admitted.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

/// A guard that resolves dependency `T` and discards it.
fn guard<T: Dependency>() -> Guard {
    Arc::new(|parts, app| {
        Box::pin(async move { Dep::<T>::from_request_parts(parts, app).await.map(|_| ()) })
    })
}

/// Anything that becomes a [`Route`]: routes themselves, and the items the route macros
/// (`#[get]`, `#[post]`, ...) generate.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a route",
    note = "annotate the handler with `#[get(\"/path\")]` (or post/put/patch/delete), or build a `Route::new(...)`"
)]
pub trait IntoRoute {
    /// The route.
    fn into_route(self) -> Route;
}

impl IntoRoute for Route {
    fn into_route(self) -> Route {
        self
    }
}

/// The routes of handlers annotated with the route macros, for [`App::routes`](crate::App::routes)
/// and [`Router::routes`].
///
/// ```ignore
/// App::new().routes(routes![list_items, get_item, create_item])
/// ```
#[macro_export]
macro_rules! routes {
    ($($($segment:ident)::+),* $(,)?) => {
        ::std::vec![$($crate::routing::IntoRoute::into_route($($segment)::+ {})),*]
    };
}

/// A group of routes under one path prefix, with tags and dependencies applied to all of them.
///
/// ```
/// use quiver_core::{App, Router};
///
/// async fn list() -> &'static str { "[]" }
///
/// let items = Router::new().prefix("/items").tag("items").get("", list);
/// let app = App::new().include(Router::new().prefix("/api/v1").include(items));
/// ```
#[derive(Default, Clone)]
pub struct Router {
    prefix: String,
    tags: Vec<String>,
    guards: Vec<Guard>,
    describe_guards: Vec<DescribeFn>,
    routes: Vec<Route>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("prefix", &self.prefix)
            .field("tags", &self.tags)
            .field("routes", &self.routes)
            .finish_non_exhaustive()
    }
}

/// `get`/`post`/`put`/`patch`/`delete` builder methods for a type with a `route` method; shared by
/// [`Router`] and [`App`](crate::App).
macro_rules! method_shortcuts {
    ($($name:ident => $method:ident),*) => {$(
        #[doc = concat!("Adds a `", stringify!($method), "` route served by a plain async function.")]
        pub fn $name<H: Handler<Args>, Args: 'static>(self, path: &str, handler: H) -> Self {
            self.route(Route::new(Method::$method, path, handler))
        }
    )*};
}
pub(crate) use method_shortcuts;

impl Router {
    /// An empty router with no prefix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts every route under `prefix` (for example `/api/v1`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = prefix.trim_end_matches('/').to_owned();
        self
    }

    /// Adds an OpenAPI tag to every route.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Runs dependency `T` before every route of this router (FastAPI's `dependencies=[...]`).
    pub fn dependency<T: Dependency>(mut self) -> Self {
        self.guards.push(guard::<T>());
        self.describe_guards.push(T::describe);
        self
    }

    /// Adds one route.
    pub fn route(mut self, route: impl IntoRoute) -> Self {
        self.routes.push(route.into_route());
        self
    }

    /// Adds routes, usually from [`routes!`](crate::routes).
    pub fn routes(mut self, routes: impl IntoIterator<Item = Route>) -> Self {
        self.routes.extend(routes);
        self
    }

    method_shortcuts!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

    /// Includes another router's routes under this one's prefix, tags and dependencies.
    pub fn include(mut self, child: Router) -> Self {
        self.routes.extend(child.into_routes());
        self
    }

    /// Every route with this router's prefix, tags and dependencies applied.
    pub fn into_routes(self) -> Vec<Route> {
        let Router { prefix, tags, guards, describe_guards, routes } = self;
        routes
            .into_iter()
            .map(|mut route| {
                route.path = join(&prefix, &route.path);
                let mut all_tags = tags.clone();
                all_tags.extend(std::mem::take(&mut route.meta.tags));
                all_tags.dedup();
                route.meta.tags = all_tags;
                let mut all_guards = guards.clone();
                all_guards.append(&mut route.guards);
                route.guards = all_guards;
                let mut all_docs = describe_guards.clone();
                all_docs.append(&mut route.describe_guards);
                route.describe_guards = all_docs;
                route
            })
            .collect()
    }
}

fn join(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => "/".to_owned(),
        (true, false) => path.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => {
            format!("{prefix}{}{}", if path.starts_with('/') { "" } else { "/" }, path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn noop() -> &'static str {
        ""
    }

    #[test]
    fn nested_prefixes_and_tags_apply_to_every_route() {
        let inner = Router::new().prefix("/items").tag("items").get("/{id}", noop).get("", noop);
        let routes = Router::new().prefix("/api/").tag("api").include(inner).into_routes();
        let paths: Vec<_> = routes.iter().map(|r| r.path().to_owned()).collect();
        assert_eq!(paths, ["/api/items/{id}", "/api/items"]);
        assert_eq!(routes[0].meta().tags, ["api", "items"]);
    }
}
