//! Sessions: data kept across requests of one browser, found by the `sessionid` cookie
//! (`HttpOnly`, `SameSite=Lax`, `Secure` under HTTPS). The key changes at login (no session
//! fixation) and the session is emptied at logout.
//!
//! ```
//! use quiver_auth::session::Session;
//!
//! async fn visits(session: Session) -> quiver_core::Result<String> {
//!     let count: u64 = session.get("visits").await?.unwrap_or(0) + 1;
//!     session.insert("visits", count).await?;
//!     Ok(format!("visit number {count}"))
//! }
//! ```

mod layer;
mod store;

use std::sync::{Arc, Mutex};

use http::request::Parts;
use quiver_core::extract::FromRequestParts;
use quiver_core::{AppContext, Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use layer::{SESSION_COOKIE, SessionLayer};
pub use store::{SessionBackend, SessionData, SessionStore};
pub(crate) use store::{read_cookie, sign_cookie};

/// One request's session. Clones share it; changes are saved after the response.
#[derive(Clone)]
pub struct Session {
    state: Arc<Mutex<State>>,
    backend: SessionBackend,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is a credential: never in logs.
        f.debug_struct("Session").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    /// The key the browser sent (or the new one).
    pub(crate) key: Option<String>,
    /// `None` until read from the store.
    pub(crate) data: Option<SessionData>,
    pub(crate) modified: bool,
    /// A key to delete from the store after the response (cycled or flushed).
    pub(crate) stale_key: Option<String>,
    pub(crate) flushed: bool,
}

/// The length of a session key.
pub(crate) const KEY_LEN: usize = 40;

pub(crate) fn new_key() -> String {
    quiver_core::security::random_token(KEY_LEN)
}

impl Session {
    pub(crate) fn new(
        backend: SessionBackend,
        key: Option<String>,
        data: Option<SessionData>,
    ) -> Self {
        let state = State { key, data, ..State::default() };
        Self { state: Arc::new(Mutex::new(state)), backend }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn loaded(&self) -> Result<()> {
        let key = {
            let state = self.state();
            if state.data.is_some() {
                return Ok(());
            }
            state.key.clone()
        };
        let data = match (&self.backend, key) {
            (SessionBackend::Store(store), Some(key)) => store
                .load(&key)
                .await
                .map_err(|e| Error::internal(format!("session store: {e}")))?,
            _ => None,
        };
        let mut state = self.state();
        if state.data.is_none() {
            if data.is_none() {
                // An unknown or expired key: start afresh under a new one.
                state.key = None;
            }
            state.data = Some(data.unwrap_or_default());
        }
        Ok(())
    }

    /// The value stored under `key`, if any (an error if it does not deserialize as `T`).
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.loaded().await?;
        let state = self.state();
        match state.data.as_ref().and_then(|d| d.get(key)) {
            None => Ok(None),
            Some(value) => serde_json::from_value(value.clone())
                .map(Some)
                .map_err(|e| Error::internal(format!("session value {key:?}: {e}"))),
        }
    }

    /// Stores `value` under `key`.
    pub async fn insert(&self, key: &str, value: impl Serialize) -> Result<()> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::internal(format!("session value {key:?}: {e}")))?;
        self.loaded().await?;
        let mut state = self.state();
        state.data.get_or_insert_with(Default::default).insert(key.to_owned(), value);
        state.modified = true;
        Ok(())
    }

    /// Removes `key`, returning what it held.
    pub async fn remove(&self, key: &str) -> Result<Option<Value>> {
        self.loaded().await?;
        let mut state = self.state();
        let removed = state.data.as_mut().and_then(|d| d.remove(key));
        state.modified |= removed.is_some();
        Ok(removed)
    }

    /// Gives the session a new key, keeping its data: call it when the user's privileges change
    /// (login does), so a key planted or seen before is worthless.
    pub async fn cycle_key(&self) -> Result<()> {
        self.loaded().await?;
        let mut state = self.state();
        if let Some(old) = state.key.take() {
            state.stale_key = Some(old);
        }
        state.modified = true;
        Ok(())
    }

    /// Deletes the session and its cookie (logout).
    pub async fn flush(&self) {
        let mut state = self.state();
        if let Some(old) = state.key.take() {
            state.stale_key = Some(old);
        }
        state.data = Some(SessionData::new());
        state.flushed = true;
        state.modified = false;
    }

    /// Whether the request came with a live session (its key, or a signed cookie).
    pub async fn exists(&self) -> Result<bool> {
        self.loaded().await?;
        let state = self.state();
        Ok(state.key.is_some() || state.data.as_ref().is_some_and(|d| !d.is_empty()))
    }
}

impl FromRequestParts for Session {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        parts.extensions.get::<Session>().cloned().ok_or_else(|| {
            Error::internal("no session: install the auth app with `App::auth(...)` (it adds the session layer)")
        })
    }
}
