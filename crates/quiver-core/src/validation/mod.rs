//! Request validation that reports every problem at once, in FastAPI's shape.
//!
//! Extractors parse straight into the handler's types (one parse for a valid request). Only when
//! that fails, or a constraint declared with [`validator`] attributes fails, is the input walked
//! again against the type's JSON Schema to list *every* problem, each with a `loc` such as
//! `["body", "items", 2, "name"]`. The handler wrapper gathers the problems of all extractors
//! (path, query, headers, cookies, body) and answers one `422`:
//!
//! ```json
//! {"detail": [{"type": "missing", "loc": ["query", "limit"], "msg": "Field required", "input": null}]}
//! ```

mod coerce;
mod constraints;
mod redact;
mod schema;

use std::borrow::Cow;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};

pub use redact::{REDACTED, is_sensitive_name};

pub(crate) use coerce::{Pairs, coerce_pairs, parse_bool};
pub(crate) use constraints::from_validator;
pub(crate) use schema::{SchemaInfo, integer_bounds, schema_errors, schema_info};

/// One segment of an error location: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum LocItem {
    /// An object key, a parameter name, or the source (`"body"`, `"query"`, ...).
    Key(Cow<'static, str>),
    /// A position in a list.
    Index(usize),
}

impl From<&'static str> for LocItem {
    fn from(key: &'static str) -> Self {
        Self::Key(Cow::Borrowed(key))
    }
}

impl From<String> for LocItem {
    fn from(key: String) -> Self {
        Self::Key(Cow::Owned(key))
    }
}

impl From<usize> for LocItem {
    fn from(index: usize) -> Self {
        Self::Index(index)
    }
}

/// Where in the request an input comes from; problems are listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A path parameter.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
    /// The request body.
    Body,
}

impl Source {
    /// The first `loc` segment FastAPI uses for this source.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
            Self::Cookie => "cookie",
            Self::Body => "body",
        }
    }

    fn rank(loc: &[LocItem]) -> u8 {
        match loc.first() {
            Some(LocItem::Key(k)) => match k.as_ref() {
                "path" => 0,
                "query" => 1,
                "header" => 2,
                "cookie" => 3,
                "body" => 4,
                _ => 5,
            },
            _ => 5,
        }
    }
}

/// One problem with the request: `{"type", "loc", "msg", "input", "ctx"?}`.
///
/// ```
/// use quiver_core::validation::{ErrorDetail, Source};
///
/// let e = ErrorDetail::missing(Source::Query, "limit");
/// assert_eq!(e.kind, "missing");
/// assert_eq!(serde_json::to_value(&e).unwrap()["loc"], serde_json::json!(["query", "limit"]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorDetail {
    /// A machine-readable kind, the same names pydantic uses (`missing`, `int_parsing`, ...).
    #[serde(rename = "type")]
    pub kind: Cow<'static, str>,
    /// Where the problem is: the source, then keys and indexes.
    pub loc: Vec<LocItem>,
    /// A sentence for people.
    pub msg: String,
    /// The value that was rejected (`null` when it was missing).
    pub input: Value,
    /// Details of the rule that failed, such as `{"min_length": 1}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctx: Option<Map<String, Value>>,
}

impl ErrorDetail {
    /// A problem of this kind at this location.
    pub fn new(
        kind: impl Into<Cow<'static, str>>,
        loc: Vec<LocItem>,
        msg: impl Into<String>,
        input: Value,
    ) -> Self {
        Self { kind: kind.into(), loc, msg: msg.into(), input, ctx: None }
    }

    /// A required input that was not sent.
    pub fn missing(source: Source, name: impl Into<LocItem>) -> Self {
        Self::new(
            "missing",
            vec![source.as_str().into(), name.into()],
            "Field required",
            Value::Null,
        )
    }

    /// Adds one `ctx` entry.
    pub fn with_ctx(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.ctx.get_or_insert_with(Map::new).insert(key.to_owned(), value.into());
        self
    }
}

/// Every problem found in one request; answers `422 {"detail": [...]}`.
///
/// ```
/// use quiver_core::validation::{ErrorDetail, Source, ValidationErrors};
///
/// let mut errors = ValidationErrors::new();
/// errors.push(ErrorDetail::missing(Source::Body, "name"));
/// errors.push(ErrorDetail::missing(Source::Path, "id"));
/// errors.sort_by_source();
/// assert_eq!(errors.iter().next().unwrap().loc[0], "path".into());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidationErrors {
    errors: Vec<ErrorDetail>,
}

impl ValidationErrors {
    /// No problems yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a problem.
    pub fn push(&mut self, error: ErrorDetail) {
        self.errors.push(error);
    }

    /// Adds all problems of another list.
    pub fn extend(&mut self, other: ValidationErrors) {
        self.errors.extend(other.errors);
    }

    /// True when no problem was found.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// How many problems were found.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// The problems, in order.
    pub fn iter(&self) -> impl Iterator<Item = &ErrorDetail> {
        self.errors.iter()
    }

    /// Orders problems as FastAPI does: path, query, header, cookie, then body; the order found
    /// within a source is kept.
    pub fn sort_by_source(&mut self) {
        self.errors.sort_by_key(|e| Source::rank(&e.loc));
    }

    /// The `{"detail": [...]}` body.
    pub fn to_json(&self) -> Value {
        serde_json::json!({ "detail": self.errors })
    }
}

impl From<ErrorDetail> for ValidationErrors {
    fn from(error: ErrorDetail) -> Self {
        Self { errors: vec![error] }
    }
}

impl From<Vec<ErrorDetail>> for ValidationErrors {
    fn from(errors: Vec<ErrorDetail>) -> Self {
        Self { errors }
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ErrorDetail;
    type IntoIter = std::vec::IntoIter<ErrorDetail>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl IntoResponse for ValidationErrors {
    fn into_response(mut self) -> Response {
        self.errors.iter_mut().for_each(redact::redact);
        let mut response =
            crate::error::json_response(StatusCode::UNPROCESSABLE_ENTITY, &self.to_json());
        response.extensions_mut().insert(crate::error::ErrorReport::validation(self.errors));
        response
    }
}

/// Parses a typed value from the strings of one source (query, path, headers, cookies, form),
/// listing every problem when it fails.
///
/// `fast` is the direct parse; when it fails, the pairs are coerced by the type's schema and
/// checked against it to list every problem. After a successful parse, the type's constraints run.
pub(crate) fn from_pairs<T, M>(
    source: Source,
    pairs: impl Fn() -> Pairs,
    fast: impl FnOnce() -> Result<T, String>,
) -> Result<T, ValidationErrors>
where
    T: serde::de::DeserializeOwned + schemars::JsonSchema + Validate<M> + 'static,
{
    let value = match fast() {
        Ok(value) => value,
        Err(serde_message) => {
            // The schema-guided reading accepts what pydantic accepts (`?flag=yes`, one value
            // for a list); when it still fails, every problem is listed.
            let info = schema_info::<T>();
            let coerced = coerce_pairs(&pairs(), &info);
            let errors = schema_errors(source, &coerced, &info);
            if !errors.is_empty() {
                return Err(errors.into());
            }
            match serde_json::from_value::<T>(coerced.clone()) {
                Ok(value) => value,
                Err(_) => return Err(explain_failure(source, &coerced, serde_message, &info)),
            }
        }
    };
    check_constraints(source, &value, || {
        let info = schema_info::<T>();
        coerce_pairs(&pairs(), &info)
    })?;
    Ok(value)
}

/// [`from_pairs`] for sources with no serde format of their own (headers, cookies): the pairs are
/// read through the schema-guided conversion only.
pub(crate) fn from_schema_pairs<T>(
    source: Source,
    pairs: &Pairs,
    info: &SchemaInfo,
) -> Result<T, ValidationErrors>
where
    T: serde::de::DeserializeOwned + schemars::JsonSchema + validator::Validate + 'static,
{
    from_pairs(
        source,
        || pairs.clone(),
        || serde_json::from_value(coerce_pairs(pairs, info)).map_err(|e| e.to_string()),
    )
}

/// Runs a parsed value's declared constraints; on failure lists the problems, using the schema
/// walk over `raw` (the input as JSON) for their wording and order, and the validator's own
/// report for rules a schema cannot express (custom functions).
pub(crate) fn check_constraints<T, M>(
    source: Source,
    value: &T,
    raw: impl FnOnce() -> Value,
) -> Result<(), ValidationErrors>
where
    T: schemars::JsonSchema + Validate<M> + 'static,
{
    let Err(report) = value.validate() else {
        return Ok(());
    };
    let info = schema_info::<T>();
    let raw = raw();
    let mut errors = schema_errors(source, &raw, &info);
    for (error, custom) in from_validator(source, &report, &raw) {
        // A message the developer wrote (`message = "..."`) wins over the schema's wording.
        if custom {
            let mut found = false;
            for same in errors.iter_mut().filter(|e| e.loc == error.loc) {
                same.msg.clone_from(&error.msg);
                found = true;
            }
            if found {
                continue;
            }
        }
        // The schema already located this problem (maybe more precisely, inside a list).
        if !errors.iter().any(|e| e.loc.starts_with(&error.loc)) {
            errors.push(error);
        }
    }
    Err(errors.into())
}

/// Explains why the direct parse failed: every schema problem, or, when the schema finds none
/// (a rule only serde knows), serde's own message at the source.
pub(crate) fn explain_failure(
    source: Source,
    raw: &Value,
    serde_message: String,
    info: &SchemaInfo,
) -> ValidationErrors {
    let errors = schema_errors(source, raw, info);
    if !errors.is_empty() {
        return errors.into();
    }
    ErrorDetail::new("value_error", vec![source.as_str().into()], serde_message, raw.clone()).into()
}

/// Constraints checked after a body is parsed.
///
/// Structs get it by deriving `validator::Validate` (rules written as `#[validate(...)]`
/// attributes); plain data (numbers, strings, `serde_json::Value`, and lists, options and maps of
/// them) has no constraints and always passes, so `Json<Vec<u32>>` needs no derive.
///
/// ```
/// use quiver_core::validation::Validate;
///
/// fn check<T: Validate<M>, M>(value: &T) -> bool {
///     value.validate().is_ok()
/// }
/// assert!(check(&vec![1u32, 2, 3]));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not declare its constraints",
    note = "derive `validator::Validate` on it (`#[derive(Deserialize, JsonSchema, Validate)]`), even with no rules"
)]
pub trait Validate<M = Constrained> {
    /// Checks the constraints; the report lists every failure.
    fn validate(&self) -> Result<(), validator::ValidationErrors>;
}

/// Marks [`Validate`] for types that derive `validator::Validate`.
#[derive(Debug, Clone, Copy)]
pub enum Constrained {}

/// Marks [`Validate`] for plain data, which has no constraints.
#[derive(Debug, Clone, Copy)]
pub enum Unconstrained {}

impl<T: validator::Validate> Validate<Constrained> for T {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        validator::Validate::validate(self)
    }
}

macro_rules! unconstrained {
    ($($ty:ty),* $(,)?) => {$(
        impl Validate<Unconstrained> for $ty {
            fn validate(&self) -> Result<(), validator::ValidationErrors> {
                Ok(())
            }
        }
    )*};
}

unconstrained!(
    (),
    bool,
    char,
    String,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    Value,
    uuid::Uuid,
);

impl<T: Validate<Unconstrained>> Validate<Unconstrained> for Vec<T> {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

impl<T: Validate<Unconstrained>> Validate<Unconstrained> for Option<T> {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

impl<K, V: Validate<Unconstrained>, S> Validate<Unconstrained>
    for std::collections::HashMap<K, V, S>
{
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

impl<K, V: Validate<Unconstrained>> Validate<Unconstrained> for std::collections::BTreeMap<K, V> {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}
