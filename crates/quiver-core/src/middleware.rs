//! The middleware the App configures: allowed hosts, request timeout, JSON 404/405/500 answers.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;

use crate::error::HttpError;

/// The `Host` values the app answers; others get 400, guarding against host-header attacks.
///
/// Patterns: an exact host (`example.com`), a leading dot for a domain and its subdomains
/// (`.example.com`), or `*` for any. Ports are ignored. The default allows only local names:
/// a deployed app must list its own, as in Django.
///
/// ```
/// use quiver_core::middleware::AllowedHosts;
///
/// let hosts = AllowedHosts::new([".example.com"]);
/// assert!(hosts.allows("api.example.com:8443"));
/// assert!(!hosts.allows("evil.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    patterns: Vec<String>,
}

impl Default for AllowedHosts {
    fn default() -> Self {
        Self::new(["localhost", "127.0.0.1", "[::1]", "testserver"])
    }
}

impl AllowedHosts {
    /// Allows these patterns.
    pub fn new<S: Into<String>>(patterns: impl IntoIterator<Item = S>) -> Self {
        Self { patterns: patterns.into_iter().map(|p| p.into().to_ascii_lowercase()).collect() }
    }

    /// Allows any host.
    pub fn any() -> Self {
        Self::new(["*"])
    }

    /// Whether a `Host` header value is allowed.
    pub fn allows(&self, host: &str) -> bool {
        self.allows_bytes(host.as_bytes())
    }

    pub(crate) fn allows_bytes(&self, host: &[u8]) -> bool {
        let host = strip_port(host);
        if host.is_empty() {
            return false;
        }
        self.patterns.iter().any(|pattern| {
            let pattern = pattern.as_bytes();
            pattern == b"*"
                || pattern.eq_ignore_ascii_case(host)
                || pattern.strip_prefix(b".").is_some_and(|domain| {
                    domain.eq_ignore_ascii_case(host)
                        || (host.len() > pattern.len()
                            && host[host.len() - pattern.len()..].eq_ignore_ascii_case(pattern))
                })
        })
    }
}

fn strip_port(host: &[u8]) -> &[u8] {
    if host.first() == Some(&b'[') {
        // [v6]:port
        return host.iter().position(|&b| b == b']').map_or(host, |end| &host[..=end]);
    }
    match host.iter().rposition(|&b| b == b':') {
        Some(colon) if host[colon + 1..].iter().all(u8::is_ascii_digit) => &host[..colon],
        _ => host,
    }
}

/// Refuses requests whose `Host` is not allowed. A plain tower layer rather than `from_fn`: it
/// runs on every request, and boxes nothing when the host is fine.
#[derive(Debug, Clone)]
pub(crate) struct HostCheckLayer(pub(crate) Arc<AllowedHosts>);

impl<S> tower::Layer<S> for HostCheckLayer {
    type Service = HostCheck<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HostCheck { hosts: self.0.clone(), inner }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct HostCheck<S> {
    hosts: Arc<AllowedHosts>,
    inner: S,
}

impl<S> tower::Service<Request> for HostCheck<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future =
        futures_util::future::Either<S::Future, std::future::Ready<Result<Response, S::Error>>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // `allows` reads bytes: no UTF-8 check first (a non-ASCII host matches no pattern).
        let host = match req.headers().get(http::header::HOST) {
            Some(value) => value.as_bytes(),
            None => req.uri().authority().map_or(&b""[..], |a| a.as_str().as_bytes()),
        };
        if self.hosts.allows_bytes(host) {
            futures_util::future::Either::Left(self.inner.call(req))
        } else {
            let host = String::from_utf8_lossy(host);
            tracing::warn!(%host, "request refused: Host is not in the allowed hosts");
            futures_util::future::Either::Right(std::future::ready(Ok(HttpError::bad_request(
                "Invalid Host header",
            )
            .into_response())))
        }
    }
}

pub(crate) async fn timeout(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            format!("The request took longer than {} ms", limit.as_millis()),
        )
        .into_response(),
    }
}

/// The `X-Request-ID` header: kept from the request when the client (or a proxy) sent a sane
/// one, generated otherwise, visible to handlers and logs in the request headers, and echoed on
/// the response.
///
/// Written here rather than with tower-http's pair of request-id layers: those cost about as
/// much as the rest of the request path together (two header copies, an extension, a `String`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestIdLayer;

impl<S> tower::Layer<S> for RequestIdLayer {
    type Service = RequestId<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestId { inner }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RequestId<S> {
    inner: S,
}

const X_REQUEST_ID: http::HeaderName = http::HeaderName::from_static("x-request-id");

fn sane_request_id(value: &http::HeaderValue) -> bool {
    (1..=128).contains(&value.len()) && value.as_bytes().iter().all(|b| b.is_ascii_graphic())
}

/// A new random ID. Its bytes are owned by one shared allocation, so the copy that goes on the
/// response is a reference count, not a second allocation.
fn new_request_id() -> http::HeaderValue {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
    http::HeaderValue::from_maybe_shared(bytes::Bytes::from_owner(buf))
        .expect("a UUID is a valid header value")
}

impl<S> tower::Service<Request> for RequestId<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = RequestIdFuture<S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        // One lookup whether the client sent an ID or not.
        let id = match req.headers_mut().entry(X_REQUEST_ID) {
            http::header::Entry::Occupied(sent) if sane_request_id(sent.get()) => {
                sent.get().clone()
            }
            http::header::Entry::Occupied(mut sent) => {
                let id = new_request_id();
                sent.insert(id.clone());
                id
            }
            http::header::Entry::Vacant(slot) => slot.insert(new_request_id()).clone(),
        };
        RequestIdFuture { inner: self.inner.call(req), id: Some(id) }
    }
}

pin_project_lite::pin_project! {
    /// Copies the request's ID onto its response.
    pub(crate) struct RequestIdFuture<F> {
        #[pin]
        inner: F,
        id: Option<http::HeaderValue>,
    }
}

impl<F, E> std::future::Future for RequestIdFuture<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx))?;
        if let Some(id) = this.id.take() {
            response.headers_mut().insert(X_REQUEST_ID, id);
        }
        std::task::Poll::Ready(Ok(response))
    }
}

pub(crate) async fn not_found() -> Response {
    HttpError::not_found("Not Found").into_response()
}

pub(crate) async fn method_not_allowed() -> Response {
    HttpError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed").into_response()
}

/// Logs a handler panic and answers a bare JSON 500; the server keeps serving.
pub(crate) fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_owned());
    tracing::error!(panic = %message, "handler panicked");
    crate::error::internal_error_response(format!("panic: {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_case_are_ignored_and_subdomains_need_a_leading_dot() {
        let hosts = AllowedHosts::new(["Example.com", ".shop.io"]);
        assert!(hosts.allows("EXAMPLE.com:80"));
        assert!(!hosts.allows("www.example.com"));
        assert!(hosts.allows("shop.io"));
        assert!(hosts.allows("a.b.shop.io"));
        assert!(!hosts.allows("evilshop.io"));
        assert!(AllowedHosts::default().allows("[::1]:8000"));
        assert!(!AllowedHosts::default().allows(""));
    }
}

pin_project_lite::pin_project! {
    /// Times each poll of a handler's future; a poll longer than the limit means the handler
    /// blocked its I/O thread ([`App::blocking_warning`](crate::App::blocking_warning)).
    pub(crate) struct PollTimer<F> {
        #[pin]
        inner: F,
        limit: std::time::Duration,
        route: std::sync::Arc<str>,
    }
}

impl<F> PollTimer<F> {
    pub(crate) fn new(inner: F, limit: std::time::Duration, route: std::sync::Arc<str>) -> Self {
        Self { inner, limit, route }
    }
}

impl<F: std::future::Future> std::future::Future for PollTimer<F> {
    type Output = F::Output;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let limit = *this.limit;
        let started = std::time::Instant::now();
        let answer = this.inner.poll(cx);
        let took = started.elapsed();
        if took > limit {
            tracing::warn!(
                route = %this.route,
                held_ms = took.as_millis() as u64,
                "a handler held an I/O thread for {} ms without yielding: every request on that \
                 thread waited; run blocking or CPU-bound work on a CpuPool (quiver::cpu) or with \
                 tokio::task::spawn_blocking",
                took.as_millis()
            );
        }
        answer
    }
}
