//! The query string: one parameter by name (`#[query] limit: u32`) or all into a struct.

use std::marker::PhantomData;

use http::request::Parts;
use serde::de::DeserializeOwned;

use super::{FromRequestParts, ParamName, ParamValue};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, Pairs, Source};

/// The query string deserialised into `T`; repeated keys fill `Vec` fields, constraints declared
/// with `validator` attributes are checked, and every problem is reported.
///
/// ```
/// use quiver_core::extract::Query;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, validator::Validate)]
/// struct Page {
///     #[validate(range(min = 1, max = 100))]
///     #[serde(default = "default_limit")]
///     limit: u32,
///     #[serde(default)]
///     tag: Vec<String>,
/// }
/// fn default_limit() -> u32 { 20 }
///
/// async fn list(Query(page): Query<Page>) -> String {
///     format!("{} items tagged {:?}", page.limit, page.tag)
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Query<T>(pub T);

pub(crate) fn query_pairs(parts: &Parts) -> Pairs {
    let query = parts.uri.query().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

impl<T> FromRequestParts for Query<T>
where
    T: DeserializeOwned + schemars::JsonSchema + validator::Validate + Send + 'static,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let query = parts.uri.query().unwrap_or_default();
        validation::from_pairs(
            Source::Query,
            || query_pairs(parts),
            || serde_html_form::from_str::<T>(query).map_err(|e| e.to_string()),
        )
        .map(Query)
        .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.parameters_from::<T>(generator, Source::Query);
    }
}

/// One query parameter by name, as the route macros write `#[query] limit: u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryParam<T, N>(pub T, pub PhantomData<N>);

impl<T, N> FromRequestParts for QueryParam<T, N>
where
    T: ParamValue,
    N: ParamName,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)> =
            form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == N::NAME).collect();
        let values: Vec<&str> = pairs.iter().map(|(_, v)| v.as_ref()).collect();
        T::from_values(&values, Source::Query, N::NAME)
            .map(|v| QueryParam(v, PhantomData))
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = T::param_schema(generator);
        doc.parameter_with_schema(Source::Query, N::NAME, T::REQUIRED, schema, None);
    }
}
