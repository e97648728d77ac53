//! Who is asking and how: the client's IP address and whether the request came over HTTPS.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::request::Parts;

use crate::context::AppContext;
use crate::error::Result;
use crate::extract::FromRequestParts;

/// The client's IP address: the peer of the connection, or, when the app is
/// [`behind_proxy`](crate::App::behind_proxy), the address the proxy appended to
/// `X-Forwarded-For` (the last one: earlier ones are the client's to invent).
///
/// Rate limits and login throttling key on it.
///
/// ```
/// use quiver_core::security::ClientIp;
///
/// async fn whoami(ClientIp(ip): ClientIp) -> String {
///     ip.to_string()
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

/// The scheme the client used, as the security layer worked it out (`X-Forwarded-Proto` is
/// believed only [`behind_proxy`](crate::App::behind_proxy)).
///
/// ```
/// use quiver_core::security::RequestScheme;
///
/// async fn scheme(scheme: RequestScheme) -> &'static str {
///     if scheme.is_secure() { "https" } else { "http" }
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestScheme {
    pub(crate) secure: bool,
}

impl RequestScheme {
    /// Whether the request came over HTTPS.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// The scheme of the request `parts` came with.
    pub fn of(parts: &Parts, app: &AppContext) -> Self {
        Self { secure: is_secure(&parts.uri, &parts.headers, app.security().behind_proxy) }
    }
}

/// Whether a request came over HTTPS: its URI says so, or, behind a trusted proxy, the first
/// `X-Forwarded-Proto` value does.
pub(crate) fn is_secure(uri: &http::Uri, headers: &http::HeaderMap, behind_proxy: bool) -> bool {
    uri.scheme() == Some(&http::uri::Scheme::HTTPS)
        || (behind_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https")))
}

impl FromRequestParts for RequestScheme {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        Ok(Self::of(parts, app))
    }
}

impl ClientIp {
    /// The client address of the request `parts` came with (loopback when it did not come
    /// over a socket, as in [`TestClient`](crate::testing::TestClient)).
    pub fn of(parts: &Parts, app: &AppContext) -> Self {
        if app.security().behind_proxy
            && let Some(ip) = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|s| s.trim().parse::<IpAddr>().ok())
                .next_back()
        {
            return ClientIp(ip);
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .or_else(|| crate::server::PEER.try_with(|peer| *peer).ok())
            .map(|peer| peer.ip());
        ClientIp(peer.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)))
    }
}

impl FromRequestParts for ClientIp {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        Ok(Self::of(parts, app))
    }
}
