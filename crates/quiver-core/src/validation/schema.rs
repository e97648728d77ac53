//! The slow path: check an input against its type's JSON Schema and word every problem the way
//! FastAPI (pydantic) does.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::{Value, json};

use super::{ErrorDetail, LocItem, Source};

/// A type's JSON Schema (2020-12, with its `$defs`) and the compiled validator for it.
pub(crate) struct SchemaInfo {
    pub(crate) schema: Value,
    validator: Option<jsonschema::Validator>,
}

impl SchemaInfo {
    /// Follows a local `$ref` (`#/$defs/Name`) to the schema it names.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut current = schema;
        for _ in 0..8 {
            let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let Some(pointer) = reference.strip_prefix('#') else {
                break;
            };
            match self.schema.pointer(pointer) {
                Some(target) => current = target,
                None => break,
            }
        }
        current
    }
}

/// The schema of `T`, built once per type and cached for the life of the process.
pub(crate) fn schema_info<T: schemars::JsonSchema + 'static>() -> Arc<SchemaInfo> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<SchemaInfo>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(info) = cache.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return info.clone();
    }
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    integer_bounds(&mut schema);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| tracing::warn!(error = %e, "schema of a request type does not compile"))
        .ok();
    let info = Arc::new(SchemaInfo { schema, validator });
    cache.write().unwrap_or_else(|e| e.into_inner()).insert(id, info.clone());
    info
}

/// Adds the range of fixed-size integers to their schemas (schemars gives `u32` only
/// `minimum: 0`), so the document, its clients and the error messages know that `4294967296` is
/// not a `u32`.
pub(crate) fn integer_bounds(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            let bounds: Option<(Value, Value)> = match map.get("format").and_then(Value::as_str) {
                Some("int32") => Some((i32::MIN.into(), i32::MAX.into())),
                Some("uint32") => Some((0.into(), u32::MAX.into())),
                Some("int64" | "int") => Some((i64::MIN.into(), i64::MAX.into())),
                Some("uint64" | "uint") => Some((0.into(), u64::MAX.into())),
                _ => None,
            };
            if let Some((min, max)) = bounds {
                map.entry("minimum").or_insert(min);
                map.entry("maximum").or_insert(max);
            }
            map.values_mut().for_each(integer_bounds);
        }
        Value::Array(items) => items.iter_mut().for_each(integer_bounds),
        _ => {}
    }
}

/// Every problem of `input` against the schema, each located under `source`.
pub(crate) fn schema_errors(source: Source, input: &Value, info: &SchemaInfo) -> Vec<ErrorDetail> {
    let Some(validator) = &info.validator else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for error in validator.iter_errors(input) {
        describe(source, &error, &mut out);
    }
    out
}

fn describe(source: Source, error: &jsonschema::ValidationError<'_>, out: &mut Vec<ErrorDetail>) {
    let mut loc: Vec<LocItem> = vec![source.as_str().into()];
    for segment in error.instance_path().iter() {
        loc.push(match segment {
            LocationSegment::Property(name) => LocItem::from(name.into_owned()),
            LocationSegment::Index(i) => LocItem::Index(i),
        });
    }
    let input = error.instance().clone().into_owned();
    let detail =
        |kind: &'static str, msg: String| ErrorDetail::new(kind, loc.clone(), msg, input.clone());
    let item = match error.kind() {
        ValidationErrorKind::Required { property } => {
            let mut loc = loc.clone();
            loc.push(LocItem::from(property.as_str().unwrap_or_default().to_owned()));
            ErrorDetail::new("missing", loc, "Field required", input.clone())
        }
        ValidationErrorKind::Type { kind } => type_error(kind, loc.clone(), &input),
        ValidationErrorKind::MinLength { limit } => detail(
            "string_too_short",
            format!("String should have at least {limit} character{}", plural(*limit)),
        )
        .with_ctx("min_length", *limit),
        ValidationErrorKind::MaxLength { limit } => detail(
            "string_too_long",
            format!("String should have at most {limit} character{}", plural(*limit)),
        )
        .with_ctx("max_length", *limit),
        ValidationErrorKind::MinItems { limit } => {
            let actual = input.as_array().map_or(0, Vec::len);
            detail(
                "too_short",
                format!(
                    "List should have at least {limit} item{} after validation, not {actual}",
                    plural(*limit)
                ),
            )
            .with_ctx("field_type", "List")
            .with_ctx("min_length", *limit)
            .with_ctx("actual_length", actual)
        }
        ValidationErrorKind::MaxItems { limit } => {
            let actual = input.as_array().map_or(0, Vec::len);
            detail(
                "too_long",
                format!(
                    "List should have at most {limit} item{} after validation, not {actual}",
                    plural(*limit)
                ),
            )
            .with_ctx("field_type", "List")
            .with_ctx("max_length", *limit)
            .with_ctx("actual_length", actual)
        }
        ValidationErrorKind::Minimum { limit } => detail(
            "greater_than_equal",
            format!("Input should be greater than or equal to {limit}"),
        )
        .with_ctx("ge", limit.clone()),
        ValidationErrorKind::Maximum { limit } => {
            detail("less_than_equal", format!("Input should be less than or equal to {limit}"))
                .with_ctx("le", limit.clone())
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            detail("greater_than", format!("Input should be greater than {limit}"))
                .with_ctx("gt", limit.clone())
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            detail("less_than", format!("Input should be less than {limit}"))
                .with_ctx("lt", limit.clone())
        }
        ValidationErrorKind::Pattern { pattern } => {
            detail("string_pattern_mismatch", format!("String should match pattern '{pattern}'"))
                .with_ctx("pattern", pattern.as_str())
        }
        ValidationErrorKind::Format { format } => format_error(format, detail),
        ValidationErrorKind::Enum { options } => {
            enum_error(options.as_array().map(Vec::as_slice).unwrap_or_default(), detail)
        }
        ValidationErrorKind::Constant { expected_value } => {
            let expected = expected_list(std::slice::from_ref(expected_value.as_ref()));
            detail("literal_error", format!("Input should be {expected}"))
                .with_ctx("expected", expected)
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for key in unexpected {
                let mut loc = loc.clone();
                loc.push(LocItem::from(key.clone()));
                let value = input.get(key).cloned().unwrap_or(Value::Null);
                out.push(ErrorDetail::new(
                    "extra_forbidden",
                    loc,
                    "Extra inputs are not permitted",
                    value,
                ));
            }
            return;
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // `Option<T>` and untagged enums: when one branch is only "not null", the other
            // branch's problems are the ones the client needs.
            let relevant: Vec<_> =
                context.iter().filter(|branch| !is_null_branch(branch)).collect();
            // An enum whose variants have doc comments is a `oneOf` of `const`s to schemars (each
            // with its `description`); the client reads the same error as for a plain `enum`.
            if let Some(choices) = constant_choices(error, &relevant) {
                if let Some(type_error) = choices.type_error {
                    describe(source, type_error, out);
                }
                out.push(enum_error(&choices.options, detail));
                return;
            }
            if let [branch] = relevant.as_slice() {
                for error in branch.iter() {
                    describe(source, error, out);
                }
                return;
            }
            detail("union_tag_invalid", "Input does not match any of the allowed shapes".to_owned())
        }
        ValidationErrorKind::UniqueItems => {
            detail("unique_items", "List should have unique items".to_owned())
        }
        ValidationErrorKind::MultipleOf { .. } => detail(
            "multiple_of",
            format!("Input should be a multiple of the allowed step: {error}"),
        ),
        _ => detail("value_error", format!("Value error, {error}")),
    };
    out.push(item);
}

fn is_null_branch(branch: &[jsonschema::ValidationError<'_>]) -> bool {
    matches!(
        branch,
        [e] if matches!(e.kind(), ValidationErrorKind::Type { kind: TypeKind::Single(t) }
            if *t == jsonschema::JsonType::Null)
    )
}

/// What a union of constants accepts.
struct Choices<'e> {
    /// Every branch's value, in the schema's order.
    options: Vec<Value>,
    /// The wrong type every branch reported (a number where each branch wants a string), which a
    /// plain `enum` with its `type` reports too.
    type_error: Option<&'e jsonschema::ValidationError<'static>>,
}

/// The values a failed `oneOf`/`anyOf` accepts when each of its branches is only a `const` (or an
/// `enum`), possibly with a `type` and reached through a `$ref` (the validator follows those and
/// reports what failed inside); `None` when any branch failed for another reason, or deeper in the
/// input (a tagged union's tag), so those keep their own wording.
fn constant_choices<'e>(
    union: &jsonschema::ValidationError<'_>,
    branches: &[&'e Vec<jsonschema::ValidationError<'static>>],
) -> Option<Choices<'e>> {
    if branches.is_empty() {
        return None;
    }
    let mut options = Vec::new();
    let mut type_errors = Vec::new();
    for branch in branches {
        let mut values: Option<&[Value]> = None;
        for error in branch.iter() {
            if error.instance_path() != union.instance_path() {
                return None;
            }
            match error.kind() {
                ValidationErrorKind::Constant { expected_value } if values.is_none() => {
                    values = Some(std::slice::from_ref(expected_value.as_ref()));
                }
                ValidationErrorKind::Enum { options } if values.is_none() => {
                    values = Some(options.as_array()?.as_slice());
                }
                ValidationErrorKind::Type { .. } => type_errors.push(error),
                _ => return None,
            }
        }
        for value in values? {
            if !options.contains(value) {
                options.push(value.clone());
            }
        }
    }
    // A type problem is worth its own line only when no branch accepts the input's type.
    let shared = type_errors.len() == branches.len()
        && type_errors.windows(2).all(|pair| same_type(pair[0], pair[1]));
    let type_error = if shared { type_errors.first().copied() } else { None };
    Some(Choices { options, type_error })
}

fn same_type(a: &jsonschema::ValidationError<'_>, b: &jsonschema::ValidationError<'_>) -> bool {
    match (a.kind(), b.kind()) {
        (
            ValidationErrorKind::Type { kind: TypeKind::Single(a) },
            ValidationErrorKind::Type { kind: TypeKind::Single(b) },
        ) => a == b,
        (
            ValidationErrorKind::Type { kind: TypeKind::Multiple(a) },
            ValidationErrorKind::Type { kind: TypeKind::Multiple(b) },
        ) => a == b,
        _ => false,
    }
}

/// "Input should be 'a' or 'b'", for a plain `enum` and a union of constants alike.
fn enum_error(
    options: &[Value],
    detail: impl Fn(&'static str, String) -> ErrorDetail,
) -> ErrorDetail {
    let expected = expected_list(options);
    detail("enum", format!("Input should be {expected}")).with_ctx("expected", expected)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn expected_list(options: &[Value]) -> String {
    let quoted: Vec<String> = options
        .iter()
        .map(|o| match o {
            Value::String(s) => format!("'{s}'"),
            other => other.to_string(),
        })
        .collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn type_error(kind: &TypeKind, loc: Vec<LocItem>, input: &Value) -> ErrorDetail {
    use jsonschema::JsonType;
    let expected = match kind {
        TypeKind::Single(t) => *t,
        TypeKind::Multiple(set) => {
            set.iter().find(|t| *t != JsonType::Null).unwrap_or(JsonType::Null)
        }
    };
    let from_string = input.is_string();
    let (kind, msg) = match expected {
        JsonType::String => ("string_type", "Input should be a valid string"),
        JsonType::Integer if from_string => {
            ("int_parsing", "Input should be a valid integer, unable to parse string as an integer")
        }
        JsonType::Integer if input.is_number() => (
            "int_from_float",
            "Input should be a valid integer, got a number with a fractional part",
        ),
        JsonType::Integer => ("int_type", "Input should be a valid integer"),
        JsonType::Number if from_string => {
            ("float_parsing", "Input should be a valid number, unable to parse string as a number")
        }
        JsonType::Number => ("float_type", "Input should be a valid number"),
        JsonType::Boolean if from_string => {
            ("bool_parsing", "Input should be a valid boolean, unable to interpret input")
        }
        JsonType::Boolean => ("bool_type", "Input should be a valid boolean"),
        JsonType::Array => ("list_type", "Input should be a valid list"),
        JsonType::Object => (
            "model_attributes_type",
            "Input should be a valid dictionary or object to extract fields from",
        ),
        JsonType::Null => ("none_required", "Input should be None"),
    };
    ErrorDetail::new(kind, loc, msg, input.clone())
}

fn format_error(format: &str, detail: impl Fn(&'static str, String) -> ErrorDetail) -> ErrorDetail {
    match format {
        "email" | "idn-email" => detail(
            "value_error",
            "value is not a valid email address: An email address must have an @-sign and a valid domain."
                .to_owned(),
        )
        .with_ctx("reason", json!("not a valid email address")),
        "uri" | "iri" | "uri-reference" => detail("url_parsing", "Input should be a valid URL".to_owned()),
        "uuid" => detail("uuid_parsing", "Input should be a valid UUID".to_owned()),
        "date-time" => detail("datetime_parsing", "Input should be a valid datetime".to_owned()),
        "date" => detail("date_parsing", "Input should be a valid date".to_owned()),
        "time" => detail("time_parsing", "Input should be a valid time".to_owned()),
        "ipv4" | "ipv6" => detail("ip_parsing", format!("Input should be a valid {format} address")),
        other => detail("value_error", format!("Input should be a valid {other}")),
    }
}
