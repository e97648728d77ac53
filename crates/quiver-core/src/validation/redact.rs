//! Secrets never travel back: a 422 echoes each rejected input (as FastAPI does), except the
//! values of fields whose names say they hold a secret.

use serde_json::Value;

use super::{ErrorDetail, LocItem};

/// What a redacted value reads as.
pub const REDACTED: &str = "[redacted]";

/// Whether a field or parameter named `name` holds a secret: its name contains `password`,
/// `passwd`, `secret`, `token`, `api_key`/`apikey`, `authorization` or `credential`
/// (any case, `-` and `_` alike).
///
/// ```
/// use quiver_core::validation::is_sensitive_name;
///
/// assert!(is_sensitive_name("new_password"));
/// assert!(is_sensitive_name("X-API-Key"));
/// assert!(!is_sensitive_name("username"));
/// ```
pub fn is_sensitive_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace('-', "_");
    ["password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "credential"]
        .iter()
        .any(|word| name.contains(word))
}

/// Hides the secrets in one problem: the whole input when its location names a secret, else
/// every secret-named key inside it.
pub(crate) fn redact(error: &mut ErrorDetail) {
    let named_secret = error.loc.iter().any(|item| match item {
        LocItem::Key(key) => is_sensitive_name(key),
        LocItem::Index(_) => false,
    });
    if named_secret && !error.input.is_null() {
        error.input = Value::String(REDACTED.to_owned());
    } else {
        redact_value(&mut error.input);
    }
}

fn redact_value(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                if is_sensitive_name(key) {
                    *inner = Value::String(REDACTED.to_owned());
                } else {
                    redact_value(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::Source;

    #[test]
    fn a_rejected_password_is_not_echoed_but_other_inputs_are() {
        let mut short = ErrorDetail::new(
            "string_too_short",
            vec![Source::Body.as_str().into(), "password".into()],
            "String should have at least 8 characters",
            Value::String("hunter2".into()),
        );
        redact(&mut short);
        assert_eq!(short.input, REDACTED);

        let mut whole = ErrorDetail::new(
            "missing",
            vec![Source::Body.as_str().into(), "email".into()],
            "Field required",
            serde_json::json!({"username": "ada", "password": "hunter2", "nested": [{"api_key": "k"}]}),
        );
        redact(&mut whole);
        assert_eq!(
            whole.input,
            serde_json::json!({"username": "ada", "password": REDACTED, "nested": [{"api_key": REDACTED}]})
        );
    }
}
