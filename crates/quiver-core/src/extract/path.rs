//! Path parameters: one by name (`#[path] id: u32`) or all at once into a struct or tuple.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts as _, RawPathParams};
use http::request::Parts;
use serde::de::DeserializeOwned;

use super::{FromRequestParts, ParamName, ParamValue};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, Pairs, Source};

/// All path parameters, deserialised into `T` (a struct with one field per `{name}`, a tuple,
/// or a single value).
///
/// ```
/// use quiver_core::extract::Path;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct ItemPath { shop: String, id: u32 }
///
/// async fn show(Path(p): Path<ItemPath>) -> String {
///     format!("{} in {}", p.id, p.shop)
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Path<T>(pub T);

async fn raw_pairs(parts: &mut Parts) -> Pairs {
    match RawPathParams::from_request_parts(parts, &()).await {
        Ok(params) => params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
        Err(_) => Vec::new(),
    }
}

impl<T> FromRequestParts for Path<T>
where
    T: DeserializeOwned + schemars::JsonSchema + Send + 'static,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        match axum::extract::Path::<T>::from_request_parts(parts, &()).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => {
                let pairs = raw_pairs(parts).await;
                let info = validation::schema_info::<T>();
                let coerced = validation::coerce_pairs(&pairs, &info);
                Err(validation::explain_failure(
                    Source::Path,
                    &coerced,
                    rejection.body_text(),
                    &info,
                )
                .into())
            }
        }
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.parameters_from::<T>(generator, Source::Path);
    }
}

/// One path parameter by name, as the route macros write `#[path] id: u32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathParam<T, N>(pub T, pub PhantomData<N>);

impl<T, N> FromRequestParts for PathParam<T, N>
where
    T: ParamValue,
    N: ParamName,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let pairs = raw_pairs(parts).await;
        let values: Vec<&str> =
            pairs.iter().filter(|(k, _)| k == N::NAME).map(|(_, v)| v.as_str()).collect();
        T::from_values(&values, Source::Path, N::NAME)
            .map(|v| PathParam(v, PhantomData))
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = T::param_schema(generator);
        doc.parameter_with_schema(Source::Path, N::NAME, T::REQUIRED, schema, None);
    }
}
