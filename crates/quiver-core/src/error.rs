//! The one error type of the HTTP layer, and the `{"detail": ...}` responses it renders.

use std::fmt;

use axum::response::{IntoResponse, Response};
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::validation::ValidationErrors;

/// The result type of handlers, extractors and dependencies.
///
/// ```
/// use quiver_core::{HttpError, Result};
///
/// fn find(id: u32) -> Result<&'static str> {
///     if id == 1 { Ok("ada") } else { Err(HttpError::not_found("no such user").into()) }
/// }
/// assert!(find(2).is_err());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error that answers the request: validation problems (422), an [`HttpError`] with its own
/// status, or an internal failure (500, logged, its detail never sent to the client).
///
/// Anything that implements `std::error::Error` converts into an internal error with `?`:
///
/// ```
/// use quiver_core::Result;
///
/// fn parse(n: &str) -> Result<u32> {
///     Ok(n.parse::<u32>()?) // a ParseIntError becomes a logged 500
/// }
/// assert!(parse("x").is_err());
/// ```
pub struct Error {
    // Boxed: results of extractors travel through every handler, and the happy path should
    // not pay for the size of an `HttpError`'s headers.
    kind: Box<ErrorKind>,
}

/// What went wrong, for code that needs to tell kinds apart.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The request was understood but its inputs are invalid: answered with 422 and every problem.
    Validation(ValidationErrors),
    /// An error with a status chosen by the code that raised it.
    Http(HttpError),
    /// A failure inside the server: logged, answered with a bare 500.
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// The kind of this error.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Wraps any error as an internal server error (500, logged).
    pub fn internal(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self { kind: Box::new(ErrorKind::Internal(error.into())) }
    }

    /// The status code this error answers with.
    pub fn status(&self) -> StatusCode {
        match &*self.kind {
            ErrorKind::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::Http(e) => e.status,
            ErrorKind::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Takes the validation problems out of a validation error, or gives the error back.
    pub(crate) fn into_validation(self) -> std::result::Result<ValidationErrors, Self> {
        match *self.kind {
            ErrorKind::Validation(errors) => Ok(errors),
            kind => Err(Self { kind: Box::new(kind) }),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::Validation(errors) => write!(f, "{} invalid input(s)", errors.len()),
            ErrorKind::Http(e) => write!(f, "{}: {}", e.status, e.detail),
            ErrorKind::Internal(e) => write!(f, "internal error: {e}"),
        }
    }
}

/// `?` turns an [`Error`] into the boxed error of code outside handlers (a `main`, a seed
/// function, a background task). `Error` itself cannot implement `std::error::Error`: any such
/// error already converts *into* it.
///
/// ```
/// fn seed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///     let failed: quiver_core::Result<()> = Err(quiver_core::HttpError::not_found("no such user").into());
///     failed?;
///     Ok(())
/// }
/// assert_eq!(seed().unwrap_err().to_string(), "404 Not Found: \"no such user\"");
/// ```
impl From<Error> for Box<dyn std::error::Error + Send + Sync> {
    fn from(error: Error) -> Self {
        match *error.kind {
            ErrorKind::Internal(inner) => inner,
            other => Box::new(Described(Error { kind: Box::new(other) }.to_string())),
        }
    }
}

/// An [`Error`] as a standard error: its message.
#[derive(Debug)]
struct Described(String);

impl fmt::Display for Described {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Described {}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for Error {
    fn from(error: E) -> Self {
        Self::internal(error)
    }
}

impl From<HttpError> for Error {
    fn from(error: HttpError) -> Self {
        Self { kind: Box::new(ErrorKind::Http(error)) }
    }
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Self { kind: Box::new(ErrorKind::Validation(errors)) }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match *self.kind {
            ErrorKind::Validation(errors) => errors.into_response(),
            ErrorKind::Http(e) => e.into_response(),
            ErrorKind::Internal(e) => {
                tracing::error!(error = %e, "internal server error");
                internal_error_response(e.to_string())
            }
        }
    }
}

/// What a 500 came from (the internal error's message or the panic's), kept on the response as
/// an extension for code inside the server — a development error page, a test — and never
/// written into the body sent to the client.
///
/// ```
/// use quiver_core::error::InternalError;
/// use quiver_core::response::IntoResponse;
///
/// let response = quiver_core::Error::internal(std::io::Error::other("disk full")).into_response();
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.extensions().get::<InternalError>().unwrap().0, "disk full");
/// ```
#[derive(Debug, Clone)]
pub struct InternalError(pub String);

/// The bare 500 every internal failure answers, carrying `message` as an [`InternalError`].
pub(crate) fn internal_error_response(message: String) -> Response {
    let mut response =
        HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
    response.extensions_mut().insert(InternalError(message));
    response
}

/// An error with a chosen status, rendered as `{"detail": ...}` — FastAPI's `HTTPException`.
///
/// ```
/// use quiver_core::HttpError;
/// use http::StatusCode;
///
/// let e = HttpError::new(StatusCode::UNAUTHORIZED, "Not authenticated")
///     .with_header("www-authenticate", "Bearer");
/// assert_eq!(e.status(), StatusCode::UNAUTHORIZED);
/// ```
#[derive(Debug, Clone)]
pub struct HttpError {
    status: StatusCode,
    detail: Value,
    headers: HeaderMap,
}

impl HttpError {
    /// An error with this status and a `detail` that is a message or any JSON value.
    pub fn new(status: StatusCode, detail: impl Into<Value>) -> Self {
        Self { status, detail: detail.into(), headers: HeaderMap::new() }
    }

    /// Adds a response header (for example `WWW-Authenticate` or `Retry-After`).
    ///
    /// # Panics
    /// If the name or value is not a valid header: both are written by the programmer, not the client.
    pub fn with_header(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        let value = HeaderValue::from_str(value.as_ref()).expect("a valid header value");
        self.headers.append(HeaderName::from_static(name), value);
        self
    }

    /// 400 Bad Request.
    pub fn bad_request(detail: impl Into<Value>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401 Unauthorized; add a `WWW-Authenticate` header with [`with_header`](Self::with_header).
    pub fn unauthorized(detail: impl Into<Value>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 403 Forbidden.
    pub fn forbidden(detail: impl Into<Value>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 404 Not Found.
    pub fn not_found(detail: impl Into<Value>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 409 Conflict.
    pub fn conflict(detail: impl Into<Value>) -> Self {
        Self::new(StatusCode::CONFLICT, detail)
    }

    /// 413 Payload Too Large, naming the limit so the client knows what to send.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body is larger than the limit of {limit} bytes"),
        )
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `detail` value of the body.
    pub fn detail(&self) -> &Value {
        &self.detail
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.status, self.detail)
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "detail": self.detail });
        let mut response = json_response(self.status, &body);
        response.headers_mut().extend(self.headers);
        response.extensions_mut().insert(ErrorReport {
            status: self.status,
            detail: Some(self.detail),
            errors: Vec::new(),
        });
        response
    }
}

/// What an error answer was made from, handed to [`App::error_handler`](crate::App::error_handler)
/// so an app can answer errors in its own format in one place (FastAPI's exception handlers).
///
/// ```
/// use http::StatusCode;
/// use quiver_core::error::ErrorReport;
///
/// fn message(report: &ErrorReport) -> String {
///     match report.detail() {
///         Some(detail) => detail.to_string(),
///         None => format!("{} invalid fields", report.validation_errors().len()),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct ErrorReport {
    status: StatusCode,
    detail: Option<Value>,
    errors: Vec<crate::validation::ErrorDetail>,
}

impl ErrorReport {
    pub(crate) fn validation(errors: Vec<crate::validation::ErrorDetail>) -> Self {
        ErrorReport { status: StatusCode::UNPROCESSABLE_ENTITY, detail: None, errors }
    }

    /// The answer's status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `detail` of an [`HttpError`] (a message or any JSON); `None` for a 422.
    pub fn detail(&self) -> Option<&Value> {
        self.detail.as_ref()
    }

    /// Every problem of a 422 (secret values already redacted); empty otherwise.
    pub fn validation_errors(&self) -> &[crate::validation::ErrorDetail] {
        &self.errors
    }
}

/// A JSON response with this status; serialising a `Value` cannot fail.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
