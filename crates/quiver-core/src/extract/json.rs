//! JSON bodies in and out.

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{StatusCode, request::Parts};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::read_body;
use super::{FromRequest, Request, private::ViaBody};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, HttpError, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, ErrorDetail, LocItem, Source, Validate, ValidationErrors};

/// A JSON body parsed and validated into `T`, or a value answered as JSON.
///
/// As an argument, the body is parsed once; when it is invalid every problem is listed (missing
/// fields, wrong types, failed constraints), each at its `loc` such as `["body", "tags", 2]`.
///
/// ```
/// use quiver_core::extract::Json;
/// use quiver_core::response::Created;
///
/// #[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema, validator::Validate)]
/// struct NewItem {
///     #[validate(length(min = 1, max = 50))]
///     name: String,
///     #[validate(range(min = 0.0))]
///     price: f64,
/// }
///
/// async fn create(Json(item): Json<NewItem>) -> Created<NewItem> {
///     Created::new(item)
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

/// `application/json`, or `application/<anything>+json`; a missing header counts as JSON, as in
/// FastAPI. Compared as text: this runs on every request.
fn is_json(parts: &Parts) -> bool {
    let Some(value) = parts.headers.get(CONTENT_TYPE) else {
        return true;
    };
    let Ok(text) = value.to_str() else {
        return false;
    };
    let essence = text.split(';').next().unwrap_or_default().trim().as_bytes();
    let (prefix, suffix) = (b"application/".as_slice(), b"+json".as_slice());
    essence.eq_ignore_ascii_case(b"application/json")
        || (essence.len() > prefix.len() + suffix.len()
            && essence[..prefix.len()].eq_ignore_ascii_case(prefix)
            && essence[essence.len() - suffix.len()..].eq_ignore_ascii_case(suffix))
}

/// Parses a JSON body into `T`, listing every problem when it is invalid.
pub(crate) fn parse_json<T, M>(bytes: &Bytes) -> std::result::Result<T, ValidationErrors>
where
    T: DeserializeOwned + schemars::JsonSchema + Validate<M> + 'static,
{
    match serde_json::from_slice::<T>(bytes) {
        Ok(value) => {
            validation::check_constraints(Source::Body, &value, || {
                serde_json::from_slice(bytes).unwrap_or(Value::Null)
            })?;
            Ok(value)
        }
        Err(serde_error) => second_look::<T, M>(bytes, serde_error),
    }
}

/// A body serde refused: list every problem the schema finds, or, when it finds none, read it
/// again the lenient way pydantic does (`48.0` for an integer) before giving serde's reason.
fn second_look<T, M>(
    bytes: &Bytes,
    serde_error: serde_json::Error,
) -> std::result::Result<T, ValidationErrors>
where
    T: DeserializeOwned + schemars::JsonSchema + Validate<M> + 'static,
{
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ErrorDetail::new(
            "missing",
            vec!["body".into()],
            "Field required",
            Value::Null,
        )
        .into());
    }
    let mut raw = match serde_json::from_slice::<Value>(bytes) {
        Ok(raw) => raw,
        Err(syntax) => {
            let position = byte_offset(bytes, syntax.line(), syntax.column());
            return Err(ErrorDetail::new(
                "json_invalid",
                vec!["body".into(), LocItem::Index(position)],
                "JSON decode error",
                Value::Object(Default::default()),
            )
            .with_ctx("error", syntax.to_string())
            .into());
        }
    };
    let info = validation::schema_info::<T>();
    let errors = validation::schema_errors(Source::Body, &raw, &info);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    whole_floats_to_integers(&mut raw);
    match serde_json::from_value::<T>(raw.clone()) {
        Ok(value) => {
            validation::check_constraints(Source::Body, &value, || raw)?;
            Ok(value)
        }
        Err(_) => {
            Err(validation::explain_failure(Source::Body, &raw, serde_error.to_string(), &info))
        }
    }
}

/// `48.0` becomes `48`: JSON Schema (and pydantic) count it as an integer; serde does not.
fn whole_floats_to_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(whole_floats_to_integers),
        _ => {}
    }
}

/// The byte offset of a (1-based line, 1-based column) position.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize =
        bytes.split(|b| *b == b'\n').take(line.saturating_sub(1)).map(|l| l.len() + 1).sum();
    line_start + column.saturating_sub(1)
}

impl<T, M> FromRequest<ViaBody<M>> for Json<T>
where
    T: DeserializeOwned + schemars::JsonSchema + Validate<M> + Send + 'static,
    M: 'static,
{
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        if !is_json(&parts) {
            return Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/json",
            )
            .into());
        }
        let bytes = read_body(&parts, body, app.body_limit()).await?;
        parse_json::<T, M>(&bytes).map(Json).map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.request_body::<T>(generator, "application/json");
        doc.error_response(413, "Request body too large");
        doc.error_response(415, "Content-Type is not JSON");
    }
}

/// Serialises `value` as a JSON response with this status.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    let mut buf = Vec::with_capacity(128);
    match serde_json::to_writer(&mut buf, value) {
        Ok(()) => {
            let mut response = (status, buf).into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            response
        }
        Err(e) => Error::internal(e).into_response(),
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        json_response(StatusCode::OK, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_are_recognised_with_parameters_and_suffixes() {
        let parts = |ct: &str| {
            http::Request::builder().header("content-type", ct).body(()).unwrap().into_parts().0
        };
        assert!(is_json(&parts("application/json")));
        assert!(is_json(&parts("Application/JSON; charset=utf-8")));
        assert!(is_json(&parts("application/problem+json")));
        assert!(!is_json(&parts("text/plain")));
        assert!(!is_json(&parts("application/+json")));
        assert!(!is_json(&parts("application/jsonx")));
    }

    #[test]
    fn byte_offsets_count_lines_and_columns() {
        assert_eq!(byte_offset(b"{\"a\":\n  x}", 2, 3), 8);
        assert_eq!(byte_offset(b"{x", 1, 2), 1);
    }
}
