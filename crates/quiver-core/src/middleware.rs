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
        Self {
            patterns: patterns
                .into_iter()
                .map(|p| p.into().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Allows any host.
    pub fn any() -> Self {
        Self::new(["*"])
    }

    /// Whether a `Host` header value is allowed.
    pub fn allows(&self, host: &str) -> bool {
        let host = strip_port(host).as_bytes();
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

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // [v6]:port
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
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
        HostCheck {
            hosts: self.0.clone(),
            inner,
        }
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
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| req.uri().authority().map(|a| a.as_str()))
            .unwrap_or_default();
        if self.hosts.allows(host) {
            futures_util::future::Either::Left(self.inner.call(req))
        } else {
            tracing::warn!(host, "request refused: Host is not in the allowed hosts");
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

/// Makes `X-Request-ID` values: random UUIDs, formatted without a heap `String`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewRequestId;

impl tower_http::request_id::MakeRequestId for NewRequestId {
    fn make_request_id<B>(
        &mut self,
        _request: &http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let text = uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf);
        http::HeaderValue::from_str(text)
            .ok()
            .map(tower_http::request_id::RequestId::new)
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
    HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
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
