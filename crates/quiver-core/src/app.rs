//! The `App` builder: routes, state, dependency overrides, middleware, and the axum router it
//! all becomes.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodFilter, MethodRouter};
use futures_util::FutureExt;
use http::request::Parts;
use http::{Method, Request};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::CorsLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::context::{AppContext, Inner, OverrideFn};
use crate::error::Result;
use crate::extract::{Dependency, MultipartLimits};
use crate::handler::Handler;
use crate::middleware::{self, AllowedHosts};
use crate::openapi::{self, OpenApiConfig};
use crate::routing::{IntoRoute, Route, Router, method_shortcuts};
use crate::security::{Https, SecurityLayer, SecuritySettings};

/// The default stack as a `ServiceBuilder`; a macro because its type differs with the service
/// it wraps (an `axum::Router` for [`App::into_service`], each route for [`App::into_router`]).
macro_rules! default_stack {
    ($defaults:expr) => {{
        let Defaults { request_id, access_log, allowed_hosts, cors, security, errors } = $defaults;
        ServiceBuilder::new()
            .option_layer(request_id.then_some(middleware::RequestIdLayer))
            .option_layer(access_log.then(|| {
                ServiceBuilder::new()
                    .map_response(into_response)
                    .layer(self::access_log())
                    .into_inner()
            }))
            // Outside the host check and the security layer, so their refusals are rewritten too.
            .option_layer(errors.map(|handler| {
                tower::util::MapResponseLayer::new(move |response: axum::response::Response| {
                    rewrite_error(response, &handler)
                })
            }))
            .layer(middleware::HostCheckLayer(allowed_hosts))
            .option_layer(cors)
            .layer(security)
    }};
}

/// The default largest request body for JSON, form and raw-body extractors: 2 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 2 << 20;

type LayerFn = Box<dyn FnOnce(axum::Router) -> axum::Router + Send>;

/// A web application: its routes, app-wide state, dependency overrides and middleware.
///
/// ```
/// use quiver_core::{App, extract::Json};
///
/// async fn hello() -> Json<&'static str> { Json("hello") }
///
/// let app = App::new()
///     .get("/", hello)
///     .allowed_hosts(["api.example.com"])
///     .body_limit(1 << 20);
/// let router: axum::Router = app.into_router(); // or app.serve("127.0.0.1:8000").await
/// ```
pub struct App {
    root: Router,
    state: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    overrides: HashMap<TypeId, OverrideFn>,
    body_limit: usize,
    allowed_hosts: AllowedHosts,
    cors: Option<CorsLayer>,
    compression: bool,
    request_id: bool,
    access_log: bool,
    timeout: Option<Duration>,
    mounts: Vec<(String, axum::Router)>,
    layers: Vec<LayerFn>,
    error_handler: Option<ErrorHandler>,
    slow_poll: Option<Duration>,
    pub(crate) shutdown_grace: Duration,
    openapi: OpenApiConfig,
    security: SecuritySettings,
}

impl Default for App {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("routes", &self.root)
            .field("body_limit", &self.body_limit)
            .field("allowed_hosts", &self.allowed_hosts)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An app with no routes and the secure defaults: 2 MiB body limit, local hosts only,
    /// request IDs and access logs on.
    pub fn new() -> Self {
        Self {
            root: Router::new(),
            state: HashMap::new(),
            overrides: HashMap::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            allowed_hosts: AllowedHosts::default(),
            cors: None,
            compression: false,
            request_id: true,
            access_log: true,
            timeout: None,
            mounts: Vec::new(),
            layers: Vec::new(),
            error_handler: None,
            // Development builds point at handlers that block their I/O thread.
            slow_poll: cfg!(debug_assertions).then(|| Duration::from_millis(100)),
            shutdown_grace: Duration::from_secs(30),
            openapi: OpenApiConfig::default(),
            security: SecuritySettings::default(),
        }
    }

    /// Adds one route (a macro-annotated handler or a [`Route`]).
    pub fn route(mut self, route: impl IntoRoute) -> Self {
        self.root = self.root.route(route);
        self
    }

    /// Adds routes, usually from [`routes!`](crate::routes).
    pub fn routes(mut self, routes: impl IntoIterator<Item = Route>) -> Self {
        self.root = self.root.routes(routes);
        self
    }

    method_shortcuts!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

    /// Includes a [`Router`] with its prefix, tags and dependencies.
    pub fn include(mut self, router: Router) -> Self {
        self.root = self.root.include(router);
        self
    }

    /// Mounts any axum router under `path` (middleware of the app still applies).
    pub fn mount(mut self, path: &str, router: axum::Router) -> Self {
        self.mounts.push((path.to_owned(), router));
        self
    }

    /// Wraps the whole app in a tower layer (outermost last).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<Request<axum::body::Body>, Error = std::convert::Infallible>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<Request<axum::body::Body>>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower::Service<Request<axum::body::Body>>>::Future: Send + 'static,
    {
        self.layers.push(Box::new(move |router| router.layer(layer)));
        self
    }

    /// Registers an app-wide value (a pool, a client, settings), read with
    /// [`State<T>`](crate::extract::State) or from a dependency. One value per type.
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(TypeId::of::<T>(), Box::new(value));
        self
    }

    /// Replaces dependency `T` everywhere in this app, for tests: `make` builds the stand-in from
    /// the request head.
    ///
    /// ```
    /// use quiver_core::{App, AppContext, Result, extract::Dependency};
    ///
    /// #[derive(Clone)]
    /// struct Clock(u64);
    /// impl Dependency for Clock {
    ///     async fn provide(_: &mut http::request::Parts, _: &AppContext) -> Result<Self> { Ok(Clock(0)) }
    /// }
    ///
    /// let app = App::new().override_dependency(|_parts| async { Ok(Clock(42)) });
    /// ```
    pub fn override_dependency<T, F, Fut>(mut self, make: F) -> Self
    where
        T: Dependency,
        F: Fn(&Parts) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        let make: OverrideFn = Arc::new(move |parts| {
            make(parts).map(|r| r.map(|v| Box::new(v) as Box<dyn Any + Send + Sync>)).boxed()
        });
        self.overrides.insert(TypeId::of::<T>(), make);
        self
    }

    /// The largest request body, in bytes, that JSON, form and raw-body extractors read (413 past it).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Limits for multipart uploads.
    pub fn multipart_limits(self, limits: MultipartLimits) -> Self {
        self.state(limits)
    }

    /// The hosts this app answers (see [`AllowedHosts`]); others get 400.
    pub fn allowed_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.allowed_hosts = AllowedHosts::new(hosts);
        self
    }

    /// Answers cross-origin requests as `cors` says (a tower-http [`CorsLayer`]).
    pub fn cors(mut self, cors: CorsLayer) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Answers every error (422 validation failures, [`HttpError`](crate::HttpError)s, 404s
    /// and 405s, 500s, and the security layers' refusals: CSRF 403, disallowed host 400) in the
    /// app's own format: `handler` gets what the error was made of and
    /// returns the response. Headers the error carried (`WWW-Authenticate`, `Retry-After`) are
    /// kept unless the new response sets them. One place, like FastAPI's exception handlers.
    ///
    /// ```
    /// use quiver_core::response::{IntoResponse, Json};
    /// use quiver_core::{App, HttpError, Route};
    ///
    /// async fn missing() -> Result<Json<()>, quiver_core::Error> {
    ///     Err(HttpError::not_found("no such article").into())
    /// }
    ///
    /// let app = App::new()
    ///     .route(Route::new(http::Method::GET, "/missing", missing))
    ///     .error_handler(|report| {
    ///         let message = report.detail().and_then(|d| d.as_str()).unwrap_or("invalid input");
    ///         (report.status(), Json(serde_json::json!({"errors": {"body": [message]}}))).into_response()
    ///     });
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let answer = quiver_core::testing::TestClient::new(app).get("/missing").await;
    /// assert_eq!(answer.status(), 404);
    /// assert_eq!(answer.json::<serde_json::Value>()["errors"]["body"][0], "no such article");
    /// # });
    /// ```
    pub fn error_handler(
        mut self,
        handler: impl Fn(&crate::error::ErrorReport) -> axum::response::Response + Send + Sync + 'static,
    ) -> Self {
        self.error_handler = Some(Arc::new(handler));
        self
    }

    /// Documents the body of every error answer as `E` in the OpenAPI document: what an app
    /// that sets [`App::error_handler`] sends instead of `{"detail": ...}`.
    ///
    /// ```
    /// use quiver_core::App;
    ///
    /// /// `{"errors": {"field": ["message"]}}`.
    /// #[derive(schemars::JsonSchema)]
    /// struct ErrorBody {
    ///     errors: std::collections::BTreeMap<String, Vec<String>>,
    /// }
    ///
    /// let app = App::new().error_schema::<ErrorBody>();
    /// # let _ = app;
    /// ```
    pub fn error_schema<E: schemars::JsonSchema>(mut self) -> Self {
        self.openapi.error_schema = Some(|generator| generator.subschema_for::<E>());
        self
    }

    /// Compresses responses with gzip or brotli when the client accepts them.
    pub fn compression(mut self) -> Self {
        self.compression = true;
        self
    }

    /// Turns `X-Request-ID` handling (kept from the request, or generated, and echoed) on or off.
    pub fn request_id(mut self, on: bool) -> Self {
        self.request_id = on;
        self
    }

    /// Turns access logs (one `tracing` event per response) on or off.
    pub fn access_log(mut self, on: bool) -> Self {
        self.access_log = on;
        self
    }

    /// Answers `408` with a JSON body when a request takes longer than `limit`.
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// Declares the app served over HTTPS (see [`Https`]): plain HTTP is redirected, HSTS is
    /// sent, cookies are `Secure`.
    pub fn https(mut self, https: Https) -> Self {
        self.security.https = Some(https);
        self
    }

    /// Trusts the proxy in front of the app: `X-Forwarded-Proto` says whether the client used
    /// HTTPS, the last `X-Forwarded-For` address is the client's
    /// ([`ClientIp`](crate::security::ClientIp)). Only for apps reachable through the proxy alone.
    pub fn behind_proxy(mut self) -> Self {
        self.security.behind_proxy = true;
        self
    }

    /// Turns CSRF checks off (on by default; `check --deploy` warns when off). Prefer
    /// [`csrf_exempt`](Self::csrf_exempt) for the few paths other servers post to.
    pub fn csrf(mut self, on: bool) -> Self {
        self.security.csrf = on;
        self
    }

    /// Skips CSRF checks under a path prefix (webhooks).
    pub fn csrf_exempt(mut self, prefix: &str) -> Self {
        self.security.csrf_exempt.push(prefix.to_owned());
        self
    }

    /// Origins besides the app's own allowed to send unsafe cookie-carrying requests
    /// (`https://app.example.com`, or `https://*.example.com` for subdomains).
    pub fn csrf_trusted_origins<S: Into<String>>(
        mut self,
        origins: impl IntoIterator<Item = S>,
    ) -> Self {
        self.security.csrf_trusted_origins.extend(origins.into_iter().map(Into::into));
        self
    }

    /// Turns the security headers (`X-Frame-Options: DENY`, `X-Content-Type-Options: nosniff`,
    /// `Referrer-Policy: same-origin`, `Cross-Origin-Opener-Policy: same-origin`) off; on by
    /// default. A handler that sets one of them keeps its own value.
    pub fn security_headers(mut self, on: bool) -> Self {
        self.security.headers = on;
        self
    }

    /// The security settings as configured so far.
    pub fn security_settings(&self) -> &SecuritySettings {
        &self.security
    }

    /// Warns (a `tracing` warning naming the route) when one poll of a handler holds an I/O
    /// thread longer than `limit`: an `async fn` doing blocking or CPU-bound work, which stalls
    /// every other request on that thread. On by default in debug builds (100 ms), off in
    /// release builds; `None` turns it off.
    ///
    /// ```
    /// let app = quiver_core::App::new().blocking_warning(Some(std::time::Duration::from_millis(20)));
    /// # let _ = app;
    /// ```
    pub fn blocking_warning(mut self, limit: Option<Duration>) -> Self {
        self.slow_poll = limit;
        self
    }

    /// How long graceful shutdown waits for in-flight requests (default 30 s).
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// The API's title in the OpenAPI document.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.openapi.title = title.into();
        self
    }

    /// The API's version in the OpenAPI document (default `0.1.0`).
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.openapi.version = version.into();
        self
    }

    /// The API's description (Markdown) in the OpenAPI document.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.openapi.description = Some(description.into());
        self
    }

    /// Where the OpenAPI document is served (default `/openapi.json`); `None` serves none.
    pub fn openapi_url(mut self, url: Option<&str>) -> Self {
        self.openapi.url = url.map(str::to_owned);
        self
    }

    /// Adds a server (base URL) to the OpenAPI document.
    pub fn server(mut self, url: &str, description: &str) -> Self {
        self.openapi.servers.push(serde_json::json!({ "url": url, "description": description }));
        self
    }

    /// The API's contact in the OpenAPI document.
    pub fn contact(mut self, name: &str, url: &str, email: &str) -> Self {
        let contact = serde_json::json!({ "name": name, "url": url, "email": email });
        self.openapi.info_extra.push(("contact", contact));
        self
    }

    /// The API's licence, as an SPDX identifier (`"MIT"`, `"Apache-2.0"`).
    pub fn license(mut self, name: &str, spdx_identifier: &str) -> Self {
        let license = serde_json::json!({ "name": name, "identifier": spdx_identifier });
        self.openapi.info_extra.push(("license", license));
        self
    }

    /// Describes a tag (shown as the group's text in Swagger UI and ReDoc).
    pub fn tag_description(mut self, tag: &str, description: &str) -> Self {
        self.openapi.tags.push(serde_json::json!({ "name": tag, "description": description }));
        self
    }

    /// Links to documentation elsewhere.
    pub fn external_docs(mut self, url: &str, description: &str) -> Self {
        let docs = serde_json::json!({ "url": url, "description": description });
        self.openapi.external_docs = Some(docs);
        self
    }

    /// Edits the finished OpenAPI document, for anything the builder does not cover.
    ///
    /// ```
    /// let app = quiver_core::App::new().openapi_extra(|doc| {
    ///     doc["info"]["x-logo"] = serde_json::json!({ "url": "/static/logo.png" });
    /// });
    /// assert_eq!(app.openapi()["info"]["x-logo"]["url"], "/static/logo.png");
    /// ```
    pub fn openapi_extra(
        mut self,
        edit: impl Fn(&mut serde_json::Value) + Send + Sync + 'static,
    ) -> Self {
        self.openapi.extra = Some(openapi::ExtraFn(std::sync::Arc::new(edit)));
        self
    }

    /// Where Swagger UI is served (default `/docs`); `None` serves none.
    pub fn docs_url(mut self, url: Option<&str>) -> Self {
        self.openapi.docs_url = url.map(str::to_owned);
        self
    }

    /// Where ReDoc is served (default `/redoc`); `None` serves none.
    pub fn redoc_url(mut self, url: Option<&str>) -> Self {
        self.openapi.redoc_url = url.map(str::to_owned);
        self
    }

    /// Where Swagger UI is served (`None` when it is not), for a start-up banner.
    ///
    /// ```
    /// let app = quiver_core::App::new();
    /// assert_eq!(app.docs_path(), Some("/docs"));
    /// assert_eq!(app.redoc_path(), Some("/redoc"));
    /// assert_eq!(app.openapi_path(), Some("/openapi.json"));
    /// assert_eq!(app.openapi_url(None).docs_path(), None);
    /// ```
    pub fn docs_path(&self) -> Option<&str> {
        self.openapi.url.as_ref().and(self.openapi.docs_url.as_deref())
    }

    /// Where ReDoc is served (`None` when it is not).
    pub fn redoc_path(&self) -> Option<&str> {
        self.openapi.url.as_ref().and(self.openapi.redoc_url.as_deref())
    }

    /// Where the OpenAPI document is served (`None` when it is not).
    pub fn openapi_path(&self) -> Option<&str> {
        self.openapi.url.as_deref()
    }

    /// The OpenAPI 3.1 document of this app's routes.
    pub fn openapi(&self) -> serde_json::Value {
        openapi::document(&self.openapi, &self.route_list())
    }

    /// Every route of the app, with prefixes applied, in registration order.
    pub fn route_list(&self) -> Vec<Route> {
        self.root.clone().into_routes()
    }

    /// Builds the axum router serving this app, with its middleware: for mounting the app into
    /// a larger axum application.
    pub fn into_router(self) -> axum::Router {
        let (router, defaults) = self.split();
        router.layer(default_stack!(defaults))
    }

    /// The app as one tower service, the default middleware wrapped once around the router.
    ///
    /// This is what [`Server`](crate::Server) runs and what [`TestClient`](crate::testing::TestClient)
    /// calls. Unlike [`into_router`](Self::into_router), which axum must box once more for every
    /// route, nothing here allocates per request beyond the handler itself.
    pub fn into_service(
        self,
    ) -> impl tower::Service<
        Request<axum::body::Body>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static {
        let (router, defaults) = self.split();
        default_stack!(defaults).service(router)
    }

    /// The router with every route, mount, fallback and opt-in layer, and the default middleware
    /// still to apply.
    fn split(mut self) -> (axum::Router, Defaults) {
        let routes = self.root.into_routes();
        if routes.iter().any(|route| route.cpu) {
            self.state.entry(TypeId::of::<crate::cpu::CpuPool>()).or_insert_with(|| {
                let pool = crate::cpu::CpuPool::builder().build().unwrap_or_else(|error| {
                    panic!(
                        "the app's default CPU pool (for its `cpu` routes) could not start: {error}"
                    )
                });
                Box::new(pool)
            });
        }
        let security = Arc::new(self.security);
        let context = AppContext::new(Inner {
            state: self.state,
            overrides: self.overrides,
            body_limit: self.body_limit,
            security: security.clone(),
        });
        let document = self.openapi.url.as_ref().map(|url| {
            // Built once at startup and served from memory.
            let body = bytes::Bytes::from(
                serde_json::to_vec(&openapi::document(&self.openapi, &routes)).unwrap_or_default(),
            );
            (url.clone(), body)
        });
        let mut by_path: BTreeMap<String, MethodRouter> = BTreeMap::new();
        for route in routes {
            let filter = method_filter(&route.method);
            let handler = route.handler.clone();
            let guards: Arc<[_]> = route.guards.clone().into();
            let app = context.clone();
            let slow_poll = self.slow_poll;
            let label: Arc<str> = format!("{} {}", route.method, route.path).into();
            // A service rather than an axum handler: axum boxes a handler's future once more
            // on every request, a service's only once (in the route it becomes).
            let endpoint = tower::service_fn(move |req: axum::extract::Request| {
                let answer = handler(req, app.clone(), guards.clone());
                let answer = match slow_poll {
                    Some(limit) => futures_util::future::Either::Left(
                        crate::middleware::PollTimer::new(answer, limit, label.clone()),
                    ),
                    None => futures_util::future::Either::Right(answer),
                };
                answer.map(Ok::<_, std::convert::Infallible>)
            });
            let entry = by_path.remove(&route.path).unwrap_or_default();
            by_path.insert(route.path.clone(), entry.on_service(filter, endpoint));
        }
        let mut router = axum::Router::new();
        for (path, methods) in by_path {
            router = router.route(&path, methods);
        }
        if let Some((url, body)) = document {
            let serve = move || {
                let body = body.clone();
                async move { ([(http::header::CONTENT_TYPE, "application/json")], body) }
            };
            router = router.route(&url, axum::routing::get(serve));
            let urls = openapi::DocsUrls {
                openapi: &url,
                swagger: self.openapi.docs_url.as_deref(),
                redoc: self.openapi.redoc_url.as_deref(),
                title: &self.openapi.title,
            };
            router = openapi::mount_docs(router, &urls);
        }
        for (path, mounted) in self.mounts {
            // Quiver's handlers catch their own panics; a mounted router gets the layer instead.
            // Quiver's extractors read the body limit from the app; axum's read this layer.
            let mounted = mounted
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(DefaultBodyLimit::max(self.body_limit));
            router = router.nest(&path, mounted);
        }
        // `with_state` turns every handler axum still holds boxed (the fallbacks, the docs
        // pages, mounted routers' handlers) into a route once, here; left as they are, axum
        // would convert them on every request, and apply the layers below each time too.
        let mut router = router
            .fallback(middleware::not_found)
            .method_not_allowed_fallback(middleware::method_not_allowed)
            .with_state(());
        for layer in self.layers {
            router = layer(router);
        }
        // Opt-in layers that change the response body type go on their own.
        if self.compression {
            router = router.layer(CompressionLayer::new());
        }
        if let Some(limit) = self.timeout {
            router = router.layer(axum::middleware::from_fn(move |req, next| {
                middleware::timeout(limit, req, next)
            }));
        }
        let defaults = Defaults {
            request_id: self.request_id,
            access_log: self.access_log,
            allowed_hosts: Arc::new(self.allowed_hosts),
            cors: self.cors,
            security: SecurityLayer { settings: security, body_limit: self.body_limit },
            errors: self.error_handler,
        };
        (router, defaults)
    }
}

/// An app's own error format (`App::error_handler`).
type ErrorHandler =
    Arc<dyn Fn(&crate::error::ErrorReport) -> axum::response::Response + Send + Sync>;

/// Replaces an error answer by the app's own, keeping the headers the error carried.
fn rewrite_error(
    mut response: axum::response::Response,
    handler: &ErrorHandler,
) -> axum::response::Response {
    let Some(report) = response.extensions_mut().remove::<crate::error::ErrorReport>() else {
        return response;
    };
    let mut rewritten = handler(&report);
    if let Some(internal) = response.extensions_mut().remove::<crate::error::InternalError>() {
        rewritten.extensions_mut().insert(internal);
    }
    for (name, value) in response.headers() {
        let body_header =
            name == http::header::CONTENT_TYPE || name == http::header::CONTENT_LENGTH;
        if !body_header && !rewritten.headers().contains_key(name) {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

/// The middleware every app gets, composed into one layer.
struct Defaults {
    request_id: bool,
    access_log: bool,
    allowed_hosts: Arc<AllowedHosts>,
    cors: Option<CorsLayer>,
    security: SecurityLayer,
    errors: Option<ErrorHandler>,
}

/// One `tracing` event per response, in a span carrying the method, path and request ID.
fn access_log() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request<axum::body::Body>) -> tracing::Span + Clone,
    tower_http::trace::DefaultOnRequest,
    DefaultOnResponse,
> {
    TraceLayer::new_for_http()
        .make_span_with(|req: &Request<axum::body::Body>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO))
}

/// Any response, with its body boxed into axum's `Body`, so optional layers line up.
fn into_response<B>(response: http::Response<B>) -> axum::response::Response
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    response.map(axum::body::Body::new)
}

fn method_filter(method: &Method) -> MethodFilter {
    match *method {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        Method::HEAD => MethodFilter::HEAD,
        Method::OPTIONS => MethodFilter::OPTIONS,
        Method::TRACE => MethodFilter::TRACE,
        _ => MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET),
    }
}
