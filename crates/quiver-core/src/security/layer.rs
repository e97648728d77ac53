//! The security layer around every app: works out the scheme, redirects plain HTTP when the app
//! is served over HTTPS, checks CSRF on unsafe requests, and adds the security headers.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either};
use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts;
use http::{Method, StatusCode};
use http_body_util::BodyExt;

use super::SecuritySettings;
use super::client::is_secure;
use super::csrf::{
    CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, NewCsrfSecret, cookie_secret, token_matches,
};
use crate::error::HttpError;

/// Wraps a service in [`Security`].
#[derive(Debug, Clone)]
pub(crate) struct SecurityLayer {
    pub(crate) settings: Arc<SecuritySettings>,
    pub(crate) body_limit: usize,
}

impl<S> tower::Layer<S> for SecurityLayer {
    type Service = Security<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Security { settings: self.settings.clone(), body_limit: self.body_limit, inner }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Security<S> {
    settings: Arc<SecuritySettings>,
    body_limit: usize,
    inner: S,
}

impl<S> tower::Service<Request> for Security<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<Secured<S::Future>, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let secure = is_secure(req.uri(), req.headers(), self.settings.behind_proxy);
        let redirect = !secure && self.settings.https.as_ref().is_some_and(|h| h.redirect);
        let check = self.settings.csrf && needs_csrf_check(&req, &self.settings);
        let head = req.method() == Method::HEAD;
        if !redirect && !check {
            let inner = self.inner.call(req);
            return Either::Left(Secured::new(inner, secure, head, self.settings.clone()));
        }
        let settings = self.settings.clone();
        let limit = self.body_limit;
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Either::Right(Box::pin(async move {
            if redirect {
                return Ok(https_redirect(&req));
            }
            let (parts, body) = req.into_parts();
            match csrf_check(&parts, body, secure, &settings, limit).await {
                Ok(body) => {
                    let inner = inner.call(Request::from_parts(parts, body));
                    Secured::new(inner, secure, head, settings).await
                }
                Err(refusal) => {
                    tracing::warn!(path = %parts.uri.path(), reason = %refusal.1, "request refused: CSRF check failed");
                    let mut response = HttpError::forbidden(refusal.1).into_response();
                    add_headers(&mut response, secure, false, &settings, None);
                    Ok(response)
                }
            }
        }))
    }
}

fn https_redirect(req: &Request) -> Response {
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{path}");
    (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, location)]).into_response()
}

/// Unsafe requests that a browser may send with ambient credentials are checked: any with
/// cookies (origin and token), and forms without cookies (origin only: a cross-site form must
/// not log a victim into another account). Requests carrying an `Authorization` header are not:
/// a page on another site cannot set one.
fn needs_csrf_check(req: &Request, settings: &SecuritySettings) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) {
        return false;
    }
    let headers = req.headers();
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    let path = req.uri().path();
    if settings.csrf_exempt.iter().any(|prefix| path.starts_with(prefix.as_str())) {
        return false;
    }
    headers.contains_key(header::COOKIE) || is_simple_content_type(headers)
}

/// The content types a cross-site form or `fetch` may send without a preflight.
fn is_simple_content_type(headers: &http::HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
    )
}

type Refusal = (StatusCode, String);

/// Checks origin and token; gives the body back (read into memory when the token had to be
/// found in a form field).
async fn csrf_check(
    parts: &Parts,
    body: Body,
    secure: bool,
    settings: &SecuritySettings,
    limit: usize,
) -> Result<Body, Refusal> {
    let refuse = |reason: String| Err((StatusCode::FORBIDDEN, format!("CSRF failed: {reason}")));
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let own = format!("{}://{host}", if secure { "https" } else { "http" });
    let trusted = |origin: &str| {
        origin.eq_ignore_ascii_case(&own)
            || settings.csrf_trusted_origins.iter().any(|t| origin_matches(t, origin))
    };
    match parts.headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) if !trusted(origin) => {
            return refuse(format!(
                "Origin checking failed - {origin} does not match any trusted origins."
            ));
        }
        Some(_) => {}
        None if secure => {
            let Some(referer) = parts.headers.get(header::REFERER).and_then(|v| v.to_str().ok())
            else {
                return refuse("Referer checking failed - no Referer.".into());
            };
            let origin = referer_origin(referer);
            if !origin.starts_with("https://") || !trusted(&origin) {
                return refuse(format!(
                    "Referer checking failed - {referer} does not match any trusted origins."
                ));
            }
        }
        None => {}
    }
    if !parts.headers.contains_key(header::COOKIE) {
        // Nothing ambient to ride on: a cookie-less form only has to come from a trusted origin.
        return Ok(body);
    }
    let Some(secret) = cookie_secret(parts) else {
        return refuse("CSRF cookie not set.".into());
    };
    if let Some(token) = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return if token_matches(token, &secret) {
            Ok(body)
        } else {
            refuse("CSRF token incorrect.".into())
        };
    }
    let bytes = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "Request body too large".into()));
        }
    };
    let token = form_token(&parts.headers, &bytes).await;
    match token {
        None => refuse("CSRF token missing.".into()),
        Some(token) if token_matches(&token, &secret) => Ok(Body::from(bytes)),
        Some(_) => refuse("CSRF token incorrect.".into()),
    }
}

/// `csrfmiddlewaretoken` from a urlencoded or multipart form body.
async fn form_token(headers: &http::HeaderMap, bytes: &bytes::Bytes) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return form_urlencoded::parse(bytes)
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value.into_owned());
    }
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = futures_util::stream::once({
        let bytes = bytes.clone();
        async move { Ok::<_, Infallible>(bytes) }
    });
    let mut multipart = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

fn referer_origin(referer: &str) -> String {
    match referer.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
            format!("{scheme}://{host}")
        }
        None => String::new(),
    }
}

/// `https://app.example.com` exactly, or `https://*.example.com` for its subdomains.
fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once("://*.") {
        Some((scheme, domain)) => origin.split_once("://").is_some_and(|(s, host)| {
            s.eq_ignore_ascii_case(scheme)
                && host.len() > domain.len()
                && host.to_ascii_lowercase().ends_with(&format!(".{}", domain.to_ascii_lowercase()))
        }),
        None => pattern.eq_ignore_ascii_case(origin),
    }
}

static DEFAULT_HEADERS: [(HeaderName, HeaderValue); 4] = [
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    ),
];

/// How many headers [`add_headers`] and the request-ID layer outside it add to a response.
const ADDED_HEADERS: usize = DEFAULT_HEADERS.len() + 1;

fn add_headers(
    response: &mut Response,
    secure: bool,
    head: bool,
    settings: &SecuritySettings,
    new_secret: Option<String>,
) {
    if settings.headers {
        make_room(response, head);
        let headers = response.headers_mut();
        // At most one growth of the map for all four and the request ID, one lookup each.
        headers.reserve(ADDED_HEADERS);
        for (name, value) in &DEFAULT_HEADERS {
            headers.entry(name).or_insert_with(|| value.clone());
        }
    }
    let headers = response.headers_mut();
    if secure
        && let Some(value) = settings.https.as_ref().and_then(super::Https::header_value)
        && !headers.contains_key(header::STRICT_TRANSPORT_SECURITY)
    {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, value);
    }
    if let Some(secret) = new_secret {
        let cookie = format!("{CSRF_COOKIE}={secret}; Max-Age=31449600; Path=/; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    if (secure || settings.https.is_some()) && headers.contains_key(header::SET_COOKIE) {
        mark_cookies_secure(headers);
    }
}

/// Frees the one place the [`ADDED_HEADERS`] would lack in the response's header map, when a
/// `Content-Length` that hyper would write anyway can give it up.
///
/// A handler's response map holds six headers before it first grows, and growing (a bigger
/// allocation, every entry moved and rehashed, and later a slower free) costs about as much as
/// the rest of this layer. A plain response already has two, `Content-Type` and the
/// `Content-Length` axum's route wrote from the body's exact size, so the four security headers
/// and the request ID would make seven. hyper writes that same `Content-Length` from the body by
/// itself when the map has none, so a `Content-Length` that only restates the body's exact size
/// is taken out, and the response on the wire is the same. Not for a `HEAD` response: its body
/// is gone and the header tells the size of the `GET` one.
fn make_room(response: &mut Response, head: bool) {
    let headers = response.headers();
    if head || headers.len() + ADDED_HEADERS != headers.capacity() + 1 {
        return;
    }
    let Some(exact) = http_body::Body::size_hint(response.body()).exact() else {
        return;
    };
    if let http::header::Entry::Occupied(length) =
        response.headers_mut().entry(header::CONTENT_LENGTH)
    {
        let restates = length.iter().count() == 1
            && length.get().to_str().ok().and_then(|value| value.parse::<u64>().ok())
                == Some(exact);
        if restates {
            length.remove();
        }
    }
}

/// Under HTTPS every cookie the app sets is `Secure`, whoever set it.
fn mark_cookies_secure(headers: &mut http::HeaderMap) {
    let cookies: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| {
            let text = value.to_str().unwrap_or_default();
            let has_flag =
                text.split(';').skip(1).any(|attr| attr.trim().eq_ignore_ascii_case("secure"));
            if has_flag || text.is_empty() {
                value.clone()
            } else {
                HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or_else(|_| value.clone())
            }
        })
        .collect();
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        headers.append(header::SET_COOKIE, cookie);
    }
}

pin_project_lite::pin_project! {
    /// Adds the security headers, and the CSRF cookie when a secret was made, to the response.
    pub(crate) struct Secured<F> {
        #[pin]
        inner: F,
        secure: bool,
        head: bool,
        settings: Arc<SecuritySettings>,
    }
}

impl<F> Secured<F> {
    fn new(inner: F, secure: bool, head: bool, settings: Arc<SecuritySettings>) -> Self {
        Self { inner, secure, head, settings }
    }
}

impl<F> Future for Secured<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Ok(mut response) = ready!(this.inner.poll(cx));
        let new_secret = response.extensions_mut().remove::<NewCsrfSecret>().map(|s| s.0);
        add_headers(&mut response, *this.secure, *this.head, this.settings, new_secret);
        Poll::Ready(Ok(response))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_origins_match_exactly_or_by_subdomain_wildcard() {
        assert!(origin_matches("https://app.example.com", "https://APP.example.com"));
        assert!(origin_matches("https://*.example.com", "https://a.b.example.com"));
        assert!(!origin_matches("https://*.example.com", "https://example.com"));
        assert!(!origin_matches("https://*.example.com", "https://evilexample.com"));
        assert!(!origin_matches("https://*.example.com", "http://a.example.com"));
        assert_eq!(referer_origin("https://shop.io:8443/cart?x=1"), "https://shop.io:8443");
    }
}
