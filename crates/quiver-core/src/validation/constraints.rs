//! Problems reported by the `validator` crate's derived checks, turned into [`ErrorDetail`]s.
//!
//! Most constraints are also in the type's schema and are worded from there; this covers the
//! rest (custom functions, cross-field rules) and anything the schema walk could not see.

use std::borrow::Cow;

use serde_json::Value;
use validator::{ValidationErrors as Report, ValidationErrorsKind};

use super::{ErrorDetail, LocItem, Source};

/// Every problem in a `validator` report, in a stable order, located under `source`.
/// Every problem of `report`, each with whether its message is the developer's own.
pub(crate) fn from_validator(
    source: Source,
    report: &Report,
    raw: &Value,
) -> Vec<(ErrorDetail, bool)> {
    let mut out = Vec::new();
    walk(report, vec![source.as_str().into()], raw, &mut out);
    out
}

fn walk(report: &Report, loc: Vec<LocItem>, raw: &Value, out: &mut Vec<(ErrorDetail, bool)>) {
    let mut fields: Vec<_> = report.0.iter().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    for (field, kind) in fields {
        let mut loc = loc.clone();
        // `__all__` holds struct-level (cross-field) problems: they belong to the object itself.
        let at_field = field != "__all__";
        if at_field {
            loc.push(LocItem::from(field.to_string()));
        }
        match kind {
            ValidationErrorsKind::Field(errors) => {
                for error in errors {
                    let input = lookup(raw, &loc);
                    out.push((describe(error, loc.clone(), input), error.message.is_some()));
                }
            }
            ValidationErrorsKind::Struct(inner) => walk(inner, loc, raw, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    let mut loc = loc.clone();
                    loc.push(LocItem::Index(*index));
                    walk(inner, loc, raw, out);
                }
            }
        }
    }
}

fn lookup(raw: &Value, loc: &[LocItem]) -> Value {
    let mut current = raw;
    for item in loc.iter().skip(1) {
        let next = match item {
            LocItem::Key(k) => current.get(k.as_ref()),
            LocItem::Index(i) => current.get(*i),
        };
        match next {
            Some(v) => current = v,
            None => return Value::Null,
        }
    }
    current.clone()
}

fn param(error: &validator::ValidationError, name: &str) -> Option<Value> {
    error.params.get(name).cloned()
}

fn describe(error: &validator::ValidationError, loc: Vec<LocItem>, input: Value) -> ErrorDetail {
    let custom = error.message.as_ref().map(Cow::to_string);
    let (kind, msg, ctx): (&'static str, String, Vec<(&str, Value)>) = match error.code.as_ref() {
        "length" => {
            let is_text = input.is_string();
            match (param(error, "min"), param(error, "max"), input_len(&input)) {
                (Some(min), _, Some(len)) if min.as_u64().is_some_and(|m| len < m) => (
                    if is_text { "string_too_short" } else { "too_short" },
                    format!("{} should have at least {min} {}", noun(is_text), unit(is_text)),
                    vec![("min_length", min)],
                ),
                (_, Some(max), _) => (
                    if is_text { "string_too_long" } else { "too_long" },
                    format!("{} should have at most {max} {}", noun(is_text), unit(is_text)),
                    vec![("max_length", max)],
                ),
                _ => ("value_error", "Value error, length is out of range".to_owned(), vec![]),
            }
        }
        "range" => match (param(error, "min"), param(error, "max")) {
            (Some(min), _) if compare(&input, &min).is_some_and(|o| o.is_lt()) => (
                "greater_than_equal",
                format!("Input should be greater than or equal to {min}"),
                vec![("ge", min)],
            ),
            (_, Some(max)) => (
                "less_than_equal",
                format!("Input should be less than or equal to {max}"),
                vec![("le", max)],
            ),
            _ => ("value_error", "Value error, out of range".to_owned(), vec![]),
        },
        "email" => (
            "value_error",
            "value is not a valid email address: An email address must have an @-sign and a valid domain."
                .to_owned(),
            vec![("reason", Value::from("not a valid email address"))],
        ),
        "url" => ("url_parsing", "Input should be a valid URL".to_owned(), vec![]),
        "regex" => ("string_pattern_mismatch", "String should match the required pattern".to_owned(), vec![]),
        code => {
            let text = custom.clone().unwrap_or_else(|| code.to_owned());
            ("value_error", format!("Value error, {text}"), vec![("error", Value::from(text))])
        }
    };
    // The developer's own message wins, except for custom functions, which pydantic words
    // `Value error, <message>` (already built above).
    let msg = match &custom {
        Some(text) if !msg.starts_with("Value error, ") => text.clone(),
        _ => msg,
    };
    let mut detail = ErrorDetail::new(kind, loc, msg, input);
    for (key, value) in ctx {
        detail = detail.with_ctx(key, value);
    }
    detail
}

fn input_len(input: &Value) -> Option<u64> {
    match input {
        Value::String(s) => Some(s.chars().count() as u64),
        Value::Array(a) => Some(a.len() as u64),
        _ => None,
    }
}

fn noun(is_text: bool) -> &'static str {
    if is_text { "String" } else { "List" }
}

fn unit(is_text: bool) -> &'static str {
    if is_text { "characters" } else { "items" }
}

fn compare(input: &Value, limit: &Value) -> Option<std::cmp::Ordering> {
    input.as_f64()?.partial_cmp(&limit.as_f64()?)
}
