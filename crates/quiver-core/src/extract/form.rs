//! URL-encoded form bodies (`application/x-www-form-urlencoded`).

use http::StatusCode;
use http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::body::read_body;
use super::{FromRequest, Request, private::ViaBody};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, HttpError, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, Source, Validate};

/// A URL-encoded form body deserialised and validated into `T`; repeated keys fill `Vec` fields.
///
/// ```
/// use quiver_core::extract::Form;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, validator::Validate)]
/// struct Login {
///     #[validate(length(min = 1))]
///     username: String,
///     password: String,
/// }
///
/// async fn login(Form(form): Form<Login>) -> String {
///     form.username
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Form<T>(pub T);

impl<T, M> FromRequest<ViaBody<M>> for Form<T>
where
    T: DeserializeOwned + schemars::JsonSchema + Validate<M> + Send + 'static,
    M: 'static,
{
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        let is_form = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be application/x-www-form-urlencoded",
            )
            .into());
        }
        let bytes = read_body(&parts, body, app.body_limit()).await?;
        validation::from_pairs(
            Source::Body,
            || form_urlencoded::parse(&bytes).into_owned().collect(),
            || serde_html_form::from_bytes::<T>(&bytes).map_err(|e| e.to_string()),
        )
        .map(Form)
        .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.request_body::<T>(generator, "application/x-www-form-urlencoded");
        doc.error_response(413, "Request body too large");
        doc.error_response(415, "Content-Type is not a URL-encoded form");
    }
}
