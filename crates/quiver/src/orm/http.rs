//! ORM errors as HTTP answers.

use quiver_core::{Error, HttpError};
use quiver_orm::ErrorKind;

/// Turns an ORM result into a handler result: a missing row is a 404 naming the model, a
/// unique or foreign-key conflict a 409, failed field checks a 422 in the validation shape,
/// a field name, lookup or value given as text that does not fit the model (a client's
/// `?ordering=` or filter) a 400 saying why; anything else is a logged 500 whose details stay
/// on the server.
///
/// ```
/// use quiver::orm::{Error, OrmResultExt};
///
/// let missing: Result<(), Error> = Err(Error::not_found("Article"));
/// let error = missing.or_404().unwrap_err();
/// assert_eq!(error.status(), 404);
/// ```
pub trait OrmResultExt<T> {
    /// Maps the error as described on the trait.
    fn or_404(self) -> Result<T, Error>;
}

impl<T> OrmResultExt<T> for Result<T, quiver_orm::Error> {
    fn or_404(self) -> Result<T, Error> {
        self.map_err(to_http)
    }
}

fn to_http(error: quiver_orm::Error) -> Error {
    match error.kind() {
        ErrorKind::NotFound { model } => HttpError::not_found(format!("{model} not found")).into(),
        ErrorKind::UniqueViolation { .. } => {
            HttpError::conflict("a row with these values already exists").into()
        }
        ErrorKind::ForeignKeyViolation { .. } => {
            HttpError::conflict("the change would break a reference between rows").into()
        }
        ErrorKind::Validation(problems) => {
            let detail: Vec<serde_json::Value> = problems
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "type": p.code,
                        "loc": ["body", p.field],
                        "msg": p.message,
                    })
                })
                .collect();
            HttpError::new(http::StatusCode::UNPROCESSABLE_ENTITY, detail).into()
        }
        ErrorKind::UnknownField { .. }
        | ErrorKind::UnknownLookup { .. }
        | ErrorKind::InvalidValue { .. } => HttpError::bad_request(error.to_string()).into(),
        _ => Error::from(error),
    }
}
