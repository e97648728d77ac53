//! Text from forms and URLs to typed database values, and stored values back to text for
//! forms and lists, by column type.

use quiver_orm::{ColumnType, FieldMeta, FieldType};
use sea_query::Value;
use serde_json::Value as Json;

/// A typed NULL of `column_type` (PostgreSQL refuses a text NULL for a timestamp column).
pub(crate) fn null_of(column_type: ColumnType) -> Value {
    match column_type {
        ColumnType::Bool => bool::null_value(),
        ColumnType::SmallInt => i16::null_value(),
        ColumnType::Integer => i32::null_value(),
        ColumnType::BigInt => i64::null_value(),
        ColumnType::Float => f32::null_value(),
        ColumnType::Double => f64::null_value(),
        ColumnType::Text => String::null_value(),
        ColumnType::Decimal => rust_decimal::Decimal::null_value(),
        ColumnType::Date => chrono::NaiveDate::null_value(),
        ColumnType::Time => chrono::NaiveTime::null_value(),
        ColumnType::DateTime => chrono::NaiveDateTime::null_value(),
        ColumnType::TimestampTz => chrono::DateTime::<chrono::Utc>::null_value(),
        ColumnType::Uuid => uuid::Uuid::null_value(),
        ColumnType::Json => serde_json::Value::null_value(),
        ColumnType::Bytes => Vec::<u8>::null_value(),
        _ => String::null_value(),
    }
}

/// The column type a field's values have: a relation's is its target's key type.
pub(crate) fn value_type(field: &FieldMeta) -> ColumnType {
    match field.relation {
        Some(relation) => (relation.model)().pk_field().column_type,
        None => field.column_type,
    }
}

/// Parses `text` (from a form or a URL) as a value of `column_type`; the error is a message
/// for people.
pub(crate) fn parse(column_type: ColumnType, text: &str) -> Result<Value, String> {
    let text = text.trim();
    let number = || "Enter a whole number.".to_owned();
    Ok(match column_type {
        ColumnType::Bool => match text {
            "1" | "true" | "True" | "on" | "yes" => true.to_value(),
            "0" | "false" | "False" | "off" | "no" => false.to_value(),
            _ => return Err("Enter yes or no.".into()),
        },
        ColumnType::SmallInt => text.parse::<i16>().map_err(|_| number())?.to_value(),
        ColumnType::Integer => text.parse::<i32>().map_err(|_| number())?.to_value(),
        ColumnType::BigInt => text.parse::<i64>().map_err(|_| number())?.to_value(),
        ColumnType::Float => match parse_float(text)? {
            x if x.abs() <= f64::from(f32::MAX) => (x as f32).to_value(),
            _ => return Err("Enter a smaller number.".into()),
        },
        ColumnType::Double => parse_float(text)?.to_value(),
        ColumnType::Text => text.to_owned().to_value(),
        ColumnType::Decimal => text
            .parse::<rust_decimal::Decimal>()
            .map_err(|_| "Enter a number.".to_owned())?
            .to_value(),
        ColumnType::Date => parse_date(text)?.to_value(),
        ColumnType::Time => parse_time(text)?.to_value(),
        ColumnType::DateTime => parse_datetime(text)?.to_value(),
        ColumnType::TimestampTz => parse_datetime(text)?.and_utc().to_value(),
        ColumnType::Uuid => {
            text.parse::<uuid::Uuid>().map_err(|_| "Enter a valid UUID.".to_owned())?.to_value()
        }
        ColumnType::Json => serde_json::from_str::<Json>(text)
            .map_err(|e| format!("Enter valid JSON: {e}."))?
            .to_value(),
        ColumnType::Bytes => text.as_bytes().to_vec().to_value(),
        _ => text.to_owned().to_value(),
    })
}

fn parse_float(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err("Enter a number.".into()),
    }
}

fn parse_date(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "Enter a valid date (YYYY-MM-DD).".to_owned())
}

fn parse_time(text: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(text, "%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveTime::parse_from_str(text, "%H:%M"))
        .map_err(|_| "Enter a valid time (HH:MM:SS).".to_owned())
}

fn parse_datetime(text: &str) -> Result<chrono::NaiveDateTime, String> {
    let text = text.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .ok_or_else(|| "Enter a valid date and time.".to_owned())
}

/// A stored value as the text a form input holds (`datetime-local` wants no zone).
pub(crate) fn form_text(json: &Json, column_type: ColumnType) -> String {
    match json {
        Json::Null => String::new(),
        // JSON columns hold any JSON: `true` and `"42"` must come back as themselves.
        other if column_type == ColumnType::Json => {
            serde_json::to_string_pretty(other).unwrap_or_default()
        }
        Json::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
        Json::String(s) => match column_type {
            ColumnType::TimestampTz => chrono::DateTime::parse_from_rfc3339(s)
                .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string())
                .unwrap_or_else(|_| s.clone()),
            ColumnType::DateTime => s.replace(' ', "T").chars().take(19).collect(),
            _ => s.clone(),
        },
        other => other.to_string(),
    }
}

/// Whether a checkbox's or a yes/no select's text means yes.
pub(crate) fn is_yes(text: &str) -> bool {
    matches!(text, "on" | "true" | "True" | "1" | "yes")
}

/// A field's default as the text its input starts with on an add form.
pub(crate) fn default_text(value: &Value, column_type: ColumnType) -> String {
    match value {
        Value::Bool(Some(b)) => if *b { "true" } else { "false" }.to_owned(),
        Value::String(Some(s)) => s.to_string(),
        Value::TinyInt(Some(n)) => n.to_string(),
        Value::SmallInt(Some(n)) => n.to_string(),
        Value::Int(Some(n)) => n.to_string(),
        Value::BigInt(Some(n)) => n.to_string(),
        Value::Float(Some(x)) => x.to_string(),
        Value::Double(Some(x)) => x.to_string(),
        Value::Decimal(Some(d)) => d.to_string(),
        Value::Json(Some(j)) => form_text(j, column_type),
        _ => String::new(),
    }
}

/// A primary key as it appears in URLs and checkboxes.
pub(crate) fn key_text(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One cell of a change list.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Cell {
    pub text: String,
    pub kind: &'static str,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Cell {
        Cell { text: text.into(), kind: "text" }
    }
}

/// A stored value as people read it in a list: choice labels, yes/no, UTC times.
pub(crate) fn display(json: &Json, field: Option<&FieldMeta>) -> Cell {
    let column_type = field.map(|f| f.column_type);
    match json {
        Json::Null => Cell { text: "-".into(), kind: "null" },
        Json::Bool(b) => Cell { text: if *b { "yes" } else { "no" }.into(), kind: "bool" },
        Json::String(s) => {
            if let Some(field) = field
                && let Some((_, label)) = field.choices.iter().find(|(stored, _)| stored == s)
            {
                return Cell::text(*label);
            }
            match column_type {
                Some(ColumnType::TimestampTz) => Cell::text(
                    chrono::DateTime::parse_from_rfc3339(s)
                        .map(|t| t.naive_utc().format("%Y-%m-%d %H:%M:%S UTC").to_string())
                        .unwrap_or_else(|_| s.clone()),
                ),
                Some(ColumnType::DateTime) => Cell::text(s.replace('T', " ")),
                _ => Cell::text(truncate(s, 120)),
            }
        }
        Json::Number(n) => {
            if let Some(field) = field {
                let text = n.to_string();
                if let Some((_, label)) = field.choices.iter().find(|(stored, _)| *stored == text) {
                    return Cell::text(*label);
                }
            }
            Cell::text(n.to_string())
        }
        Json::Array(items) if column_type == Some(ColumnType::Bytes) => {
            Cell::text(format!("{} bytes", items.len()))
        }
        other => Cell::text(truncate(&other.to_string(), 120)),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

/// `blog_article` → `Blog article`; `is_staff` → `Is staff`.
pub(crate) fn humanize(name: &str) -> String {
    let spaced = name.replace("__", " ").replace('_', " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_text_gets_a_message_for_people() {
        assert_eq!(parse(ColumnType::BigInt, "12x").unwrap_err(), "Enter a whole number.");
        assert_eq!(parse(ColumnType::SmallInt, "40000").unwrap_err(), "Enter a whole number.");
        assert!(parse(ColumnType::Date, "2026-02-30").unwrap_err().contains("valid date"));
        assert!(parse(ColumnType::Json, "{").unwrap_err().starts_with("Enter valid JSON"));
        assert_eq!(parse(ColumnType::Float, "NaN").unwrap_err(), "Enter a number.");
    }

    #[test]
    fn form_datetimes_round_trip_in_utc() {
        let value = parse(ColumnType::TimestampTz, "2026-11-27T08:30:05").unwrap();
        let stored = Json::String("2026-11-27T08:30:05Z".into());
        assert_eq!(form_text(&stored, ColumnType::TimestampTz), "2026-11-27T08:30:05");
        assert!(matches!(value, Value::ChronoDateTimeUtc(Some(_))));
    }

    #[test]
    fn names_read_as_labels() {
        assert_eq!(humanize("is_staff"), "Is staff");
        assert_eq!(humanize("author__name"), "Author name");
    }
}
