//! Single named parameters (`#[query] limit: u32`, `#[header] user_agent: String`): the value
//! types they parse into, and the names the route macros attach to them.

use serde_json::Value;

use crate::validation::{ErrorDetail, LocItem, Source, ValidationErrors};

/// The name of one parameter, as a type. The route macros write these; by hand:
///
/// ```
/// use quiver_core::extract::{ParamName, QueryParam};
///
/// struct Limit;
/// impl ParamName for Limit {
///     const NAME: &'static str = "limit";
/// }
/// async fn list(limit: QueryParam<Option<u32>, Limit>) -> String {
///     format!("{:?}", limit.0)
/// }
/// ```
pub trait ParamName: Send + Sync + 'static {
    /// The parameter's name as the client sends it (for headers, the header name).
    const NAME: &'static str;
}

/// A value one named parameter parses into: scalars, `Option<T>` (absent is `None`) and
/// `Vec<T>` (every repeated value).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be parsed from a query, path, header or cookie parameter",
    note = "single parameters take strings, numbers, `bool`, `Uuid`, `Option<T>` and `Vec<T>` of those; \
            use a struct with `Query<T>` for anything richer"
)]
pub trait ParamValue: Sized + Send + schemars::JsonSchema {
    /// Whether the parameter must be sent (`Option` and `Vec` need not be).
    const REQUIRED: bool = true;

    /// The parameter's schema in the OpenAPI document.
    fn param_schema(generator: &mut schemars::SchemaGenerator) -> Value {
        generator.subschema_for::<Self>().to_value()
    }

    /// Parses from every value sent under the parameter's name, in order.
    fn from_values(
        values: &[&str],
        source: Source,
        name: &'static str,
    ) -> Result<Self, ValidationErrors>;
}

/// A scalar parameter value: parses one string.
pub(crate) trait Scalar: Sized {
    fn parse(raw: &str) -> Result<Self, (&'static str, &'static str)>;
}

fn loc(source: Source, name: &'static str) -> Vec<LocItem> {
    vec![source.as_str().into(), name.into()]
}

macro_rules! scalar_param {
    ($parse:expr; $($ty:ty),*) => {$(
        impl Scalar for $ty {
            fn parse(raw: &str) -> Result<Self, (&'static str, &'static str)> {
                #[allow(clippy::redundant_closure_call)]
                ($parse)(raw)
            }
        }
        impl ParamValue for $ty {
            fn from_values(values: &[&str], source: Source, name: &'static str) -> Result<Self, ValidationErrors> {
                match values.last() {
                    None => Err(ErrorDetail::missing(source, name).into()),
                    Some(raw) => <$ty as Scalar>::parse(raw).map_err(|(kind, msg)| {
                        ErrorDetail::new(kind, loc(source, name), msg, Value::String(raw.to_string())).into()
                    }),
                }
            }
        }
    )*};
}

const INT: (&str, &str) =
    ("int_parsing", "Input should be a valid integer, unable to parse string as an integer");
const FLOAT: (&str, &str) =
    ("float_parsing", "Input should be a valid number, unable to parse string as a number");

scalar_param!(|raw: &str| Ok(raw.to_owned()); String);
scalar_param!(|raw: &str| raw.trim().parse().map_err(|_| INT); i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
scalar_param!(|raw: &str| raw.trim().parse().map_err(|_| FLOAT); f32, f64);
scalar_param!(|raw: &str| crate::validation::parse_bool(raw)
    .ok_or(("bool_parsing", "Input should be a valid boolean, unable to interpret input")); bool);
scalar_param!(|raw: &str| uuid::Uuid::parse_str(raw.trim())
    .map_err(|_| ("uuid_parsing", "Input should be a valid UUID")); uuid::Uuid);

impl<T: ParamValue> ParamValue for Option<T> {
    const REQUIRED: bool = false;

    fn param_schema(generator: &mut schemars::SchemaGenerator) -> Value {
        T::param_schema(generator)
    }

    fn from_values(
        values: &[&str],
        source: Source,
        name: &'static str,
    ) -> Result<Self, ValidationErrors> {
        if values.is_empty() {
            return Ok(None);
        }
        T::from_values(values, source, name).map(Some)
    }
}

impl<T: Scalar + Send + schemars::JsonSchema> ParamValue for Vec<T> {
    const REQUIRED: bool = false;

    fn from_values(
        values: &[&str],
        source: Source,
        name: &'static str,
    ) -> Result<Self, ValidationErrors> {
        let mut out = Vec::with_capacity(values.len());
        let mut errors = ValidationErrors::new();
        for (index, raw) in values.iter().enumerate() {
            match T::parse(raw) {
                Ok(v) => out.push(v),
                Err((kind, msg)) => {
                    let mut loc = loc(source, name);
                    loc.push(LocItem::Index(index));
                    errors.push(ErrorDetail::new(kind, loc, msg, Value::String(raw.to_string())));
                }
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_required_value_is_reported_as_missing() {
        let errors = u32::from_values(&[], Source::Query, "limit").unwrap_err();
        let e = errors.iter().next().unwrap();
        assert_eq!(e.kind, "missing");
        assert_eq!(e.loc, vec![LocItem::from("query"), LocItem::from("limit")]);
    }

    #[test]
    fn every_bad_item_of_a_list_is_reported_with_its_index() {
        let errors = Vec::<i32>::from_values(&["1", "x", "y"], Source::Query, "ids").unwrap_err();
        let locs: Vec<_> = errors.iter().map(|e| e.loc.clone()).collect();
        assert_eq!(locs.len(), 2);
        assert_eq!(locs[0][2], LocItem::Index(1));
        assert_eq!(locs[1][2], LocItem::Index(2));
    }

    #[test]
    fn options_are_none_when_absent_and_parsed_when_present() {
        assert_eq!(Option::<bool>::from_values(&[], Source::Query, "f").unwrap(), None);
        assert_eq!(Option::<bool>::from_values(&["yes"], Source::Query, "f").unwrap(), Some(true));
        assert!(Option::<bool>::from_values(&["maybe"], Source::Query, "f").is_err());
    }
}
