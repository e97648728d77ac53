//! Request headers: one by name (`#[header] user_agent: String` reads `User-Agent`) or several
//! into a struct whose field `x_token` reads the header `x-token`.

use std::marker::PhantomData;

use http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{FromRequestParts, ParamName, ParamValue};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, Pairs, Source};

/// Headers deserialised into `T`: each field reads the header of the same name with `_` as `-`,
/// case-insensitively; `Vec` fields take every value of a repeated header.
///
/// ```
/// use quiver_core::extract::Headers;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, validator::Validate)]
/// struct Client {
///     user_agent: Option<String>,
///     #[validate(length(min = 8))]
///     x_token: String,
/// }
///
/// async fn whoami(Headers(client): Headers<Client>) -> String {
///     client.user_agent.unwrap_or_default()
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headers<T>(pub T);

fn header_pairs(parts: &Parts, names: &[String]) -> Pairs {
    let mut pairs = Vec::new();
    for name in names {
        let header = name.replace('_', "-");
        for value in parts.headers.get_all(header.as_str()) {
            pairs.push((name.clone(), String::from_utf8_lossy(value.as_bytes()).into_owned()));
        }
    }
    pairs
}

/// The property names of a struct's schema, in declaration order.
pub(crate) fn field_names(info: &validation::SchemaInfo) -> Vec<String> {
    info.resolve(&info.schema)
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

impl<T> FromRequestParts for Headers<T>
where
    T: DeserializeOwned + schemars::JsonSchema + validator::Validate + Send + 'static,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let info = validation::schema_info::<T>();
        let pairs = header_pairs(parts, &field_names(&info));
        validation::from_schema_pairs(Source::Header, &pairs, &info)
            .map(Headers)
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.parameters_from::<T>(generator, Source::Header);
    }
}

/// One header by name, as the route macros write `#[header] user_agent: String`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderParam<T, N>(pub T, pub PhantomData<N>);

impl<T, N> FromRequestParts for HeaderParam<T, N>
where
    T: ParamValue,
    N: ParamName,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let values: Vec<String> = parts
            .headers
            .get_all(N::NAME)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        T::from_values(&values, Source::Header, N::NAME)
            .map(|v| HeaderParam(v, PhantomData))
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = T::param_schema(generator);
        doc.parameter_with_schema(Source::Header, N::NAME, T::REQUIRED, schema, None);
    }
}
