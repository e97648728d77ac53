//! Strings from the query, path, headers, cookies or a form, turned into JSON guided by the
//! target type's schema: numbers where it wants numbers, lists for repeated keys. A string that
//! does not convert stays a string, so the schema walk reports it with the value the client sent.

use serde_json::{Map, Number, Value};

use super::SchemaInfo;

/// Name/value pairs in the order the client sent them.
pub(crate) type Pairs = Vec<(String, String)>;

/// The pairs as a JSON object shaped for the schema of the target type.
pub(crate) fn coerce_pairs(pairs: &Pairs, info: &SchemaInfo) -> Value {
    let root = info.resolve(&info.schema);
    let properties = root.get("properties").and_then(Value::as_object);
    let mut object = Map::new();
    for (key, value) in pairs {
        let schema = properties.and_then(|p| p.get(key)).map(|s| info.resolve(s));
        let wants_list = schema.is_some_and(|s| has_type(s, info, "array"));
        if wants_list {
            let items = schema.and_then(|s| array_items(s, info));
            let entry = object.entry(key.clone()).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = entry {
                list.push(coerce_one(value, items, info));
            }
        } else {
            object.insert(key.clone(), coerce_one(value, schema, info));
        }
    }
    Value::Object(object)
}

fn array_items<'a>(schema: &'a Value, info: &'a SchemaInfo) -> Option<&'a Value> {
    if let Some(items) = schema.get("items") {
        return Some(info.resolve(items));
    }
    branches(schema).find_map(|b| info.resolve(b).get("items")).map(|items| info.resolve(items))
}

fn branches(schema: &Value) -> impl Iterator<Item = &Value> {
    ["anyOf", "oneOf"].into_iter().filter_map(|k| schema.get(k).and_then(Value::as_array)).flatten()
}

fn has_type(schema: &Value, info: &SchemaInfo, wanted: &str) -> bool {
    let direct = match schema.get("type") {
        Some(Value::String(t)) => t == wanted,
        Some(Value::Array(types)) => types.iter().any(|t| t == wanted),
        _ => false,
    };
    direct || branches(schema).any(|b| has_type(info.resolve(b), info, wanted))
}

/// One string converted to the scalar type its schema asks for, when it converts.
fn coerce_one(raw: &str, schema: Option<&Value>, info: &SchemaInfo) -> Value {
    let Some(schema) = schema else {
        return Value::String(raw.to_owned());
    };
    if has_type(schema, info, "integer") {
        if let Ok(n) = raw.trim().parse::<i64>() {
            return Value::Number(n.into());
        }
        if let Ok(n) = raw.trim().parse::<u64>() {
            return Value::Number(n.into());
        }
    }
    if has_type(schema, info, "number")
        && let Some(n) = raw.trim().parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    if has_type(schema, info, "boolean")
        && let Some(b) = parse_bool(raw)
    {
        return Value::Bool(b);
    }
    if raw.is_empty() && has_type(schema, info, "null") && !has_type(schema, info, "string") {
        return Value::Null;
    }
    Value::String(raw.to_owned())
}

/// The spellings of a boolean pydantic accepts in query strings and forms.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
        _ => None,
    }
}
