//! Cookies: one by name (`#[cookie] session_id: Option<String>`) or several into a struct.

use std::marker::PhantomData;

use http::request::Parts;
use serde::de::DeserializeOwned;

use super::header::field_names;
use super::{FromRequestParts, ParamName, ParamValue};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, Result};
use crate::openapi::OperationDoc;
use crate::validation::{self, Pairs, Source};

/// Cookies deserialised into `T`, one field per cookie name.
///
/// ```
/// use quiver_core::extract::Cookies;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema, validator::Validate)]
/// struct Prefs { theme: Option<String> }
///
/// async fn page(Cookies(prefs): Cookies<Prefs>) -> String {
///     prefs.theme.unwrap_or_else(|| "light".into())
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cookies<T>(pub T);

/// The value of the cookie `name` in request headers `headers`, if the request carries it: for
/// middleware and batteries that read one cookie (sessions, CSRF).
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cookie", "theme=dark; sessionid=abc".parse().unwrap());
/// assert_eq!(quiver_core::extract::cookie_value(&headers, "sessionid").as_deref(), Some("abc"));
/// assert_eq!(quiver_core::extract::cookie_value(&headers, "nope"), None);
/// ```
pub fn cookie_value(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(|text| cookie::Cookie::split_parse_encoded(text).flatten())
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// Every cookie the request carries, as (name, value) in order.
pub(crate) fn cookie_pairs(parts: &Parts) -> Pairs {
    let mut pairs = Vec::new();
    for header in parts.headers.get_all(http::header::COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for cookie in cookie::Cookie::split_parse_encoded(text).flatten() {
            pairs.push((cookie.name().to_owned(), cookie.value().to_owned()));
        }
    }
    pairs
}

impl<T> FromRequestParts for Cookies<T>
where
    T: DeserializeOwned + schemars::JsonSchema + validator::Validate + Send + 'static,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let info = validation::schema_info::<T>();
        let names = field_names(&info);
        let pairs: Pairs =
            cookie_pairs(parts).into_iter().filter(|(k, _)| names.contains(k)).collect();
        validation::from_schema_pairs(Source::Cookie, &pairs, &info)
            .map(Cookies)
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        doc.parameters_from::<T>(generator, Source::Cookie);
    }
}

/// One cookie by name, as the route macros write `#[cookie] session_id: Option<String>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CookieParam<T, N>(pub T, pub PhantomData<N>);

impl<T, N> FromRequestParts for CookieParam<T, N>
where
    T: ParamValue,
    N: ParamName,
{
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let pairs = cookie_pairs(parts);
        let values: Vec<&str> =
            pairs.iter().filter(|(k, _)| k == N::NAME).map(|(_, v)| v.as_str()).collect();
        T::from_values(&values, Source::Cookie, N::NAME)
            .map(|v| CookieParam(v, PhantomData))
            .map_err(Error::from)
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        let schema = T::param_schema(generator);
        doc.parameter_with_schema(Source::Cookie, N::NAME, T::REQUIRED, schema, None);
    }
}
