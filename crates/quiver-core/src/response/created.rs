//! `201 Created` with a JSON body and `204 No Content`.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::{HeaderValue, LOCATION};
use serde::Serialize;

/// `201 Created` with `value` as JSON, and a `Location` header when given.
///
/// ```
/// use quiver_core::response::Created;
///
/// #[derive(serde::Serialize)]
/// struct Item { id: u32 }
///
/// async fn create() -> Created<Item> {
///     Created::new(Item { id: 7 }).location("/items/7")
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Created<T> {
    value: T,
    location: Option<String>,
}

impl<T> Created<T> {
    /// A 201 answer carrying `value`.
    pub fn new(value: T) -> Self {
        Self { value, location: None }
    }

    /// Sets the `Location` header to the new resource's URL.
    pub fn location(mut self, url: impl Into<String>) -> Self {
        self.location = Some(url.into());
        self
    }

    /// The value sent as the body.
    pub fn value(&self) -> &T {
        &self.value
    }
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut response = crate::extract::json_response(StatusCode::CREATED, &self.value);
        if let Some(location) = self.location.and_then(|l| HeaderValue::try_from(l).ok()) {
            response.headers_mut().insert(LOCATION, location);
        }
        response
    }
}

/// `204 No Content`, an empty answer.
///
/// ```
/// use quiver_core::response::NoContent;
///
/// async fn delete_item() -> NoContent { NoContent }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}
