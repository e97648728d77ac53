//! Rate limits on any route: so many requests per window, counted per client address, per
//! user or per API key, in memory or in Redis (shared by every instance); `429` with
//! `Retry-After` past the limit.

use std::marker::PhantomData;
use std::time::Duration;

use http::request::Parts;
use quiver_core::extract::{Dependency, FromRequestParts};
use quiver_core::openapi::OperationDoc;
use quiver_core::security::ClientIp;
use quiver_core::{AppContext, HttpError, Result};
use schemars::SchemaGenerator;
use sha2::{Digest, Sha256};

use crate::config::Auth;
use crate::extract::OptionalUser;
use crate::limits::LimitStore;

/// What a limit counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyBy {
    /// The client address ([`ClientIp`]).
    Ip,
    /// The logged-in user; anonymous requests count by address.
    User,
    /// The value of a header (an API key), hashed; requests without it count by address.
    Header(&'static str),
}

/// A named limit. Counters are fixed windows that start at the first request, the same in
/// memory and in Redis, so a limit means the same for one instance or many.
///
/// ```
/// use std::time::Duration;
/// use quiver_auth::{KeyBy, RateLimit, RateLimitPolicy};
///
/// struct Search;
/// impl RateLimitPolicy for Search {
///     const NAME: &'static str = "search";
///     const LIMIT: u64 = 30;
///     const WINDOW: Duration = Duration::from_secs(60);
///     const KEY: KeyBy = KeyBy::User;
/// }
///
/// async fn search(_: RateLimit<Search>) -> &'static str { "results" }
/// // or for a whole router: Router::new().dependency::<RateLimit<Search>>()
/// ```
pub trait RateLimitPolicy: Send + Sync + 'static {
    /// Names the counters (limits with the same name share them).
    const NAME: &'static str;
    /// Requests allowed per window.
    const LIMIT: u64;
    /// The window.
    const WINDOW: Duration;
    /// What is counted.
    const KEY: KeyBy = KeyBy::Ip;
}

/// Counts this request against limit `P`; `429` past it. Counters live in the auth app's
/// [`LimitStore`], or in one registered with `App::state` when the auth app is not installed.
pub struct RateLimit<P>(PhantomData<fn() -> P>);

impl<P> Clone for RateLimit<P> {
    fn clone(&self) -> Self {
        Self(PhantomData)
    }
}

impl<P> std::fmt::Debug for RateLimit<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RateLimit")
    }
}

async fn key_for<P: RateLimitPolicy>(parts: &mut Parts, app: &AppContext) -> Result<String> {
    let ip = format!("ip:{}", ClientIp::of(parts, app).0);
    let ip = || ip.clone();
    Ok(match P::KEY {
        KeyBy::Ip => ip(),
        KeyBy::User => match OptionalUser::from_request_parts(parts, app).await? {
            OptionalUser(Some(user)) => format!("user:{}", user.pk()),
            OptionalUser(None) => ip(),
        },
        KeyBy::Header(name) => match parts.headers.get(name) {
            Some(value) => {
                let digest = Sha256::digest(value.as_bytes());
                format!("key:{}", crate::hex(&digest[..12]))
            }
            None => ip(),
        },
    })
}

impl<P: RateLimitPolicy> Dependency for RateLimit<P> {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let store: &LimitStore = match app.state::<LimitStore>() {
            Some(store) => store,
            None => &Auth::of(app)?.limits,
        };
        let key = key_for::<P>(parts, app).await?;
        let (count, left) = store.hit(&format!("rate:{}:{key}", P::NAME), P::WINDOW).await?;
        if count > P::LIMIT {
            let seconds = left.as_secs().max(1);
            return Err(HttpError::new(
                http::StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many requests: the limit is {} per {} s; try again in {seconds} s",
                    P::LIMIT,
                    P::WINDOW.as_secs()
                ),
            )
            .with_header("retry-after", seconds.to_string())
            .into());
        }
        Ok(RateLimit(PhantomData))
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        doc.error_response(429, "Too many requests");
    }
}

impl<P: RateLimitPolicy> FromRequestParts for RateLimit<P> {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        <Self as Dependency>::provide(parts, app).await
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        <Self as Dependency>::describe(doc, generator);
    }
}
