//! What every request can reach of the app: singletons, dependency overrides, limits.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use http::request::Parts;

use crate::error::Result;
use crate::security::SecuritySettings;

/// A dependency override: builds the replacement value from the request head.
pub(crate) type OverrideFn =
    Arc<dyn Fn(&Parts) -> BoxFuture<'static, Result<Box<dyn Any + Send + Sync>>> + Send + Sync>;

/// The app as the extractors of one request see it. Cheap to clone.
///
/// Handlers rarely touch it: [`State`](crate::extract::State) and
/// [`Dep`](crate::extract::Dep) are the usual ways in.
#[derive(Clone)]
pub struct AppContext {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) state: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    pub(crate) overrides: HashMap<TypeId, OverrideFn>,
    pub(crate) body_limit: usize,
    pub(crate) security: Arc<SecuritySettings>,
}

impl AppContext {
    pub(crate) fn new(inner: Inner) -> Self {
        Self { inner: Arc::new(inner) }
    }

    /// A context with no state and the default limits, for calling extractors outside an app.
    ///
    /// ```
    /// let cx = quiver_core::AppContext::empty();
    /// assert!(cx.state::<u32>().is_none());
    /// ```
    pub fn empty() -> Self {
        Self::new(Inner {
            state: HashMap::new(),
            overrides: HashMap::new(),
            body_limit: crate::app::DEFAULT_BODY_LIMIT,
            security: Arc::new(SecuritySettings::default()),
        })
    }

    /// The app-wide value of type `T` registered with [`App::state`](crate::App::state).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.state.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The largest request body, in bytes, that body extractors read.
    pub fn body_limit(&self) -> usize {
        self.inner.body_limit
    }

    /// The app's security settings (HTTPS, proxy, CSRF).
    pub fn security(&self) -> &SecuritySettings {
        &self.inner.security
    }

    pub(crate) fn override_for(&self, id: TypeId) -> Option<&OverrideFn> {
        self.inner.overrides.get(&id)
    }
}

impl fmt::Debug for AppContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppContext")
            .field("state_types", &self.inner.state.len())
            .field("overrides", &self.inner.overrides.len())
            .field("body_limit", &self.inner.body_limit)
            .finish()
    }
}
