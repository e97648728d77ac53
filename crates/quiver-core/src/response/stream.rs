//! Bodies produced piece by piece (server-sent data, large exports).

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::Stream;
use http::header::{CONTENT_TYPE, HeaderValue};

/// A response whose body is a stream of chunks, sent as they are produced.
///
/// ```
/// use futures_util::stream;
/// use quiver_core::response::Streaming;
///
/// async fn numbers() -> Streaming {
///     let lines = stream::iter((1..=3).map(|n| Ok::<_, std::io::Error>(format!("{n}\n"))));
///     Streaming::new(lines).content_type("text/plain; charset=utf-8")
/// }
/// ```
pub struct Streaming {
    body: Body,
    content_type: HeaderValue,
}

impl std::fmt::Debug for Streaming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Streaming")
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl Streaming {
    /// Streams the chunks; an error ends the response early.
    pub fn new<S, C, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<C, E>> + Send + 'static,
        C: Into<Bytes> + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        Self {
            body: Body::from_stream(stream),
            content_type: HeaderValue::from_static("application/octet-stream"),
        }
    }

    /// Sets the `Content-Type` (default `application/octet-stream`).
    ///
    /// # Panics
    /// If `value` is not a valid header value; it is written by the programmer.
    pub fn content_type(mut self, value: &str) -> Self {
        self.content_type = HeaderValue::from_str(value).expect("a valid content type");
        self
    }
}

impl IntoResponse for Streaming {
    fn into_response(self) -> Response {
        let mut response = Response::new(self.body);
        response.headers_mut().insert(CONTENT_TYPE, self.content_type);
        response
    }
}
