//! App-wide singletons registered with `App::state` (pools, clients, settings).

use http::request::Parts;

use super::FromRequestParts;
use crate::context::AppContext;
use crate::error::{Error, Result};

/// A clone of the app-wide value of type `T`; wrap large values in an `Arc`.
///
/// ```
/// use quiver_core::{App, extract::State};
///
/// #[derive(Clone)]
/// struct Settings { greeting: &'static str }
///
/// async fn hello(State(settings): State<Settings>) -> &'static str {
///     settings.greeting
/// }
///
/// let app = App::new().state(Settings { greeting: "hi" }).get("/", hello);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State<T>(pub T);

impl<T> std::ops::Deref for State<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for State<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Clone + Send + Sync + 'static> FromRequestParts for State<T> {
    async fn from_request_parts(_parts: &mut Parts, app: &AppContext) -> Result<Self> {
        match app.state::<T>() {
            Some(value) => Ok(State(value.clone())),
            None => Err(Error::internal(format!(
                "State<{0}> was asked for but no `{0}` is registered: add `.state(value)` to the App",
                std::any::type_name::<T>()
            ))),
        }
    }
}
