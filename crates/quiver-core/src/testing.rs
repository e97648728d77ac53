//! An in-process test client: requests go straight to the app (no socket), cookies are kept
//! between requests, and JSON is one call away. The same API serves the framework's tests,
//! the examples' and yours.
//!
//! ```
//! use quiver_core::{App, extract::Json, testing::TestClient};
//!
//! async fn add(Json(v): Json<Vec<i64>>) -> Json<i64> { Json(v.iter().sum()) }
//!
//! # tokio_test();
//! # fn tokio_test() { tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let client = TestClient::new(App::new().post("/sum", add));
//! let response = client.post("/sum").json(&[1, 2, 3]).await;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.json::<i64>(), 6);
//! # }) }
//! ```

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use bytes::Bytes;
use http::header::{
    CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HOST, HeaderName, HeaderValue, SET_COOKIE,
};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower::ServiceExt;

use crate::app::App;

/// Sends requests to an app in process, keeping cookies like a browser.
#[derive(Clone)]
pub struct TestClient {
    service: tower::util::BoxCloneSyncService<
        http::Request<Body>,
        axum::response::Response,
        std::convert::Infallible,
    >,
    cookies: Arc<Mutex<cookie::CookieJar>>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient").finish_non_exhaustive()
    }
}

macro_rules! verbs {
    ($($name:ident => $method:ident),*) => {$(
        #[doc = concat!("Starts a `", stringify!($method), "` request to `path` (which may carry a query string).")]
        pub fn $name(&self, path: &str) -> TestRequest {
            self.request(Method::$method, path)
        }
    )*};
}

impl TestClient {
    /// A client for `app` (its routes, state, overrides and middleware).
    pub fn new(app: App) -> Self {
        Self::from_service(app.into_service())
    }

    /// A client for any axum router.
    pub fn from_router(router: axum::Router) -> Self {
        Self::from_service(router)
    }

    fn from_service<S>(service: S) -> Self
    where
        S: tower::Service<
                http::Request<Body>,
                Response = axum::response::Response,
                Error = std::convert::Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Self {
            service: tower::util::BoxCloneSyncService::new(service),
            cookies: Arc::new(Mutex::new(cookie::CookieJar::new())),
        }
    }

    verbs!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE, head => HEAD, options => OPTIONS);

    /// Starts a request with any method.
    pub fn request(&self, method: Method, path: &str) -> TestRequest {
        TestRequest {
            client: self.clone(),
            method,
            path: path.to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// The value of a cookie the app has set, if any.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar().get(name).map(|c| c.value().to_owned())
    }

    /// Sets a cookie sent with every later request.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar().add(cookie::Cookie::new(name.to_owned(), value.to_owned()));
    }

    fn jar(&self) -> std::sync::MutexGuard<'_, cookie::CookieJar> {
        self.cookies.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A request being built; `.await` (or [`send`](Self::send)) sends it.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TestRequest {
    client: TestClient,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Bytes,
}

impl TestRequest {
    /// Adds a header.
    ///
    /// # Panics
    /// If the name or value is not a valid header (tests write them).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::try_from(name).expect("a valid header name");
        self.headers.append(name, HeaderValue::from_str(value).expect("a valid header value"));
        self
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Sends `value` as a JSON body.
    ///
    /// # Panics
    /// If `value` cannot be serialised.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = serde_json::to_vec(value).expect("a serialisable test body").into();
        self.header("content-type", "application/json")
    }

    /// Sends `value` as a URL-encoded form.
    ///
    /// # Panics
    /// If `value` cannot be encoded as a form.
    pub fn form<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        self.body = serde_html_form::to_string(value).expect("an encodable test form").into();
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// Sends a multipart body built with [`MultipartForm`].
    pub fn multipart(mut self, form: MultipartForm) -> Self {
        let content_type = format!("multipart/form-data; boundary={}", form.boundary);
        self.body = form.finish();
        self.header("content-type", &content_type)
    }

    /// Sends raw bytes as the body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// Sends the request and reads the whole response.
    pub async fn send(self) -> TestResponse {
        let TestRequest { client, method, path, mut headers, body } = self;
        if !headers.contains_key(HOST) {
            headers.insert(HOST, HeaderValue::from_static("testserver"));
        }
        let cookie_header = {
            let jar = client.jar();
            jar.iter().map(|c| format!("{}={}", c.name(), c.value())).collect::<Vec<_>>().join("; ")
        };
        if !cookie_header.is_empty() && !headers.contains_key(COOKIE) {
            headers.insert(
                COOKIE,
                HeaderValue::from_str(&cookie_header).expect("cookie values are valid"),
            );
        }
        let head = method == Method::HEAD;
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .body(Body::from(body))
            .expect("a valid request");
        *request.headers_mut() = headers;
        let response = client.service.clone().oneshot(request).await.expect("the app never fails");
        let (mut parts, body) = response.into_parts();
        // The server writes `Content-Length` from a body of known size when the app's headers
        // have none (the security layer leaves it to it); report what a client would read.
        let has_body = !(parts.status.is_informational() || parts.status == StatusCode::NO_CONTENT);
        if has_body
            && !head
            && !parts.headers.contains_key(CONTENT_LENGTH)
            && let Some(length) = http_body::Body::size_hint(&body).exact()
        {
            parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        {
            let mut jar = client.jar();
            for value in parts.headers.get_all(SET_COOKIE) {
                let Ok(text) = value.to_str() else { continue };
                let Ok(cookie) = cookie::Cookie::parse(text.to_owned()) else {
                    continue;
                };
                let expired =
                    cookie.max_age().is_some_and(|age| age.is_zero() || age.is_negative());
                if expired || cookie.value().is_empty() {
                    jar.remove(cookie::Cookie::from(cookie.name().to_owned()));
                } else {
                    jar.add(cookie);
                }
            }
        }
        let body = body.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
        TestResponse { status: parts.status, headers: parts.headers, body }
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A received response, body read in full.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// One header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body as text (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON into `T`.
    ///
    /// # Panics
    /// With the body in the message when it is not JSON of that shape: a failing test should say why.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("response body is not the expected JSON ({e}): {}", self.text())
        })
    }

    /// The content type, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())
    }
}

/// A `multipart/form-data` body for [`TestRequest::multipart`].
///
/// ```
/// use quiver_core::testing::MultipartForm;
///
/// let form = MultipartForm::new().text("title", "Cat").file("photo", "cat.png", "image/png", vec![1, 2, 3]);
/// ```
#[derive(Debug, Clone)]
pub struct MultipartForm {
    boundary: String,
    body: Vec<u8>,
}

impl Default for MultipartForm {
    fn default() -> Self {
        Self::new()
    }
}

impl MultipartForm {
    /// An empty form.
    pub fn new() -> Self {
        Self {
            boundary: format!("quiver-test-{}", uuid::Uuid::new_v4().simple()),
            body: Vec::new(),
        }
    }

    /// Adds a text field.
    pub fn text(mut self, name: &str, value: &str) -> Self {
        self.part(&format!("form-data; name=\"{name}\""), None, value.as_bytes());
        self
    }

    /// Adds a file field.
    pub fn file(
        mut self,
        name: &str,
        file_name: &str,
        content_type: &str,
        data: impl AsRef<[u8]>,
    ) -> Self {
        let disposition = format!("form-data; name=\"{name}\"; filename=\"{file_name}\"");
        self.part(&disposition, Some(content_type), data.as_ref());
        self
    }

    fn part(&mut self, disposition: &str, content_type: Option<&str>, data: &[u8]) {
        self.body.extend_from_slice(
            format!("--{}\r\nContent-Disposition: {disposition}\r\n", self.boundary).as_bytes(),
        );
        if let Some(ct) = content_type {
            self.body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        self.body.extend_from_slice(b"\r\n");
        self.body.extend_from_slice(data);
        self.body.extend_from_slice(b"\r\n");
    }

    fn finish(mut self) -> Bytes {
        self.body.extend_from_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        self.body.into()
    }
}
