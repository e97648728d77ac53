//! What a handler's return type documents: its success status, content type and schema.

use std::marker::PhantomData;

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::json;

use super::OperationDoc;
use crate::extract::Json;
use crate::response::{Created, FileResponse, Html, NoContent, Redirect, Streaming};

/// A response type that knows what it answers. Implement it for your own response types so the
/// OpenAPI document describes them.
///
/// ```
/// use quiver_core::openapi::{OperationDoc, ResponseDoc};
///
/// struct Csv(String);
/// impl ResponseDoc for Csv {
///     fn describe(doc: &mut OperationDoc, _: &mut schemars::SchemaGenerator) {
///         doc.response(200, "A CSV file", Some(("text/csv", serde_json::json!({"type": "string"}))));
///     }
/// }
/// ```
pub trait ResponseDoc {
    /// Declares this type's responses on the operation.
    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator);
}

impl<T: JsonSchema> ResponseDoc for Json<T> {
    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = generator.subschema_for::<T>().to_value();
        doc.response(200, "Successful Response", Some(("application/json", schema)));
    }
}

impl<T: JsonSchema> ResponseDoc for Created<T> {
    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = generator.subschema_for::<T>().to_value();
        doc.response(201, "Created", Some(("application/json", schema)));
    }
}

impl ResponseDoc for NoContent {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.response(204, "No Content", None);
    }
}

impl<T> ResponseDoc for Html<T> {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.response(200, "An HTML page", Some(("text/html", json!({ "type": "string" }))));
    }
}

impl ResponseDoc for Redirect {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.response_range("3XX", "Redirect", None);
    }
}

impl ResponseDoc for FileResponse {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        let binary = json!({ "type": "string", "format": "binary" });
        doc.response(200, "A file", Some(("application/octet-stream", binary)));
        doc.error_response(404, "File not found");
    }
}

impl ResponseDoc for Streaming {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        let binary = json!({ "type": "string", "format": "binary" });
        doc.response(200, "A stream", Some(("application/octet-stream", binary)));
    }
}

macro_rules! text_response {
    ($($ty:ty),*) => {$(
        impl ResponseDoc for $ty {
            fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
                doc.response(200, "Successful Response", Some(("text/plain", json!({ "type": "string" }))));
            }
        }
    )*};
}

text_response!(&'static str, String);

impl ResponseDoc for () {
    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.response(200, "Successful Response", None);
    }
}

impl<T: ResponseDoc, E> ResponseDoc for Result<T, E> {
    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        T::describe(doc, generator);
    }
}

/// Lets the route macros ask any return type for its documentation: types implementing
/// [`ResponseDoc`] answer through [`ViaResponseDoc`], others fall back to a bare 200.
#[derive(Debug)]
pub struct ResponseProbe<T>(PhantomData<T>);

impl<T> ResponseProbe<T> {
    /// A probe for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for ResponseProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The probe's method for types that document themselves (chosen first by method resolution).
pub trait ViaResponseDoc {
    /// Declares the responses.
    fn describe_responses(&self, doc: &mut OperationDoc, generator: &mut SchemaGenerator);
}

impl<T: ResponseDoc> ViaResponseDoc for ResponseProbe<T> {
    fn describe_responses(&self, doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        T::describe(doc, generator);
    }
}

/// The probe's method for other types: an undocumented 200.
pub trait ViaFallback {
    /// Declares a bare success.
    fn describe_responses(&self, doc: &mut OperationDoc, generator: &mut SchemaGenerator);
}

impl<T> ViaFallback for &ResponseProbe<T> {
    fn describe_responses(&self, doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.response(200, "Successful Response", None);
    }
}
