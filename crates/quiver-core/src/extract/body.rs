//! The raw body: bytes, text, a stream, or the whole request; all bounded by the app's body limit.

use axum::body::{Body, BodyDataStream};
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::request::Parts;
use http_body_util::{BodyExt, Limited};

use super::{FromRequest, private::ViaRequest};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, HttpError, Result};
use crate::openapi::OperationDoc;

/// The request itself, for handlers that want everything. Must be the last argument.
///
/// ```
/// async fn echo_method(req: quiver_core::extract::Request) -> String {
///     req.method().to_string()
/// }
/// ```
pub type Request = http::Request<Body>;

impl FromRequest<ViaRequest> for Request {
    async fn from_request(req: Request, _app: &AppContext) -> Result<Self> {
        Ok(req)
    }
}

/// Fails with 413 when the declared length is over the limit, before reading anything.
pub(crate) fn check_declared_length(parts: &Parts, limit: usize) -> Result<()> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len > limit as u64 => Err(HttpError::payload_too_large(limit).into()),
        _ => Ok(()),
    }
}

/// Reads the whole body, answering 413 past `limit` bytes.
pub(crate) async fn read_body(parts: &Parts, body: Body, limit: usize) -> Result<Bytes> {
    check_declared_length(parts, limit)?;
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(HttpError::payload_too_large(limit).into())
        }
        Err(e) => {
            Err(HttpError::bad_request(format!("Could not read the request body: {e}")).into())
        }
    }
}

impl FromRequest<ViaRequest> for Bytes {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        read_body(&parts, body, app.body_limit()).await
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        let schema = serde_json::json!({ "type": "string", "format": "binary" });
        doc.request_body_with_schema("application/octet-stream", schema);
        doc.error_response(413, "Request body too large");
    }
}

impl FromRequest<ViaRequest> for String {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        let bytes = read_body(&parts, body, app.body_limit()).await?;
        String::from_utf8(bytes.into())
            .map_err(|_| Error::from(HttpError::bad_request("The request body is not valid UTF-8")))
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        doc.request_body_with_schema("text/plain", serde_json::json!({ "type": "string" }));
        doc.error_response(413, "Request body too large");
    }
}

/// The body as a stream of chunks, for large uploads handled piece by piece; reading past the
/// body limit ends the stream with an error.
///
/// ```
/// use futures_util::StreamExt;
/// use quiver_core::extract::BodyStream;
///
/// async fn count(BodyStream(mut stream): BodyStream) -> String {
///     let mut total = 0;
///     while let Some(Ok(chunk)) = stream.next().await {
///         total += chunk.len();
///     }
///     total.to_string()
/// }
/// ```
#[derive(Debug)]
pub struct BodyStream(pub BodyDataStream);

impl FromRequest<ViaRequest> for BodyStream {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        check_declared_length(&parts, app.body_limit())?;
        Ok(BodyStream(Body::new(Limited::new(body, app.body_limit())).into_data_stream()))
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        let schema = serde_json::json!({ "type": "string", "format": "binary" });
        doc.request_body_with_schema("application/octet-stream", schema);
        doc.error_response(413, "Request body too large");
    }
}
