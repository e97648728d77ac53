//! The tower layer that opens the session before the handler and saves it after.

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::future::BoxFuture;
use http::HeaderValue;
use http::header::SET_COOKIE;
use quiver_core::HttpError;

use super::{KEY_LEN, Session, SessionBackend, new_key, read_cookie, sign_cookie};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sessionid";

/// Opens each request's [`Session`] and saves it after the response; installed by
/// [`App::auth`](crate::AuthAppExt::auth).
#[derive(Clone)]
pub struct SessionLayer {
    config: Arc<Config>,
}

struct Config {
    backend: SessionBackend,
    secret: Arc<[u8]>,
    max_age: Duration,
}

impl std::fmt::Debug for SessionLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionLayer").field("backend", &self.config.backend).finish()
    }
}

impl SessionLayer {
    /// Sessions in `backend`, lasting `max_age` from their last change; `secret` signs
    /// cookie-held sessions.
    pub fn new(backend: SessionBackend, secret: Arc<[u8]>, max_age: Duration) -> Self {
        Self { config: Arc::new(Config { backend, secret, max_age }) }
    }
}

impl<S> tower::Layer<S> for SessionLayer {
    type Service = SessionService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionService { config: self.config.clone(), inner }
    }
}

/// See [`SessionLayer`].
#[derive(Clone)]
pub struct SessionService<S> {
    config: Arc<Config>,
    inner: S,
}

impl<S> tower::Service<Request> for SessionService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let config = self.config.clone();
        let sent = quiver_core::extract::cookie_value(req.headers(), SESSION_COOKIE);
        let session = match &config.backend {
            SessionBackend::SignedCookie => {
                let data = sent.as_deref().and_then(|v| read_cookie(&config.secret, v));
                Session::new(config.backend.clone(), None, Some(data.unwrap_or_default()))
            }
            SessionBackend::Store(_) => {
                let key = sent
                    .filter(|k| k.len() == KEY_LEN && k.bytes().all(|b| b.is_ascii_alphanumeric()));
                Session::new(config.backend.clone(), key, None)
            }
        };
        req.extensions_mut().insert(session.clone());
        let future = self.inner.call(req);
        Box::pin(async move {
            let Ok(mut response) = future.await;
            match commit(&config, &session).await {
                Ok(Some(cookie)) => {
                    if let Ok(value) = HeaderValue::from_str(&cookie) {
                        response.headers_mut().append(SET_COOKIE, value);
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(%error, "the session could not be saved");
                    return Ok(HttpError::new(
                        http::StatusCode::INTERNAL_SERVER_ERROR,
                        "Internal Server Error",
                    )
                    .into_response());
                }
            }
            Ok(response)
        })
    }
}

/// Saves or deletes the session as the request left it; the `Set-Cookie` value, if any.
async fn commit(config: &Config, session: &Session) -> Result<Option<String>, String> {
    let (data, stale, flushed, modified) = {
        let state = session.state();
        (state.data.clone(), state.stale_key.clone(), state.flushed, state.modified)
    };
    if let (Some(old), SessionBackend::Store(store)) = (&stale, &config.backend) {
        store.delete(old).await?;
    }
    let max_age = config.max_age.as_secs();
    let attributes = "; Path=/; HttpOnly; SameSite=Lax";
    // Data written after a flush (a "logged out" message) starts a new session under a new key.
    let written_after_flush = modified && data.as_ref().is_some_and(|d| !d.is_empty());
    if flushed && !written_after_flush {
        return Ok(Some(format!("{SESSION_COOKIE}=; Max-Age=0{attributes}")));
    }
    if !modified {
        return Ok(None);
    }
    let data = data.unwrap_or_default();
    let expires = chrono::Utc::now() + chrono::Duration::seconds(max_age as i64);
    let value = match &config.backend {
        SessionBackend::SignedCookie => {
            let value = sign_cookie(&config.secret, &data, expires);
            if value.len() > 4000 {
                return Err(format!(
                    "the session data is {} bytes signed, more than a cookie holds (4 KB); keep less in it or use a server-side store",
                    value.len()
                ));
            }
            value
        }
        SessionBackend::Store(store) => {
            let key = session.state().key.clone().unwrap_or_else(new_key);
            store.save(&key, &data, expires).await?;
            session.state().key = Some(key.clone());
            key
        }
    };
    Ok(Some(format!("{SESSION_COOKIE}={value}; Max-Age={max_age}{attributes}")))
}
